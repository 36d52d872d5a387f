"""World files: normalising, clear errors, and the round trip through GET /_sandbox/world."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sandbox_helpers import WORLD_FILE

from grunndata.errors import GrunndataError
from grunndata.sandbox import Sandbox, load_world


def test_ids_are_assigned_and_references_resolved():
    w = load_world(WORLD_FILE)
    sd, po = w["smartdok"], w["poweroffice"]
    assert [p["Id"] for p in sd["Projects"]] == [101, 102, 103]
    assert {s["ProjectId"] for s in sd["SubProjects"]} == {101}  # ProjectNumber "202601" found "202601 "
    assert all("ProjectNumber" not in s for s in sd["SubProjects"])
    assert sd["Projects"][0]["ProjectNumber"] == "202601 "  # kept exactly as written
    assert sd["Users"][0]["Id"] == "00000000-0000-4000-8000-000000000001"
    sub = next(p for p in po["Projects"] if p.get("ParentProjectId"))
    assert sub["Code"] == "202601.1" and sub["ParentProjectCode"] == "202601"
    assert sub["ParentProjectId"] == po["Projects"][0]["Id"]
    assert po["Projects"][0]["CustomerId"] == po["Customers"][0]["Id"]  # CustomerNo resolved
    assert all(isinstance(p["Id"], str) for p in po["PayItems"])
    assert po["Project/Activity"][0]["projectId"] == po["Projects"][0]["Id"]
    assert sd["Additions"][1]["Addition"] is False  # a unit addition is not an addition
    assert "LastChangedDateTimeOffset" not in po["Products"][0]  # stamped by the live state, not the loader


def test_world_round_trips_through_yaml_and_json(sb, tmp_path):
    dumped = sb.world()
    path = tmp_path / "saved.yaml"
    path.write_text(yaml.safe_dump(dumped, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_world(path) == load_world(dumped) == dumped
    jpath = tmp_path / "saved.json"
    jpath.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")
    assert Sandbox.from_file(jpath).world() == dumped


def test_yaml_dates_and_numbers_become_api_text():
    w = load_world(yaml.safe_load("""
smartdok:
  Projects: [{ProjectNumber: 202605, ProjectName: Tall, StartDate: 2025-04-01}]
poweroffice:
  Projects: [{Code: 202605, Name: Tall, StartDate: 2025-04-01}]
"""))
    assert w["smartdok"]["Projects"][0]["ProjectNumber"] == "202605"
    assert w["smartdok"]["Projects"][0]["StartDate"] == "2025-04-01"  # as written; served as a date-time
    assert w["poweroffice"]["Projects"][0]["Code"] == "202605"


def test_empty_world_is_fine():
    assert Sandbox().world() == {"smartdok": {}, "poweroffice": {}}


@pytest.mark.parametrize("world,message", [
    ({"smartdok": {"Prosjekter": []}}, "smartdok.Prosjekter: unknown resource"),
    ({"smartdok": {"Projects": [{"ProjectNumber": "1", "ProjectName": "A", "Projectname": "B"}]}},
     "did you mean 'ProjectName'"),
    ({"smartdok": {"Projects": [{"ProjectNumber": "1", "ProjectName": "A", "IsActive": "ja"}]}},
     "smartdok.Projects[0].IsActive"),
    ({"smartdok": {"Projects": [{"ProjectName": "A"}]}}, "missing required field ProjectNumber"),
    ({"smartdok": {"SubProjects": [{"ProjectNumber": "9", "SubProjectNumber": "1", "SubProjectName": "x"}]}},
     "ProjectNumber '9' not found"),
    ({"poweroffice": {"Projects": [{"Code": "1.2", "Name": "A"}]}}, "'.' is not allowed"),
    ({"poweroffice": {"Projects": [{"Code": "1", "Name": "A"}, {"Code": "1", "Name": "B"}]}}, "duplicate Code '1'"),
    ({"poweroffice": {"Projects": [{"Code": "2", "Name": "A", "ParentProjectCode": "9"}]}}, "parent project Code '9'"),
    ({"poweroffice": {"Projects": [{"Code": "1", "Name": "A"}, {"Code": "2", "Name": "B", "ParentProjectCode": "1"},
                                   {"Code": "3", "Name": "C", "ParentProjectCode": "1.2"}]}}, "one level only"),
    ({"poweroffice": {"Projects": [{"Code": "1", "Name": "A", "ProjectStatus": "Pågår"}]}}, "ProjectStatus"),
    ({"poweroffice": {"Projects": [{"Id": 5, "Code": "1", "Name": "A"}, {"Id": 5, "Code": "2", "Name": "B"}]}},
     "duplicate id 5"),
    ({"credentials": {"poweroffice": {"client_secret": "x"}}}, "credentials.poweroffice.client_secret"),
    ({"smartdok": [1, 2]}, "smartdok: must be a mapping"),
    ({"kunder": {}}, "unknown top-level key"),
])
def test_bad_worlds_say_what_is_wrong(world, message):
    with pytest.raises(GrunndataError) as info:
        load_world(world)
    assert message in str(info.value)


def test_bad_files_name_the_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("smartdok:\n  Projects: [unclosed\n", encoding="utf-8")
    with pytest.raises(GrunndataError, match=r"broken\.yaml: not valid YAML \(line"):
        load_world(broken)
    with pytest.raises(GrunndataError, match=r"missing\.yaml: world file not found"):
        Sandbox.from_file(tmp_path / "missing.yaml")
    typo = tmp_path / "typo.yaml"
    typo.write_text("poweroffice:\n  Products:\n    - {Code: M-1, Navn: Gravemaskin}\n", encoding="utf-8")
    with pytest.raises(GrunndataError, match=r"typo\.yaml: poweroffice\.Products\[0\]\.Navn: unknown field"):
        load_world(typo)


def test_the_documented_example_world_loads():
    doc = (Path(__file__).parents[2] / "docs" / "SANDBOX.md").read_text(encoding="utf-8")
    block = doc.split("## World files", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    w = load_world(yaml.safe_load(block))
    assert w["poweroffice"]["Project/Activity"][0]["projectId"] == w["poweroffice"]["Projects"][0]["Id"]
    assert w["poweroffice"]["Projects"][1]["Code"] == "202601.01"
    assert set(w["credentials"]) == {"smartdok", "poweroffice"}


def test_lists_come_in_id_order_whatever_the_file_order():
    sb = Sandbox({"poweroffice": {"Products": [{"Id": 9, "Name": "B"}, {"Id": 3, "Name": "A"}, {"Name": "C"}]}})
    assert [p["Id"] for p in sb.world()["poweroffice"]["Products"]] == [3, 9, 7001]
