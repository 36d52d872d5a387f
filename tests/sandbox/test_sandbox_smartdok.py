"""SmartDok quirks the integration has to live with."""
from __future__ import annotations

import datetime as dt

from sandbox_helpers import WORLD_FILE, run, sd_client

from grunndata.sandbox import Sandbox


def numbers(response) -> list[str]:
    return [p["ProjectNumber"] for p in response.json()["Items"]]


def test_projects_are_active_only_unless_all_true(sb):
    async def go():
        async with sd_client(sb) as sd:
            return (await sd.get("/Projects"), await sd.get("/Projects", params={"all": "true"}),
                    await sd.get("/Projects", params={"all": "false", "active": "false"}))

    default, everything, inactive = run(go())
    assert numbers(default) == ["202601 ", "202602"]  # the trailing space is answered as stored
    assert default.json()["Count"] == default.json()["TotalCount"] == 2 and default.json()["Offset"] == 0
    assert numbers(everything) == ["202601 ", "202602", "202403"]
    assert numbers(inactive) == ["202403"]


def test_project_number_filter_ignores_trailing_spaces(sb):
    async def go():
        async with sd_client(sb) as sd:
            return await sd.get("/Projects", params={"projectNumber": "202601"})

    assert numbers(run(go())) == ["202601 "]


def test_sub_projects_are_active_only_by_default_and_carry_their_project(sb):
    async def go():
        async with sd_client(sb) as sd:
            return (await sd.get("/SubProjects"), await sd.get("/SubProjects", params={"all": "true"}),
                    await sd.get("/Projects/101/SubProjects", params={"all": "true"}),
                    await sd.get("/Projects/4242/SubProjects"))

    default, everything, by_project, missing = run(go())
    assert [s["SubProjectNumber"] for s in default.json()["Items"]] == ["01"]
    assert default.json()["Items"][0]["Project"] == {"ProjectId": 101, "ProjectName": "Bjørvika kontorbygg",
                                                     "ProjectNumber": "202601 "}
    assert len(everything.json()["Items"]) == 2 == len(by_project.json()["Items"])
    assert missing.status_code == 404 and missing.content == b""


def test_list_defaults_follow_the_spec_per_resource(sb):
    async def go():
        async with sd_client(sb) as sd:
            return {"work": await sd.get("/WorkDescriptions"),
                    "work_active": await sd.get("/WorkDescriptions", params={"all": "false", "active": "true"}),
                    "users": await sd.get("/Users"), "wages": await sd.get("/Wages"),
                    "machines": await sd.get("/Machines")}

    r = run(go())
    assert isinstance(r["work"].json(), list) and len(r["work"].json()) == 3  # spec: all defaults to true
    assert [w["Number"] for w in r["work_active"].json()] == ["100", "200"]
    assert [u["EmployeeNo"] for u in r["users"].json()["Items"]] == ["1001"]  # ended users hidden
    assert isinstance(r["wages"].json(), list) and "Items" in r["machines"].json()


def test_additions_are_empty_unless_asked_for_by_kind(sb):
    async def go():
        async with sd_client(sb) as sd:
            return (await sd.get("/Additions"), await sd.get("/Additions", params={"onlyAddition": "true"}),
                    await sd.get("/Additions", params={"onlyUnitAddition": "true"}),
                    await sd.get("/Additions", params={"onlyAddition": "true", "onlyUnitAddition": "true"}))

    nothing, additions, units, both = run(go())
    assert nothing.json() == []
    assert [a["Number"] for a in additions.json()] == ["210"]
    assert [a["Number"] for a in units.json()] == ["310"]
    assert len(both.json()) == 2


def test_put_replaces_the_whole_project(sb):
    async def go():
        async with sd_client(sb) as sd:
            before = (await sd.get("/Projects/101")).json()
            partial = await sd.put("/Projects/101", json={"ProjectNumber": "202601", "ProjectName": "Nytt navn"})
            full = dict(before, ProjectName="Bjørvika kontorbygg, trinn 2")
            whole = await sd.put("/Projects/102", json={**(await sd.get("/Projects/102")).json(),
                                                        "ProjectName": "Tøyen skole"})
            missing = await sd.put("/Projects/4242", json=full)
            return before, partial, whole, missing

    before, partial, whole, missing = run(go())
    assert before["CustomerId"] == 5 and before["IsActive"] is True
    assert partial.status_code == 200
    assert partial.json()["CustomerId"] is None and partial.json()["IsActive"] is False  # data lost, as live
    assert partial.json()["Id"] == 101 and partial.json()["Created"] == before["Created"]
    assert whole.json()["IsActive"] is True and whole.json()["ProjectName"] == "Tøyen skole"
    assert missing.status_code == 404 and missing.content == b""


