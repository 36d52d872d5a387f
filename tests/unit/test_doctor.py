"""grunndata doctor: the R3-R5 checks, the manual findings from the plan, the report and the CLI."""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grunndata.engine.doctor import run_checks, run_doctor
from grunndata.engine.planner import make_plan
from grunndata.engine.model import Check, CheckContext, Finding, Snapshot
from grunndata.session import open_session

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "sandbox" / "worlds" / "demo.yaml"
ENV = {"SMARTDOK_API_TOKEN": "sd-test-token", "POWEROFFICE_APPLICATION_KEY": "po-app-key",
       "POWEROFFICE_CLIENT_KEY": "po-client-key", "POWEROFFICE_SUBSCRIPTION_KEY": "po-sub-key"}


def make_session(tmp_path: Path, rules: str | None = None, **config):
    cfg = dict(config)
    if rules is not None:
        (tmp_path / "kunde.yaml").write_text(rules, encoding="utf-8")
        cfg["rules"] = ["kunde.yaml"]
    path = tmp_path / "grunndata.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True) if cfg else "master: poweroffice\n", encoding="utf-8")
    return open_session(str(path))


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    return make_session(tmp_path_factory.mktemp("doctor"))


def users(*rows, **extra):
    return [{"EmployeeNo": n, "Name": name, "IsEnded": False, **extra} for n, name in rows]


def employees(*rows, **extra):
    out = []
    for n, name in rows:
        first, _, last = name.partition(" ")
        out.append({"Number": n, "FirstName": first, "LastName": last, "IsArchived": False, **extra})
    return out


def doctor(session, only=None, **resources):
    sd_keys = {"users": "Users", "wages": "Wages", "additions": "Additions", "activities": "WorkDescriptions",
               "projects": "Projects"}
    po_keys = {"employees": "Employees", "hour_types": "TimeTracking/HourType", "pay_items": "PayItems",
               "po_activities": "TimeTracking/Activity", "po_projects": "Projects"}
    snap = Snapshot(smartdok={sd_keys[k]: v for k, v in resources.items() if k in sd_keys},
                    poweroffice={po_keys[k]: v for k, v in resources.items() if k in po_keys})
    return run_doctor(session, snap, only=only).findings


def keyed(findings):
    return {(f.check, f.severity, f.key) for f in findings}


# ---- R3: employees ------------------------------------------------------------------------
def test_employee_numbers_compare_as_text_and_missing_ones_are_found_on_both_sides(session):
    found = doctor(session, ["employees"],
                   users=users(("1001", "Ola Nordmann"), ("1012", "Sofie Berg")),
                   employees=employees((1001, "Ola Nordmann"), (1013, "Anders Bakken")))
    assert keyed(found) == {("employees", "error", "1012"), ("employees", "warning", "1013")}
    missing = next(f for f in found if f.key == "1012")
    assert "Sofie Berg" in missing.message and "Opprett den ansatte i PowerOffice" in missing.message
    assert missing.suggestion is None
    assert "Anders Bakken" in next(f for f in found if f.key == "1013").message


def test_ended_users_and_archived_employees_do_not_count(session):
    found = doctor(session, ["employees"],
                   users=users(("1001", "Ola Nordmann")) + users(("1005", "Lars Larsen"), IsEnded=True)
                   + users(("1006", "Silje Andersen"), IsDeleted=True),
                   employees=employees((1001, "Ola Nordmann")) + employees((1007, "Jonas Pedersen"), IsArchived=True))
    assert found == []


def test_user_on_an_archived_employee_and_employee_of_an_ended_user(session):
    found = doctor(session, ["employees"],
                   users=users(("1001", "Ola Nordmann")) + users(("1002", "Kari Hansen"), IsEnded=True),
                   employees=employees((1001, "Ola Nordmann"), IsArchived=True) + employees((1002, "Kari Hansen")))
    assert keyed(found) == {("employees", "error", "1001"), ("employees", "warning", "1002")}
    assert "arkivert" in next(f for f in found if f.key == "1001").message
    assert "avsluttet i SmartDok" in next(f for f in found if f.key == "1002").message


