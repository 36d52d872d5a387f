"""The SQLite state store keeps what cycles need between them, beside the journal."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from grunndata.journal import JournalLocked
from grunndata.state import SqliteStateStore, StateStore

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def test_store_is_a_state_store(tmp_path):
    store = SqliteStateStore(tmp_path / "j.sqlite")
    assert isinstance(store, StateStore)
    store.close()


def test_round_trips_json_values(tmp_path):
    store = SqliteStateStore(tmp_path / "j.sqlite")
    assert store.watermarks() == {} and store.kept_snapshot() is None
    store.set_watermarks({"smartdok/Projects": "2026-11-29T09:00:00.123"})
    store.set_watermarks({"poweroffice/Projects": "2026-11-29T09:00:00+00:00"})
    assert store.watermarks() == {"smartdok/Projects": "2026-11-29T09:00:00.123",
                                  "poweroffice/Projects": "2026-11-29T09:00:00+00:00"}
    store.keep_snapshot({"smartdok/Projects": [{"Id": 1, "Name": "Bru ÆØÅ"}], "poweroffice/Projects": []})
    store.keep_snapshot({"poweroffice/Projects": [{"Id": 9}]})
    assert store.kept_snapshot() == {"smartdok/Projects": [{"Id": 1, "Name": "Bru ÆØÅ"}],
                                     "poweroffice/Projects": [{"Id": 9}]}
    store.keep_snapshot({"smartdok/Projects": []}, replace=True)
    assert store.kept_snapshot() == {"smartdok/Projects": []}
    run = store.journal.start_run("smartdok", "h", "f", kind="sync", summary={"planned_writes": 3})
    store.journal.finish_run(run, "waiting", {"planned_writes": 3})
    store.add_waiting(run, "grensen", {"create": 0, "update": 1, "finish": 2}, {"actions": []}, {"format": 1})
    [waiting] = store.waiting()
    assert (waiting.run_id, waiting.reason, waiting.summary) == (run, "grensen", {"create": 0, "update": 1, "finish": 2})
    assert json.dumps(waiting.plan) and store.waiting_plan(run) == waiting
    store.resolve_waiting(run, "rejected")
    assert store.waiting() == [] and store.waiting_plan(run) is None
    assert store.journal.run(run)["status"] == "rejected"
    store.close()


def test_cycles_last_and_last_ok_and_settle(tmp_path):
    store = SqliteStateStore(tmp_path / "j.sqlite")
    a = store.cycle_started("sync", "full", T0)
    store.cycle_finished(a, T0 + dt.timedelta(seconds=5), ok=True, counts={"writes": 2})
    b = store.cycle_started("sync", "incremental", T0 + dt.timedelta(minutes=15))
    cycles = store.last_cycles()
    assert [c.id for c in cycles["sync"]] == [b, a]
    assert cycles["sync"][0].finished is None and cycles["sync"][1].counts == {"writes": 2}
    store.settle(T0 + dt.timedelta(minutes=16))
    last = store.last_cycles()["sync"][0]
    assert last.ok is False and last.error is not None and last.finished is not None
    store.close()


def test_person_applied_and_runner(tmp_path):
    store = SqliteStateStore(tmp_path / "j.sqlite")
    assert not store.person_applied()
    store.note_person_applied()
    assert store.person_applied()
    assert not store.runner_active()
    store.runner_heartbeat(os.getpid(), T0)
    assert store.runner_active()
    store.runner_heartbeat(None, T0)
    assert not store.runner_active()
    store.close()


def test_lock_is_the_journal_lock(tmp_path):
    one, two = SqliteStateStore(tmp_path / "j.sqlite"), SqliteStateStore(tmp_path / "j.sqlite")
    one.lock()
    with pytest.raises(JournalLocked) as err:
        two.lock()
    assert err.value.exit_code == 3
    one.unlock()
    two.lock()
    two.close()
    one.close()
