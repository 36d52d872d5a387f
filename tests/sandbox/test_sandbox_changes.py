"""Change filters and stamps: a record changed through the API (or /_sandbox/) shows up in the next
filtered read, one nobody touched does not.

PowerOffice's ``…GreaterThan`` filters are strict, as the spec says ("not inclusive");
SmartDok's ``updatedSince``/``createdSince``/``lastUpdated`` include the moment itself.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sandbox_helpers import PATCH_JSON, po_client, run, sd_client

from grunndata.sandbox import Sandbox

PO_FILTER = "lastChangedDateTimeOffsetGreaterThan"


def _later(stamp: str, **step: float) -> str:
    """A moment just after ``stamp`` (SmartDok's filters include the moment itself)."""
    return (dt.datetime.fromisoformat(stamp) + dt.timedelta(**step or {"milliseconds": 1})).isoformat()


async def _po_list(po, path: str, **params: str) -> list[dict[str, Any]]:
    r = await po.get(path, params=params)
    assert r.status_code in (200, 204), r.text
    return r.json() if r.status_code == 200 else []


async def _sd_items(sd, path: str, **params: str) -> list[dict[str, Any]]:
    r = await sd.get(path, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    return body["Items"] if isinstance(body, dict) else body


# --- PowerOffice, changed through the API --------------------------------------------------------
@pytest.mark.parametrize("path,record,ops", [
    ("/Projects", 7001, [{"op": "replace", "path": "/Name", "value": "Bjørvika kontorbygg, trinn 2"}]),
    ("/Products", 7001, [{"op": "replace", "path": "/UnitPrice", "value": 990.0}]),
])
def test_poweroffice_shows_what_its_api_changed_after_the_newest_stamp(sb, path, record, ops):
    async def go():
        async with po_client(sb) as po:
            everything = await _po_list(po, path)
            newest = max(r["LastChangedDateTimeOffset"] for r in everything)
            nothing_yet = await _po_list(po, path, **{PO_FILTER: newest})
            patched = await po.patch(f"{path}/{record}", json=ops, headers=PATCH_JSON)
            changed = await _po_list(po, path, **{PO_FILTER: newest})
            return everything, nothing_yet, patched, changed

    everything, nothing_yet, patched, changed = run(go())
    assert len(everything) > 1 and nothing_yet == []
    assert [r["Id"] for r in changed] == [record]
    assert changed[0]["LastChangedDateTimeOffset"] == patched.json()["LastChangedDateTimeOffset"]


def test_a_created_project_and_its_renamed_sub_projects_show_up(sb):
    async def go():
        async with po_client(sb) as po:
            newest = max(r["LastChangedDateTimeOffset"] for r in await _po_list(po, "/Projects"))
            made = (await po.post("/Projects", json={"Code": "202640", "Name": "Ny"})).json()
            await po.patch("/Projects/7001", json=[{"op": "replace", "path": "/Code", "value": "202699"}],
                           headers=PATCH_JSON)
            return made, await _po_list(po, "/Projects", **{PO_FILTER: newest})

    made, changed = run(go())
    # the main project, the new one, and the sub-project whose code followed its parent's
    assert sorted(r["Code"] for r in changed) == ["202640", "202699", "202699.1"]
    assert made["CreatedDateTimeOffset"] == made["LastChangedDateTimeOffset"]


# --- PowerOffice, changed through /_sandbox/reset -----------------------------------------------
@pytest.mark.parametrize("path,key,field,value", [
    ("/Employees", "Employees", "FirstName", "Karianne"),
    ("/PayItems", "PayItems", "Name", "Smusstillegg 2"),
    ("/Customers", "Customers", "Name", "Oslo kommune, bydel Frogner"),
    ("/SalesOrders", "SalesOrders", "CustomerReference", "Kari"),
    ("/Projects", "Projects", "Name", "Via kontrollflaten"),
    ("/Products", "Products", "Name", "Via kontrollflaten"),
])
def test_poweroffice_shows_what_a_reset_changed_and_only_that(sb, path, key, field, value):
    async def before():
        async with po_client(sb) as po:
            return await _po_list(po, path)

    everything = run(before())
    newest = max(r["LastChangedDateTimeOffset"] for r in everything)
    world = sb.world()
    world["poweroffice"][key][0][field] = value
    sb.reset(world)

    async def after():
        async with po_client(sb) as po:
            return await _po_list(po, path, **{PO_FILTER: newest}), await _po_list(po, path)

    changed, again = run(after())
    assert [r[field] for r in changed] == [value]
    untouched = {r["Id"]: r["LastChangedDateTimeOffset"] for r in everything if r["Id"] != changed[0]["Id"]}
    assert {r["Id"]: r["LastChangedDateTimeOffset"] for r in again if r["Id"] in untouched} == untouched


# --- SmartDok --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,record,body", [
    ("/Projects", 102, {"ProjectNumber": "202602", "ProjectName": "Tøyen skole", "IsActive": True}),
    ("/SubProjects", 101, {"SubProjectNumber": "01", "SubProjectName": "Grunnarbeid og sprengning", "IsActive": True}),
])
def test_smartdok_updated_since_shows_what_its_api_changed(sb, path, record, body):
    async def go():
        async with sd_client(sb) as sd:
            everything = await _sd_items(sd, path, all="true")
            newest = max(r["Updated"] for r in everything)
            nothing_yet = await _sd_items(sd, path, all="true", updatedSince=_later(newest))
            put = (await sd.put(f"{path}/{record}", json=body)).json()
            changed = await _sd_items(sd, path, all="true", updatedSince=_later(newest))
            inclusive = await _sd_items(sd, path, all="true", updatedSince=put["Updated"])
            return everything, nothing_yet, changed, inclusive

    everything, nothing_yet, changed, inclusive = run(go())
    assert len(everything) > 1 and nothing_yet == []
    assert [r["Id"] for r in changed] == [record] and [r["Id"] for r in inclusive] == [record]


