"""Contract tests: every emulated operation answers what the vendor spec documents."""
from __future__ import annotations

import pytest
from sandbox_helpers import PATCH_JSON, check_response, check_schema, po_client, run, sd_client, tt_schema

from grunndata.sandbox import specs

PO = "poweroffice"
SD = "smartdok"

# (method, spec path, request path, request kwargs, expected status)
PO_CASES = [
    ("get", "/Projects", "/Projects", {}, 200),
    ("get", "/Projects", "/Projects", {"params": {"projectCodes": "202601", "includeSubProjects": "true"}}, 200),
    ("get", "/Projects", "/Projects", {"params": {"PageNumber": "9"}}, 204),
    ("get", "/Projects", "/Projects", {"params": {"PageSize": "20001"}}, 400),
    ("post", "/Projects", "/Projects", {"json": {"Code": "202610", "Name": "Sandvika bo", "ProjectStatus": "Active",
                                                 "ProjectBillingMethod": "Time", "CustomerNo": 10000}}, 201),
    ("post", "/Projects", "/Projects", {"json": {"Code": "2", "Name": "Råbygg", "ParentProjectCode": "202601"}}, 201),
    ("post", "/Projects", "/Projects", {"json": {"Code": "9.1", "Name": "Punktum"}}, 400),
    ("get", "/Projects/{id}", "/Projects/7001", {}, 200),
    ("get", "/Projects/{id}", "/Projects/99", {}, 404),
    ("patch", "/Projects/{id}", "/Projects/7001",
     {"json": [{"op": "replace", "path": "/Name", "value": "Bjørvika kontorbygg, trinn 2"}], "headers": PATCH_JSON}, 200),
    ("patch", "/Projects/{id}", "/Projects/7001",
     {"json": [{"op": "replace", "path": "/ProjectStatus", "value": "Pågår"}], "headers": PATCH_JSON}, 400),
    ("patch", "/Projects/{id}", "/Projects/99",
     {"json": [{"op": "replace", "path": "/Name", "value": "x"}], "headers": PATCH_JSON}, 404),
    ("get", "/Products", "/Products", {}, 200),
    ("get", "/Products", "/Products", {"params": {"codes": "finnes-ikke"}}, 204),
    ("post", "/Products", "/Products", {"json": {"Code": "M-13", "Name": "Hjullaster Volvo L90", "ProductType": "Service",
                                                 "UnitOfMeasureCode": "HUR", "UnitPrice": 1100.0, "UnitCost": 700.0}}, 200),
    ("post", "/Products", "/Products", {"json": {"Code": "M-14"}}, 400),
    ("get", "/Products/{id}", "/Products/7001", {}, 200),
    ("patch", "/Products/{id}", "/Products/7001",
     {"json": [{"op": "replace", "path": "/UnitPrice", "value": 990.0}], "headers": PATCH_JSON}, 200),
    ("get", "/Employees", "/Employees", {}, 200),
    ("get", "/Employees", "/Employees", {"params": {"employeeNos": "1001-1001"}}, 200),
    ("get", "/Employees/{employeeId}", "/Employees/7001", {}, 200),
    ("get", "/PayItems", "/PayItems", {}, 200),
    ("get", "/PayItems", "/PayItems", {"params": {"isActive": "false"}}, 204),
    ("get", "/PayItems/{id}", "/PayItems/00000000-0000-4000-8000-000000000001", {}, 200),
    ("get", "/Customers", "/Customers", {}, 200),
    ("get", "/Customers/{id}", "/Customers/7001", {}, 200),
]


@pytest.mark.parametrize("method,spec_path,path,kwargs,status", PO_CASES,
                         ids=[f"{c[0].upper()} {c[2]} {c[4]}" for c in PO_CASES])
def test_poweroffice_answers_match_the_spec(sb, method, spec_path, path, kwargs, status):
    async def go():
        async with po_client(sb) as po:
            return await po.request(method.upper(), path, **kwargs)

    r = run(go())
    assert r.status_code == status, r.text
    if status == 204:
        assert r.content == b""
        return
    check_response(PO, method, spec_path, r)


