"""``grunndata run`` as a process: SIGTERM finishes and journals the write in flight; a running
``run`` on a short schedule carries each change made through the vendors' APIs exactly once; and
SIGKILL at random moments, ten times, loses and duplicates nothing."""
from __future__ import annotations

import random
import signal
import sqlite3

from unattended_env import Env, wait_for

from grunndata.state import SqliteStateStore


def journal_rows(env: Env) -> list[tuple]:
    db = sqlite3.connect(env.tmp / "grunndata-journal.sqlite")
    try:
        return db.execute("SELECT run_id, op, key, outcome FROM actions ORDER BY id").fetchall()
    finally:
        db.close()


def sync_cycles(env: Env) -> int:
    store = SqliteStateStore(env.tmp / "grunndata-journal.sqlite")
    try:
        return int(store.db.execute("SELECT COUNT(*) FROM state_cycles WHERE kind='sync' AND finished IS NOT NULL"
                                    " AND ok=1").fetchone()[0])
    finally:
        store.close()


def converged(env: Env) -> bool:
    po = env.po_by_code()
    for project in env.records("smartdok", "Projects"):
        mine = po.get(project["ProjectNumber"]) or []
        if len(mine) != 1 or mine[0]["Name"] != project["ProjectName"]:
            return False
    return True


def test_sigterm_mid_cycle_finishes_and_journals_the_write_in_flight(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    for i in range(8):
        env.sd_new(str(2400 + i), f"Nytt prosjekt {i}")
    env.sb.add_fault("poweroffice", "POST", "/v2/Projects", delay=0.3, count=1000)
    proc = env.child("run", "--once")
    wait_for(lambda: env.sb.delayed("poweroffice")[0] >= 1, "a create held in flight", proc=proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err and "stoppet" in err
    rows = [r for r in journal_rows(env) if r[1] == "create" and r[2].startswith("24")]
    assert rows and all(r[3] == "ok" for r in rows)  # nothing left 'started': the ones in flight finished
    created = [code for code in env.po_by_code() if code.startswith("24")]
    assert len(created) == len(rows) < 8
    env.sb.clear_faults()
    assert env.cli("run", "--once").exit_code == 0
    assert converged(env)


def test_run_on_a_short_schedule_carries_each_change_exactly_once(env: Env):
    env.write_config(schedule={"sync": "1s", "full": "off"})
    assert env.cli("apply", "--yes").exit_code == 0
    before = env.sb.stats()["poweroffice"]
    proc = env.child("run", "--log-format", "json")
    try:
        wait_for(lambda: sync_cycles(env) >= 1, "the first cycle", proc=proc)
        env.sd_change(5, ProjectName="Omdøpt mens run kjører")
        wait_for(lambda: env.po_by_code()["2304"][0]["Name"] == "Omdøpt mens run kjører", "the rename", proc=proc)
        env.sd_new("2450", "Nytt mens run kjører")
        wait_for(lambda: "2450" in env.po_by_code(), "the new project", proc=proc)
        env.po_change(907, Name="Endret i PowerOffice")
        wait_for(lambda: env.po_by_code()["2307"][0]["Name"] == "Prosjekt 2307", "the master winning", proc=proc)
        seen = sync_cycles(env)
        wait_for(lambda: sync_cycles(env) >= seen + 2, "two quiet cycles", proc=proc)
        _, status = env.status()
        assert status["cycles"]["sync"]["next"] is not None  # a run is running
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    after = env.sb.stats()["poweroffice"]
    assert after.get("POST /v2/Projects", 0) - before.get("POST /v2/Projects", 0) == 1
    # The test's own PATCH in PowerOffice, and our two: the rename carried over and the drift put right.
    assert after.get("PATCH /v2/Projects/{id}", 0) - before.get("PATCH /v2/Projects/{id}", 0) == 3
    assert converged(env)
    assert len(out.strip().splitlines()) >= 5  # one log line per cycle
    for secret in ("unattended-sd-3c4d5e6f7a", "unattended-client-4a5b6c7d8e", "unattended-sub-9f0a1b2c3d"):
        assert secret not in out and secret not in err


def test_sigkill_at_random_moments_ten_times_loses_and_duplicates_nothing(env: Env):
    env.write_config(schedule={"sync": "1s", "full": "off"})
    assert env.cli("apply", "--yes").exit_code == 0
    rng = random.Random(13)
    env.sb.add_fault("poweroffice", "*", "/v2/Projects", delay=0.02, count=100000)
    env.sb.add_fault("poweroffice", "PATCH", "/v2/Projects/{id}", delay=0.02, count=100000)
    number = 2500
    for round_ in range(10):
        for _ in range(3):
            env.sd_new(str(number), f"Runde {round_} prosjekt {number}")
            number += 1
        env.sd_change(rng.randrange(1, 13), ProjectName=f"Omdøpt i runde {round_}")
        proc = env.child("run")
        start = env.sb.write_count("poweroffice")
        target = start + rng.randrange(0, 5)
        try:
            wait_for(lambda t=target: env.sb.write_count("poweroffice") >= t or converged(env), "a moment to kill",
                     proc=proc)
        finally:
            proc.kill()
            proc.communicate(timeout=30)
    env.sb.clear_faults()
    for _ in range(4):
        result = env.cli("run", "--once")
        assert result.exit_code == 0, result.output
        if converged(env):
            break
    assert converged(env)
    po = env.po_by_code()
    assert all(len(records) == 1 for records in po.values())  # nothing duplicated
    assert len([c for c in po if c.startswith("25")]) == 30    # nothing lost


def test_run_holds_the_journal_only_while_a_cycle_runs(env: Env):
    env.write_config(schedule={"sync": "1h", "full": "off"})
    assert env.cli("apply", "--yes").exit_code == 0
    proc = env.child("run")
    try:
        wait_for(lambda: sync_cycles(env) >= 1, "the first cycle", proc=proc)
        # Between cycles: a second run --once, apply and status all work.
        assert env.cli("run", "--once").exit_code == 0
        assert env.cli("apply", "--yes").exit_code == 0
        code, status = env.status()
        assert code == 0 and status["cycles"]["sync"]["next"] is not None
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert env.status()[1]["cycles"]["sync"]["next"] is None  # no run is running now
