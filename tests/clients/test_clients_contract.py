"""The clients' hard-coded knowledge of the APIs agrees with the vendors' specs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from grunndata.clients import poweroffice, smartdok

CONTRACTS = Path(__file__).resolve().parents[2] / "sandbox" / "contracts"
SD_SPEC = CONTRACTS / "smartdok-v1.openapi.json"
PO_SPEC = CONTRACTS / "poweroffice-go-v2.openapi.yaml"

pytestmark = pytest.mark.skipif(not SD_SPEC.exists() or not PO_SPEC.exists(),
                                reason="contract files not present")


@pytest.fixture(scope="module")
def sd_spec() -> dict:
    return json.loads(SD_SPEC.read_text())


@pytest.fixture(scope="module")
def po_spec() -> dict:
    return yaml.safe_load(PO_SPEC.read_text())


def _schema_name(op: dict) -> str:
    return op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@pytest.mark.parametrize("resource", [r for r, s in smartdok.RESOURCES.items() if s.input_fields])
def test_smartdok_put_fields_are_the_put_input_schema(sd_spec, resource):
    spec = smartdok.RESOURCES[resource]
    put = sd_spec["paths"][spec.path + "/{id}"]["put"]
    schema = sd_spec["components"]["schemas"][_schema_name(put)]
    assert set(spec.input_fields) == set(schema["properties"])


@pytest.mark.parametrize("resource", list(smartdok.RESOURCES))
def test_smartdok_list_paths_and_all_flag_follow_the_spec(sd_spec, resource):
    spec = smartdok.RESOURCES[resource]
    get = sd_spec["paths"][spec.path]["get"]
    params = {p["name"] for p in get.get("parameters", [])}
    assert ("all" in params) == spec.has_all
    if spec.key_filter:
        assert spec.key_filter in params


def test_smartdok_other_paths_exist(sd_spec):
    paths = sd_spec["paths"]
    assert "post" in paths["/Projects/{projectId}/SubProjects"]
    assert "post" in paths["/Authorize/ApiToken"]
    body = paths["/WorkHours/SetExportedExternal"]["post"]
    assert {p["name"] for p in body["parameters"]} == {"exportedExternalId", "setAsExportedExternal"}
    assert body["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"


@pytest.mark.parametrize("resource", ["Projects", "Products", "Employees", "PayItems", "Customers"])
def test_poweroffice_resources_and_filter_aliases_exist(po_spec, resource):
    paths = po_spec["paths"]
    params = {p.get("name") for p in paths["/" + resource]["get"]["parameters"]}
    for target in poweroffice.FILTER_ALIASES.get(resource, {}).values():
        assert target in params
    item = [p for p in paths if p.startswith(f"/{resource}/{{") and p.count("/") == 2]
    assert len(item) == 1 and "get" in paths[item[0]]
