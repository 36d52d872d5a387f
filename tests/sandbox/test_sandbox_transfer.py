"""The emulator behaviour the hour transfer relies on: entry PATCH, locked entries, goods export marks."""
from __future__ import annotations

from sandbox_helpers import PATCH_JSON, check_schema, po_client, run, sd_client, tt_schema

from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours

ENTRY = {"activityCode": "100", "projectCode": "202601", "employeeCode": 1001, "date": "2025-03-03",
         "minutes": 450, "externalImportReference": "smartdok-workhour-5001"}


def test_an_entry_amount_is_patched_and_other_fields_are_refused(sb):
    async def go():
        async with po_client(sb) as po:
            created = (await po.post("/TimeTracking/TimeTrackingEntry", json=ENTRY)).json()
            path = f"/TimeTracking/TimeTrackingEntry/{created['id']}"
            patched = await po.patch(path, headers=PATCH_JSON, json=[{"op": "replace", "path": "/minutes",
                                                                      "value": 300}])
            project = await po.patch(path, headers=PATCH_JSON, json=[{"op": "replace", "path": "/projectCode",
                                                                      "value": "202602"}])
            wrong_media = await po.patch(path, json=[{"op": "replace", "path": "/minutes", "value": 1}])
            missing = await po.patch("/TimeTracking/TimeTrackingEntry/999999", headers=PATCH_JSON,
                                     json=[{"op": "replace", "path": "/minutes", "value": 1}])
            return created, patched, project, wrong_media, missing

    created, patched, project, wrong_media, missing = run(go())
    assert created["status"] == "Registered"
    assert patched.status_code == 200 and patched.json()["minutes"] == 300
    check_schema(tt_schema("TimeTrackingEntry"), patched.json())  # the shape stays the documented one
    assert project.status_code == 400 and wrong_media.status_code == 415 and missing.status_code == 404


def test_an_approved_or_paid_out_entry_is_locked():
    world = {"poweroffice": {"Projects": [{"Code": "1", "Name": "P", "ProjectStatus": "Active"}],
                             "Employees": [{"Number": 1001, "FirstName": "A", "LastName": "B"}],
                             "TimeTracking/Activity": [{"code": "100", "name": "X", "activityType": "Billable"}],
                             "TimeTracking/TimeTrackingEntry": [
                                 {"id": 1, "activityCode": "100", "projectCode": "1", "employeeCode": 1001,
                                  "date": "2026-01-05", "minutes": 450, "externalImportReference": "r1",
                                  "status": "Approved"},
                                 {"id": 2, "activityCode": "100", "projectCode": "1", "employeeCode": 1001,
                                  "date": "2026-01-05", "minutes": 450, "externalImportReference": "r2",
                                  "status": "PaidOut"}]}}
    sb = Sandbox(world, rate_limit=False)

    async def go():
        async with po_client(sb) as po:
            return [await po.patch(f"/TimeTracking/TimeTrackingEntry/{i}", headers=PATCH_JSON,
                                   json=[{"op": "replace", "path": "/minutes", "value": 1}]) for i in (1, 2)]

    answers = run(go())
    assert [a.status_code for a in answers] == [409, 409]
    assert "cannot be changed" in answers[0].json()["Detail"] or "cannot be changed" in answers[0].text
    assert [e["minutes"] for e in sb.world()["poweroffice"]["TimeTracking/TimeTrackingEntry"]] == [450, 450]


def test_work_hours_are_marked_with_their_reference_and_goods_as_exported():
    sb = Sandbox(month_of_hours(2, broken_employees=0, goods_rows=2), rate_limit=False)

    async def go():
        async with sd_client(sb) as sd:
            marked = await sd.post("/WorkHours/SetExportedExternal", json=[5001],
                                   params={"exportedExternalId": "smartdok-workhour-5001"})
            again = await sd.post("/WorkHours/SetExportedExternal", json=[5001],
                                  params={"exportedExternalId": "smartdok-workhour-5001"})
            rows = await sd.get("/WorkHours", params={"fromDate": "2026-01-01", "toDate": "2026-01-31",
                                                      "exportedExternal": True})
            goods = await sd.post("/GoodsConsumption/9001/MarkAsExported")
            too_long = await sd.get("/WorkHours", params={"fromDate": "2026-01-01", "toDate": "2026-04-05"})
            return marked, again, rows, goods, too_long

    marked, again, rows, goods, too_long = run(go())
    assert marked.status_code == again.status_code == 200
    assert [r["ExportedExternalId"] for r in rows.json()["Items"]] == ["smartdok-workhour-5001"]
    assert goods.status_code == 200
    assert next(g for g in sb.world()["smartdok"]["GoodsConsumption"] if g["Id"] == 9001)["Exported"] is True
    assert too_long.status_code == 400  # SmartDok's 93-day limit


def test_the_generated_month_loads_and_breaks_r3_r4_r5_on_purpose():
    world = Sandbox(month_of_hours(200), rate_limit=False).world()
    rows = world["smartdok"]["WorkHours"]
    assert 4000 <= len(rows) + len(world["smartdok"]["GoodsConsumption"]) <= 5000
    assert any(r.get("MachineHourId") for r in rows) and any(r.get("WageAddition") for r in rows)
    assert any(r.get("WageName") == "Helgetillegg" for r in rows)  # R4
    assert any(r.get("WageCode") == "230" for r in rows)  # R5
    assert len(world["poweroffice"]["Employees"]) == 198  # R3: two users unknown in PowerOffice
