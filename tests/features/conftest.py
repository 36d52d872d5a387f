"""Step definitions for features/*.feature (Norwegian), shared by every feature."""
from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from harness import YES, World, rows

VOCAB = {
    "status": {"Pågår": "Active", "Avsluttet": "Complete", "Arkivert": "Archived", "Ikke startet": "NotStarted",
               "Foreløpig": "Tentative"},
    "fakturamåte": {"Timer": "Time", "Timer og kostnader": "TimeAndExpenses", "Fastpris": "FixedPrice", "": None},
    "type": {"Fakturerbar": "Billable", "Ikke fakturerbar": "NotBillable"},
}
OPS = {"opprett": "create", "endre": "update", "avslutt": "finish", "hopp over": "skip", "manuelt": "manual",
       "advarsel": "warn"}
ENTITIES = {"prosjekt": "projects", "underprosjekt": "subprojects", "aktivitet": "activities", "maskin": "machines"}
SYSTEMS = {"SmartDok": "smartdok", "PowerOffice": "poweroffice"}


def word(kind: str, value: str) -> Any:
    return VOCAB[kind].get(value, value)


@pytest.fixture
def world(tmp_path) -> World:
    return World(tmp_path)


# ---- Gitt: oppsett ---------------------------------------------------------
@given("at mastersystem ikke er valgt")
def no_master(world: World):
    world.config.pop("master", None)


@given("at PowerOffice er master")
def po_master(world: World):
    world.config["master"] = "poweroffice"


@given(parsers.parse('at SmartDok er master med standardprosjekt "{number}"'))
def sd_master(world: World, number: str):
    world.config.update(master="smartdok", standard_project=number)


@given(parsers.parse('at regelfilen "{name}" inneholder:'))
def rule_file(world: World, name: str, docstring: str):
    world.rule_files[name] = docstring + "\n"


# ---- Gitt: data i systemene -------------------------------------------------
@given("at PowerOffice har prosjektene:")
def po_projects(world: World, datatable):
    records = []
    for r in rows(datatable):
        rec: dict[str, Any] = {"Code": r["nummer"], "Name": r["navn"],
                               "ProjectStatus": word("status", r.get("status") or "Pågår"),
                               "ProjectBillingMethod": word("fakturamåte", r.get("fakturamåte", "Timer"))}
        if r.get("kunde"):
            rec["CustomerId"] = int(r["kunde"])
            _ensure(world, "Customers", {"Id": int(r["kunde"]), "Number": 10000 + int(r["kunde"]),
                                         "Name": f"Kunde {r['kunde']}"})
        if r.get("prosjektleder"):
            rec["ProjectManagerEmployeeId"] = int(r["prosjektleder"])
            _ensure(world, "Employees", {"Id": int(r["prosjektleder"]), "Number": int(r["prosjektleder"]),
                                         "FirstName": "Prosjekt", "LastName": "Leder"})
        if r.get("hovedprosjekt"):
            rec["ParentProjectCode"] = r["hovedprosjekt"]
            rec["Code"] = f"{r['hovedprosjekt']}.{r['nummer']}"
        records.append(rec)
    world.add("poweroffice", "Projects", records)


def _ensure(world: World, resource: str, record: dict) -> None:
    existing = world.data["poweroffice"].setdefault(resource, [])
    if not any(r.get("Id") == record["Id"] for r in existing):
        existing.append(record)


@given("at SmartDok har prosjektene:")
def sd_projects(world: World, datatable):
    world.add("smartdok", "Projects", [
        {"ProjectNumber": r["nummer"], "ProjectName": r["navn"],
         "IsActive": YES[r.get("aktiv", "ja")], "Finished": YES[r.get("avsluttet", "nei")]}
        for r in rows(datatable)])


