"""A third-party entity plugin works end to end with no change to the core: departments.

The plugin (``tests/plugins/departments``) is a distribution of its own, installed into a
folder and found through the ``grunndata`` entry point, exactly as an integration developer's
plugin would be; it ships its rule file and its schema fragment through the hooks.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grunndata.engine import runner
from grunndata.engine.model import Read, Snapshot
from grunndata.engine.planner import make_plan
from grunndata.plugin.manager import load_host
from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL, Sandbox
from grunndata.secrets import Secrets
from grunndata.session import open_session
from plugin_installer import DEPARTMENTS, install, installed

STANDARD = {"Id": 1, "Code": "9000", "Name": "Malprosjekt", "ProjectStatus": "NotStarted",
            "ProjectBillingMethod": "Time"}
SECRETS = Secrets("sd-token", "po-app", "po-client", "po-sub")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return install(DEPARTMENTS, tmp_path_factory.mktemp("site"))


@pytest.fixture
def plugin(tmp_path):
    with installed(DEPARTMENTS, tmp_path / "site"):
        yield


def cli(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "grunndata.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=60, cwd=cwd)


def session(tmp_path: Path, master: str, rules: str | None = None):
    cfg: dict = {"master": master, "smartdok": {"base_url": SMARTDOK_URL},
                 "poweroffice": {"base_url": POWEROFFICE_URL, "token_url": POWEROFFICE_TOKEN_URL}}
    if master == "smartdok":
        cfg["standard_project"] = "9000"
    if rules:
        (tmp_path / "kunde.yaml").write_text(rules, encoding="utf-8")
        cfg["rules"] = ["kunde.yaml"]
    (tmp_path / "grunndata.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return open_session(str(tmp_path / "grunndata.yaml"))


def sd_dept(i: int, number: str, name: str, active: bool = True) -> dict:
    return {"Id": i, "Number": number, "Name": name, "IsActive": active}


def po_dept(i: int, code: str, name: str, active: bool = True) -> dict:
    return {"Id": i, "Code": code, "Name": name, "IsActive": active}


def plan_of(session, smartdok: list[dict], poweroffice: list[dict]):
    snapshot = Snapshot(smartdok={"Departments": smartdok},
                        poweroffice={"Departments": poweroffice, "Projects": [STANDARD]})
    return make_plan(session, snapshot)


def departments(plan) -> dict[tuple[str, str], list]:
    out: dict[tuple[str, str], list] = {}
    for a in plan.actions:
        if a.entity == "departments":
            out.setdefault((a.op, a.key), []).append(a)
    return out


# ---- found through the entry point, with its rules and schema ---------------------------------
def test_the_installed_plugin_is_listed_with_what_it_offers(site, tmp_path):
    result = cli(site, tmp_path, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    listed = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    assert listed["departments"]["origin"] == "grunndata_departments (grunndata-departments 0.1.0)"
    assert sorted(listed["departments"]["offers"]) == ["entity departments", "rule key departments"]


def test_its_rule_keys_are_checked_and_described_in_norwegian(site, tmp_path):
    schema = json.loads(cli(site, tmp_path, "schema").stdout)["properties"]["departments"]
    assert schema["description"].startswith("Avdelinger")
    assert schema["properties"]["limits"]["properties"]["smartdok"]["description"]
    (tmp_path / "kunde.yaml").write_text("departments:\n  smartdok_master:\n    overwrite: [navn]\n", encoding="utf-8")
    (tmp_path / "grunndata.yaml").write_text("master: poweroffice\nrules: [kunde.yaml]\n", encoding="utf-8")
    checked = cli(site, tmp_path, "check")
    assert checked.returncode == 1
    assert checked.stderr.startswith("kunde.yaml:3:")
    assert "Traceback" not in checked.stderr


def test_without_the_plugin_nothing_reads_departments():
    assert not [r for r in load_host().reads if r.resource == "Departments"]


def test_with_the_plugin_the_snapshot_reads_departments_in_both_systems(plugin):
    host = load_host()
    assert host.owner_of("entity", "departments") == "departments"
    assert Read("smartdok", "Departments", {"all": True}) in host.reads
    assert Read("poweroffice", "Departments") in host.reads


# ---- planning: SmartDok as master ---------------------------------------------------------------
def test_smartdok_as_master_creates_and_updates_departments_in_poweroffice(plugin, tmp_path):
    plan = plan_of(session(tmp_path, "smartdok"),
                   [sd_dept(1, "10", "Bygg"), sd_dept(2, "20", "Anlegg"), sd_dept(3, "30", "Nedlagt", False)],
                   [po_dept(1, "20", "Anlegg gammel"), po_dept(2, "40", "Bare i PowerOffice")])
    got = departments(plan)
    create = got[("create", "10")][0]
    assert (create.target, create.fields) == ("poweroffice", {"number": "10", "name": "Bygg", "active": "Ja"})
    # The rule line that decided, in the plugin's own rule file as installed.
    lines = (DEPARTMENTS / "grunndata_departments" / "avdelinger.yaml").read_text(encoding="utf-8").splitlines()
    assert create.rule.endswith(f"grunndata_departments/avdelinger.yaml:{lines.index('    create:') + 1}")
    update = got[("update", "20")][0]
    assert update.fields == {"name": {"before": "Anlegg gammel", "after": "Anlegg"}}
    assert "avdeling 30 er inaktiv i SmartDok" in got[("skip", "30")][0].reason
    manual = got[("manual", "40")][0]
    assert manual.target == "smartdok" and "må legges inn manuelt i SmartDok" in manual.reason
    # Parents first: departments plan and apply before projects.
    assert plan.entity_order[0] == "departments"


def test_a_customer_rule_file_overrides_the_plugins_defaults(plugin, tmp_path):
    rules = "departments:\n  smartdok_master:\n    overwrite: [active]\n"
    plan = plan_of(session(tmp_path, "smartdok", rules), [sd_dept(2, "20", "Anlegg")],
                   [po_dept(1, "20", "Anlegg gammel")])
    assert ("update", "20") not in departments(plan)


# ---- planning: PowerOffice as master (SmartDok can only create) ---------------------------------
def test_poweroffice_as_master_creates_in_smartdok_and_never_updates_there(plugin, tmp_path):
    plan = plan_of(session(tmp_path, "poweroffice"),
                   [sd_dept(1, "20", "Anlegg gammel")],
                   [po_dept(1, "10", "Bygg"), po_dept(2, "20", "Anlegg")])
    got = departments(plan)
    assert got[("create", "10")][0].target == "smartdok"
    assert not [a for a in plan.actions if a.entity == "departments" and a.op in ("update", "finish")]
    manual = got[("manual", "20")][0]
    assert manual.target == "smartdok"
    assert manual.reason == ("avdeling 20 i SmartDok avviker fra mastersystemet PowerOffice (navn: «Anlegg gammel» → "
                             "«Anlegg»), men SmartDoks API kan ikke endre avdelinger: rett den for hånd i SmartDok")
    assert "avdelinger.yaml:" in manual.rule


def test_a_name_smartdok_would_refuse_is_a_warning_not_a_failed_write(plugin, tmp_path):
    long_name = "Avdeling for " + "veldig " * 7 + "lange navn"
    plan = plan_of(session(tmp_path, "poweroffice"), [], [po_dept(1, "10", long_name)])
    got = departments(plan)
    assert ("create", "10") not in got
    assert f"navn er {len(long_name)} tegn; SmartDok tillater 50" in got[("warn", "10")][0].reason


# ---- end to end, against the sandbox -------------------------------------------------------------
def _sync(tmp_path: Path, master: str, world: dict):
    tmp_path.mkdir()
    sb = Sandbox(world, rate_limit=False)
    s = session(tmp_path, master)

    async def go():
        async with runner.connect(s, SECRETS, transports=sb.transports(), rate_per_second=None) as conn:
            report = await runner.apply(s, conn)
            again, _ = await runner.plan(s, conn)
            return report, again

    report, again = asyncio.run(go())
    return sb, report, again


def test_departments_sync_end_to_end_in_both_directions(plugin, tmp_path):
    sb, report, again = _sync(tmp_path / "sd", "smartdok", {
        "smartdok": {"Departments": [sd_dept(1, "10", "Bygg"), sd_dept(2, "20", "Anlegg")]},
        "poweroffice": {"Projects": [STANDARD], "Departments": [po_dept(7, "20", "Anlegg gammel")]}})
    assert sorted((o.action.op, o.action.key, o.status) for o in report.outcomes) == [
        ("create", "10", "ok"), ("update", "20", "ok")]
    assert sorted((d["Code"], d["Name"]) for d in sb.world()["poweroffice"]["Departments"]) == [
        ("10", "Bygg"), ("20", "Anlegg")]
    assert again.writes == []

    sb, report, again = _sync(tmp_path / "po", "poweroffice", {
        "smartdok": {"Departments": [sd_dept(1, "20", "Anlegg gammel")]},
        "poweroffice": {"Departments": [po_dept(1, "10", "Bygg"), po_dept(2, "20", "Anlegg")]}})
    assert [(o.action.op, o.action.key, o.status) for o in report.outcomes] == [("create", "10", "ok")]
    assert sorted((d["Number"], d["Name"]) for d in sb.world()["smartdok"]["Departments"]) == [
        ("10", "Bygg"), ("20", "Anlegg gammel")]  # SmartDok's API cannot rename: left for a person
    assert again.writes == [] and [a.op for a in again.actions if a.key == "20"] == ["manual"]
