"""`make soak` in miniature: 8 clients for a few seconds under a cut, a killed web worker and a killed task worker."""

from __future__ import annotations

import pytest
from django.conf import global_settings
from django.db import connection

from bench import soak

from ..workers import worker_port

pytestmark = [pytest.mark.pg_only, pytest.mark.django_db(transaction=True)]

APP_PORT = worker_port("SOAK_TEST_APP_PORT", 9108)  # gw1 adds 4, and so on (tests/workers.py)
PROXY_PORT = worker_port("SOAK_TEST_PROXY_PORT", 9109)


def test_a_short_soak_under_faults_loses_nothing_duplicates_nothing_and_every_503_is_true(
    tmp_path, monkeypatch, settings
):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the server checks the clerk's password with these
    monkeypatch.setenv("SOAK_LOG_DIR", str(tmp_path))
    options = soak.Options(
        dict(connection.settings_dict), duration=6, port=APP_PORT, proxy_port=PROXY_PORT, cut_every=3, kill_every=4
    )
    report = soak.run(options, log=lambda *_: None)
    figures, faults = report["figures"], report["faults"]
    assert report["ok"], soak.table(report)
    assert all(figures[f"sent {channel}"] > 0 for channel in ("form", "htmx", "api", "api-async")), figures
    assert faults["cuts"] >= 1 and faults["web_worker_kills"] >= 1 and faults["task_worker_kills"] >= 1, faults
    assert figures["accepted"] > 0 and figures["lost"] == figures["duplicated"] == figures["untrue 503s"] == 0
