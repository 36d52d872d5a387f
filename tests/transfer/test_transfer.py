"""grunndata transfer: every qualifying row in PowerOffice exactly once, marked in SmartDok; holds, corrections."""
from __future__ import annotations

import datetime as dt
import sqlite3
import types

import pytest
from transfer_env import ENTRY, Env, assert_exactly_once

from grunndata.engine import transfer as engine
from grunndata.plugin.manager import PluginError, load_host


def news(plan) -> list:
    """The plan's lines apart from the rows held back from the start (R3-R5 in the generated world)."""
    return [line for line in plan.lines if line.op != "hold"]


def held_refs(report) -> set[str]:
    return {line.key for line in report.plan.lines if line.op == "hold"}


def test_a_month_goes_through_once_and_a_second_run_sends_nothing(env: Env):
    report = env.run()
    assert not report.failed
    counts = assert_exactly_once(env, held_refs(report))
    assert counts["hours"] > 400 and counts["goods"] > 80
    kinds = {line.kind for line in report.plan.lines if line.op == "send"}
    assert kinds == {"hours", "machine_hours", "goods"}
    writes = env.sb.write_count("poweroffice")
    again = env.run()
    assert again.plan.writes == [] and env.sb.write_count("poweroffice") == writes
    assert again.plan.summary()["already_transferred"] == len(report.plan.writes)


def test_rows_breaking_r3_r4_r5_are_held_with_the_doctors_message_and_the_rest_goes_on(env: Env):
    report = env.run()
    holds = [line for line in report.plan.lines if line.op == "hold"]
    reasons = " ".join(line.reason for line in holds)
    assert "(R3)" in reasons and "(R4)" in reasons and "(R5)" in reasons
    r4 = next(line for line in holds if "Helgetillegg" in line.reason)
    assert r4.reason.startswith("Holdes tilbake: Lønnsarten «Helgetillegg»")
    assert r4.rule.startswith("rules/transfer.yaml:")
    r5 = next(line for line in holds if "«230»" in line.reason)
    assert "(R5)" in r5.reason
    assert all(line.reason.startswith("Holdes tilbake:") for line in holds)
    sent = {e["externalImportReference"] for e in env.entries()}
    assert not sent & {line.key for line in holds}
    assert report.summary()["held"] == len(holds) and not report.failed


def test_mapping_of_hours_additions_machine_hours_and_goods(small: Env):
    small.run()
    by_ref = {e["externalImportReference"]: e for e in small.entries()}
    rows = {r["WorkHourID"]: r for r in small.rows()}
    plain = next(r for r in rows.values() if r.get("WageName") == "Ordinær" and not r.get("SubProjectNumber"))
    e = by_ref[f"smartdok-workhour-{plain['WorkHourID']}"]
    assert (e["employeeCode"], e["hourType"], e["minutes"], e["projectCode"], e["activityCode"], e["date"]) == \
        (int(plain["EmployeeNo"]) if isinstance(e["employeeCode"], int) else plain["EmployeeNo"], "ORD", 450,
         plain["ProjectNumber"], plain["WorkDescriptionCode"], plain["Date"])
    sub = next(r for r in rows.values() if r.get("SubProjectNumber"))
    assert by_ref[f"smartdok-workhour-{sub['WorkHourID']}"]["projectCode"] == f"{sub['ProjectNumber']}.01"
    addition = next(r for r in rows.values() if r.get("WageCode") == "210")
    assert by_ref[f"smartdok-workhour-{addition['WorkHourID']}"]["hourType"] == "T210"  # pay item 210 (R5)
    machine = next(r for r in rows.values() if r.get("MachineHourId"))
    m = by_ref[f"smartdok-machinehour-{machine['WorkHourID']}"]
    assert m["activityCode"] == f"A-{machine['EquipmentCode']}" and m["minutes"] == 240  # the machine's product
    goods = small.rows("GoodsConsumption")[0]
    g = by_ref[f"smartdok-goods-{goods['Id']}"]
    assert g["activityCode"] == f"A-{goods['Goods']['Number']}" and g["billableHours"] == goods["Amount"]
    assert g["minutes"] == 0 and str(g["employeeCode"]) == "1001"


def test_a_long_period_is_read_in_windows_of_at_most_93_days(small: Env):
    plan = small.preview(dt.date(2026, 1, 1), dt.date(2026, 7, 31))
    spans = plan.summary()["windows"]
    assert spans == [{"from": "2026-01-01", "to": "2026-04-03"}, {"from": "2026-04-04", "to": "2026-07-05"},
                     {"from": "2026-07-06", "to": "2026-07-31"}]
    assert small.sb.stats()["smartdok"]["GET /WorkHours"] == 3  # shared by hours and machine hours
    assert small.sb.write_count("poweroffice") == small.sb.write_count("smartdok") == 0