def test_smartdok_created_since_shows_new_projects_only(sb):
    async def go():
        async with sd_client(sb) as sd:
            newest = max(r["Created"] for r in await _sd_items(sd, "/Projects", all="true"))
            await sd.put("/Projects/102", json={"ProjectNumber": "202602", "ProjectName": "Endret", "IsActive": True})
            await sd.post("/Projects", json={"ProjectNumber": "202650", "ProjectName": "Ny", "IsActive": True})
            return await _sd_items(sd, "/Projects", all="true", createdSince=_later(newest))

    assert [p["ProjectNumber"] for p in run(go())] == ["202650"]


def test_smartdok_last_updated_shows_work_hours_marked_as_sent(sb):
    window = {"fromDate": "2025-03-01", "toDate": "2025-03-31", "onlyAttested": "false"}

    async def go():
        async with sd_client(sb) as sd:
            newest = max(r["LastUpdated"] for r in await _sd_items(sd, "/WorkHours", **window))
            before = await _sd_items(sd, "/WorkHours", **window, lastUpdated=_later(newest))
            await sd.post("/WorkHours/SetExportedExternal", params={"exportedExternalId": "po-1"}, json=[5002])
            return before, await _sd_items(sd, "/WorkHours", **window, lastUpdated=_later(newest))

    before, after = run(go())
    assert before == [] and [(r["WorkHourID"], r["ExportedExternal"]) for r in after] == [(5002, True)]


# --- the stamps themselves ------------------------------------------------------------------------
def test_stamps_follow_the_sandbox_clock_and_never_repeat(sb):
    async def go():
        async with po_client(sb) as po:
            stamps = []
            for price in (1.0, 2.0, 3.0, 4.0):
                r = await po.patch("/Products/7001", json=[{"op": "replace", "path": "/UnitPrice", "value": price}],
                                   headers=PATCH_JSON)
                stamps.append(r.json()["LastChangedDateTimeOffset"])
            await po.post("http://poweroffice.sandbox/_sandbox/clock", json={"advance": 3600})
        async with po_client(sb) as po:  # an hour later the old token has expired
            r = await po.patch("/Products/7001", json=[{"op": "replace", "path": "/UnitPrice", "value": 5.0}],
                               headers=PATCH_JSON)
            return stamps, stamps[-1], r.json()["LastChangedDateTimeOffset"]

    stamps, before_jump, after_jump = run(go())
    parsed = [dt.datetime.fromisoformat(s) for s in stamps]
    assert parsed == sorted(set(parsed))  # strictly increasing, even within one clock tick
    assert all(s.endswith("+00:00") and "." in s for s in stamps)  # offset and sub-second, as the spec allows
    assert dt.datetime.fromisoformat(after_jump) - dt.datetime.fromisoformat(before_jump) >= dt.timedelta(hours=1)


def test_every_record_is_stamped_when_the_world_is_loaded():
    sb = Sandbox({"smartdok": {"Projects": [{"ProjectNumber": "1", "ProjectName": "A"}]},
                  "poweroffice": {"Products": [{"Name": "B"}],
                                  "Customers": [{"Name": "C", "LastChangedDateTimeOffset": "2024-05-01T10:00:00+00:00"}]}},
                 rate_limit=False)
    world = sb.world()
    project, product = world["smartdok"]["Projects"][0], world["poweroffice"]["Products"][0]
    now = dt.datetime.now(dt.timezone.utc)
    for stamp in (project["Updated"], project["Created"], product["LastChangedDateTimeOffset"]):
        assert abs(dt.datetime.fromisoformat(stamp) - now) < dt.timedelta(hours=1)  # the load, not a fixed date
    assert project["Updated"].endswith("Z")
    assert world["poweroffice"]["Customers"][0]["LastChangedDateTimeOffset"] == "2024-05-01T10:00:00+00:00"