def test_put_sub_project_and_work_description_replace_too(sb):
    async def go():
        async with sd_client(sb) as sd:
            sub = await sd.put("/SubProjects/101", json={"SubProjectNumber": "01", "SubProjectName": "Grunnarbeid"})
            work = await sd.put("/WorkDescriptions/101", json={"Name": "Forskaling"})
            return sub, work

    sub, work = run(go())
    assert sub.json()["IsActive"] is False and sub.json()["ProjectId"] == 101
    assert work.json()["Number"] == "" and work.json()["IsActive"] is False


def test_create_validates_required_fields_and_lengths(sb):
    async def go():
        async with sd_client(sb) as sd:
            return {
                "no_name": await sd.post("/Projects", json={"ProjectNumber": "202611", "IsActive": True}),
                "long_name": await sd.post("/Projects", json={"ProjectNumber": "202611", "ProjectName": "x" * 71,
                                                              "IsActive": True}),
                "max_name": await sd.post("/Projects", json={"ProjectNumber": "202611", "ProjectName": "x" * 70,
                                                             "IsActive": True}),
                "duplicate": await sd.post("/Projects", json={"ProjectNumber": "202601", "ProjectName": "Igjen",
                                                              "IsActive": True}),
                "long_sub": await sd.post("/Projects/101/SubProjects", json={"SubProjectNumber": "09",
                                                                             "SubProjectName": "y" * 71}),
                "sub_missing_parent": await sd.post("/Projects/4242/SubProjects",
                                                    json={"SubProjectNumber": "1", "SubProjectName": "z"}),
                "long_activity": await sd.post("/WorkDescriptions", json={"Name": "z" * 51, "IsActive": True}),
                "nameless_machine": await sd.post("/Machines", json={"InternalNumber": "M-99", "IsActive": True}),
                "no_body": await sd.post("/Projects"),
            }

    r = run(go())
    assert r["no_name"].status_code == 400 and r["no_name"].json()["Code"] == "NameIsRequired"
    assert set(r["no_name"].json()) == {"Code", "Error", "Message"}
    assert r["long_name"].json()["Code"] == "ProjectNameTooLong" and "70" in r["long_name"].json()["Message"]
    assert r["max_name"].status_code == 200
    assert r["duplicate"].json()["Code"] == "NumberAlreadyExists"
    assert r["long_sub"].json()["Code"] == "SubProjectNameTooLong"
    assert r["sub_missing_parent"].status_code == 404
    assert r["long_activity"].json()["Code"] == "NameTooLong"
    assert r["nameless_machine"].json()["Code"] == "NameIsRequired"
    assert r["no_body"].status_code == 400


def test_created_records_show_up_where_the_sync_looks(sb):
    async def go():
        async with sd_client(sb) as sd:
            project = (await sd.post("/Projects", json={"ProjectNumber": "202612", "ProjectName": "Lysaker brygge",
                                                        "IsActive": True})).json()
            sub = (await sd.post(f"/Projects/{project['Id']}/SubProjects",
                                 json={"SubProjectNumber": "01", "SubProjectName": "Riving"})).json()
            listed = await sd.get("/Projects", params={"projectNumber": "202612"})
            subs = await sd.get(f"/Projects/{project['Id']}/SubProjects")
            return project, sub, listed, subs

    project, sub, listed, subs = run(go())
    assert project["Created"] and project["Updated"] and sub["IsActive"] is True
    assert numbers(listed) == ["202612"]
    assert [s["Id"] for s in subs.json()["Items"]] == [sub["Id"]]


def test_work_hours_need_a_date_range_of_at_most_93_days_and_are_attested_only(sb):
    async def go():
        async with sd_client(sb) as sd:
            return {"missing": await sd.get("/WorkHours"),
                    "too_long": await sd.get("/WorkHours", params={"fromDate": "2025-01-01", "toDate": "2025-04-05"}),
                    "attested": await sd.get("/WorkHours", params={"fromDate": "2025-03-01", "toDate": "2025-03-31"}),
                    "all": await sd.get("/WorkHours", params={"fromDate": "2025-03-01", "toDate": "2025-03-31",
                                                              "onlyAttested": "false"})}

    r = run(go())
    assert r["missing"].status_code == 400 and r["too_long"].status_code == 400
    rows = r["attested"].json()["Items"]
    assert [h["WorkHourID"] for h in rows] == [5001]
    assert rows[0]["ProjectNumber"] == "202601 " and rows[0]["ProjectName"] == "Bjørvika kontorbygg"
    assert len(r["all"].json()["Items"]) == 2