def test_windows_follow_the_rule_not_the_code(small: Env, tmp_path):
    (tmp_path / "kunde.yaml").write_text("hours:\n  window_days: 10\n", encoding="utf-8")
    small.rules = [str(tmp_path / "kunde.yaml")]
    plan = small.preview()
    assert len(plan.summary()["windows"]) == 4
    assert engine.windows(dt.date(2026, 1, 1), dt.date(2026, 1, 1), 93) == [(dt.date(2026, 1, 1),) * 2]


@pytest.mark.parametrize("fault", [
    dict(status=503, count=7),                       # refused before the write: retried
    dict(drop_after_commit=True, count=5),           # accepted, answer lost: found by its reference
    dict(status=504, count=3, after_commit=True),    # accepted, gateway error: found by its reference
])
def test_faults_on_send_never_give_a_double_line(env: Env, fault):
    env.sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", **fault)
    report = env.run()
    recovered = [r for r in report.results if r.status == "recovered"]
    if fault.get("drop_after_commit") or fault.get("after_commit"):
        assert len(recovered) == fault["count"]
    # Lines that failed for good (the client gives up, or a 503 may have hidden a write) are
    # healed by the next run: sent if PowerOffice never got them, never sent twice.
    again = env.run()
    assert not again.failed
    assert not [line for line in env.run().plan.lines if line.op in ("send", "mark")]
    assert_exactly_once(env, held_refs(report))


def test_a_crash_between_the_two_steps_is_healed_by_marking_only(env: Env):
    env.sb.add_fault("smartdok", "POST", "/WorkHours/SetExportedExternal", status=400, count=6)
    env.sb.add_fault("smartdok", "POST", "/GoodsConsumption/{goodsConsumptionId}/MarkAsExported", status=400,
                     count=2)
    first = env.run()
    assert len(first.failed) == 8
    entries = len(env.entries())
    plan = env.preview()
    marks = [line for line in plan.lines if line.op == "mark"]
    assert len(marks) == 8 and not [line for line in plan.lines if line.op == "send"]
    assert "merkes nå, sendes ikke på nytt" in marks[0].reason
    second = env.run()
    assert not second.failed and len(env.entries()) == entries
    assert_exactly_once(env, held_refs(first))


def test_the_journal_records_both_steps_of_every_row(env: Env):
    env.sb.add_fault("smartdok", "POST", "/WorkHours/SetExportedExternal", status=400, count=1)
    report = env.run()
    db = sqlite3.connect(env.tmp / "grunndata-journal.sqlite")
    rows = db.execute("SELECT reference, outcome, po_accepted_at, sd_marked_at FROM transfer_lines "
                      "WHERE run_id=?", (report.run_id,)).fetchall()
    assert len(rows) == len(report.plan.writes)
    done = [r for r in rows if r[1] == "ok"]
    assert done and all(r[2] and r[3] for r in done)
    half = [r for r in rows if r[1] == "failed"]
    assert len(half) == 1 and half[0][2] and not half[0][3]  # PowerOffice accepted, SmartDok not marked
    kind = db.execute("SELECT kind, status FROM runs WHERE id=?", (report.run_id,)).fetchone()
    assert kind == ("transfer", "failed")


def test_changed_amount_updates_the_line(small: Env):
    small.run()
    row = next(r for r in small.rows() if r.get("WageName") == "Ordinær")
    small.change("WorkHours", row["WorkHourID"], NetHours=5.0)
    plan = small.preview()
    [line] = news(plan)
    assert line.op == "update" and line.fields == {"minutes": {"before": 450, "after": 300}}
    assert "nytt antall" in line.reason
    small.run()
    entry = next(e for e in small.entries() if e["externalImportReference"] == line.key)
    assert entry["minutes"] == 300
    assert news(small.preview()) == []


def test_any_other_change_becomes_a_new_line_and_the_old_is_left(small: Env):
    small.run()
    row = next(r for r in small.rows() if r.get("WageName") == "Ordinær" and r["ProjectNumber"] != "3002")
    small.change("WorkHours", row["WorkHourID"], ProjectNumber="3002", ProjectID=102)
    [line] = news(small.preview())
    ref = f"smartdok-workhour-{row['WorkHourID']}"
    assert line.op == "new_line" and line.fields["externalImportReference"] == f"{ref}-endring-2"
    assert "ny linje" in line.reason and "står urørt" in line.reason
    small.run()
    lines = [e for e in small.entries() if e["externalImportReference"].startswith(ref)]
    assert sorted((e["externalImportReference"], e["projectCode"]) for e in lines) == [
        (ref, row["ProjectNumber"]), (f"{ref}-endring-2", "3002")]
    marked = next(r for r in small.rows() if r["WorkHourID"] == row["WorkHourID"])
    assert marked["ExportedExternalId"] == f"{ref}-endring-2"
    assert news(small.preview()) == []


def test_unattested_after_transfer_is_reported_not_deleted(small: Env):
    small.run()
    row = small.rows()[0]
    small.change("WorkHours", row["WorkHourID"], AdminAttested=False)
    before = small.sb.write_count("poweroffice")
    report = small.run()
    [line] = news(report.plan)
    assert line.op == "report" and "ikke lenger attestert" in line.reason and "slettes ikke" in line.reason
    assert small.sb.write_count("poweroffice") == before
    assert any(e["externalImportReference"] == line.key for e in small.entries())


