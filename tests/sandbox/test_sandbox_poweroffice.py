"""PowerOffice Go quirks the integration has to live with."""
from __future__ import annotations

import httpx
from sandbox_helpers import BASIC, PATCH_JSON, SUBSCRIPTION, WORLD_FILE, po_client, run

from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, Sandbox


def raw_client(sb: Sandbox, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.poweroffice_app), base_url=POWEROFFICE_URL,
                             headers=headers)


def test_empty_page_is_204_without_body_and_short_last_page_ends_paging(sb):
    async def go():
        async with po_client(sb) as po:
            pages = [await po.get("/Projects", params={"PageSize": 2, "PageNumber": n}) for n in (1, 2, 3)]
            none = await po.get("/Projects", params={"projectCodes": "finnes-ikke"})
            return pages, none

    pages, none = run(go())
    assert [p.status_code for p in pages] == [200, 200, 204]
    assert [len(p.json()) for p in pages[:2]] == [2, 2]
    assert pages[2].content == b"" and none.status_code == 204 and none.content == b""
    ids = [p["Id"] for page in pages[:2] for p in page.json()]
    assert ids == sorted(ids) and len(set(ids)) == 4


def test_page_size_over_max_is_problem_details(sb):
    async def go():
        async with po_client(sb) as po:
            return await po.get("/Projects", params={"PageSize": 20001})

    r = run(go())
    assert r.status_code == 400 and r.json()["Status"] == 400 and "20000" in r.json()["Detail"]


def test_subscription_key_is_required_on_every_call_the_token_call_too(sb):
    async def go():
        async with po_client(sb) as po:  # a client that does it right, for a valid token
            token = po.headers["Authorization"]
        async with raw_client(sb) as c:
            token_without = await c.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                                         headers={"Authorization": BASIC})
            call_without = await c.get("/Projects", headers={"Authorization": token})
            call_with = await c.get("/Projects", headers={"Authorization": token, **SUBSCRIPTION})
            no_bearer = await c.get("/Projects", headers=SUBSCRIPTION)
            return token_without, call_without, call_with, no_bearer

    token_without, call_without, call_with, no_bearer = run(go())
    assert token_without.status_code == 401 and "subscription key" in token_without.json()["message"]
    assert call_without.status_code == 401 and "subscription key" in call_without.json()["message"]
    assert call_with.status_code == 200
    assert no_bearer.status_code == 401


def test_token_call_needs_basic_auth_and_client_credentials(sb):
    async def go():
        async with raw_client(sb, **SUBSCRIPTION) as c:
            no_basic = await c.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"})
            wrong_grant = await c.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "password"},
                                       headers={"Authorization": BASIC})
            ok = await c.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                              headers={"Authorization": BASIC})
            return no_basic, wrong_grant, ok

    no_basic, wrong_grant, ok = run(go())
    assert no_basic.status_code == 401 and no_basic.json()["error"] == "invalid_client"
    assert wrong_grant.status_code == 400
    assert ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 1200


def test_configured_credentials_are_enforced():
    world = {"credentials": {"poweroffice": {"application_key": "app", "client_key": "client",
                                             "subscription_key": "sub"}}}
    sb = Sandbox(world)

    async def go():
        async with raw_client(sb, **{"Ocp-Apim-Subscription-Key": "sub"}) as c:
            wrong = await c.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                                 headers={"Authorization": BASIC})
            right = await c.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"}, auth=("app", "client"))
            bad_key = await c.get("/Projects", headers={"Ocp-Apim-Subscription-Key": "other",
                                                        "Authorization": f"Bearer {right.json()['access_token']}"})
            return wrong, right, bad_key

    wrong, right, bad_key = run(go())
    assert wrong.status_code == 401 and right.status_code == 200
    assert bad_key.status_code == 401 and "invalid subscription key" in bad_key.json()["message"]


def test_token_expires_after_1200_seconds_of_the_sandbox_clock():
    now = [1000.0]
    sb = Sandbox.from_file(WORLD_FILE, rate_limit=False, clock=lambda: now[0])

    async def go():
        async with po_client(sb) as po:
            fresh = await po.get("/Projects")
            now[0] += 1199
            nearly = await po.get("/Projects")
            sb.advance_clock(2)
            expired = await po.get("/Projects")
            return fresh, nearly, expired

    fresh, nearly, expired = run(go())
    assert (fresh.status_code, nearly.status_code, expired.status_code) == (200, 200, 401)
    assert "expired" in expired.json()["Detail"]


def test_more_than_ten_requests_a_second_per_subscription_key_is_429():
    now = [0.0]
    sb = Sandbox.from_file(WORLD_FILE, rate_limit=True, clock=lambda: now[0])

    async def go():
        async with po_client(sb) as po:  # the token call is request 1 of this second
            answers = [await po.get("/Products") for _ in range(10)]
            now[0] += 1.01
            after_a_second = await po.get("/Products")
            return answers, after_a_second

    answers, after_a_second = run(go())
    assert [a.status_code for a in answers] == [200] * 9 + [429]
    assert answers[-1].json() == {"statusCode": "429", "message": "Rate limit is exceeded. Try again in 1 seconds."}
    assert answers[-1].headers["Retry-After"] == "1"
    assert after_a_second.status_code == 200