SD_CASES = [
    ("get", "/Projects", "/Projects", {}, 200),
    ("get", "/Projects", "/Projects", {"params": {"all": "true"}}, 200),
    ("post", "/Projects", "/Projects", {"json": {"ProjectNumber": "202610", "ProjectName": "Sandvika bo",
                                                 "IsActive": True}}, 200),
    ("get", "/Projects/{id}", "/Projects/101", {}, 200),
    ("put", "/Projects/{id}", "/Projects/102", {"json": {"ProjectNumber": "202602", "ProjectName": "Tøyen skole",
                                                         "IsActive": True}}, 200),
    ("get", "/Projects/{projectId}/SubProjects", "/Projects/101/SubProjects", {}, 200),
    ("post", "/Projects/{projectId}/SubProjects", "/Projects/101/SubProjects",
     {"json": {"SubProjectNumber": "03", "SubProjectName": "Tett bygg"}}, 200),
    ("get", "/SubProjects", "/SubProjects", {}, 200),
    ("get", "/SubProjects/{id}", "/SubProjects/101", {}, 200),
    ("put", "/SubProjects/{id}", "/SubProjects/101",
     {"json": {"SubProjectNumber": "01", "SubProjectName": "Grunnarbeid og sprengning", "IsActive": True}}, 200),
    ("get", "/WorkDescriptions", "/WorkDescriptions", {}, 200),
    ("post", "/WorkDescriptions", "/WorkDescriptions", {"json": {"Number": "400", "Name": "Muring", "IsActive": True}}, 200),
    ("get", "/WorkDescriptions/{id}", "/WorkDescriptions/101", {}, 200),
    ("put", "/WorkDescriptions/{id}", "/WorkDescriptions/101",
     {"json": {"Number": "100", "Name": "Forskaling vegg", "IsActive": True}}, 200),
    ("get", "/Machines", "/Machines", {}, 200),
    ("post", "/Machines", "/Machines", {"json": {"InternalNumber": "M-13", "Name": "Hjullaster Volvo L90",
                                                 "IsActive": True, "PricePerHour": 1100.0}}, 200),
    ("get", "/Machines/{id}", "/Machines/101", {}, 200),
    ("put", "/Machines/{id}", "/Machines/101", {"json": {"InternalNumber": "M-12", "Name": "Gravemaskin CAT 320",
                                                         "IsActive": True}}, 200),
    ("get", "/Users", "/Users", {}, 200),
    ("get", "/Users/{id}", "/Users/00000000-0000-4000-8000-000000000001", {}, 200),
    ("get", "/Wages", "/Wages", {}, 200),
    ("get", "/Wages/{id}", "/Wages/101", {}, 200),
    ("get", "/Additions", "/Additions", {"params": {"onlyAddition": "true"}}, 200),
    ("get", "/Additions/{id}", "/Additions/101", {}, 200),
    ("get", "/WorkHours", "/WorkHours", {"params": {"fromDate": "2025-03-01", "toDate": "2025-03-31"}}, 200),
    ("post", "/WorkHours/SetExportedExternal", "/WorkHours/SetExportedExternal",
     {"params": {"exportedExternalId": "po-1"}, "json": [5001]}, 200),
    ("get", "/GoodsConsumption", "/GoodsConsumption", {}, 200),
    ("get", "/GoodsConsumption/{id}", "/GoodsConsumption/101", {}, 200),
]


@pytest.mark.parametrize("method,spec_path,path,kwargs,status", SD_CASES,
                         ids=[f"{c[0].upper()} {c[2]}" for c in SD_CASES])
def test_smartdok_answers_match_the_spec(sb, method, spec_path, path, kwargs, status):
    async def go():
        async with sd_client(sb) as sd:
            return await sd.request(method.upper(), path, **kwargs)

    r = run(go())
    assert r.status_code == status, r.text
    check_response(SD, method, spec_path, r)


def test_smartdok_sign_in_answers_a_json_string(sb):
    async def go():
        async with sd_client(sb, auth=False) as sd:
            return await sd.post("/Authorize/ApiToken", json={"Token": "sandbox-api-token"})

    r = run(go())
    assert r.status_code == 200
    assert r.text.startswith('"') and isinstance(r.json(), str)
    check_response(SD, "post", "/Authorize/ApiToken", r)


def test_poweroffice_errors_are_problem_details(sb):
    async def go():
        async with po_client(sb) as po:
            return await po.get("/Projects/424242")

    r = run(go())
    body = r.json()
    check_schema(specs.json_schema(PO, "ProblemDetails"), body)
    assert body["Status"] == 404 and body["Title"] and body["Instance"] == "/v2/Projects/424242"


def test_time_tracking_answers_match_the_documented_shapes(sb):
    async def go():
        async with po_client(sb) as po:
            out = {
                "activities": await po.get("/TimeTracking/Activity"),
                "new_activity": await po.post("/TimeTracking/Activity", json={
                    "code": "200", "name": "Armering", "activityType": "Billable"}),
                "hour_types": await po.get("/TimeTracking/HourType"),
                "project_activities": await po.get("/Project/7001/Activity"),
                "new_project_activity": await po.post("/Project/7001/Activity", json={
                    "activityCode": "300", "isBillable": False}),
                "entry": await po.post("/TimeTracking/TimeTrackingEntry", json={
                    "activityCode": "100", "projectCode": "202601", "employeeCode": 1001, "hourType": "1",
                    "date": "2025-03-03", "minutes": 450, "comment": "Forskaling akse A-C",
                    "externalImportReference": "smartdok-5001"}),
            }
            out["entries"] = await po.get("/TimeTracking/TimeTrackingEntry")
            out["patched"] = await po.patch(f"/TimeTracking/Activity/{out['new_activity'].json()['id']}",
                                            json=[{"op": "replace", "path": "/isActive", "value": False}],
                                            headers=PATCH_JSON)
            return out

    r = run(go())
    expect = {"activities": (200, "TimeTrackingActivity", True), "new_activity": (201, "TimeTrackingActivity", False),
              "hour_types": (200, "TimeTrackingHourType", True), "project_activities": (200, "ProjectActivity", True),
              "new_project_activity": (201, "ProjectActivity", False), "entry": (201, "TimeTrackingEntry", False),
              "entries": (200, "TimeTrackingEntry", True), "patched": (200, "TimeTrackingActivity", False)}
    for name, (status, schema, many) in expect.items():
        assert r[name].status_code == status, (name, r[name].text)
        check_schema(tt_schema(schema, many), r[name].json())