def test_number_used_twice_on_either_side(session):
    found = doctor(session, ["employees"],
                   users=users(("1001", "Ola Nordmann"), ("1001", "Kari Hansen"), ("1002", "Per Olsen")),
                   employees=employees((1001, "Ola Nordmann"), (1002, "Per Olsen"), (1002, "Pål Olsen")))
    assert keyed(found) == {("employees", "error", "1001"), ("employees", "error", "1002")}
    sd = next(f for f in found if f.key == "1001")
    assert "2 brukere i SmartDok" in sd.message and "«Ola Nordmann» og «Kari Hansen»" in sd.message
    assert "2 ansatte i PowerOffice" in next(f for f in found if f.key == "1002").message


@pytest.mark.parametrize("sd_name, po_name", [
    ("Per Johansen", "Pål Jensen"),
    ("Ola Nordmann", "Kari Nordmann"),
    ("Per Hansen", "Pål Hansen"),
    ("Anders Bakken", "Sofie Berg"),
])
def test_names_that_differ_clearly_on_one_number(session, sd_name, po_name):
    found = doctor(session, ["employees"], users=users(("1003", sd_name)), employees=employees((1003, po_name)))
    assert keyed(found) == {("employees", "error", "1003")}
    assert f"«{sd_name}» i SmartDok" in found[0].message and f"«{po_name}» i PowerOffice" in found[0].message


@pytest.mark.parametrize("sd_name, po_name", [
    ("Pål Jensen", "Paal Jensen"),
    ("Kari Hansen", "Kari Hanssen"),
    ("ola  nordmann", "Ola Nordmann"),
    ("Ola Johan Nordmann", "Ola Nordmann"),
    ("Nordmann Ola", "Ola Nordmann"),
    ("O. Nordmann", "Ola Nordmann"),
    ("Kari Hansen-Berg", "Kari Hansen"),
    ("Marthe Nilssen", "Marte Nilsen"),
])
def test_small_differences_in_a_name_are_the_same_person(session, sd_name, po_name):
    assert doctor(session, ["employees"], users=users(("1003", sd_name)), employees=employees((1003, po_name))) == []


def test_name_differs_points_at_the_number_the_person_has_elsewhere(session):
    found = doctor(session, ["employees"],
                   users=users(("1003", "Per Johansen"), ("1020", "Pål Jensen")),
                   employees=employees((1003, "Pål Jensen"), (1020, "Per Johansen")))
    assert keyed(found) == {("employees", "error", "1003"), ("employees", "error", "1020")}
    first = next(f for f in found if f.key == "1003")
    assert "I PowerOffice har «Per Johansen» ansattnummer 1020." in first.suggestion
    assert "I SmartDok har «Pål Jensen» ansattnummer 1020." in first.suggestion


@pytest.mark.parametrize("written", ["01001", " 1001", "1001 ", "10 01"])
def test_leading_zeros_and_spaces_in_an_employee_number_are_suggested_and_reported_once(session, written):
    found = doctor(session, ["employees"], users=users((written, "Ola Nordmann")),
                   employees=employees((1001, "Ola Nordmann")))
    assert keyed(found) == {("employees", "error", written)}
    assert f"fra «{written}» til «1001»" in found[0].suggestion


def test_a_loose_number_of_someone_else_is_not_suggested(session):
    found = doctor(session, ["employees"], users=users(("01001", "Kari Hansen")),
                   employees=employees((1001, "Ola Nordmann")))
    assert keyed(found) == {("employees", "error", "01001"), ("employees", "warning", "1001")}
    assert next(f for f in found if f.key == "01001").suggestion is None


def test_same_name_under_another_number_is_suggested(session):
    found = doctor(session, ["employees"], users=users(("1012", "Sofie Berg")),
                   employees=employees((1014, "Sofie Berg")))
    assert keyed(found) == {("employees", "error", "1012")}
    assert "«Sofie Berg» har ansattnummer 1014 i PowerOffice" in found[0].suggestion