def test_sub_project_code_is_parent_dot_sub_and_dots_are_refused(sb):
    async def go():
        async with po_client(sb) as po:
            by_code = await po.post("/Projects", json={"Code": "2", "Name": "Råbygg", "ParentProjectCode": "202601"})
            by_id = await po.post("/Projects", json={"Code": "3", "Name": "Tett hus", "ParentProjectId": 7001})
            dotted = await po.post("/Projects", json={"Code": "202601.4", "Name": "Feil"})
            grandchild = await po.post("/Projects", json={"Code": "1", "Name": "For dypt", "ParentProjectCode": "202601.1"})
            orphan = await po.post("/Projects", json={"Code": "1", "Name": "Foreldreløs", "ParentProjectCode": "999"})
            duplicate = await po.post("/Projects", json={"Code": "202601", "Name": "Igjen"})
            nameless = await po.post("/Projects", json={"Code": "202699"})
            listed = await po.get("/Projects", params={"projectCodes": "202601", "includeSubProjects": "true"})
            alone = await po.get("/Projects", params={"projectCodes": "202601"})
            return by_code, by_id, dotted, grandchild, orphan, duplicate, nameless, listed, alone

    by_code, by_id, dotted, grandchild, orphan, duplicate, nameless, listed, alone = run(go())
    assert by_code.status_code == 201 and by_code.json()["Code"] == "202601.2"
    assert by_code.json()["ParentProjectCode"] == "202601" and by_code.json()["ParentProjectId"] == 7001
    assert by_id.json()["Code"] == "202601.3"
    assert [r.status_code for r in (dotted, grandchild, orphan, duplicate, nameless)] == [400] * 5
    assert [p["Code"] for p in listed.json()] == ["202601", "202601.1", "202601.2", "202601.3"]
    assert [p["Code"] for p in alone.json()] == ["202601"]


def test_created_project_defaults_and_location(sb):
    async def go():
        async with po_client(sb) as po:
            return await po.post("/Projects", json={"code": "202620", "name": "Små bokstaver binder også"})

    r = run(go())
    body = r.json()
    assert r.status_code == 201 and r.headers["Location"] == f"/v2/Projects/{body['Id']}"
    assert body["Code"] == "202620" and body["Name"] == "Små bokstaver binder også"
    assert body["IsActive"] is True and body["ProjectStatus"] == "NotStarted" and body["ProjectBillingMethod"] is None
    assert body["CreatedDateTimeOffset"] == body["LastChangedDateTimeOffset"]


def test_patch_applies_pascal_case_and_silently_ignores_camel_case(sb):
    async def go():
        async with po_client(sb) as po:
            pascal = await po.patch("/Projects/7003", headers=PATCH_JSON, json=[
                {"op": "replace", "path": "/Name", "value": "Standardprosjekt 2026"},
                {"op": "replace", "path": "/projectStatus", "value": "Archived"}])
            wrong_type = await po.patch("/Projects/7003", json=[{"op": "replace", "path": "/Name", "value": "x"}])
            unknown = await po.patch("/Projects/7003", headers=PATCH_JSON,
                                     json=[{"op": "replace", "path": "/Navn", "value": "x"}])
            bad_enum = await po.patch("/Projects/7003", headers=PATCH_JSON,
                                      json=[{"op": "replace", "path": "/ProjectBillingMethod", "value": "Timer"}])
            remove = await po.patch("/Projects/7003", headers=PATCH_JSON,
                                    json=[{"op": "remove", "path": "/ProjectBillingMethod"}])
            return pascal, wrong_type, unknown, bad_enum, remove

    pascal, wrong_type, unknown, bad_enum, remove = run(go())
    assert pascal.status_code == 200
    assert pascal.json()["Name"] == "Standardprosjekt 2026" and pascal.json()["ProjectStatus"] == "Active"
    assert pascal.json()["LastChangedDateTimeOffset"] > "2025-01-01T00:00:00+00:00"
    assert wrong_type.status_code == 415
    assert unknown.status_code == 400 and "Navn" in unknown.json()["Detail"]
    assert bad_enum.status_code == 400 and "ProjectBillingMethod" in bad_enum.json()["Errors"]
    assert remove.json()["ProjectBillingMethod"] is None
    project = next(p for p in sb.world()["poweroffice"]["Projects"] if p["Id"] == 7003)
    assert project["Name"] == "Standardprosjekt 2026" and project["ProjectStatus"] == "Active"


