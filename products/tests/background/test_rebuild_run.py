"""How far a rebuild got, as the maintenance page shows it."""

from products.background.rebuilds import RebuildRun, RebuildState


def test_a_rebuild_with_every_event_replayed_is_not_done_until_it_finishes():
    run = RebuildRun(state=RebuildState.RUNNING, events_total=600, events_done=600)
    assert run.percent == 99
    run.state = RebuildState.SUCCEEDED
    assert run.percent == 100


def test_a_running_rebuild_shows_the_share_of_events_replayed():
    assert RebuildRun(state=RebuildState.RUNNING, events_total=600, events_done=150).percent == 25
    assert RebuildRun(state=RebuildState.QUEUED, events_total=0, events_done=0).percent == 0
