"""The one condition language of the rules, and what null and absent mean in every shipped condition.

PowerOffice's and SmartDok's specs mark many fields nullable, and a record may lack a field: each
condition in the shipped rules says what a missing value means, and is tested here with true,
false, null and absent. A new shipped condition without a row in the tables below fails.
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from grunndata.engine.doctor import run_doctor
from grunndata.engine.model import Snapshot
from grunndata.engine.transfer_preview import subproject_code_rule
from grunndata.engine.transfer_rules import EntryIndex, Resolver, _revision_pattern, decide, doctor_findings
from grunndata.engine.transfer_schema import kind_rules
from grunndata.rulebook.conditions import Condition
from grunndata.session import open_session

ABSENT = object()
CASES = (True, False, None, ABSENT)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    path = tmp_path_factory.mktemp("conditions") / "grunndata.yaml"
    path.write_text("master: poweroffice\n", encoding="utf-8")
    return open_session(str(path))


def record(field: str, value, **others):
    rec = dict(others)
    if value is not ABSENT:
        rec[field] = value
    return rec


def _id(value) -> str:
    return "absent" if value is ABSENT else repr(value)


# ---- the language ------------------------------------------------------------------------------
LANGUAGE = [
    # (test as written, {case: holds})
    (True, {True: True, False: False, None: False, ABSENT: False}),
    (False, {True: False, False: True, None: False, ABSENT: False}),
    ([True, False], {True: True, False: True, None: False, ABSENT: False}),
    (None, {True: False, False: False, None: True, ABSENT: True}),
    ("*", {True: True, False: True, None: False, ABSENT: False}),
    ([None, "*"], {True: True, False: True, None: True, ABSENT: True}),
    ({"is": False, "missing_means": False}, {True: False, False: True, None: True, ABSENT: True}),
    ({"is": True, "missing_means": False}, {True: True, False: False, None: False, ABSENT: False}),
    ({"is": True, "missing_means": True}, {True: True, False: False, None: True, ABSENT: True}),
    ({"is": [True, None]}, {True: True, False: False, None: True, ABSENT: True}),
]


@pytest.mark.parametrize("case", CASES, ids=_id)
@pytest.mark.parametrize("test, expected", LANGUAGE, ids=[repr(t) for t, _ in LANGUAGE])
def test_each_form_with_true_false_null_and_absent(test, expected, case):
    assert Condition.parse({"Flag": test}).holds(record("Flag", case)) is expected[case]


def test_values_compare_exactly_and_empty_text_has_no_value():
    assert not Condition.parse({"Flag": True}).holds({"Flag": 1})
    assert not Condition.parse({"Flag": True}).holds({"Flag": "true"})
    assert not Condition.parse({"Number": "1001"}).holds({"Number": 1001})
    assert Condition.parse({"Ref": None}).holds({"Ref": "  "})
    assert Condition.parse({"Ref": {"is": "x", "missing_means": "x"}}).holds({"Ref": ""})


def test_dots_reach_into_objects_and_lists_mean_one_of():
    cond = Condition.parse({"User.Id": [7, 8]})
    assert cond.holds({"User": {"Id": 8}}) and not cond.holds({"User": None}) and not cond.holds({})


def test_a_mapping_needs_every_test_and_a_list_one_condition():
    both = Condition.parse({"A": True, "B": True})
    either = Condition.parse([{"A": True}, {"B": True}])
    assert both.holds({"A": True, "B": True}) and not both.holds({"A": True})
    assert either.holds({"B": True}) and not either.holds({"A": False})
    assert Condition.parse({}).holds({}) and not Condition.parse([]).holds({})


def test_a_failing_test_is_named_for_the_message():
    cond = Condition.parse({"status": ["Pågår"], "billing_method": ["Timer"]})
    field, have, test = cond.failing({"status": "Pågår"})
    assert (field, have, test.wanted()) == ("billing_method", None, ["Timer"])


# ---- every shipped condition: what null and absent mean ----------------------------------------
T, F = True, False
ACTIVE = {True: T, False: F, None: T, ABSENT: T}       # IsActive: no value does not make it inactive
NOT_FLAGGED = {True: F, False: T, None: T, ABSENT: T}  # IsArchived/IsEnded: no value is not archived
ONLY_TRUE = {True: T, False: F, None: F, ABSENT: F}    # AdminAttested, exported, additions

SHIPPED = {
    ("records", "smartdok", "Users", "active_when"): {"IsEnded": NOT_FLAGGED, "IsDeleted": NOT_FLAGGED},
    ("records", "smartdok", "Wages", "active_when"): {"IsActive": ACTIVE},
    ("records", "smartdok", "Additions", "active_when"): {"IsActive": ACTIVE},
    ("records", "smartdok", "Projects", "active_when"): {"IsActive": ACTIVE},
    ("records", "smartdok", "SubProjects", "active_when"): {"IsActive": ACTIVE},
    ("records", "smartdok", "WorkDescriptions", "active_when"): {"IsActive": ACTIVE},
    ("records", "smartdok", "Machines", "active_when"): {"IsActive": ACTIVE},
    ("records", "poweroffice", "Employees", "active_when"): {"IsArchived": NOT_FLAGGED},
    ("records", "poweroffice", "Products", "active_when"): {"IsArchived": NOT_FLAGGED},
    ("records", "poweroffice", "Projects", "active_when"): {"IsActive": ACTIVE},
    ("records", "poweroffice", "PayItems", "active_when"): {"IsActive": ACTIVE},
    ("records", "poweroffice", "TimeTracking/HourType", "active_when"): {"isActive": ACTIVE},
    ("records", "poweroffice", "TimeTracking/Activity", "active_when"): {"isActive": ACTIVE},
    ("records", "smartdok", "Goods", "active_when"): {"IsActive": ACTIVE},
    ("records", "poweroffice", "Customers", "active_when"): {"IsArchived": NOT_FLAGGED},
    # Invoice bases (R24): IsDraft and Credited are not nullable in SmartDok's spec; without a value a
    # basis is neither a draft nor credited. Sent: only a basis SmartDok says it sent is not ours.
    ("invoice", "qualify"): {"IsDraft": NOT_FLAGGED, "Credited": NOT_FLAGGED},
    ("invoice", "exported"): {"Sent": ONLY_TRUE},
    ("transfer", "sources", "WorkHours", "qualify"): {"AdminAttested": ONLY_TRUE},
    ("transfer", "sources", "WorkHours", "exported"): {"ExportedExternal": ONLY_TRUE},
    ("transfer", "sources", "GoodsConsumption", "qualify"): {"AdminAttested": ONLY_TRUE},
    ("transfer", "sources", "GoodsConsumption", "exported"): {"Exported": ONLY_TRUE},
    # A machine hour id is a number: true and false stand for "an id" and "no id" here.
    ("hours", "select"): {"MachineHourId": {True: F, False: T, None: T, ABSENT: T}},
    ("machine_hours", "select"): {"MachineHourId": {True: T, False: F, None: F, ABSENT: F}},
    ("hours", "addition_when"): {"WageAddition": ONLY_TRUE, "UnitAddition": ONLY_TRUE},
    # A status is text: true and false stand for a locked and an open status.
    ("transfer", "locked"): {"status": {True: T, False: F, None: F, ABSENT: F}},
    ("projects", "poweroffice_master", "filter"): {"status": {True: T, False: F, None: F, ABSENT: F},
                                                   "billing_method": {True: T, False: F, None: F, ABSENT: F}},
    ("projects", "poweroffice_master", "finished_when"): {"status": {True: T, False: F, None: F, ABSENT: F}},
    ("projects", "smartdok_master", "finished_when"): {"finished": {True: T, False: F, None: F, ABSENT: F}},
}
# What true and false stand for where a field is not a truth value.
STAND_INS = {"MachineHourId": (4711, None), "status": None, "billing_method": ("Timer", "Fastpris"),
             "finished": ("Ja", "Nei")}
STATUS = {"transfer": ("Approved", "Registered"), "projects": ("Pågår", "Foreløpig")}
FINISHED_STATUS = ("Avsluttet", "Pågår")


def _stand_in(path, field, case):
    if case is ABSENT or case is None or field not in STAND_INS:
        return case
    pair = STAND_INS[field]
    if field == "status":
        pair = FINISHED_STATUS if path[-1] == "finished_when" else STATUS[path[0]]
    if field == "MachineHourId" and case is False:
        return ABSENT
    return pair[0] if case else pair[1]


def _passing(session, path, field):
    """A record on which every other field of the condition passes."""
    cond = session.rules.condition(*path)
    tests = cond.tests if cond.alternatives is None else ()
    base = {}
    for other, _ in tests:
        if other != field:
            for value in (True, "Pågår", "Timer", "Ja", "Approved", 4711, False, None):
                if _holds_alone(cond, other, value):
                    base[other] = value
                    break
    return base


def _holds_alone(cond, field, value):
    return dict(cond.tests)[field].holds(value)


ROWS = [(path, field, case) for path, fields in SHIPPED.items() for field in fields for case in CASES]


@pytest.mark.parametrize("path, field, case", ROWS,
                         ids=[f"{'.'.join(p)}.{f}={_id(c)}" for p, f, c in ROWS])
def test_every_shipped_condition_with_true_false_null_and_absent(session, path, field, case):
    value = _stand_in(path, field, case)
    cond = session.rules.condition(*path)
    if cond.alternatives is not None:  # one of several: this field alone decides
        rec = record(field, value)
    else:
        rec = record(field, value, **_passing(session, path, field))
    assert cond.holds(rec) is SHIPPED[path][field][case]


def _conditions_in(data, path=()):
    """Every condition written in the shipped rules, by its path."""
    names = {"active_when", "qualify", "exported", "select", "addition_when", "locked", "filter", "finished_when"}
    if isinstance(data, dict):
        for key, value in data.items():
            if key in names and not (path and path[-1] in ("fields",)):
                yield path + (key,), value
            else:
                yield from _conditions_in(value, path + (key,))


def test_every_shipped_condition_has_a_decision_for_every_field(session):
    covered = set()
    for path, value in _conditions_in(session.rules.data):
        cond = session.rules.condition(*path)
        if cond.empty or cond.alternatives == ():
            continue
        assert path in SHIPPED, f"{'.'.join(path)}: decide what null and absent mean, and add it here"
        assert set(SHIPPED[path]) == set(cond.fields), path
        covered.add(path)
    assert covered == set(SHIPPED)


# ---- doctor and transfer: an employee without IsArchived is not archived ------------------------
def _snapshot(is_archived) -> Snapshot:
    sd = {"Users": [{"Id": 1, "EmployeeNo": "1001", "Name": "Ola Nordmann", "IsEnded": False}],
          "Wages": [{"Number": "1", "Name": "Ordinær", "IsActive": True}],
          "Projects": [{"Id": 1, "ProjectNumber": "2301", "ProjectName": "Bygg", "IsActive": True}]}
    po = {"Employees": [record("IsArchived", is_archived, Number=1001, FirstName="Ola", LastName="Nordmann")],
          "TimeTracking/HourType": [{"code": "ORD", "description": "Ordinær", "isActive": None}],
          "TimeTracking/Activity": [{"code": "100", "name": "Graving"}],
          "Projects": [{"Id": 1, "Code": "2301", "Name": "Bygg", "ProjectStatus": "Active", "IsActive": None}]}
    return Snapshot(smartdok=sd, poweroffice=po)


@pytest.mark.parametrize("is_archived, archived", [(True, True), (False, False), (None, False), (ABSENT, False)],
                         ids=["true", "false", "null", "absent"])
def test_doctor_and_transfer_agree_on_an_archived_employee(session, is_archived, archived):
    snapshot = _snapshot(is_archived)
    findings = run_doctor(session, snapshot, only=["employees", "wages"]).findings
    assert [f.key for f in findings if f.severity == "error"] == (["1001"] if archived else [])
    transfer = session.host.transfers["hours"]
    k = kind_rules(session.rules, "hours")
    row = {"WorkHourID": 5001, "EmployeeNo": "1001", "Date": "2026-01-05", "NetHours": 7.5,
           "ProjectNumber": "2301", "WorkDescriptionCode": "100", "WageName": "Ordinær", "AdminAttested": True}
    line = decide(k, row, EntryIndex([], _revision_pattern(k.cfg["new_line_reference"])),
                  Resolver(snapshot, session.rules), doctor_findings(session, snapshot, {"employees", "wages"}),
                  subproject_code_rule(session, transfer))
    assert line.op == ("hold" if archived else "send"), line.reason
    if archived:
        assert "arkivert" in line.reason


# ---- the rules say it, validated with FILE:LINE:COL ---------------------------------------------
def run_check(tmp_path: Path, rules: str) -> subprocess.CompletedProcess:
    (tmp_path / "grunndata.yaml").write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    (tmp_path / "kunde.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("rules, expected", [
    ("""\
     records:
       poweroffice:
         Employees:
           active_when:
             IsArchived: {is: false, missing_mean: false}
     """, "kunde.yaml:5:33: ukjent nøkkel 'missing_mean'; mente du 'missing_means'?"),
    ("""\
     records:
       poweroffice:
         Ansatte:
           active_when:
             IsArchived: {missing_means: false}
     """, "kunde.yaml:5:21: 'IsArchived' mangler den påkrevde nøkkelen 'is'"),
    ("""\
     projects:
       poweroffice_master:
         filter:
           status: {is: Pågårr, missing_means: Pågår}
     """, "kunde.yaml:4:20: 'is' kan ikke være 'Pågårr'; tillatte verdier: 'Pågår'"),
    ("""\
     hours:
       select: [MachineHourId]
     """, "kunde.yaml:2:12: et element i 'select' må være en tabell (nøkkel: verdi), ikke tekst"),
])
def test_a_bad_condition_is_one_line_with_its_position(tmp_path, rules, expected):
    result = run_check(tmp_path, rules)
    assert result.returncode == 1
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert re.match(r"^kunde\.yaml:\d+:\d+: ", result.stderr)
