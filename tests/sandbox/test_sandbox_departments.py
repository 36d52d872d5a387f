"""Departments on both sides, as the contracts describe them (for entity plugins that sync them)."""
from __future__ import annotations

from sandbox_helpers import PATCH_JSON, check_response, po_client, run, sd_client

PO, SD = "poweroffice", "smartdok"


def test_smartdok_lists_and_creates_departments(sb):
    async def go():
        async with sd_client(sb) as sd:
            out = {"all": await sd.get("/Departments"),
                   "active": await sd.get("/Departments", params={"all": "false", "active": "true"}),
                   "by_number": await sd.get("/Departments", params={"departmentNumber": "20"})}
            newest = max(d["Updated"] for d in out["all"].json()["Items"])
            out["created"] = await sd.post("/Departments", json={"Number": "30", "Name": "Service", "IsActive": True})
            out["again"] = await sd.post("/Departments", json={"Number": "30", "Name": "Service 2", "IsActive": True})
            out["nameless"] = await sd.post("/Departments", json={"Number": "40", "IsActive": True})
            out["too_long"] = await sd.post("/Departments", json={"Number": "12345678901", "Name": "X", "IsActive": True})
            out["changed"] = await sd.get("/Departments", params={"updatedSince": out["created"].json()["Updated"]})
            out["newest"] = newest
            return out

    r = run(go())
    for name in ("all", "active", "by_number", "changed"):
        check_response(SD, "get", "/Departments", r[name])
    check_response(SD, "post", "/Departments", r["created"])
    assert [d["Name"] for d in r["all"].json()["Items"]] == ["Bygg", "Anlegg"]  # inactive ones too by default
    assert [d["Number"] for d in r["active"].json()["Items"]] == ["10"]
    assert [d["Name"] for d in r["by_number"].json()["Items"]] == ["Anlegg"]
    assert r["created"].status_code == 200 and r["created"].json()["Updated"] > r["newest"]
    assert r["again"].status_code == 400 and r["again"].json()["Code"] == "NumberAlreadyExists"
    assert r["nameless"].json()["Code"] == "NameIsRequired" and r["too_long"].json()["Code"] == "NumberTooLong"
    assert [d["Number"] for d in r["changed"].json()["Items"]] == ["30"]
    assert [d["Number"] for d in sb.world()["smartdok"]["Departments"]] == ["10", "20", "30"]


def test_poweroffice_lists_creates_patches_and_deletes_departments(sb):
    async def go():
        async with po_client(sb) as po:
            out = {"list": await po.get("/Departments"), "one": await po.get("/Departments/7001")}
            out["created"] = await po.post("/Departments", json={"Code": "20", "Name": "Anlegg", "ManagerEmployeeNo": 1002})
            out["duplicate"] = await po.post("/Departments", json={"Code": "20", "Name": "Igjen"})
            out["no_manager"] = await po.post("/Departments", json={"Name": "X", "ManagerEmployeeNo": 4242})
            out["numbered"] = await po.post("/Departments", json={"Name": "Uten kode", "IsActive": True})
            new_id = out["created"].json()["Id"]
            out["patched"] = await po.patch(f"/Departments/{new_id}", headers=PATCH_JSON, json=[
                {"op": "replace", "path": "/IsActive", "value": True},
                {"op": "replace", "path": "/ManagerEmployeeNo", "value": 1001}])
            out["by_code"] = await po.get("/Departments", params={"codes": "20", "isActive": "true"})
            await po.patch("/Projects/7001", headers=PATCH_JSON,
                           json=[{"op": "replace", "path": "/DepartmentId", "value": 7001}])
            out["project"] = await po.get("/Projects/7001")
            out["in_use"] = await po.delete("/Departments/7001")
            out["deleted"] = await po.delete(f"/Departments/{new_id}")
            out["gone"] = await po.get(f"/Departments/{new_id}")
            return out

    r = run(go())
    check_response(PO, "get", "/Departments", r["list"])
    check_response(PO, "post", "/Departments", r["created"])
    for name in ("one", "patched"):
        check_response(PO, "post", "/Departments", r[name])  # the spec gives these no body; they answer the DTO
    assert [(d["Code"], d["ManagerEmployeeNo"]) for d in r["list"].json()] == [("10", 1001)]
    created = r["created"].json()
    assert r["created"].status_code == 201 and created["IsActive"] is False  # the spec: defaults to false
    assert created["ManagerEmployeeNo"] == 1002 and created["ManagerEmployeeId"] is not None
    assert r["duplicate"].status_code == 400 and r["no_manager"].status_code == 400
    assert r["numbered"].json()["Code"] == "21"
    assert (r["patched"].json()["IsActive"], r["patched"].json()["ManagerEmployeeNo"]) == (True, 1001)
    assert [d["Code"] for d in r["by_code"].json()] == ["20"]
    assert r["project"].json()["DepartmentCode"] == "10"
    assert r["in_use"].status_code == 409 and r["deleted"].status_code == 200 and r["gone"].status_code == 404
