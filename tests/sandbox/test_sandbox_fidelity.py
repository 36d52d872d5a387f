"""Fidelity gaps found by third-party clients and a fuzzer: each one a behaviour of the live APIs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sandbox_helpers import PATCH_JSON, check_schema, po_client, run, sd_client

from grunndata.errors import GrunndataError
from grunndata.sandbox import Sandbox, load_world, specs

ROOT = Path(__file__).resolve().parents[2]
UUID = "00000000-0000-4000-8000-000000000001"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: UUID if "id" in m.group(0).lower() and "SalesOrders" in path else "1", path)


# --- operations of the contract the sandbox does not emulate ---------------------------------
def test_every_operation_of_either_contract_is_emulated_or_says_501(sb):
    po_missing, sd_missing = sb.poweroffice_app.not_emulated, sb.smartdok_app.not_emulated
    assert ("PATCH", "/SalesOrders/{id}") in po_missing and ("GET", "/WorkHours/v2") in sd_missing
    assert ("GET", "/Projects") not in po_missing and ("GET", "/Projects") not in sd_missing

    async def go():
        async with po_client(sb) as po, sd_client(sb) as sd:
            po_answers = [(m, p, await po.request(m, _concrete(p), json={} if m in ("POST", "PATCH") else None))
                          for m, p in po_missing]
            sd_answers = [(m, p, await sd.request(m, _concrete(p), json={} if m in ("POST", "PUT") else None))
                          for m, p in sd_missing]
            unknown = (await po.get("/NoSuchThing"), await sd.get("/NoSuchThing"))
            return po_answers, sd_answers, unknown

    po_answers, sd_answers, unknown = run(go())
    for method, path, r in po_answers:
        assert r.status_code == 501, (method, path, r.status_code)
        body = r.json()
        check_schema(specs.json_schema("poweroffice", "ProblemDetails"), body)
        assert body["Status"] == 501 and "not emulated" in body["Detail"] and path in body["Detail"]
    for method, path, r in sd_answers:
        assert r.status_code == 501, (method, path, r.status_code)
        assert r.json()["Code"] == "NotImplemented" and "not emulated" in r.json()["Message"]
    assert [r.status_code for r in unknown] == [404, 404]  # outside the contract: still "not found"


# --- ids typed uuid, dates in date-time fields -------------------------------------------------
@pytest.mark.parametrize("world,where", [
    ({"smartdok": {"Users": [{"Id": "u-1001", "Name": "Kari"}]}}, "smartdok.Users[0].Id"),
    ({"poweroffice": {"PayItems": [{"Id": "pi-210", "Code": "210", "Name": "Smuss"}]}}, "poweroffice.PayItems[0].Id"),
    ({"smartdok": {"WorkHours": [{"UserID": "kari"}]}}, "smartdok.WorkHours[0].UserID"),
    ({"poweroffice": {"SalesOrders": [{"Id": 7}]}}, "poweroffice.SalesOrders[0].Id"),
])
def test_an_id_the_spec_types_uuid_must_be_a_uuid_in_a_world(world, where):
    with pytest.raises(GrunndataError) as info:
        load_world(world)
    message = str(info.value)
    assert where in message and "not a UUID" in message and "\n" not in message


@pytest.mark.parametrize("path", sorted([*ROOT.glob("sandbox/worlds/*.yaml"), *ROOT.glob("tests/**/worlds/*.yaml")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_and_test_worlds_follow_the_rules(path):
    assert load_world(path)


def test_a_bad_date_is_one_clear_line():
    with pytest.raises(GrunndataError, match=r"smartdok.WorkHours\[0\].Date: '2026-11-31' is not a date"):
        load_world({"smartdok": {"WorkHours": [{"Date": "2026-11-31"}]}})


def test_a_date_only_value_is_served_in_the_vendors_date_time_form():
    sb = Sandbox({
        "smartdok": {"Projects": [{"ProjectNumber": "1", "ProjectName": "A", "StartDate": "2026-11-02"}],
                     "GoodsConsumption": [{"ProjectNumber": "1", "Date": "2026-11-03", "Amount": 1.0}]},
        "poweroffice": {"Projects": [{"Code": "1", "Name": "A", "StartDate": "2026-11-02"}],
                        "Products": [{"Name": "Grus", "StockOnHandLastChangedDatetimeOffset": "2026-11-04"}]},
    }, rate_limit=False)

    async def go():
        async with sd_client(sb) as sd, po_client(sb) as po:
            return ((await sd.get("/Projects")).json()["Items"][0], (await sd.get("/GoodsConsumption")).json()["Items"][0],
                    (await po.get("/Projects")).json()[0], (await po.get("/Products")).json()[0])

    sd_project, goods, po_project, product = run(go())
    assert sd_project["StartDate"] == "2026-11-02T00:00:00Z" and goods["Date"] == "2026-11-03T00:00:00Z"
    assert product["StockOnHandLastChangedDatetimeOffset"] == "2026-11-04T00:00:00+00:00"
    assert po_project["StartDate"] == "2026-11-02"  # typed date, not date-time: stays a date
    assert sb.world()["smartdok"]["Projects"][0]["StartDate"] == "2026-11-02"  # the world keeps what was written


# --- PowerOffice query parameters checked before any record is read ---------------------------
@pytest.mark.parametrize("params,name", [
    ({"projectCodes": "finnes-ikke", "status": "Bogus"}, "status"),
    ({"includeSubProjects": "yes"}, "includeSubProjects"),
    ({"projectCodes": "202601", "includeSubProjects": "yes"}, "includeSubProjects"),
    ({"lastChangedDateTimeOffsetGreaterThan": "i går"}, "lastChangedDateTimeOffsetGreaterThan"),
    ({"PageSize": "mange"}, "PageSize"),
    ({"UseDatabaseValidation": "kanskje"}, "UseDatabaseValidation"),
])
def test_poweroffice_query_values_are_checked_before_any_record_is_read(params, name):
    for world in (None, Path(__file__).parent / "worlds" / "bygg.yaml"):  # also where no record could match
        sb = Sandbox(world, rate_limit=False)

        async def go():
            async with po_client(sb) as po:
                return await po.get("/Projects", params=params)

        r = run(go())
        assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json"), r.text
        check_schema(specs.json_schema("poweroffice", "ProblemDetails"), r.json())
        assert name in r.json()["Errors"]


# --- JSON Patch --------------------------------------------------------------------------------
def _patch(sb, record: str, ops):
    async def go():
        async with po_client(sb) as po:
            return await po.patch(record, json=ops, headers=PATCH_JSON)
    return run(go())


def _project(sb, project_id: int = 7001) -> dict:
    return next(p for p in sb.world()["poweroffice"]["Projects"] if p["Id"] == project_id)


def test_json_patch_copy_move_remove_and_test_work(sb):
    first = _patch(sb, "/Projects/7001", [
        {"op": "replace", "path": "/HourlyRateMarkupFactor", "value": 0.5},
        {"op": "copy", "from": "/HourlyRateMarkupFactor", "path": "/ExpenseMarkupFactor"},
        {"op": "test", "path": "/Code", "value": "202601"},
        {"op": "add", "path": "/PurchaseOrderNo", "value": "PO-1"},
        {"op": "move", "from": "/PurchaseOrderNo", "path": "/ContractNo"},
        {"op": "remove", "path": "/ProjectBillingMethod"},
    ])
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["HourlyRateMarkupFactor"], body["ExpenseMarkupFactor"]) == (0.5, 0.5)
    assert (body["ContractNo"], body["PurchaseOrderNo"], body["ProjectBillingMethod"]) == ("PO-1", None, None)
    assert _project(sb)["ContractNo"] == "PO-1"


def test_a_failed_json_patch_test_changes_nothing(sb):
    before = _project(sb)
    r = _patch(sb, "/Projects/7001", [{"op": "replace", "path": "/Name", "value": "Ny"},
                                      {"op": "test", "path": "/Code", "value": "feil"}])
    assert r.status_code == 400 and "test value" in r.json()["Detail"]
    assert _project(sb) == before


def test_the_specs_own_patch_example_is_accepted_and_its_camel_case_paths_ignored(sb):
    example = specs.spec("poweroffice")["paths"]["/Projects/{id}"]["patch"]["requestBody"]["content"][
        "application/json-patch+json"]["example"]
    assert any(op["op"] == "copy" for op in example)
    before = _project(sb)
    r = _patch(sb, "/Projects/7001", example)
    assert r.status_code == 200, r.text
    changed = {k for k, v in _project(sb).items() if before.get(k) != v}
    assert changed <= {"LastChangedDateTimeOffset"}


# --- Fields -----------------------------------------------------------------------------------
def test_fields_limits_what_is_returned(sb):
    async def go():
        async with po_client(sb) as po:
            return (await po.get("/Projects", params={"Fields": "Code, name"}),
                    await po.get("/Projects/7001", params={"Fields": "Id,LastChangedDateTimeOffset"}),
                    await po.get("/Products", params={"Fields": "Code,Navn"}),
                    await po.get("/Products", params={"Fields": ""}))

    listed, one, unknown, blank = run(go())
    assert listed.status_code == 200 and all(set(p) == {"Code", "Name"} for p in listed.json())
    assert set(one.json()) == {"Id", "LastChangedDateTimeOffset"}
    assert unknown.status_code == 400 and "Navn" in unknown.json()["Detail"]
    assert "UnitPrice" in blank.json()[0]