def test_set_exported_external_marks_rows(sb):
    async def go():
        async with sd_client(sb) as sd:
            marked = await sd.post("/WorkHours/SetExportedExternal", params={"exportedExternalId": "po-2025-03"},
                                   json=[5001])
            not_yet = await sd.get("/WorkHours", params={"fromDate": "2025-03-01", "toDate": "2025-03-31",
                                                         "exportedExternal": "false"})
            done = await sd.get("/WorkHours", params={"fromDate": "2025-03-01", "toDate": "2025-03-31",
                                                      "exportedExternalId": "po-2025-03"})
            return marked, not_yet, done

    marked, not_yet, done = run(go())
    assert marked.status_code == 200
    assert not_yet.json()["Items"] == []
    assert done.json()["Items"][0]["ExportedExternal"] is True


def test_sessions_need_sign_in_and_expire_after_an_hour():
    now = [0.0]
    sb = Sandbox.from_file(WORLD_FILE, clock=lambda: now[0])

    async def go():
        async with sd_client(sb, auth=False) as anon:
            no_session = await anon.get("/Projects")
            empty_token = await anon.post("/Authorize/ApiToken", json={"Token": ""})
        async with sd_client(sb) as sd:
            fresh = await sd.get("/Projects")
            now[0] += 3601
            expired = await sd.get("/Projects")
        return no_session, empty_token, fresh, expired

    no_session, empty_token, fresh, expired = run(go())
    assert no_session.status_code == 401 and no_session.content == b""
    assert empty_token.status_code == 401
    assert fresh.status_code == 200 and expired.status_code == 401


def test_configured_api_token_is_enforced():
    sb = Sandbox({"credentials": {"smartdok": {"api_token": "riktig"}}})

    async def go():
        async with sd_client(sb, auth=False) as sd:
            return (await sd.post("/Authorize/ApiToken", json={"Token": "feil"}),
                    await sd.post("/Authorize/ApiToken", json={"Token": "riktig"}))

    wrong, right = run(go())
    assert wrong.status_code == 401 and right.status_code == 200


def test_updated_since_includes_the_moment_itself(sb):
    async def go():
        async with sd_client(sb) as sd:
            loaded = max(p["Updated"] for p in (await sd.get("/Projects")).json()["Items"])
            later_ms = (dt.datetime.fromisoformat(loaded) + dt.timedelta(milliseconds=1)).isoformat(timespec="milliseconds")
            same = await sd.get("/Projects", params={"updatedSince": loaded})
            later = await sd.get("/Projects", params={"updatedSince": later_ms})
            await sd.put("/Projects/102", json={"ProjectNumber": "202602", "ProjectName": "Tøyen skole", "IsActive": True})
            changed = await sd.get("/Projects", params={"updatedSince": later_ms})
            return same, later, changed

    same, later, changed = run(go())
    assert len(same.json()["Items"]) == 2 and later.json()["Items"] == []
    assert numbers(changed) == ["202602"]


def test_goods_and_external_export_marks_can_be_set_and_undone(sb):
    async def go():
        async with sd_client(sb) as sd:
            fresh = await sd.get("/GoodsConsumption", params={"Selection": 2})
            marked = await sd.post("/GoodsConsumption/101/MarkAsExported", params={"markAsInvoiced": "true"})
            exported = await sd.get("/GoodsConsumption", params={"Selection": 3})
            await sd.post("/WorkHours/SetExportedExternal", params={"exportedExternalId": "po-1"}, json=[5001, 5002])
            await sd.post("/WorkHours/UnmarkExportedExternal", params={"exportedExternalId": "po-1"})
            hours = await sd.get("/WorkHours", params={"fromDate": "2025-03-01", "toDate": "2025-03-31",
                                                       "onlyAttested": "false", "exportedExternal": "true"})
            return fresh, marked, exported, hours

    fresh, marked, exported, hours = run(go())
    assert len(fresh.json()["Items"]) == 1 and marked.json() == 101
    assert exported.json()["Items"][0]["Invoiced"] is True
    assert hours.json()["Items"] == []
