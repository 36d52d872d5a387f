"""One source for each rule: a consultant who changes a rule changes it for sync, doctor and transfer alike.

The sub-project code template, which records count, system names, the PowerOffice code rule and
every default live once, in the rule files; the engine names no entity, transfer kind or system.
"""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from grunndata.engine.doctor import run_doctor
from grunndata.engine.model import Snapshot
from grunndata.engine.planner import make_plan
from grunndata.engine.transfer_preview import subproject_code_rule
from grunndata.engine.transfer_rules import EntryIndex, Resolver, _revision_pattern, decide, doctor_findings
from grunndata.engine.transfer_schema import kind_rules
from grunndata.rulebook.ruleset import Rules
from grunndata.session import open_session

ROOT = Path(__file__).resolve().parents[2]


def session_with(tmp_path: Path, rules: str | None = None, **config):
    cfg = dict(config) or {"master": "poweroffice"}
    if rules is not None:
        (tmp_path / "kunde.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
        cfg["rules"] = ["kunde.yaml"]
    path = tmp_path / "grunndata.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return open_session(str(path))


def world(sub_code: str = "2301.1", employee: dict | None = None) -> Snapshot:
    sd = {"Projects": [{"Id": 1, "ProjectNumber": "2301", "ProjectName": "Kontorbygg", "IsActive": True,
                        "Finished": False}],
          "SubProjects": [{"Id": 7, "ProjectId": 1, "SubProjectNumber": "1", "SubProjectName": "Grunnarbeid",
                           "IsActive": True}],
          "Users": [{"Id": 1, "EmployeeNo": "1001", "Name": "Ola Nordmann", "IsEnded": False}]}
    po = {"Projects": [{"Id": 1, "Code": "9000", "Name": "Mal", "ProjectStatus": "NotStarted",
                        "ProjectBillingMethod": "Time"},
                       {"Id": 2, "Code": "2301", "Name": "Kontorbygg", "ProjectStatus": "Active"},
                       {"Id": 3, "Code": sub_code, "ParentProjectCode": "2301", "Name": "Grunnarbeid",
                        "ProjectStatus": "Active"}],
          "Employees": [employee or {"Number": 1001, "FirstName": "Ola", "LastName": "Nordmann"}],
          "TimeTracking/Activity": [{"code": "100", "name": "Graving", "isActive": True}]}
    return Snapshot(smartdok=sd, poweroffice=po)


def hour_line(session, snapshot: Snapshot, **row):
    transfer = session.host.transfers["hours"]
    k = kind_rules(session.rules, "hours")
    row = {"WorkHourID": 5001, "EmployeeNo": "1001", "Date": "2026-01-05", "NetHours": 7.5, "ProjectNumber": "2301",
           "WorkDescriptionCode": "100", "AdminAttested": True, **row}
    return decide(k, row, EntryIndex([], _revision_pattern(k.cfg["new_line_reference"])),
                  Resolver(snapshot, session.rules), doctor_findings(session, snapshot, {"employees"}),
                  subproject_code_rule(session, transfer))


# ---- the sub-project code template ---------------------------------------------------------------
def test_the_subproject_code_template_is_one_rule_for_sync_and_transfer(tmp_path):
    session = session_with(tmp_path, 'projects:\n  subproject_code: "{parent}-{sub}"\n',
                           master="smartdok", standard_project="9000")
    snapshot = world(sub_code="2301-1")
    plan = make_plan(session, snapshot)
    assert not [a for a in plan.actions if a.entity == "subprojects" and a.op == "create"]  # 2301-1 is there
    line = hour_line(session, snapshot, SubProjectNumber="1")
    assert line.op == "send" and line.fields["projectCode"] == "2301-1"
    missing = hour_line(session, snapshot, SubProjectNumber="2")
    assert missing.op == "hold" and "2301-2 finnes ikke" in missing.reason
    assert missing.rule == "kunde.yaml:2"  # the one template, where the consultant wrote it


def test_the_shipped_template_joins_with_a_dot(tmp_path):
    session = session_with(tmp_path)
    line = hour_line(session, world(), SubProjectNumber="1")
    assert line.fields["projectCode"] == "2301.1"


@pytest.mark.parametrize("key", ["subproject_code", "project_code"])
def test_a_customer_file_with_the_old_transfer_keys_gets_one_norwegian_line(tmp_path, key):
    (tmp_path / "grunndata.yaml").write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    (tmp_path / "kunde.yaml").write_text(f'machine_hours:\n  {key}: "{{project}}.{{subproject}}"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"kunde.yaml:2:3: «{key}» er flyttet")
    assert "«projects.subproject_code" in lines[0]


# ---- which records count: one rule for doctor, transfer and sync ---------------------------------
def test_which_records_count_is_one_rule_for_doctor_transfer_and_sync(tmp_path):
    # The customer decides that a PowerOffice employee counts only when IsActive is true.
    session = session_with(tmp_path, """\
        records:
          poweroffice:
            Employees:
              active_when:
                IsActive: {is: true, missing_means: false}
            Projects:
              active_when:
                ProjectStatus: [Active]
        """, master="poweroffice")
    snapshot = world(employee={"Number": 1001, "FirstName": "Ola", "LastName": "Nordmann", "IsArchived": False})
    findings = run_doctor(session, snapshot, only=["employees"]).findings
    assert [(f.key, f.severity) for f in findings] == [("1001", "error")]
    assert "arkivert" in findings[0].message
    line = hour_line(session, snapshot)
    assert line.op == "hold" and line.rule.startswith("rules/transfer.yaml:")
    snapshot.poweroffice["Projects"].append({"Id": 4, "Code": "2302", "Name": "Ny", "ProjectStatus": "Tentative",
                                              "ProjectBillingMethod": "Time"})
    plan = make_plan(session, snapshot)
    skipped = next(a for a in plan.actions if a.key == "2302")
    assert skipped.op == "skip" and "inaktiv i PowerOffice" in skipped.reason
    assert skipped.rule.startswith("rules/projects.yaml:")  # only_active; the records rule says what active means


# ---- PowerOffice's "no . in a code" is a limits rule ----------------------------------------------
def test_a_dot_in_a_poweroffice_code_is_a_limits_rule(tmp_path):
    snapshot = world()
    snapshot.smartdok["Projects"].append({"Id": 2, "ProjectNumber": "12.3", "ProjectName": "Punktum",
                                          "IsActive": True, "Finished": False})
    def plan_with(name, rules=None):
        (tmp_path / name).mkdir()
        session = session_with(tmp_path / name, rules, master="smartdok", standard_project="9000")
        return session, next(a for a in make_plan(session, snapshot).actions if a.key == "12.3")

    shipped, warn = plan_with("shipped")
    assert warn.op == "warn" and "punktum («.»)" in warn.reason and "PowerOffice ikke tillater" in warn.reason
    assert warn.rule == shipped.rules.where("projects", "limits", "poweroffice", "number")
    limit = 'projects:\n  limits:\n    poweroffice:\n      number:\n        forbidden_characters: {{".": {}}}\n'
    _, warn = plan_with("renamed", limit.format("prikk"))
    assert "prikk («.»)" in warn.reason and warn.rule == "kunde.yaml:4"
    _, create = plan_with("allowed", limit.format("null"))
    assert create.op == "create"


# ---- the engine names no system; plugins give titles, labels and rule references ------------------
def test_system_names_come_from_the_vocabulary(tmp_path):
    session = session_with(tmp_path, master="smartdok", standard_project="9000")
    # The first word listed for a value is the one shown (a customer's extra word is a synonym),
    # so the shipped word is replaced here in the merged rules themselves.
    vocabulary = {**session.rules.data["vocabulary"], "systems": {"SmartDok": "smartdok", "PowerOffice Go": "poweroffice"}}
    session = dataclasses.replace(session, rules=Rules({**session.rules.data, "vocabulary": vocabulary},
                                                       session.rules.doc, session.rules.files))
    snapshot = world()
    snapshot.smartdok["Projects"].append({"Id": 2, "ProjectNumber": "2302", "ProjectName": "Ny",
                                          "IsActive": True, "Finished": False})
    create = next(a for a in make_plan(session, snapshot).actions if a.key == "2302")
    assert create.reason == "prosjekt 2302 finnes i SmartDok, men ikke i PowerOffice Go"
    assert "PowerOffice Go" in hour_line(session, snapshot, WorkDescriptionCode="999").reason


def test_every_entity_and_transfer_plugin_has_a_title_and_a_label(tmp_path):
    session = session_with(tmp_path)
    for entity in session.host.entities.values():
        assert entity.title and entity.title[0].isupper() and entity.label, entity.name
    assert {e.name: e.title for e in session.host.entities.values()}["projects"] == "Prosjekter"
    for transfer in session.host.transfers.values():
        assert transfer.title and transfer.title[0].isupper() and transfer.label and transfer.label.islower()


def test_rule_references_come_from_the_plugin(tmp_path):
    session = session_with(tmp_path, master="smartdok", standard_project="9000")
    snapshot = world()
    snapshot.poweroffice["Projects"].append({"Id": 5, "Code": "2399", "Name": "Skole", "ProjectStatus": "Active"})
    snapshot.smartdok["Projects"].append({"Id": 3, "ProjectNumber": "2400", "ProjectName": "Skole",
                                          "IsActive": True, "Finished": False})
    warn = next(a for a in make_plan(session, snapshot).actions if a.key == "2400" and a.op == "warn")
    assert "(R13)" in warn.reason
    projects = session.host.entities["projects"]
    saved = projects.refs
    projects.refs = {**saved, "duplicate": {"smartdok_master": "R99"}}
    try:
        warn = next(a for a in make_plan(session, snapshot).actions if a.key == "2400" and a.op == "warn")
    finally:
        projects.refs = saved
    assert "(R99)" in warn.reason and "R13" not in warn.reason


# ---- defaults live in the rule files only ---------------------------------------------------------
def test_no_plugin_schema_fragment_holds_a_default_and_the_schema_takes_the_shipped_values(tmp_path):
    session = session_with(tmp_path)
    copies = []

    def defaults(node, path):
        if isinstance(node, dict):
            if node.get("default") is not None:
                copies.append(".".join(map(str, path)))
            for key, value in node.items():
                defaults(value, path + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                defaults(value, path + (i,))

    defaults(session.host.rules_schema, ())
    assert copies == []

    shipped = {}
    for f in sorted((ROOT / "rules").glob("*.yaml")):
        shipped.update(yaml.safe_load(f.read_text(encoding="utf-8")))

    def walk(node, value, path):
        for key, prop in (node.get("properties") or {}).items():
            if key in value:
                assert prop["default"] == value[key], ".".join(path + (key,))
                if isinstance(value[key], dict):
                    walk(prop, value[key], path + (key,))
            else:
                assert prop["default"] is None, ".".join(path + (key,))

    walk(session.schema, shipped, ())
    assert session.schema["properties"]["hours"]["properties"]["reference"]["default"] == "smartdok-workhour-{id}"


def test_a_kind_naming_a_source_that_is_not_there_is_one_line_at_check_time(tmp_path):
    (tmp_path / "grunndata.yaml").write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    (tmp_path / "kunde.yaml").write_text("goods:\n  rows_from: Varer\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == ("kunde.yaml:2:14: 'rows_from' kan ikke være 'Varer'; tillatte verdier: "
                                     "'WorkHours', 'GoodsConsumption'")