def test_user_without_employee_number(session):
    found = doctor(session, ["employees"], users=[{"Name": "Gjest Bruker", "EmployeeNo": "  "}], employees=[])
    assert keyed(found) == {("employees", "warning", "Gjest Bruker")}
    assert "har ikke ansattnummer" in found[0].message


def test_trim_and_severities_come_from_the_rules(tmp_path):
    custom = make_session(tmp_path, rules="doctor:\n  employees:\n    trim: true\n    severity:\n"
                                          "      missing_in_smartdok: error\n")
    found = doctor(custom, ["employees"], users=users(("1001 ", "Ola Nordmann")),
                   employees=employees((1001, "Ola Nordmann"), (1013, "Anders Bakken")))
    assert keyed(found) == {("employees", "error", "1013")}


# ---- R4: wage types against hour types -------------------------------------------------------
def hour_types(*names, active=True):
    return [{"code": f"T{i}", "description": n, "payItemCode": "100", "isActive": active}
            for i, n in enumerate(names, 1)]


def wages(*names, active=True):
    return [{"Number": str(i), "Name": n, "IsActive": active} for i, n in enumerate(names, 1)]


@pytest.mark.parametrize("sd, po", [
    ("Overtid 50%", "Overtid 50 %"),
    ("Overtid 50 %", "Overtid 50%"),
    ("overtid 100%", "Overtid 100%"),
    (" Reisetid", "Reisetid"),
    ("Ordinær  time", "Ordinær time"),
    ("Ordinaer time", "Ordinær time"),
    ("Ordinær time", "Ordinaer time"),
    ("Forskjøvet arbeidstid", "Forskjoevet arbeidstid"),
    ("Smaa jobber", "Små jobber"),
])
def test_wage_without_an_exact_hour_type_gets_the_near_name_as_suggestion(session, sd, po):
    found = doctor(session, ["wages"], wages=wages(sd), hour_types=hour_types(po, "Helligdag"))
    assert keyed(found) == {("wages", "error", sd)}
    assert f"Timearten i PowerOffice heter «{po}»" in found[0].suggestion
    assert f"«{sd}»" in found[0].message and "(R4)" in found[0].message


def test_a_merely_close_name_is_offered_as_a_question(session):
    found = doctor(session, ["wages"], wages=wages("Overtd 50%"), hour_types=hour_types("Overtid 50%", "Reisetid"))
    assert found[0].suggestion.startswith("Mente du «Overtid 50%»?")


def test_no_near_name_no_suggestion(session):
    found = doctor(session, ["wages"], wages=wages("Helligdagstillegg"), hour_types=hour_types("Reisetid"))
    assert keyed(found) == {("wages", "error", "Helligdagstillegg")}
    assert found[0].suggestion is None and "Opprett timearten «Helligdagstillegg»" in found[0].message


def test_exact_names_inactive_wages_and_extra_hour_types_are_fine(session):
    found = doctor(session, ["wages"], wages=wages("Ordinær time") + wages("Gammel lønnsart", active=False),
                   hour_types=hour_types("Ordinær time", "Overtid 50 %", "Reisetid"))
    assert found == []


def test_hour_type_that_is_inactive(session):
    found = doctor(session, ["wages"], wages=wages("Reisetid"), hour_types=hour_types("Reisetid", active=False))
    assert keyed(found) == {("wages", "error", "Reisetid")}
    assert "inaktiv" in found[0].message and "Aktiver timearten «Reisetid»" in found[0].suggestion


def test_normalisations_come_from_the_rules(tmp_path):
    custom = make_session(tmp_path, rules="doctor:\n  similar:\n    names:\n      ignore_space_before_percent: false\n"
                                          "      close_enough: 0.99\n      letters:\n        ü: ue\n")
    found = doctor(custom, ["wages"], wages=wages("Overtid 50%", "Zürich-tillegg"),
                   hour_types=hour_types("Overtid 50 %", "Zuerich-tillegg"))
    by_key = {f.key: f for f in found}
    assert by_key["Overtid 50%"].suggestion is None
    assert "«Zuerich-tillegg»" in by_key["Zürich-tillegg"].suggestion


