"""``grunndata run --once`` against the sandbox over loopback: convergence, incremental reads,
guardrails with approve/reject, stale approvals, status, and the lock."""
from __future__ import annotations

import json

from unattended_env import Env

from grunndata.state import SqliteStateStore

NO_OVERLAP = "incremental:\n  overlap: 0s\n"


def once(env: Env, *args: str) -> tuple[int, dict]:
    result = env.cli("run", "--once", "--log-format", "json", *args)
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    assert lines, result.output
    return result.exit_code, json.loads(lines[-1])


def test_run_once_converges_both_directions_after_a_first_apply(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    code, first = once(env)
    assert (code, first["mode"], first["outcome"]) == (0, "full", "nothing")
    env.sd_change(1, ProjectName="Nytt navn i SmartDok")   # master -> PowerOffice
    env.po_change(902, Name="Omdøpt i PowerOffice")        # PowerOffice drifts: the master wins
    env.sd_new("2399", "Helt nytt prosjekt")
    code, cycle = once(env)
    assert (code, cycle["mode"], cycle["outcome"]) == (0, "incremental", "done")
    assert (cycle["counts"]["create"], cycle["counts"]["update"], cycle["counts"]["ok"]) == (1, 2, 3)
    po = env.po_by_code()
    assert [p["Name"] for p in po["2300"]] == ["Nytt navn i SmartDok"]
    assert [p["Name"] for p in po["2302"]] == ["Prosjekt 2302"]
    assert [p["Name"] for p in po["2399"]] == ["Helt nytt prosjekt"]
    writes = env.sb.write_count("poweroffice")
    code, quiet = once(env)
    assert (code, quiet["outcome"]) == (0, "nothing")
    assert env.sb.write_count("poweroffice") == writes
    assert all(len(v) == 1 for v in env.po_by_code().values())


def test_incremental_read_uses_the_change_filters_from_the_watermarks(env: Env):
    env.write_config(rules=NO_OVERLAP)
    assert env.cli("apply", "--yes").exit_code == 0
    _, full = once(env)
    assert full["mode"] == "full" and full["counts"]["records_read"] > 20
    marks = SqliteStateStore(env.tmp / "grunndata-journal.sqlite").watermarks()
    assert {"smartdok/Projects", "poweroffice/Projects"} <= set(marks)
    once(env)  # reads the sub-projects our first apply made in PowerOffice
    before = env.sb.stats()
    env.sd_change(6, ProjectName="Bare denne er endret")
    _, inc = once(env)
    after = env.sb.stats()
    assert inc["mode"] == "incremental" and inc["outcome"] == "done"
    # Projects read twice in SmartDok (updatedSince and createdSince), once in PowerOffice, each a few records.
    assert after["smartdok"]["GET /Projects"] - before["smartdok"]["GET /Projects"] == 2
    assert after["poweroffice"]["GET /v2/Projects"] - before["poweroffice"]["GET /v2/Projects"] == 1
    # (The world's records share the instant it was loaded, which the inclusive filters re-read.)
    assert inc["counts"]["records_read"] < full["counts"]["records_read"]
    assert inc["counts"]["changed_resources"] == ["smartdok/Projects"]
    assert inc["watermarks"]["smartdok/Projects"] > marks["smartdok/Projects"]
    # Doctor-only resources are not read by a sync cycle.
    assert after["smartdok"].get("GET /Users", 0) == before["smartdok"].get("GET /Users", 0)
    assert after["smartdok"].get("GET /Wages", 0) == before["smartdok"].get("GET /Wages", 0)


def _finish_six(env: Env) -> None:
    for i in range(2, 8):
        env.sd_change(1 + i, Finished=True)


def _po_active(env: Env) -> int:
    return sum(1 for p in env.records("poweroffice", "Projects") if p.get("ProjectStatus") == "Active")


def test_first_cycle_waits_until_a_person_has_applied(env: Env):
    code, cycle = once(env)
    assert (code, cycle["outcome"]) == (4, "waiting")
    assert "ingen person har kjørt apply" in cycle["reason"]
    assert env.sb.write_count("poweroffice") == 0


def test_guardrails_hold_a_mass_finish_and_approve_applies_exactly_that_plan(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    once(env)
    _finish_six(env)
    active = _po_active(env)
    code, cycle = once(env)
    assert (code, cycle["outcome"], cycle["counts"]["finish"]) == (4, "waiting", 6)
    assert "grensen er 5 %" in cycle["reason"]
    assert _po_active(env) == active  # nothing written
    code, status = env.status()
    assert code == 1 and status["healthy"] is False
    assert status["waiting"] == [{"run": cycle["run"], "reason": cycle["reason"],
                                  "summary": {"create": 0, "update": 0, "finish": 6}}]
    code, again = once(env)  # the same plan waits once, not twice
    assert (code, again["run"]) == (4, cycle["run"])
    result = env.cli("approve", str(cycle["run"]))
    assert result.exit_code == 0, result.output
    assert _po_active(env) == active - 6
    code, status = env.status()
    assert status["waiting"] == [] and code == 0
    code, after = once(env)
    assert (code, after["outcome"]) == (0, "nothing")


def test_reject_drops_the_waiting_plan(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    once(env)
    _finish_six(env)
    _, cycle = once(env)
    result = env.cli("reject", str(cycle["run"]))
    assert result.exit_code == 0 and "forkastet" in result.output
    assert env.status()[1]["waiting"] == []
    result = env.cli("approve", str(cycle["run"]))
    assert result.exit_code == 1 and "venter ikke på godkjenning" in result.output


def test_a_stale_approval_is_refused_naming_the_records(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    once(env)
    _finish_six(env)
    _, cycle = once(env)
    env.po_change(903, Name="Endret etter planen")   # 2303, one the plan finishes
    writes = env.sb.write_count("poweroffice")
    result = env.cli("approve", str(cycle["run"]))
    assert result.exit_code == 3
    assert "prosjekt 2303 i PowerOffice er endret" in result.output and "Traceback" not in result.output
    assert env.sb.write_count("poweroffice") == writes


def test_a_change_elsewhere_does_not_make_the_plan_stale(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    once(env)
    _finish_six(env)
    _, cycle = once(env)
    env.po_change(911, Name="Endret et annet sted")   # 2311: not in the plan
    result = env.cli("approve", str(cycle["run"]))
    assert result.exit_code == 0, result.output


def test_status_json_shape_and_exit_codes(env: Env):
    code, status = env.status()
    assert set(status) == {"healthy", "cycles", "waiting", "watermarks", "held_back"}
    assert set(status["cycles"]) == {"sync", "full", "transfer"}
    assert env.cli("apply", "--yes").exit_code == 0
    once(env)
    code, status = env.status()
    assert code == 0 and status["healthy"] is True
    sync = status["cycles"]["sync"]
    assert set(sync) == {"last_ok", "last_run", "next", "lag_s", "mode", "error"}
    assert sync["last_ok"][-6:] in ("+01:00", "+02:00") and sync["next"] is None and sync["error"] is None
    assert status["held_back"] == {"count": 0, "by_reason": {}}
    assert set(status["watermarks"]) >= {"smartdok/Projects", "poweroffice/Projects"}
    text = env.cli("status")
    assert text.exit_code == 0 and text.output.startswith("Integrasjonen er i orden.")


def test_run_once_is_refused_while_another_run_holds_the_journal(env: Env):
    holder = SqliteStateStore(env.tmp / "grunndata-journal.sqlite")
    holder.lock()
    try:
        result = env.cli("run", "--once")
        assert result.exit_code == 3
        assert "pågår allerede" in result.output
        assert env.cli("approve", "1").exit_code == 3
    finally:
        holder.close()


def test_a_failed_write_exits_1_and_status_shows_the_error_until_a_cycle_succeeds(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    once(env)
    env.sd_change(6, ProjectName="Kan ikke skrives ennå")
    env.sb.add_fault("poweroffice", "PATCH", "/v2/Projects/{id}", status=400, count=1000)
    code, cycle = once(env)
    assert (code, cycle["outcome"], cycle["counts"]["failed"]) == (1, "failed", 1)
    code, status = env.status()
    assert code == 1 and status["cycles"]["sync"]["error"]["explanation"].startswith("1 skriving feilet")
    env.sb.clear_faults()
    code, cycle = once(env)  # the write is planned again from the kept snapshot
    assert (code, cycle["outcome"], cycle["counts"]["ok"]) == (0, "done", 1)
    assert env.po_by_code()["2305"][0]["Name"] == "Kan ikke skrives ennå"
    assert env.status()[0] == 0
