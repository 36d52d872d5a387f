"""The PostgreSQL state store behaves as the SQLite one, scoped by tenant."""
from __future__ import annotations

import datetime as dt
import json
import time

import psycopg
import pytest

from grunndata.journal import JournalLocked
from grunndata.state import StateStore
from grunndata.state.postgres import PostgresStateStore

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def store(url: str, tenant: str = "acme-bygg") -> PostgresStateStore:
    return PostgresStateStore(psycopg.connect(url, autocommit=True), tenant)


def test_store_is_a_state_store(pg_url):
    s = store(pg_url)
    assert isinstance(s, StateStore)
    s.close()


def test_round_trips_json_values_per_tenant(pg_url):
    s, other = store(pg_url), store(pg_url, "other")
    assert s.watermarks() == {} and s.kept_snapshot() is None
    s.set_watermarks({"smartdok/Projects": "2026-11-29T09:00:00.123"})
    s.set_watermarks({"poweroffice/Projects": "2026-11-29T09:00:00+00:00"})
    assert s.watermarks() == {"smartdok/Projects": "2026-11-29T09:00:00.123",
                              "poweroffice/Projects": "2026-11-29T09:00:00+00:00"}
    assert other.watermarks() == {}
    s.keep_snapshot({"smartdok/Projects": [{"Id": 1, "Name": "Bru ÆØÅ"}], "poweroffice/Projects": []})
    s.keep_snapshot({"poweroffice/Projects": [{"Id": 9}]})
    assert s.kept_snapshot() == {"smartdok/Projects": [{"Id": 1, "Name": "Bru ÆØÅ"}],
                                 "poweroffice/Projects": [{"Id": 9}]}
    s.keep_snapshot({"smartdok/Projects": []}, replace=True)
    assert s.kept_snapshot() == {"smartdok/Projects": []} and other.kept_snapshot() is None
    run = s.journal.start_run("smartdok", "h", "f", kind="sync", summary={"planned_writes": 3})
    s.journal.finish_run(run, "waiting", {"planned_writes": 3})
    s.add_waiting(run, "grensen", {"create": 0, "update": 1, "finish": 2}, {"actions": []}, {"format": 1})
    [waiting] = s.waiting()
    assert (waiting.run_id, waiting.reason, waiting.summary) == (run, "grensen", {"create": 0, "update": 1, "finish": 2})
    assert json.dumps(waiting.plan) and s.waiting_plan(run) == waiting and other.waiting() == []
    s.resolve_waiting(run, "rejected")
    assert s.waiting() == [] and s.waiting_plan(run) is None
    assert s.journal.run(run)["status"] == "rejected"
    assert other.journal.run(run) is None
    s.close()
    other.close()


def test_journal_rows_and_counts(pg_url):
    s = store(pg_url)
    run = s.journal.start_run("smartdok", "h", "f", summary={"ok": 0, "failed": 0})
    row = s.journal.write_started(run, "actions", 1, {"op": "create", "entity": "project", "target": "poweroffice",
                                                      "key": "2301", "fields": {"Name": "Bru"}, "reason": "ny",
                                                      "rule": "r:1"})
    s.journal.write_done("actions", row, "ok", remote_id=77)
    s.journal.finish_run(run, "ok", {"ok": 0, "failed": 0})
    got = s.journal.run(run)
    assert got["summary"] == {"ok": 1, "failed": 0}
    assert [(a["key"], a["outcome"], a["remote_id"], a["fields"]) for a in got["actions"]] == \
        [("2301", "ok", "77", {"Name": "Bru"})]
    assert [r["id"] for r in s.journal.runs()] == [run]
    s.close()


def test_cycles_last_and_last_ok_and_settle(pg_url):
    s = store(pg_url)
    a = s.cycle_started("sync", "full", T0)
    s.cycle_finished(a, T0 + dt.timedelta(seconds=5), ok=True, counts={"writes": 2})
    b = s.cycle_started("sync", "incremental", T0 + dt.timedelta(minutes=15))
    cycles = s.last_cycles()
    assert [c.id for c in cycles["sync"]] == [b, a]
    assert cycles["sync"][0].finished is None and cycles["sync"][1].counts == {"writes": 2}
    s.settle(T0 + dt.timedelta(minutes=16))
    last = s.last_cycles()["sync"][0]
    assert last.ok is False and last.error is not None and last.finished is not None
    s.close()


def test_person_applied_and_runner(pg_url):
    s = store(pg_url)
    assert not s.person_applied()
    s.note_person_applied()
    assert s.person_applied()
    assert not s.runner_active()
    s.runner_heartbeat(1234, dt.datetime.now(UTC))
    assert s.runner_active()
    s.runner_heartbeat(None, T0)
    assert not s.runner_active()
    s.close()


def test_lock_is_per_tenant_and_dies_with_its_session(pg_url):
    one, two, other = store(pg_url), store(pg_url), store(pg_url, "other")
    one.lock()
    with pytest.raises(JournalLocked) as err:
        two.lock()
    assert err.value.exit_code == 3
    other.lock()  # another tenant is not held up
    pid = one.conn.info.backend_pid
    one.conn.close()  # a worker that died: its session and its lock are gone
    with psycopg.connect(pg_url) as probe:  # the server ends the session a moment later
        for _ in range(500):
            if probe.execute("SELECT count(*) FROM pg_stat_activity WHERE pid=%s", (pid,)).fetchone()[0] == 0:
                break
            time.sleep(0.01)
    two.lock()
    for s in (two, other):
        s.close()