def test_a_locked_line_is_reported_and_never_touched(small: Env):
    small.run()
    row = next(r for r in small.rows() if r.get("WageName") == "Ordinær")
    ref = f"smartdok-workhour-{row['WorkHourID']}"
    entry = next(e for e in small.entries() if e["externalImportReference"] == ref)
    small.change(ENTRY, entry["id"], status="Approved")
    small.change("WorkHours", row["WorkHourID"], NetHours=1.0)
    report = small.run()
    [line] = news(report.plan)
    assert line.op == "report" and "låst" in line.reason and "Approved" in line.reason
    assert line.rule.startswith("rules/transfer.yaml:")
    assert small.sb.stats()["poweroffice"].get("PATCH /v2/TimeTracking/TimeTrackingEntry/{id}") is None
    assert next(e for e in small.entries() if e["id"] == entry["id"])["minutes"] == 450


def test_declined_sends_nothing(small: Env):
    report = small.run(confirm=lambda plan: False)
    assert report.declined and small.sb.write_count("poweroffice") == 0 and small.sb.write_count("smartdok") == 0


def test_rows_already_exported_elsewhere_are_not_ours(small: Env):
    row = small.rows()[0]
    small.change("WorkHours", row["WorkHourID"], ExportedExternal=True, ExportedExternalId="annet-system-1")
    plan = small.preview()
    assert f"smartdok-workhour-{row['WorkHourID']}" not in {line.key for line in plan.lines}


def test_transfer_plugins_are_collected_and_a_duplicate_kind_is_an_error():
    from grunndata.plugins.transfers import hours

    host = load_host()
    assert {"hours", "machine_hours", "goods"} <= set(host.transfers)
    assert host.owner_of("transfer", "hours") == "hours"
    with pytest.raises(PluginError, match="transfer 'hours'"):
        load_host([("hours_again", types.SimpleNamespace(grunndata_transfers=hours.grunndata_transfers))])


def test_marked_in_smartdok_but_missing_in_poweroffice_is_reported_not_resent(small: Env):
    small.run()
    row = next(r for r in small.rows() if r.get("WageName") == "Ordinær")
    ref = f"smartdok-workhour-{row['WorkHourID']}"
    world = small.sb.world()
    world["poweroffice"][ENTRY] = [e for e in world["poweroffice"][ENTRY] if e["externalImportReference"] != ref]
    small.sb.reset(world)
    report = small.run()
    [line] = news(report.plan)
    assert line.op == "report" and line.key == ref and "finnes ikke i PowerOffice" in line.reason
    assert not any(e["externalImportReference"] == ref for e in small.entries())


def test_a_line_locked_after_the_preview_is_left_alone(small: Env):
    import asyncio

    from grunndata.engine import runner
    from transfer_env import FAST_RETRY, JANUARY, SECRETS

    small.run()
    row = next(r for r in small.rows() if r.get("WageName") == "Ordinær")
    small.change("WorkHours", row["WorkHourID"], NetHours=3.0)
    session = small.session()

    async def go():
        async with runner.connect(session, SECRETS, transports=small.sb.transports(), rate_per_second=None,
                                  retry=FAST_RETRY) as conn:
            plan, ctx = await engine.preview(session, conn, *JANUARY)
            entry = next(e for e in small.entries() if e["externalImportReference"] == plan.writes[0].reference)
            small.sb.state.tables["poweroffice"][ENTRY][entry["id"]]["status"] = "PaidOut"  # approved meanwhile
            return await engine.carry_out(plan, ctx)

    [result] = asyncio.run(go())
    assert result.status == "locked" and "låst" in result.detail and not result.marked
    ref = f"smartdok-workhour-{row['WorkHourID']}"
    assert next(e for e in small.entries() if e["externalImportReference"] == ref)["minutes"] == 450


def test_a_row_still_marked_with_its_old_reference_is_marked_with_the_new_line(small: Env):
    small.run()
    row = next(r for r in small.rows() if r.get("WageName") == "Ordinær" and r["ProjectNumber"] != "3002")
    ref = f"smartdok-workhour-{row['WorkHourID']}"
    small.change("WorkHours", row["WorkHourID"], ProjectNumber="3002", ProjectID=102)
    small.sb.add_fault("smartdok", "POST", "/WorkHours/SetExportedExternal", status=400, count=1)
    small.run()  # the new line is sent; marking it fails: the row keeps the old reference
    [line] = news(small.preview())
    assert line.op == "mark" and line.reference == f"{ref}-endring-2"
    small.run()
    marked = next(r for r in small.rows() if r["WorkHourID"] == row["WorkHourID"])
    assert marked["ExportedExternalId"] == f"{ref}-endring-2"
    assert news(small.preview()) == []
