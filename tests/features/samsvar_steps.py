"""Step definitions for features/samsvar.feature: «grunndata doctor» through the sandbox."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from pytest_bdd import given, parsers, then, when

from grunndata.engine import runner
from grunndata.engine.doctor import read_and_check
from harness import SECRETS, SPACE, YES, World, rows

DEMO = Path(__file__).resolve().parents[2] / "sandbox" / "worlds" / "demo.yaml"
CHECKS = {"ansattnummer": "employees", "lønnsart": "wages", "tillegg": "additions", "manuelt": "manual"}
SEVERITIES = {"feil": "error", "advarsel": "warning"}
# ---- Gitt ------------------------------------------------------------------------------------
@given("at SmartDok har brukerne:")
def sd_users(world: World, datatable):
    world.add("smartdok", "Users", [
        {"EmployeeNo": r["ansattnummer"], "Name": r["navn"], "IsEnded": YES[r.get("avsluttet", "nei")]}
        for r in rows(datatable)])


@given("at PowerOffice har de ansatte:")
def po_employees(world: World, datatable):
    world.add("poweroffice", "Employees", [
        {"Number": int(r["nummer"]), "FirstName": r["fornavn"], "LastName": r["etternavn"],
         "IsArchived": YES[r.get("arkivert", "nei")]} for r in rows(datatable)])


@given("at SmartDok har lønnsartene:")
def sd_wages(world: World, datatable):
    world.add("smartdok", "Wages", [
        {"Number": r["nummer"], "Name": r["navn"], "IsActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


@given("at PowerOffice har timeartene:")
def po_hour_types(world: World, datatable):
    world.add("poweroffice", "TimeTracking/HourType", [
        {"code": r["kode"], "description": r["navn"], "isActive": YES[r.get("aktiv", "ja")]}
        for r in rows(datatable)])


@given("at SmartDok har tilleggene:")
def sd_additions(world: World, datatable):
    world.add("smartdok", "Additions", [
        {"Number": r["kode"], "Name": r["navn"], "Addition": r.get("type", "tillegg") == "tillegg",
         "UnitAddition": r.get("type") == "enhetstillegg", "IsActive": YES[r.get("aktiv", "ja")]}
        for r in rows(datatable)])


@given("at PowerOffice har lønnsartene:")
def po_pay_items(world: World, datatable):
    world.add("poweroffice", "PayItems", [
        {"Code": r["kode"], "Name": r["navn"], "IsActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


@given("at begge systemene er som i demo-verdenen")
def demo_world(world: World):
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    for system in ("smartdok", "poweroffice"):
        for resource, records in (data.get(system) or {}).items():
            world.add(system, resource, records)


# ---- Når -------------------------------------------------------------------------------------
@when("samsvaret sjekkes")
def run_doctor(world: World):
    session = world.session()

    async def go():
        conn = runner.connect(session, SECRETS, transports=world.start().transports(), rate_per_second=None)
        async with conn:
            return await read_and_check(session, conn)

    world.writes_before = world.writes()
    world.doctor = asyncio.run(go())


# ---- Så --------------------------------------------------------------------------------------
def _findings(world: World) -> list[Any]:
    report = getattr(world, "doctor", None)
    assert report is not None, "samsvaret er ikke sjekket"
    return report.findings


def _shown(findings) -> str:
    return "; ".join(f"{f.check}/{f.severity}/{f.key!r}: {f.suggestion}" for f in findings) or "ingenting"


@then("finner sjekken:")
def finds(world: World, datatable):
    findings = _findings(world)
    expected = rows(datatable)
    want = sorted((CHECKS[r["sjekk"]], SEVERITIES[r["alvor"]], r["nøkkel"]) for r in expected)
    got = sorted((f.check, f.severity, f.key) for f in findings)
    assert got == want, f"fant: {_shown(findings)}"
    for r in expected:
        f = next(f for f in findings if (f.check, f.key) == (CHECKS[r["sjekk"]], r["nøkkel"]))
        assert f.message.strip(), f
        if r.get("forslag"):
            assert f.suggestion and r["forslag"] in f.suggestion, f"forslag for {r['nøkkel']!r}: {f.suggestion}"
        else:
            assert f.suggestion is None, f"uventet forslag for {r['nøkkel']!r}: {f.suggestion}"


@then("finner sjekken ingenting")
def finds_nothing(world: World):
    findings = _findings(world)
    assert not findings, f"fant: {_shown(findings)}"


@then(parsers.parse('nevner funnet for "{key}" "{text}"'))
def mentions(world: World, key: str, text: str):
    key = key.replace(SPACE, " ")
    hits = [f for f in _findings(world) if f.key == key]
    assert hits, f"ingen funn for {key!r}: {_shown(_findings(world))}"
    assert any(text in f.message for f in hits), [f.message for f in hits]