# ---- R5: additions against pay items ---------------------------------------------------------
def additions(*rows, unit=False, active=True):
    return [{"Number": n, "Name": name, "Addition": not unit, "UnitAddition": unit, "IsActive": active}
            for n, name in rows]


def pay_items(*rows, active=True):
    return [{"Code": c, "Name": name, "IsActive": active} for c, name in rows]


@pytest.mark.parametrize("sd, po", [("0230", "230"), ("230", "0230"), ("2 30", "230"), ("230 ", "230")])
def test_addition_code_differing_by_zeros_or_spaces_is_suggested(session, sd, po):
    found = doctor(session, ["additions"], additions=additions((sd, "Høydetillegg")),
                   pay_items=pay_items((po, "Høydetillegg"), ("100", "Fastlønn")))
    assert keyed(found) == {("additions", "error", sd)}
    assert f"endre koden på tillegget i SmartDok til «{po}»" in found[0].suggestion


def test_unit_addition_with_a_pay_item_of_the_same_name(session):
    found = doctor(session, ["additions"], additions=additions(("250", "Kost"), unit=True),
                   pay_items=pay_items(("240", "Kost")))
    assert keyed(found) == {("additions", "error", "250")}
    assert found[0].message.startswith("Enhetstillegget «Kost» har kode «250»")
    assert "med kode «240»" in found[0].suggestion


def test_extra_pay_items_and_inactive_additions_are_fine(session):
    found = doctor(session, ["additions"],
                   additions=additions(("210", "Smusstillegg")) + additions(("999", "Gammelt"), active=False),
                   pay_items=pay_items(("210", "Smusstillegg"), ("100", "Fastlønn")))
    assert found == []


def test_addition_without_any_match_and_with_an_inactive_pay_item(session):
    found = doctor(session, ["additions"], additions=additions(("310", "Bastillegg"), ("320", "Verktøy")),
                   pay_items=pay_items(("100", "Fastlønn")) + pay_items(("320", "Verktøy"), active=False))
    by_key = {f.key: f for f in found}
    assert by_key["310"].suggestion is None and "Opprett lønnsarten med kode «310»" in by_key["310"].message
    assert "inaktiv" in by_key["320"].message


# ---- R12, R16, R17: manual work, from the plan ----------------------------------------------
def test_manual_findings_are_the_plans_manual_actions(tmp_path):
    sd_master = make_session(tmp_path, master="smartdok", standard_project="9000")
    found = doctor(sd_master, ["manual"],
                   po_projects=[{"Code": "9000", "Name": "Malprosjekt", "ProjectStatus": "NotStarted",
                                 "ProjectBillingMethod": "Time"}],
                   po_activities=[{"code": "200", "name": "Prosjektledelse", "activityType": "Billable",
                                   "isActive": True}])
    assert keyed(found) == {("manual", "warning", "200")}
    assert "(R12)" in found[0].message and "«Prosjektledelse»" in found[0].suggestion


def test_projects_created_in_smartdok_under_poweroffice_master_are_errors(session):
    found = doctor(session, ["manual"],
                   projects=[{"Id": 1, "ProjectNumber": "2330", "ProjectName": "Ny hall", "IsActive": True,
                              "Finished": False}],
                   activities=[{"Number": "190", "Name": "Reisetid", "IsActive": True}])
    assert keyed(found) == {("manual", "error", "2330"), ("manual", "warning", "190")}
    assert "(R17)" in next(f for f in found if f.key == "2330").message
    assert "(R16)" in next(f for f in found if f.key == "190").message