def test_filters_status_billing_and_last_changed(sb):
    async def go():
        async with po_client(sb) as po:
            active_time = await po.get("/Projects", params={"status": "Active", "projectBillingMethod": "Time"})
            bad_status = await po.get("/Projects", params={"status": "Pågår"})
            loaded = max(p["LastChangedDateTimeOffset"] for p in (await po.get("/Products")).json())
            await po.patch("/Products/7001", headers=PATCH_JSON, json=[{"op": "replace", "path": "/UnitPrice",
                                                                        "value": 990.0}])
            changed = await po.get("/Products", params={"lastChangedDateTimeOffsetGreaterThan": loaded})
            unchanged = await po.get("/Employees", params={"lastChangedDateTimeOffsetGreaterThan": loaded})
            return active_time, bad_status, changed, unchanged

    active_time, bad_status, changed, unchanged = run(go())
    assert [p["Code"] for p in active_time.json()] == ["202601", "202601.1"]
    assert bad_status.status_code == 400
    assert [p["Code"] for p in changed.json()] == ["M-12"]
    assert unchanged.status_code == 204


def test_unencoded_plus_in_a_timestamp_is_a_400_like_live(sb):
    async def go():
        async with po_client(sb) as po:
            return await po.get("/Products?lastChangedDateTimeOffsetGreaterThan=2025-06-01T00:00:00+00:00")

    assert run(go()).status_code == 400


def test_products_post_answers_200_and_codes_are_unique(sb):
    async def go():
        async with po_client(sb) as po:
            created = await po.post("/Products", json={"Code": "M-13", "Name": "Hjullaster", "UnitOfMeasureCode": "HUR"})
            again = await po.post("/Products", json={"Code": "M-13", "Name": "Hjullaster"})
            bad_unit = await po.post("/Products", json={"Code": "M-14", "Name": "X", "UnitOfMeasureCode": "timer"})
            return created, again, bad_unit

    created, again, bad_unit = run(go())
    assert created.status_code == 200 and created.json()["ProductType"] == "Product"
    assert again.status_code == 400 and bad_unit.status_code == 400


def test_time_tracking_entries_are_checked_and_deduplicated(sb):
    entry = {"activityCode": "100", "projectCode": "202601", "employeeCode": 1001, "date": "2025-03-03",
             "minutes": 450, "externalImportReference": "smartdok-5001"}

    async def go():
        async with po_client(sb) as po:
            first = await po.post("/TimeTracking/TimeTrackingEntry", json=entry)
            second = await po.post("/TimeTracking/TimeTrackingEntry", json=entry)
            found = await po.get("/TimeTracking/TimeTrackingEntry", params={"externalImportReference": "smartdok-5001"})
            missing = await po.get("/TimeTracking/TimeTrackingEntry", params={"externalImportReference": "x"})
            unknown_employee = await po.post("/TimeTracking/TimeTrackingEntry",
                                             json={**entry, "employeeCode": 4242, "externalImportReference": "a"})
            unknown_activity = await po.post("/TimeTracking/TimeTrackingEntry",
                                             json={**entry, "activityCode": "999", "externalImportReference": "b"})
            finished_project = await po.post("/TimeTracking/TimeTrackingEntry",
                                             json={**entry, "projectCode": "202403", "externalImportReference": "c"})
            return first, second, found, missing, unknown_employee, unknown_activity, finished_project

    first, second, found, missing, *bad = run(go())
    assert first.status_code == 201 and second.status_code == 409
    assert second.json()["Status"] == 409
    assert len(found.json()) == 1 and missing.status_code == 204
    assert [r.status_code for r in bad] == [400, 400, 400]


def test_activities_need_billability_and_patch_paths_are_case_insensitive(sb):
    async def go():
        async with po_client(sb) as po:
            no_type = await po.post("/TimeTracking/Activity", json={"code": "200", "name": "Armering"})
            created = await po.post("/TimeTracking/Activity", json={"code": "200", "name": "Armering",
                                                                     "activityType": "Billable"})
            duplicate = await po.post("/TimeTracking/Activity", json={"code": "200", "name": "Igjen",
                                                                       "activityType": "Billable"})
            aid = created.json()["id"]
            camel = await po.patch(f"/TimeTracking/Activity/{aid}", headers=PATCH_JSON,
                                   json=[{"op": "replace", "path": "/name", "value": "Armering og støp"}])
            pascal = await po.patch(f"/TimeTracking/Activity/{aid}", headers=PATCH_JSON,
                                    json=[{"op": "replace", "path": "/ActivityType", "value": "NotBillable"}])
            return no_type, created, duplicate, camel, pascal

    no_type, created, duplicate, camel, pascal = run(go())
    assert no_type.status_code == 400 and created.status_code == 201 and duplicate.status_code == 409
    assert camel.json()["name"] == "Armering og støp"
    assert pascal.json()["activityType"] == "NotBillable"


def test_project_activities_belong_to_a_project(sb):
    async def go():
        async with po_client(sb) as po:
            listed = await po.get("/Project/7001/Activity")
            added = await po.post("/Project/7003/Activity", json={"activityCode": "300", "isBillable": False})
            again = await po.post("/Project/7003/Activity", json={"activityCode": "300"})
            no_project = await po.get("/Project/4242/Activity")
            empty = await po.get("/Project/7004/Activity")
            return listed, added, again, no_project, empty

    listed, added, again, no_project, empty = run(go())
    assert [a["activityCode"] for a in listed.json()] == ["100"]
    assert added.status_code == 201 and added.json()["projectId"] == 7003
    assert again.status_code == 409 and no_project.status_code == 404 and empty.status_code == 204