@given("at SmartDok har underprosjektene:")
def sd_subprojects(world: World, datatable):
    world.add("smartdok", "SubProjects", [
        {"ProjectNumber": r["prosjekt"], "SubProjectNumber": r["nummer"], "SubProjectName": r["navn"],
         "IsActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


@given("at SmartDok har aktivitetene:")
def sd_activities(world: World, datatable):
    world.add("smartdok", "WorkDescriptions", [
        {"Number": r["nummer"], "Name": r["navn"], "IsActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


@given("at PowerOffice har aktivitetene:")
def po_activities(world: World, datatable):
    world.add("poweroffice", "TimeTracking/Activity", [
        {"code": r["kode"], "name": r["navn"], "activityType": word("type", r.get("type", "Fakturerbar")),
         "isActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


@given("at SmartDok har maskinene:")
def sd_machines(world: World, datatable):
    world.add("smartdok", "Machines", [
        {"InternalNumber": r["internnummer"], "Name": r["navn"], "PricePerHour": float(r.get("timepris") or 0),
         "IsActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


@given("at PowerOffice har produktene:")
def po_products(world: World, datatable):
    world.add("poweroffice", "Products", [
        {"Code": r["kode"], "Name": r["navn"], "UnitPrice": float(r.get("pris") or 0)} for r in rows(datatable)])


@given(parsers.parse('at en bruker i {system} endrer {what} "{key}" slik at {field} er "{value}"'))
@when(parsers.parse('en bruker i {system} endrer {what} "{key}" slik at {field} er "{value}"'))
def change_in_system(world: World, system: str, what: str, key: str, field: str, value: str):
    sb = world.start()
    state = sb.world()
    sysname = SYSTEMS[system]
    resource, key_field, field_name, val = _locate(sysname, what, field, value)
    matches = [r for r in state[sysname][resource] if str(r.get(key_field)).strip() == key]
    assert matches, f"{what} {key} finnes ikke i {system}"
    matches[0][field_name] = val
    sb.reset(state)


def _locate(system: str, what: str, field: str, value: str) -> tuple[str, str, str, Any]:
    table = {
        ("poweroffice", "aktiviteten", "typen"): ("TimeTracking/Activity", "code", "activityType", "type"),
        ("poweroffice", "prosjektet", "navnet"): ("Projects", "Code", "Name", None),
        ("poweroffice", "prosjektet", "statusen"): ("Projects", "Code", "ProjectStatus", "status"),
        ("smartdok", "prosjektet", "navnet"): ("Projects", "ProjectNumber", "ProjectName", None),
        ("smartdok", "prosjektet", "avsluttet"): ("Projects", "ProjectNumber", "Finished", "yes"),
    }
    resource, key_field, field_name, kind = table[(system, what, field)]
    val = YES[value] if kind == "yes" else word(kind, value) if kind else value
    return resource, key_field, field_name, val


# ---- Når -------------------------------------------------------------------
@when("grunndatasynken planlegges")
def plan(world: World):
    world.run_plan()


@when("grunndatasynken kjøres")
def apply(world: World):
    world.run_apply()


# ---- Så: planen ------------------------------------------------------------
def _actions(world: World, op: str | None = None, key: str | None = None):
    assert world.plan is not None, "ingen plan er laget"
    return [a for a in world.plan.actions if (op is None or a.op == op) and (key is None or a.key == key)]


@then("viser planen:")
def plan_shows(world: World, datatable):
    for r in rows(datatable):
        op = OPS[r["handling"]]
        found = [a for a in _actions(world, op, r["nøkkel"])
                 if ("i" not in r or a.target == SYSTEMS[r["i"]])
                 and ("hva" not in r or a.entity == ENTITIES[r["hva"]])]
        assert found, f"fant ikke «{r['handling']} {r['nøkkel']}» i planen: " + \
            "; ".join(f"{a.op} {a.entity} {a.key}" for a in world.plan.actions)
        if r.get("begrunnelse"):
            assert any(r["begrunnelse"] in a.reason for a in found), [a.reason for a in found]


@then(parsers.parse('har planen ingen handling for "{key}"'))
def nothing_for(world: World, key: str):
    assert not _actions(world, key=key), [(a.op, a.reason) for a in _actions(world, key=key)]


@then(parsers.parse('har planen ingen {op}-handling for "{key}"'))
def no_op_for(world: World, op: str, key: str):
    assert not _actions(world, OPS[op], key)


@then("har planen ingen endringer")
def no_changes(world: World):
    writes = [a for a in world.plan.actions if a.writes]
    assert not writes, [(a.op, a.entity, a.key) for a in writes]


@then(parsers.parse('viser planen at {field} på "{key}" endres fra "{before}" til "{after}"'))
def update_shown(world: World, field: str, key: str, before: str, after: str):
    fields = {"navnet": "name", "statusen": "status"}
    hits = [a for a in _actions(world, key=key) if a.op in ("update", "finish")
            and a.fields.get(fields[field]) == {"before": before, "after": after}]
    assert hits, [(a.op, a.fields) for a in _actions(world, key=key)]


@then(parsers.parse('oppretter planen "{key}" med {field} "{value}"'))
def created_with(world: World, key: str, field: str, value: str):
    names = {"status": "status", "fakturamåte": "billing_method", "type": "billable", "navn": "name"}
    creates = _actions(world, "create", key)
    assert creates, f"planen oppretter ikke {key}"
    assert creates[0].fields.get(names[field]) == value, creates[0].fields


@then("har hver handling en begrunnelse og en regel med fil og linje")
def every_action_explained(world: World):
    assert world.plan.actions
    for a in world.plan.actions:
        assert a.reason.strip()
        file, _, line = a.rule.rpartition(":")
        assert file.endswith(".yaml") and line.isdigit(), a.rule


@then(parsers.parse('peker regelen for "{key}" på "{location}"'))
def rule_points_at(world: World, key: str, location: str):
    assert any(a.rule.startswith(location) for a in _actions(world, key=key)), \
        [a.rule for a in _actions(world, key=key)]


# ---- Så: systemene ---------------------------------------------------------
@then("er ingenting skrevet til noen av systemene")
def nothing_written(world: World):
    assert world.writes() == world.writes_before == 0


def _po_projects(world: World, code: str) -> list[dict]:
    return [p for p in world.state("poweroffice").get("Projects", []) if str(p.get("Code")).strip() == code]


@then(parsers.parse('finnes prosjektet "{code}" nøyaktig én gang i PowerOffice'))
def once_in_po(world: World, code: str):
    assert len(_po_projects(world, code)) == 1, _po_projects(world, code)


@then(parsers.parse('finnes prosjektet "{code}" i PowerOffice med:'))
def po_project_has(world: World, code: str, datatable):
    found = _po_projects(world, code)
    assert len(found) == 1, found
    fields = {"navn": ("Name", None), "status": ("ProjectStatus", "status"),
              "fakturamåte": ("ProjectBillingMethod", "fakturamåte"), "kunde": ("CustomerId", int),
              "prosjektleder": ("ProjectManagerEmployeeId", int), "hovedprosjekt": ("ParentProjectCode", None)}
    for r in rows(datatable):
        api, kind = fields[r["felt"]]
        expected = kind(r["verdi"]) if callable(kind) else word(kind, r["verdi"]) if kind else r["verdi"]
        assert found[0].get(api) == expected, (r["felt"], found[0].get(api))


@then(parsers.parse('finnes ikke prosjektet "{code}" i PowerOffice'))
def not_in_po(world: World, code: str):
    assert not _po_projects(world, code)


def _sd_projects(world: World, number: str) -> list[dict]:
    return [p for p in world.state("smartdok").get("Projects", []) if str(p.get("ProjectNumber")).strip() == number]


@then(parsers.parse('finnes prosjektet "{number}" nøyaktig én gang i SmartDok'))
def once_in_sd(world: World, number: str):
    assert len(_sd_projects(world, number)) == 1, _sd_projects(world, number)


@then(parsers.parse('finnes ikke prosjektet "{number}" i SmartDok'))
def not_in_sd(world: World, number: str):
    assert not _sd_projects(world, number)


@then(parsers.parse('er prosjektet "{number}" avsluttet i SmartDok'))
def finished_in_sd(world: World, number: str):
    found = _sd_projects(world, number)
    assert found and found[0].get("Finished") is True, found


@then(parsers.parse('heter prosjektet "{number}" "{name}" i SmartDok'))
def sd_name(world: World, number: str, name: str):
    found = _sd_projects(world, number)
    assert found and found[0].get("ProjectName") == name, found


@then(parsers.parse('finnes underprosjektet "{sub}" under prosjektet "{parent}" i SmartDok'))
def sub_in_sd(world: World, sub: str, parent: str):
    state = world.state("smartdok")
    parent_ids = [p["Id"] for p in state.get("Projects", []) if str(p.get("ProjectNumber")).strip() == parent]
    assert len(parent_ids) == 1
    subs = [s for s in state.get("SubProjects", []) if s.get("ProjectId") == parent_ids[0]
            and str(s.get("SubProjectNumber")).strip() == sub]
    assert len(subs) == 1, subs


@then(parsers.parse('finnes aktiviteten "{code}" nøyaktig én gang i {system}'))
def activity_once(world: World, code: str, system: str):
    sysname = SYSTEMS[system]
    resource, key = ("TimeTracking/Activity", "code") if sysname == "poweroffice" else ("WorkDescriptions", "Number")
    found = [a for a in world.state(sysname).get(resource, []) if str(a.get(key)).strip() == code]
    assert len(found) == 1, found


@then(parsers.parse('er aktiviteten "{code}" "{value}" i PowerOffice'))
def activity_type(world: World, code: str, value: str):
    found = [a for a in world.state("poweroffice").get("TimeTracking/Activity", []) if a.get("code") == code]
    assert found and found[0].get("activityType") == word("type", value), found


@then(parsers.parse('finnes ikke aktiviteten "{code}" i {system}'))
def activity_absent(world: World, code: str, system: str):
    sysname = SYSTEMS[system]
    resource, key = ("TimeTracking/Activity", "code") if sysname == "poweroffice" else ("WorkDescriptions", "Number")
    assert not [a for a in world.state(sysname).get(resource, []) if str(a.get(key)).strip() == code]


@then(parsers.parse('finnes produktet "{code}" i PowerOffice med navn "{name}" og pris {price:g}'))
def product_exists(world: World, code: str, name: str, price: float):
    found = [p for p in world.state("poweroffice").get("Products", []) if p.get("Code") == code]
    assert len(found) == 1 and found[0]["Name"] == name and found[0].get("UnitPrice") == price, found


@then(parsers.parse('stoppes kjøringen før noe skrives, med beskjed om "{text}"'))
def stopped(world: World, text: str):
    assert world.error is not None, "kjøringen ble ikke stoppet"
    assert text in str(world.error), str(world.error)
    assert world.writes() == 0


@then("gikk alle skrivinger bra")
def all_ok(world: World):
    assert world.report is not None and world.error is None, world.error
    assert not world.report.failed, [(o.action.key, o.detail) for o in world.report.failed]
from samsvar_steps import *  # noqa: F401,F403
from overforing_steps import *  # noqa: F401,F403
from avdelinger_steps import *  # noqa: F401,F403
from fakturagrunnlag_steps import *  # noqa: F401,F403
from uten_tilsyn_steps import *  # noqa: F401,F403