def test_a_stopped_plan_is_reported(tmp_path):
    sd_master = make_session(tmp_path, master="smartdok", standard_project="9000")
    found = doctor(sd_master, ["manual"])
    assert keyed(found) == {("manual", "error", "9000")}
    assert "standardprosjektet 9000 finnes ikke" in found[0].message


# ---- the engine -----------------------------------------------------------------------------
def test_findings_sorted_errors_first_then_check_and_natural_key(session):
    def fake(ctx):
        return [Finding("b", "warning", "1", "w"), Finding("b", "error", "10", "e"), Finding("b", "error", "9", "e"),
                Finding("a", "error", "x", "e")]
    found = run_checks(CheckContext(Snapshot(), session.rules, session.config, None), [Check("b", "", fake)])
    assert [(f.check, f.severity, f.key) for f in found] == [
        ("a", "error", "x"), ("b", "error", "9"), ("b", "error", "10"), ("b", "warning", "1")]


def test_a_crashing_check_is_an_error_finding_not_a_crash(session):
    def boom(ctx):
        raise ValueError("uventet")
    found = run_checks(CheckContext(Snapshot(), session.rules, session.config, None),
                       [Check("boom", "", boom), Check("fine", "", lambda ctx: [])])
    assert keyed(found) == {("boom", "error", "(sjekken)")}
    assert "uventet" in found[0].message


def test_checks_register_through_the_hook_like_any_plugin(session):
    assert {"employees", "wages", "additions", "manual"} <= set(session.host.checks)
    assert session.host.owner_of("rule key", "doctor") == "doctor_rules"
    assert session.host.owner_of("check", "employees") == "employees"


def test_schema_defaults_equal_the_shipped_rules(session):
    """The doctor's defaults live in rules/doctor.yaml only: the schema takes them from there,
    and the plugin's schema fragment holds no copy of any."""
    from grunndata.plugins.checks import rules as doctor_rules

    shipped = yaml.safe_load((ROOT / "rules" / "doctor.yaml").read_text(encoding="utf-8"))["doctor"]
    schema = session.schema["properties"]["doctor"]

    def walk(node, value, path):
        for key, prop in (node.get("properties") or {}).items():
            assert prop["default"] == value[key], path + (key,)
            if isinstance(value[key], dict):
                walk(prop, value[key], path + (key,))

    walk(schema, shipped, ())
    assert schema["default"] == shipped
    copies = []

    def defaults(node, path):
        if isinstance(node, dict):
            if node.get("default") is not None:
                copies.append(path)
            for key, value in node.items():
                defaults(value, path + (key,))

    defaults(doctor_rules.SCHEMA, ())
    assert copies == []


# ---- the demo world -------------------------------------------------------------------------
def demo_snapshot() -> Snapshot:
    world = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    return Snapshot(smartdok=world["smartdok"], poweroffice=world["poweroffice"])


DEMO_FINDINGS = {
    ("employees", "error", "1012", None),
    ("employees", "warning", "1013", None),
    ("employees", "error", "1003", None),
    ("wages", "error", "Overtid 50%", "Overtid 50 %"),
    ("additions", "error", "0230", "230"),
    ("manual", "warning", "200", "Prosjektledelse"),
}


def test_demo_world_finds_exactly_the_deliberate_mismatches(tmp_path):
    sd_master = make_session(tmp_path, master="smartdok", standard_project="9000")
    report = run_doctor(sd_master, demo_snapshot())
    got = set()
    for f in report.findings:
        hint = next((h for _, _, k, h in DEMO_FINDINGS if k == f.key), None)
        got.add((f.check, f.severity, f.key, hint))
        if hint:
            assert f"«{hint}»" in (f.suggestion or ""), f
    assert got == DEMO_FINDINGS
    by_key = {f.key: f for f in report.findings}
    assert "«Per Johansen» i SmartDok, men «Pål Jensen» i PowerOffice" in by_key["1003"].message
    assert report.summary() == {"errors": 4, "warnings": 2,
                                "checks": ["additions", "customers", "employees", "manual", "products", "wages"]}


