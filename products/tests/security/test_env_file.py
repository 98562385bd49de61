"""Where settings come from: the development .env `make run` writes; real variables first; production and the
test suite never read one."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

BASE_DIR = Path(__file__).resolve().parents[3]
REFUSAL = "SECRET_KEY must be set when DEBUG is off."
SHOW_SETTINGS = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'DEBUG': s.DEBUG, 'SECURE_SSL': s.SECURE_SSL, 'SECRET_KEY': s.SECRET_KEY}))"
)


def nothing_exported(tmp_path: Path, **env: str) -> dict:
    """A shell with no settings exported (only this virtualenv on PATH), plus `env`; SQLite lives in tmp_path."""
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        **env,
    }


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter or script, our own arguments)
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], env)


def settings_seen(env: dict) -> dict:
    result = manage(env, "shell", "-c", SHOW_SETTINGS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_dev_env(path: Path, env: dict) -> subprocess.CompletedProcess:
    """What `make run` does when there is no .env yet."""
    result = run([sys.executable, "scripts/dev_env.py", str(path)], env)
    assert result.returncode == 0, result.stderr
    return result


def test_manage_py_works_in_development_from_the_env_file_make_run_writes(tmp_path):
    env_file = tmp_path / ".env"
    env = nothing_exported(tmp_path, ENV_FILE=str(env_file))
    write_dev_env(env_file, env)

    check = manage(env, "check")
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues" in check.stdout
    assert manage(env, "seed_demo", "--help").returncode == 0

    seen = settings_seen(env)
    assert seen["DEBUG"] is True and seen["SECURE_SSL"] is False
    assert seen["SECRET_KEY"] == dotenv_values(env_file)["SECRET_KEY"]
    assert len(seen["SECRET_KEY"]) >= 50 and "insecure" not in seen["SECRET_KEY"]


def test_the_env_file_is_made_once_private_and_with_its_own_key(tmp_path):
    env = nothing_exported(tmp_path)
    first, other = tmp_path / ".env", tmp_path / "other.env"
    write_dev_env(first, env)
    written = first.read_text()
    first.write_text(written + "LOG_LEVEL=DEBUG\n")  # a developer's own line

    again = write_dev_env(first, env)
    assert "kept" in again.stdout
    assert first.read_text() == written + "LOG_LEVEL=DEBUG\n"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600  # it holds a secret key

    write_dev_env(other, env)
    assert dotenv_values(other)["SECRET_KEY"] != dotenv_values(first)["SECRET_KEY"]


def test_without_the_env_file_manage_py_refuses_without_a_secret_key(tmp_path):
    env = nothing_exported(tmp_path, ENV_FILE=str(tmp_path / "no-such.env"))
    result = manage(env, "check")
    assert result.returncode != 0
    assert REFUSAL in result.stderr and "make run" in result.stderr


def test_real_environment_variables_win_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nSECURE_SSL=0\nSECRET_KEY=from-the-env-file\n")
    env = nothing_exported(tmp_path, ENV_FILE=str(env_file), DEBUG="0", SECRET_KEY="from-the-environment")

    seen = settings_seen(env)
    assert seen["DEBUG"] is False
    assert seen["SECRET_KEY"] == "from-the-environment"
    assert seen["SECURE_SSL"] is False  # not exported: the file's line counts


def test_a_production_start_without_a_secret_key_refuses_with_a_clear_message(tmp_path):
    """The container's start (`entrypoint.sh web`, DEBUG unset) with no key stops at once, saying why."""
    # As in the image, which has no .env: ENV_FILE points at a file that does not exist.
    env = nothing_exported(tmp_path, ENV_FILE=str(tmp_path / ".env"), PORT="0")
    result = run(["scripts/entrypoint.sh", "web"], env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.endswith(
        REFUSAL + " In production set SECRET_KEY in the environment; for local development run `make run` once "
        "(it writes .env with DEBUG=1 and a local key)."
    )


def test_the_env_file_stays_out_of_git_and_the_docker_image():
    for ignore_file in (".gitignore", ".dockerignore"):
        lines = (BASE_DIR / ignore_file).read_text().splitlines()
        assert ".env" in lines, f"{ignore_file} must list .env"


def test_the_test_suite_reads_no_env_file(tmp_path):
    """pytest runs as CI does whatever .env a developer keeps (pyproject's pytest-env forces ENV_FILE empty)."""
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\nALLOWED_HOSTS=from-the-env-file\n")
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "from django.conf import settings\n"
        "import cqrs_demo.settings as read\n\n"
        "def test_probe():\n"
        "    assert read.DEBUG is False, 'DEBUG came from the .env'\n"
        "    assert 'from-the-env-file' not in settings.ALLOWED_HOSTS, settings.ALLOWED_HOSTS\n"
    )
    env = nothing_exported(tmp_path, ENV_FILE=str(env_file))
    result = run(
        [
            *(sys.executable, "-m", "pytest", "-c", str(BASE_DIR / "pyproject.toml"), "--rootdir", str(BASE_DIR)),
            *("-p", "no:cacheprovider", "-q", str(probe)),
        ],
        env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
