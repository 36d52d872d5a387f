"""Step definitions for fakturagrunnlag.feature: «grunndata invoice» (R24-R27)."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from pytest_bdd import given, parsers, then, when

from grunndata.clients import RetryPolicy
from grunndata.engine import invoice as engine
from grunndata.engine import runner
from grunndata.journal import Journal
from grunndata.sandbox.invoice_world import month_of_invoices
from harness import SECRETS, YES, World, rows

_OPS = {"send": "send", "rett": "correct", "hold tilbake": "hold", "rapporter": "report"}
_WRITES = {"legg til linje": "add_line", "rett linje": "update_line", "fjern linje": "delete_line",
           "opprett ordre": "create"}
_MONTHS = {"oktober": 10, "november": 11, "desember": 12}
_PROJECT_IDS = {"4001": 1, "4002": 2, "4003": 3}


def _number(text: str) -> float:
    return float(text.replace(",", ".").replace(" ", ""))


def _state(world: World) -> dict[str, Any]:
    world.__dict__.setdefault("invoice", {"writes": 0, "report": None})
    return world.__dict__["invoice"]


def _basis(world: World, basis_id: str) -> dict[str, Any]:
    data = world.sandbox.world() if world.sandbox is not None else world.data
    return next(b for b in data["smartdok"]["Invoices"] if b["Id"] == int(basis_id))


def _change_basis(world: World, basis_id: str, change) -> None:
    sb = world.start()
    data = sb.world()
    change(next(b for b in data["smartdok"]["Invoices"] if b["Id"] == int(basis_id)))
    sb.reset(data)


def _line(r: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {"Id": int(r["linje"]), "InvoiceLineType": r["type"], "Code": r.get("kode", ""),
                            "LineText": r.get("tekst", ""), "Quantity": _number(r.get("antall") or "1"),
                            "Price": _number(r.get("pris") or "0"), "Discount": _number(r.get("rabatt") or "0")}
    if r.get("underprosjekt"):
        line["SubProjectId"] = _PROJECT_IDS[r["underprosjekt"].split(".")[0]]
    return line


# ---- Gitt ------------------------------------------------------------------------------------
@given("at prosjektene, kundene og produktene stemmer overens i begge systemer")
def inv_matching(world: World):
    base = month_of_invoices(0, 0, projects=3)
    for system in ("smartdok", "poweroffice"):
        for resource, records in base[system].items():
            world.add(system, resource, records)


@given("at SmartDok har fakturagrunnlagene:")
def inv_bases(world: World, datatable):
    for r in rows(datatable):
        subs = [_PROJECT_IDS[s.split(".")[0]] for s in r.get("underprosjekter", "").split(",") if s.strip()]
        world.add("smartdok", "Invoices", [{
            "Id": int(r["id"]), "ProjectId": _PROJECT_IDS[r["prosjekt"]], "CustomerNumber": r["kunde"],
            "SubProjectIds": subs, "DateFrom": r.get("fra", "2026-11-01"), "DateTo": r.get("til", "2026-11-30"),
            "IsDraft": YES[r.get("utkast", "nei")], "Credited": YES[r.get("kreditert", "nei")], "Sent": False,
            "InvoiceLines": []}])


@given(parsers.parse('at fakturagrunnlag "{basis_id}" har linjene:'))
def inv_lines(world: World, basis_id: str, datatable):
    basis = _basis(world, basis_id)
    basis["InvoiceLines"].extend(_line(r) for r in rows(datatable))


@given(parsers.parse('at PowerOffice mangler prosjekt "{code}"'))
def inv_po_lacks_project(world: World, code: str):
    projects = world.data["poweroffice"]["Projects"]
    projects[:] = [p for p in projects if p["Code"] != code and p.get("ParentProjectCode") != code]


@given(parsers.parse('at prosjekt "{code}" ikke er aktivt i PowerOffice'))
def inv_po_project_inactive(world: World, code: str):
    next(p for p in world.data["poweroffice"]["Projects"] if p["Code"] == code)["IsActive"] = False


@given(parsers.parse('at PowerOffice mangler produktet "{code}"'))
def inv_po_lacks_product(world: World, code: str):
    products = world.data["poweroffice"]["Products"]
    products[:] = [p for p in products if p["Code"] != code]


# ---- Når -------------------------------------------------------------------------------------
def _period(text: str) -> tuple[dt.date, dt.date]:
    month, year = text.split()
    start = dt.date(int(year), _MONTHS[month], 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


@when(parsers.parse("faktureringen for {period} kjøres"))
def inv_run(world: World, period: str):
    start, end = _period(period)
    session = world.session()
    state = _state(world)
    state["writes"] = world.start().write_count("poweroffice")
    journal = Journal(world.tmp / "grunndata-journal.sqlite")

    async def go():
        async with runner.connect(session, SECRETS, transports=world.start().transports(), rate_per_second=None,
                                  retry=RetryPolicy(base_delay=0.01, max_delay=0.05)) as conn:
            return await engine.invoice(session, conn, start, end, journal=journal)
    try:
        journal.lock()
        state["report"] = asyncio.run(go())
    finally:
        journal.close()


@when(parsers.parse('linje "{line_id}" i fakturagrunnlag "{basis_id}" endres i SmartDok slik at antallet er "{value}"'))
def inv_change_quantity(world: World, line_id: str, basis_id: str, value: str):
    def change(basis: dict) -> None:
        next(x for x in basis["InvoiceLines"] if x["Id"] == int(line_id))["Quantity"] = _number(value)
    _change_basis(world, basis_id, change)


@when(parsers.parse('linje "{line_id}" fjernes fra fakturagrunnlag "{basis_id}" i SmartDok'))
def inv_remove_line(world: World, line_id: str, basis_id: str):
    def change(basis: dict) -> None:
        basis["InvoiceLines"] = [x for x in basis["InvoiceLines"] if x["Id"] != int(line_id)]
    _change_basis(world, basis_id, change)


@when(parsers.parse('fakturagrunnlag "{basis_id}" får linjene i SmartDok:'))
def inv_add_lines(world: World, basis_id: str, datatable):
    _change_basis(world, basis_id, lambda basis: basis["InvoiceLines"].extend(_line(r) for r in rows(datatable)))


@when(parsers.parse('fakturagrunnlag "{basis_id}" krediteres i SmartDok'))
def inv_credit(world: World, basis_id: str):
    _change_basis(world, basis_id, lambda basis: basis.update(Credited=True))


@when(parsers.parse('ordren "{reference}" bekreftes i PowerOffice'))
def inv_confirm(world: World, reference: str):
    sb = world.start()
    data = sb.world()
    next(o for o in data["poweroffice"]["SalesOrders"] if o["ExternalImportReference"] == reference).update(
        SalesOrderStatus="Confirmed")
    sb.reset(data)


@when(parsers.parse('ordren "{reference}" faktureres i PowerOffice'))
def inv_invoiced(world: World, reference: str):
    sb = world.start()
    data = sb.world()
    data["poweroffice"]["SalesOrders"] = [o for o in data["poweroffice"]["SalesOrders"]
                                          if o["ExternalImportReference"] != reference]
    sb.reset(data)


@when(parsers.parse("svaret fra PowerOffice går tapt for de neste {count:d} ordrene"))
def inv_lost_answers(world: World, count: int):
    world.start().add_fault("poweroffice", "POST", "/v2/SalesOrders/Complete", drop_after_commit=True, count=count)


# ---- Så --------------------------------------------------------------------------------------
def _orders(world: World) -> dict[str, dict]:
    return {o["ExternalImportReference"]: o for o in world.start().world()["poweroffice"].get("SalesOrders") or []}


@then(parsers.parse('har PowerOffice ordreutkastet "{reference}" på prosjekt "{project}" for kunde "{customer}" '
                    'datert "{date}"'))
def inv_order(world: World, reference: str, project: str, customer: str, date: str):
    order = _orders(world)[reference]
    po = world.start().world()["poweroffice"]
    code = next(p["Code"] for p in po["Projects"] if p["Id"] == order["ProjectId"])
    number = next(c["Number"] for c in po["Customers"] if c["Id"] == order["CustomerId"])
    assert (code, str(number), order["SalesOrderDate"], order["SalesOrderStatus"]) == (project, customer, date, "Draft")


@then(parsers.parse('har ordren "{reference}" linjene:'))
def inv_order_lines(world: World, reference: str, datatable):
    lines = {x["ExternalImportReference"]: x for x in _orders(world)[reference]["SalesOrderLines"]}
    want = rows(datatable)
    assert set(lines) == {r["referanse"] for r in want}, sorted(lines)
    for r in want:
        line = lines[r["referanse"]]
        assert (line.get("ProductCode") or "") == r.get("produkt", ""), (r["referanse"], line.get("ProductCode"))
        if "beskrivelse" in r:
            assert line["Description"] == r["beskrivelse"]
        for column, name in (("antall", "Quantity"), ("pris", "ProductUnitPrice"), ("rabatt", "Allowance")):
            if column in r:
                assert line[name] == _number(r[column]), (r["referanse"], name, line[name])
        if "prosjekt" in r:
            assert line["ProjectCode"] == r["prosjekt"]


@then(parsers.parse('har PowerOffice nøyaktig {count:d} ordre med referanse "{reference}"'))
def inv_count(world: World, count: int, reference: str):
    orders = world.start().world()["poweroffice"].get("SalesOrders") or []
    assert sum(1 for o in orders if o["ExternalImportReference"] == reference) == count


@then(parsers.parse('har PowerOffice ingen ordre med referanse "{reference}"'))
def inv_none(world: World, reference: str):
    inv_count(world, 0, reference)


@then("viser faktureringen:")
def inv_shows(world: World, datatable):
    entries = {e.key: e for e in _state(world)["report"].plan.entries}
    for r in rows(datatable):
        entry = entries.get(r["nøkkel"])
        assert entry is not None, f"no entry for {r['nøkkel']}: {[(e.op, e.key) for e in entries.values()]}"
        assert entry.op == _OPS[r["handling"]], (entry.op, entry.reason)
        for part in r.get("begrunnelsen inneholder", "").split(" … "):
            assert part in entry.reason, f"{part!r} not in {entry.reason!r}"
        if r.get("forslaget inneholder"):
            assert r["forslaget inneholder"] in (entry.fields.get("suggestion") or "")
        if r.get("endringer"):
            got = sorted(f"{w.op} {w.reference.rsplit('-', 1)[1]}" for w in entry.writes)
            want = sorted(f"{_WRITES[x.strip().rsplit(' ', 1)[0]]} {x.strip().rsplit(' ', 1)[1]}"
                          for x in r["endringer"].split(","))
            assert got == want, got


@then(parsers.parse("ble {count:d} ordre sendt til PowerOffice"))
def inv_sent(world: World, count: int):
    report = _state(world)["report"]
    assert sum(1 for r in report.results if r.item.op == "create" and r.status in ("ok", "recovered")) == count


@then("ble ingenting skrevet i PowerOffice")
def inv_nothing_written(world: World):
    assert world.start().write_count("poweroffice") == _state(world)["writes"]


@then(parsers.parse("ble {count:d} ordre funnet igjen uten å sendes på nytt"))
def inv_recovered(world: World, count: int):
    report = _state(world)["report"]
    assert sum(1 for r in report.results if r.status == "recovered") == count