def test_demo_world_with_poweroffice_as_master(session):
    found = run_doctor(session, demo_snapshot()).findings
    r3_to_r5 = {(f.check, f.key) for f in found if f.check not in ("manual", "products")}
    assert r3_to_r5 == {("employees", "1012"), ("employees", "1013"), ("employees", "1003"),
                        ("wages", "Overtid 50%"), ("additions", "0230")}
    # Machines do not flow under PowerOffice as master (R10 is SmartDok's): those PowerOffice lacks as
    # products hold invoice lines back (R26), a warning.
    assert {(f.key, f.severity) for f in found if f.check == "products"} == {
        (m, "warning") for m in ("M03", "M04", "M05", "M06")}
    # PowerOffice as master: the SmartDok-only activities and projects need a person (R16, R17),
    # exactly as the plan shows them.
    plan = make_plan(session, demo_snapshot())
    manual = [a for a in plan.actions if a.op == "manual"]
    assert {"160", "170", "180", "190", "2305"} <= {a.key for a in manual}
    assert sorted((f.key, f.message) for f in found if f.check == "manual") == sorted(
        (a.key, a.reason[0].upper() + a.reason[1:] + ".") for a in manual)


# ---- performance ----------------------------------------------------------------------------
def _employee_world(n: int, mismatches: int = 40) -> Snapshot:
    """``n`` employees on both sides, ``mismatches`` of every kind among them (so suggestions are
    searched), and 200 wages and additions."""
    sd_users = users(*((str(1000 + i), f"Person{i} Etternavn{i}") for i in range(n)))
    po_emps = employees(*((1000 + i, f"Person{i} Etternavn{i}") for i in range(n)))
    for i in range(0, n, n // mismatches):
        sd_users[i]["EmployeeNo"] = "0" + sd_users[i]["EmployeeNo"]
        sd_users[i + 1]["Name"] = f"Annen{i} Person{i}"
    sd_wages = wages(*(f"Lønnsart {i}%" for i in range(200)))
    po_types = hour_types(*(f"Lønnsart {i} %" if i % 2 else f"Lønnsart {i}%" for i in range(200)))
    sd_add = additions(*((f"{i:04d}", f"Tillegg {i}") for i in range(200)))
    po_items = pay_items(*((str(i), f"Tillegg {i}") for i in range(200)))
    return Snapshot(smartdok={"Users": sd_users, "Wages": sd_wages, "Additions": sd_add},
                    poweroffice={"Employees": po_emps, "TimeTracking/HourType": po_types, "PayItems": po_items})


def _doctor_cpu(session, snap: Snapshot, tries: int = 5) -> float:
    """CPU seconds of one doctor run, best of ``tries`` (a busy machine slows a try, never speeds it)."""
    best = float("inf")
    for _ in range(tries):
        started = time.process_time()
        run_doctor(session, snap)
        best = min(best, time.process_time() - started)
    return best


def test_two_thousand_employees_cost_in_proportion_to_their_number(session):
    """The doctor's cost grows with the records, not with their square: four times the employees
    (with as many mismatches to find suggestions for) cost at most about four times the CPU.
    A check that compares every employee with every other one costs 16× and fails. Measured as CPU
    time of this process, both sizes in this run, so a slow or busy machine slows both alike."""
    small, large = _employee_world(500), _employee_world(2000)
    report = run_doctor(session, large)  # also warms up imports and caches
    counts = {c: sum(1 for f in report.findings if f.check == c) for c in ("employees", "wages", "additions")}
    assert counts == {"employees": 80, "wages": 100, "additions": 200}
    ratio = _doctor_cpu(session, large) / _doctor_cpu(session, small)
    assert ratio < 8, f"2,000 employees cost {ratio:.1f}× the CPU of 500 (linear: about 4×, quadratic: 16×)"


# ---- the command line, against the sandbox over loopback -------------------------------------
@pytest.fixture
def served(tmp_path, monkeypatch):
    from grunndata.sandbox import Sandbox, serve_in_thread

    def start(world: dict, **config):
        sb = Sandbox(copy.deepcopy(world), rate_limit=False)
        ctx = serve_in_thread(sb)
        urls = ctx.__enter__()
        started.append(ctx)
        cfg = {"smartdok": {"base_url": urls.smartdok},
               "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token}, **config}
        path = tmp_path / "grunndata.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        return str(path)

    started: list = []
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    yield start
    for ctx in started:
        ctx.__exit__(None, None, None)


def invoke(*args):
    from grunndata.cli.main import cli

    return CliRunner().invoke(cli, ["doctor", *args], catch_exceptions=False)


def test_cli_json_on_the_demo_world_exits_1(served):
    world = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    config = served(world, master="smartdok", standard_project="9000")
    result = invoke("-c", config, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "summary"}
    assert all(set(f) == {"check", "severity", "key", "message", "suggestion"} for f in data["findings"])
    assert {(f["check"], f["key"]) for f in data["findings"]} == {(c, k) for c, _, k, _ in DEMO_FINDINGS}
    assert data["summary"] == {"errors": 4, "warnings": 2, "checks": ["additions", "customers", "employees", "manual",
                                                                       "products", "wages"]}


def test_cli_exits_0_when_only_warnings_and_lists_each_finding_on_one_line(served):
    world = {"smartdok": {"Users": users(("1001", "Ola Nordmann"))},
             "poweroffice": {"Employees": employees((1001, "Ola Nordmann"), (1013, "Anders Bakken"))}}
    result = invoke("-c", served(world))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  Ansattnummer (R3)  1 advarsel" in lines  # the totals per check come first
    assert "Ansattnummer (R3): advarsler (1)" in lines
    reason = lines.index("Ansattnummer (R3): advarsler (1)") + 1
    assert lines[reason].startswith("  Grunn: ") and "«Anders Bakken»" in lines[reason] and "(R3)" in lines[reason]
    assert lines[reason + 1] == "    · 1013"  # the finding itself: one line under its reason
    assert lines[-1] == "Samsvar: 0 feil, 1 advarsel."


def test_cli_clean_world(served):
    world = {"smartdok": {"Users": users(("1001", "Ola Nordmann")), "Wages": wages("Ordinær time")},
             "poweroffice": {"Employees": employees((1001, "Ola Nordmann")),
                             "TimeTracking/HourType": hour_types("Ordinær time")}}
    result = invoke("-c", served(world))
    assert result.exit_code == 0, result.output
    assert "Ingen avvik" in result.output


def test_cli_html_is_one_self_contained_escaped_norwegian_page(served, tmp_path):
    world = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    world["smartdok"]["Users"][0]["Name"] = "<script>alert('x')</script> & Co"
    config = served(world, master="smartdok", standard_project="9000")
    out = tmp_path / "rapport.html"
    result = invoke("-c", config, "--html", str(out))
    assert result.exit_code == 1
    assert f"Rapporten er skrevet til {out}" in result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nb">' in page and '<meta charset="utf-8">' in page
    assert "<style>" in page
    for external in ("http://", "https://", "<script", "<link", "<img", "src=", "@import", "url("):
        assert external not in page, external
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in page
    assert "Samsvarsrapport" in page and "5 feil" in page and "2 advarsler" in page  # + the renamed 1001
    for text in ("Overtid 50 %", "Pål Jensen", "Prosjektledelse", "Ansattnummer (R3)"):
        assert text in page


def test_cli_severity_from_a_customer_rule_file_changes_the_exit_code(served, tmp_path):
    (tmp_path / "kunde.yaml").write_text("doctor:\n  employees:\n    severity:\n      missing_in_poweroffice: warning\n",
                                         encoding="utf-8")
    world = {"smartdok": {"Users": users(("1001", "Ola Nordmann"), ("1012", "Sofie Berg"))},
             "poweroffice": {"Employees": employees((1001, "Ola Nordmann"))}}
    result = invoke("-c", served(world, rules=["kunde.yaml"]), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"][0]["severity"] == "warning"
