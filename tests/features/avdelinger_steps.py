"""Steps for features/avdelinger.feature: departments, synced by a plugin installed through the
``grunndata`` entry point (tests/plugins/departments), not by grunndata itself."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then

from harness import YES, World, rows

sys.path.append(str(Path(__file__).resolve().parents[1] / "plugins"))
from plugin_installer import DEPARTMENTS, installed  # noqa: E402


@pytest.fixture
def departments_plugin(tmp_path):
    with installed(DEPARTMENTS, tmp_path / "site-packages"):
        yield


@given("at tillegget for avdelinger er installert")
def plugin_installed(request):
    request.getfixturevalue("departments_plugin")


@given("at SmartDok har avdelingene:")
def sd_departments(world: World, datatable):
    world.add("smartdok", "Departments", [
        {"Number": r["nummer"], "Name": r["navn"], "IsActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


@given("at PowerOffice har avdelingene:")
def po_departments(world: World, datatable):
    world.add("poweroffice", "Departments", [
        {"Code": r["kode"], "Name": r["navn"], "IsActive": YES[r.get("aktiv", "ja")]} for r in rows(datatable)])


def _departments(world: World, system: str, number: str) -> list[dict]:
    key = "Number" if system == "SmartDok" else "Code"
    sysname = "smartdok" if system == "SmartDok" else "poweroffice"
    return [d for d in world.state(sysname).get("Departments", []) if str(d.get(key)).strip() == number]


@then(parsers.parse('finnes avdelingen "{number}" i {system} med navn "{name}"'))
def department_named(world: World, number: str, system: str, name: str):
    found = _departments(world, system, number)
    assert len(found) == 1 and found[0]["Name"] == name, found


@then(parsers.parse('finnes ikke avdelingen "{number}" i {system}'))
def department_absent(world: World, number: str, system: str):
    assert not _departments(world, system, number)
