"""Step definitions for timer.feature, maskintimer.feature and vareforbruk.feature: «grunndata transfer»."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from pytest_bdd import given, parsers, then, when

from grunndata.clients import RetryPolicy
from grunndata.engine import runner
from grunndata.engine import transfer as engine
from grunndata.journal import Journal
from grunndata.sandbox.hours_world import month_of_hours, user_id
from harness import SECRETS, YES, World, rows

_ENTRY = "TimeTracking/TimeTrackingEntry"
_OPS = {"send": "send", "oppdater": "update", "ny linje": "new_line", "merk": "mark", "hold tilbake": "hold",
       "rapporter": "report"}
_KINDS = {"timer": "hours", "maskintimer": "machine_hours", "vareforbruk": "goods"}
_MONTHS = {"januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7, "august": 8,
          "september": 9, "oktober": 10, "november": 11, "desember": 12}
_ROW_FIELDS = {"timer": "NetHours", "prosjekt": "ProjectNumber", "aktivitet": "WorkDescriptionCode",
              "attestert": "AdminAttested", "dato": "Date", "mengde": "Amount"}


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _project_id(world: World, number: str) -> int:
    return next(p["Id"] for p in world.data["smartdok"]["Projects"] if p["ProjectNumber"] == number)


def _state(world: World) -> dict[str, Any]:
    world.__dict__.setdefault("transfer", {"writes": 0, "report": None, "plan": None})
    return world.__dict__["transfer"]


# ---- Gitt ------------------------------------------------------------------------------------
@given("at grunndataene stemmer overens i begge systemer")
def tr_matching_master_data(world: World):
    base = month_of_hours(3, broken_employees=0, goods_rows=0)
    base["smartdok"]["WorkHours"] = []
    for system in ("smartdok", "poweroffice"):
        for resource, records in base[system].items():
            world.add(system, resource, records)


@given("at SmartDok har timeradene:")
def tr_sd_work_hours(world: World, datatable):
    for r in rows(datatable):
        row: dict[str, Any] = {"WorkHourID": int(r["id"]), "EmployeeNo": r["ansatt"], "Date": r["dato"],
                               "ProjectNumber": r["prosjekt"], "ProjectID": _project_id(world, r["prosjekt"]),
                               "WorkDescriptionCode": r.get("aktivitet", "100"), "NetHours": _number(r["timer"]),
                               "AdminAttested": YES[r.get("attestert", "ja")]}
        if r.get("underprosjekt"):
            row["SubProjectNumber"] = r["underprosjekt"]
        if r.get("tillegg"):
            addition = next(a for a in world.data["smartdok"]["Additions"] if a["Number"] == r["tillegg"])
            row.update(WageName=addition["Name"], WageCode=addition["Number"],
                       WageAddition=not addition.get("UnitAddition"), UnitAddition=bool(addition.get("UnitAddition")))
        else:
            wage = next(w for w in world.data["smartdok"]["Wages"] if w["Name"] == r.get("lønnsart", "Ordinær"))
            row.update(WageName=wage["Name"], WageCode=wage["Number"])
        world.add("smartdok", "WorkHours", [row])


@given("at SmartDok har maskintimene:")
def tr_sd_machine_hours(world: World, datatable):
    world.add("smartdok", "WorkHours", [
        {"WorkHourID": int(r["id"]), "EmployeeNo": r["ansatt"], "Date": r["dato"], "ProjectNumber": r["prosjekt"],
         "ProjectID": _project_id(world, r["prosjekt"]), "MachineHourId": int(r["id"]), "EquipmentCode": r["maskin"],
         "WorkDescription": "Graving", "NetHours": _number(r["timer"]), "AdminAttested": YES[r.get("attestert", "ja")]}
        for r in rows(datatable)])


@given("at SmartDok har vareforbruket:")
def tr_sd_goods(world: World, datatable):
    users = {u["EmployeeNo"]: u for u in world.data["smartdok"]["Users"]}
    records = []
    for r in rows(datatable):
        user = users[r["ansatt"]]
        records.append({"Id": int(r["id"]), "ProjectNumber": r["prosjekt"], "Amount": _number(r["mengde"]),
                        "Date": r["dato"], "User": {"Id": user.get("Id") or user_id(0), "Name": user["Name"]},
                        "Goods": {"Id": 1, "Number": r["vare"], "Name": f"Vare {r['vare']}",
                                  "Category": {"Id": 1, "Name": "Forbruksmateriell"}},
                        "AdminAttested": YES[r.get("attestert", "ja")]})
    world.add("smartdok", "GoodsConsumption", records)


# ---- Når -------------------------------------------------------------------------------------
def _period(text: str) -> tuple[dt.date, dt.date]:
    """«januar 2026» or «2026-01-01 til 2026-07-31»."""
    if " til " in text:
        a, b = text.split(" til ")
        return dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip())
    month, year = text.split()
    start = dt.date(int(year), _MONTHS[month], 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def _connect(world: World, session):
    return runner.connect(session, SECRETS, transports=world.start().transports(), rate_per_second=None,
                          retry=RetryPolicy(base_delay=0.01, max_delay=0.05))


@when(parsers.parse("overføringen for {period} forhåndsvises"))
def tr_preview(world: World, period: str):
    start, end = _period(period)
    session = world.session()
    state = _state(world)
    state["writes"] = world.start().write_count("poweroffice")

    async def go():
        async with _connect(world, session) as conn:
            plan, _ = await engine.preview(session, conn, start, end)
            return plan
    state["plan"] = asyncio.run(go())


@when(parsers.parse("overføringen for {period} kjøres"))
def tr_run_transfer(world: World, period: str):
    start, end = _period(period)
    session = world.session()
    state = _state(world)
    state["writes"] = world.start().write_count("poweroffice")
    journal = Journal(world.tmp / "grunndata-journal.sqlite")

    async def go():
        async with _connect(world, session) as conn:
            return await engine.transfer(session, conn, start, end, journal=journal)
    try:
        journal.lock()
        state["report"] = asyncio.run(go())
        state["plan"] = state["report"].plan
    finally:
        journal.close()


@when(parsers.parse('raden "{row_id}" endres i SmartDok slik at {field} er "{value}"'))
def tr_change_row(world: World, row_id: str, field: str, value: str):
    sb = world.start()
    data = sb.world()
    name = _ROW_FIELDS[field]
    new: Any = YES.get(value, value)
    if name in ("NetHours", "Amount"):
        new = _number(value)
    for resource, id_field in (("WorkHours", "WorkHourID"), ("GoodsConsumption", "Id")):
        for row in data["smartdok"].get(resource) or []:
            if row[id_field] == int(row_id):
                row[name] = new
                if name == "ProjectNumber":
                    row["ProjectID" if resource == "WorkHours" else "ProjectId"] = _project_id(world, value)
    sb.reset(data)


@when(parsers.parse('linjen "{reference}" er {status} i PowerOffice'))
def tr_lock_entry(world: World, reference: str, status: str):
    sb = world.start()
    data = sb.world()
    for entry in data["poweroffice"][_ENTRY]:
        if entry["externalImportReference"] == reference:
            entry["status"] = {"godkjent": "Approved", "utbetalt": "PaidOut", "fakturert": "Invoiced"}[status]
    sb.reset(data)


@when(parsers.parse("svaret fra PowerOffice går tapt for de neste {count:d} linjene"))
def tr_lost_answers(world: World, count: int):
    world.start().add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", drop_after_commit=True,
                            count=count)


@when("kjøringen stopper etter at PowerOffice har tatt imot linjene, men før SmartDok er merket")
def tr_crash_between_steps(world: World):
    sb = world.start()
    sb.add_fault("smartdok", "POST", "/WorkHours/SetExportedExternal", status=400, count=1000)
    sb.add_fault("smartdok", "POST", "/GoodsConsumption/{goodsConsumptionId}/MarkAsExported", status=400, count=1000)


@when("kjøringen startes på nytt")
def tr_restart(world: World):
    world.start().clear_faults()


# ---- Så --------------------------------------------------------------------------------------
@then("viser forhåndsvisningen:")
def tr_shows(world: World, datatable):
    plan = _state(world)["plan"]
    lines = {line.key: line for line in plan.lines}
    for r in rows(datatable):
        line = lines.get(r["nøkkel"])
        assert line is not None, f"no line for {r['nøkkel']}: {[(x.op, x.key) for x in plan.lines]}"
        assert line.op == _OPS[r["handling"]], (line.op, line.reason)
        assert line.kind == _KINDS[r["type"]]
        for part in r.get("begrunnelsen inneholder", "").split(" … "):
            assert part in line.reason, f"{part!r} not in {line.reason!r}"
        assert line.rule.startswith("rules/transfer.yaml:")


@then(parsers.parse('har forhåndsvisningen ingen linje for "{key}"'))
def tr_no_line(world: World, key: str):
    assert key not in {line.key for line in _state(world)["plan"].lines}


@then(parsers.parse("hentes radene fra SmartDok i {count:d} bolker"))
def tr_windows(world: World, count: int):
    assert len(_state(world)["plan"].windows) == count
    assert world.start().stats()["smartdok"].get("GET /WorkHours") == count


@then("har PowerOffice linjene:")
def tr_po_lines(world: World, datatable):
    entries = {e["externalImportReference"]: e for e in world.state("poweroffice").get(_ENTRY) or []}
    columns = {"ansatt": "employeeCode", "timeart": "hourType", "prosjekt": "projectCode",
               "aktivitet": "activityCode", "dato": "date", "minutter": "minutes", "mengde": "billableHours"}
    for r in rows(datatable):
        entry = entries.get(r["referanse"])
        assert entry is not None, f"{r['referanse']} not in PowerOffice: {sorted(entries)}"
        for column, field in columns.items():
            if column in r and r[column] != "":
                have = entry.get(field)
                want: Any = r[column]
                if field in ("minutes", "billableHours"):
                    assert float(have) == _number(want), (field, have, want)
                else:
                    assert str(have) == want, (field, have, want)


@then(parsers.parse('har PowerOffice nøyaktig {count:d} linje med referanse som begynner med "{prefix}"'))
@then(parsers.parse('har PowerOffice nøyaktig {count:d} linjer med referanse som begynner med "{prefix}"'))
def tr_po_count(world: World, count: int, prefix: str):
    refs = [e["externalImportReference"] for e in world.state("poweroffice").get(_ENTRY) or []]
    assert len([r for r in refs if r.startswith(prefix)]) == count, refs


@then(parsers.parse('er timeraden "{row_id}" merket som overført i SmartDok med "{reference}"'))
def tr_marked(world: World, row_id: str, reference: str):
    row = next(r for r in world.state("smartdok")["WorkHours"] if r["WorkHourID"] == int(row_id))
    assert row.get("ExportedExternal") is True and row.get("ExportedExternalId") == reference, row


@then(parsers.parse('er timeraden "{row_id}" ikke merket som overført i SmartDok'))
def tr_not_marked(world: World, row_id: str):
    row = next(r for r in world.state("smartdok")["WorkHours"] if r["WorkHourID"] == int(row_id))
    assert not row.get("ExportedExternal"), row


@then(parsers.parse('er vareforbruket "{row_id}" merket som eksportert i SmartDok'))
def tr_goods_marked(world: World, row_id: str):
    row = next(r for r in world.state("smartdok")["GoodsConsumption"] if r["Id"] == int(row_id))
    assert row.get("Exported") is True, row


@then(parsers.parse('er vareforbruket "{row_id}" ikke merket som eksportert i SmartDok'))
def tr_goods_not_marked(world: World, row_id: str):
    row = next(r for r in world.state("smartdok")["GoodsConsumption"] if r["Id"] == int(row_id))
    assert not row.get("Exported"), row


@then("ble ingenting sendt til PowerOffice")
def tr_nothing_sent(world: World):
    assert world.start().write_count("poweroffice") == _state(world)["writes"]


@then(parsers.parse("feilet ingen linjer"))
def tr_none_failed(world: World):
    assert not _state(world)["report"].failed, [r.detail for r in _state(world)["report"].failed]
