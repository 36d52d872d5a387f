"""A world that leaves fields out still answers every field the live API always returns.

The rules (docs/SANDBOX.md, "Fields a world leaves out"): a nullable field is null; a
boolean false; a number 0; text ""; a list []; an enum its first value; a date-time the
epoch; a nested object an object filled by the same rules.
"""
from __future__ import annotations

from typing import Any

import pytest
from sandbox_helpers import po_client, run, sd_client

from grunndata.sandbox import Sandbox, specs
from grunndata.sandbox.resources import RESOURCES

SD, PO = "smartdok", "poweroffice"
# Each resource with as little as the world file format requires, and where the API lists it.
MINIMAL: dict[tuple[str, str], tuple[dict[str, Any], str, dict[str, str]]] = {
    (SD, "Projects"): ({"ProjectNumber": "1", "ProjectName": "A"}, "/Projects", {}),
    (SD, "SubProjects"): ({"ProjectNumber": "1", "SubProjectNumber": "1", "SubProjectName": "B"}, "/SubProjects", {}),
    (SD, "WorkDescriptions"): ({"Name": "C"}, "/WorkDescriptions", {}),
    (SD, "Machines"): ({"Name": "D"}, "/Machines", {}),
    (SD, "Users"): ({}, "/Users", {}),
    (SD, "Wages"): ({"Number": "1", "Name": "E"}, "/Wages", {}),
    (SD, "Additions"): ({"Number": "2", "Name": "F"}, "/Additions", {"onlyAddition": "true"}),
    (SD, "WorkHours"): ({"Date": "2026-11-02"}, "/WorkHours",
                        {"fromDate": "2026-11-01", "toDate": "2026-11-30", "onlyAttested": "false"}),
    (SD, "GoodsConsumption"): ({"ProjectNumber": "1"}, "/GoodsConsumption", {}),
    (PO, "Projects"): ({"Code": "1", "Name": "A"}, "/Projects", {}),
    (PO, "Products"): ({"Name": "B"}, "/Products", {}),
    (PO, "Employees"): ({}, "/Employees", {}),
    (PO, "PayItems"): ({}, "/PayItems", {}),
    (PO, "Customers"): ({}, "/Customers", {}),
    (PO, "TimeTracking/Activity"): ({"code": "1", "name": "C"}, "/TimeTracking/Activity", {}),
    (PO, "TimeTracking/HourType"): ({"code": "1"}, "/TimeTracking/HourType", {}),
    (PO, "TimeTracking/TimeTrackingEntry"): ({}, "/TimeTracking/TimeTrackingEntry", {}),
}
# Fields an emulator works out from other records rather than taking from the world.
COMPUTED = {"ProjectNo", "SubProjectNo", "ProjectNumber", "ProjectName", "Project", "SubProject",
            "ParentProjectCode", "CustomerNo", "ProjectManagerEmployeeNo", "DepartmentCode", "ManagerEmployeeNo"}


def _world() -> dict[str, Any]:
    world: dict[str, Any] = {SD: {}, PO: {}}
    for (system, key), (record, _, _) in MINIMAL.items():
        world[system][key] = [dict(record)]
    return world


def _answers() -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
    sb = Sandbox(_world(), rate_limit=False)
    stored = sb.world()

    async def go():
        out = {}
        async with sd_client(sb) as sd, po_client(sb) as po:
            for (system, key), (_, path, params) in MINIMAL.items():
                r = await (sd if system == SD else po).get(path, params=params)
                assert r.status_code == 200, (system, key, r.status_code, r.text)
                body = r.json()
                items = body["Items"] if isinstance(body, dict) else body
                out[(system, key)] = (items[0], stored[system][key][0])
        return out

    return run(go())


ANSWERS = _answers()


def _expected(system: str, prop: dict[str, Any]) -> Any:
    if "$ref" in prop:
        target = specs.raw_schema(system, prop["$ref"].rsplit("/", 1)[-1])
        return (None if target.get("nullable") else target["enum"][0]) if "enum" in target else dict
    if prop.get("nullable"):
        return None
    kind, fmt = prop.get("type"), prop.get("format")
    kind = kind[0] if isinstance(kind, list) else kind
    if prop.get("enum"):
        return prop["enum"][0]
    return {"boolean": False, "integer": prop.get("minimum", 0), "number": 0, "array": []}.get(kind, {
        "date-time": specs.PO_EPOCH if system == PO else specs.SD_EPOCH, "date": specs.PO_EPOCH[:10],
        "uuid": specs.NIL_UUID}.get(fmt, ""))


@pytest.mark.parametrize("system,key", list(MINIMAL), ids=[f"{s} {k}" for s, k in MINIMAL])
def test_every_field_of_the_answer_schema_is_there(system, key):
    answer, stored = ANSWERS[(system, key)]
    schema = specs.raw_schema(system, RESOURCES[system][key].schema)
    missing = [name for name in schema["properties"] if name not in answer]
    assert missing == []
    for name, prop in schema["properties"].items():
        if name in stored or name in COMPUTED:
            continue  # the world (or the loader: ids, stamps, defaults) or another record set it
        expected = _expected(system, prop)
        if expected is dict:
            assert isinstance(answer[name], dict) and set(answer[name]) == set(
                specs.raw_schema(system, prop["$ref"].rsplit("/", 1)[-1]).get("properties", {})), name
        else:
            assert answer[name] == expected, (name, answer[name], expected)


def test_an_employee_the_world_says_nothing_about_is_not_archived_but_null():
    answer, _ = ANSWERS[(PO, "Employees")]
    assert "IsArchived" in answer and answer["IsArchived"] is None  # nullable in the spec: null, not false
