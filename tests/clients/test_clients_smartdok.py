"""SmartDokClient over real loopback HTTP against scripted answers."""
from __future__ import annotations

import asyncio

import pytest

from _clients_loopback import DROP, SD_TOKEN, Reply, reply
from grunndata.clients import ApiError, AuthError, BadResponse, NotFound, TransportFailure

pytestmark = pytest.mark.anyio

PROJECT = {
    "Id": 11, "ProjectName": "Skole", "ProjectNumber": "202601 ", "IsActive": True,
    "Finished": False, "CustomerId": 3, "StartDate": "2026-01-05T00:00:00", "EndDate": None,
    "Departments": [1], "UserIds": [], "Location": "Bergen", "HourlyRate": 950.0,
    "Updated": "2026-02-01T10:00:00", "Created": "2026-01-01T10:00:00",
    "CalcuatedTimeConsumption": 0, "TimeConsumption": 12.5,
}


def wrapped(items: list[dict]) -> dict:
    return {"Count": len(items), "Offset": 0, "TotalCount": len(items), "Items": items}


async def test_signs_in_with_the_api_token_and_sends_the_session_as_bearer(lb, make_sd):
    lb.on("GET", "/Projects", reply(200, wrapped([PROJECT])))
    async with make_sd() as sd:
        assert await sd.list("Projects") == [PROJECT]
    login, listing = lb.seen
    assert login.path == "/Authorize/ApiToken" and login.json() == {"Token": SD_TOKEN}
    assert listing.headers["authorization"] == "Bearer sd-session-1"
    assert sd.requests == {"POST /Authorize/ApiToken": 1, "GET /Projects": 1}


async def test_a_401_signs_in_again_once(lb, make_sd):
    def only_second_session(seen):
        ok = seen.headers["authorization"] == "Bearer sd-session-2"
        return reply(200, []) if ok else reply(401)
    lb.on("GET", "/WorkDescriptions", only_second_session)
    async with make_sd() as sd:
        assert await sd.list("WorkDescriptions") == []
        assert await sd.list("WorkDescriptions") == []   # the new session is kept
    assert len(lb.hits("POST", "/Authorize/ApiToken")) == 2
    assert len(lb.hits("GET")) == 3


async def test_a_persistent_401_is_an_auth_error(lb, make_sd):
    lb.on("GET", "/Machines", reply(401))
    async with make_sd() as sd:
        with pytest.raises(AuthError):
            await sd.list("Machines")
    assert len(lb.hits("POST", "/Authorize/ApiToken")) == 2


async def test_a_refused_api_token_is_an_auth_error(lb, make_sd):
    lb.on("POST", "/Authorize/ApiToken",
          reply(400, {"Code": "InvalidToken", "Error": "Unauthorized", "Message": "Token expired"}))
    async with make_sd() as sd:
        with pytest.raises(AuthError, match="Token expired") as err:
            await sd.list("Projects")
    assert SD_TOKEN not in str(err.value)


async def test_a_session_that_is_not_a_json_string_is_a_bad_response(lb, make_sd):
    lb.on("POST", "/Authorize/ApiToken", Reply(200, raw="<html>login</html>",
                                              content_type="text/html"))
    async with make_sd() as sd:
        with pytest.raises(BadResponse, match="session token"):
            await sd.list("Projects")


async def test_lists_ask_for_all_records_where_the_spec_allows(lb, make_sd):
    lb.on("GET", "/Projects", reply(200, wrapped([PROJECT])))
    lb.on("GET", "/Wages", reply(200, [{"Id": 1, "Number": "100", "Name": "Normaltid"}]))
    lb.on("GET", "/WorkHours", reply(200, wrapped([])))
    async with make_sd() as sd:
        await sd.list("Projects")
        assert (await sd.list("Wages"))[0]["Name"] == "Normaltid"
        await sd.list("WorkHours", {"fromDate": "2026-01-01", "toDate": "2026-01-31"})
        await sd.list("Projects", {"all": False})
    projects = lb.hits("GET", "/Projects")
    assert projects[0].query == {"all": "true"}
    assert projects[1].query == {"all": "false"}
    assert lb.hits("GET", "/Wages")[0].query == {"all": "true"}
    assert "all" not in lb.hits("GET", "/WorkHours")[0].query


async def test_additions_are_asked_for_twice_and_merged_by_id(lb, make_sd):
    def additions(seen):
        if seen.query.get("onlyAddition") == "true":
            return reply(200, [{"Id": 1, "Number": "T1", "Addition": True},
                               {"Id": 3, "Number": "T3", "Addition": True, "UnitAddition": True}])
        if seen.query.get("onlyUnitAddition") == "true":
            return reply(200, [{"Id": 2, "Number": "E1", "UnitAddition": True},
                               {"Id": 3, "Number": "T3", "Addition": True, "UnitAddition": True}])
        return reply(200, [])
    lb.on("GET", "/Additions", additions)
    async with make_sd() as sd:
        got = await sd.list("Additions")
    assert sorted(a["Id"] for a in got) == [1, 2, 3]
    assert len(lb.hits("GET", "/Additions")) == 2
    assert all(s.query["all"] == "true" for s in lb.hits("GET", "/Additions"))


async def test_a_wrapped_list_with_more_records_is_fetched_to_the_end(lb, make_sd):
    data = [{"Id": i, "Number": str(i)} for i in range(5)]

    def pages(seen):
        offset = int(seen.query.get("offset", 0))
        chunk = data[offset: offset + 2]
        return reply(200, {"Count": len(chunk), "Offset": offset, "TotalCount": 5, "Items": chunk})
    lb.on("GET", "/Machines", pages)
    async with make_sd() as sd:
        assert await sd.list("Machines") == data


async def test_a_truncated_wrapped_list_that_cannot_be_paged_is_a_bad_response(lb, make_sd):
    lb.on("GET", "/Machines", reply(200, {"Count": 2, "Offset": 0, "TotalCount": 5,
                                          "Items": [{"Id": 1}, {"Id": 2}]}))
    async with make_sd() as sd:
        with pytest.raises(BadResponse, match="ufullstendig liste"):
            await sd.list("Machines")


async def test_get_of_a_missing_record_is_not_found(lb, make_sd):
    lb.on("GET", "/Projects/99", reply(404))
    async with make_sd() as sd:
        with pytest.raises(NotFound) as err:
            await sd.get("Projects", 99, key="202699")
    assert str(err.value) == "SmartDok: hente Projects '202699': finnes ikke (HTTP 404)"


async def test_create_of_a_sub_project_posts_under_its_parent(lb, make_sd):
    lb.on("POST", "/Projects/11/SubProjects",
          lambda s: reply(200, {"Id": 40, "ProjectId": 11, **s.json()}))
    async with make_sd() as sd:
        made = await sd.create("SubProjects", {"SubProjectNumber": "2", "SubProjectName": "Tak"},
                               parent_id=11)
        assert sd.requests["POST /Projects/{projectId}/SubProjects"] == 1
    assert made["Id"] == 40 and made["ProjectId"] == 11


async def test_create_answering_only_an_id_fetches_the_record(lb, make_sd):
    lb.on("POST", "/WorkDescriptions", reply(200, 17))
    lb.on("GET", "/WorkDescriptions/17", reply(200, {"Id": 17, "Number": "A7", "Name": "Muring"}))
    async with make_sd() as sd:
        assert (await sd.create("WorkDescriptions", {"Number": "A7", "Name": "Muring",
                                                     "IsActive": True}))["Id"] == 17


async def test_create_answering_nothing_looks_the_record_up_by_key(lb, make_sd):
    lb.on("POST", "/Machines", reply(200))
    lb.on("GET", "/Machines", reply(200, wrapped([{"Id": 5, "InternalNumber": "M5"}])))
    async with make_sd() as sd:
        made = await sd.create("Machines", {"InternalNumber": "M5", "Name": "Dumper",
                                            "IsActive": True})
    assert made["Id"] == 5
    assert lb.hits("GET", "/Machines")[0].query["internalNumber"] == "M5"


async def test_update_is_a_full_replace_with_every_input_field_received(lb, make_sd):
    lb.on("GET", "/Projects/11", reply(200, PROJECT))
    lb.on("PUT", "/Projects/11", lambda s: reply(200, {**PROJECT, **s.json()}))
    async with make_sd() as sd:
        updated = await sd.update("Projects", 11, {"Finished": True, "IsActive": False})
    sent = lb.hits("PUT")[0].json()
    expected = {k: v for k, v in PROJECT.items()
                if k not in ("Id", "Updated", "Created", "CalcuatedTimeConsumption",
                             "TimeConsumption")}
    assert sent == {**expected, "Finished": True, "IsActive": False}
    assert sent["ProjectNumber"] == "202601 "     # as received: normalising is not ours to do
    assert updated["Finished"] is True


async def test_update_of_a_sub_project_drops_its_output_only_fields(lb, make_sd):
    sub = {"Id": 40, "ProjectId": 11, "SubProjectNumber": "2", "SubProjectName": "Tak",
           "IsActive": True, "Project": {"Id": 11, "ProjectNumber": "202601"},
           "Updated": "2026-02-01T10:00:00"}
    lb.on("GET", "/SubProjects/40", reply(200, sub))
    lb.on("PUT", "/SubProjects/40", reply(200))
    async with make_sd() as sd:
        await sd.update("SubProjects", 40, {"SubProjectName": "Tak og vegg"})
    assert lb.hits("PUT")[0].json() == {"SubProjectNumber": "2", "SubProjectName": "Tak og vegg",
                                        "IsActive": True}
    assert len(lb.hits("GET", "/SubProjects/40")) == 2   # the PUT answered nothing: read back


async def test_a_400_names_the_vendor_code_and_message(lb, make_sd):
    lb.on("POST", "/Projects", reply(400, {"Code": "NameIsRequired", "Error": "BadRequest",
                                           "Message": "Project name is required"}))
    async with make_sd() as sd:
        with pytest.raises(ApiError) as err:
            await sd.create("Projects", {"ProjectNumber": "300"})
    assert str(err.value) == ("SmartDok: opprette Projects '300': avvist (HTTP 400): "
                              "NameIsRequired — BadRequest — Project name is required")


async def test_a_create_whose_connection_drops_is_ambiguous(lb, make_sd):
    lb.on("POST", "/Projects", DROP)
    async with make_sd() as sd:
        with pytest.raises(TransportFailure) as err:
            await sd.create("Projects", {"ProjectNumber": "300", "ProjectName": "Hall"})
    assert err.value.ambiguous and err.value.key == "300"
    assert len(lb.hits("POST", "/Projects")) == 1


async def test_set_exported_external_is_resent_after_a_drop(lb, make_sd):
    lb.on("POST", "/WorkHours/SetExportedExternal", DROP, reply(200))
    async with make_sd() as sd:
        await sd.set_exported_external([5, 6, 7], "po-batch-42")
    calls = lb.hits("POST", "/WorkHours/SetExportedExternal")
    assert len(calls) == 2
    assert calls[-1].json() == [5, 6, 7]
    assert calls[-1].query == {"exportedExternalId": "po-batch-42", "setAsExportedExternal": "true"}


async def test_read_all_reads_the_world_section_concurrently_but_bounded(lb, make_sd):
    for name in ("Projects", "SubProjects", "Machines", "Users"):
        lb.on("GET", f"/{name}", Reply(200, wrapped([{"Id": 1}]), delay=0.15))
    for name in ("WorkDescriptions", "Wages", "Additions"):
        lb.on("GET", f"/{name}", Reply(200, [{"Id": 2}], delay=0.15))
    names = ("Projects", "SubProjects", "WorkDescriptions", "Machines", "Users", "Wages")
    reads = [(name, {}) for name in names] + [("Additions", {"onlyAddition": True}),
                                              ("Additions", {"onlyUnitAddition": True})]
    async with make_sd(max_concurrency=3) as sd:
        world = await sd.read_all(reads)
    assert list(world) == ["Projects", "SubProjects", "WorkDescriptions", "Machines", "Users",
                           "Wages", "Additions"]
    assert world["Additions"] == [{"Id": 2}]
    assert lb.max_in_flight == 3
    assert sd.request_count == 9    # sign-in + 6 lists + Additions twice


async def test_read_all_fails_with_the_first_error_not_a_group(lb, make_sd):
    for name in ("Projects", "SubProjects", "WorkDescriptions", "Machines", "Users", "Wages",
                 "Additions"):
        lb.on("GET", f"/{name}", Reply(200, [], delay=0.2))
    lb.on("GET", "/Users", reply(403, {"Message": "Missing access"}))
    async with make_sd() as sd:
        with pytest.raises(AuthError, match="Missing access"):
            await sd.read_all([(name, {}) for name in ("Projects", "SubProjects", "WorkDescriptions",
                                                       "Machines", "Users", "Wages", "Additions")])


async def test_html_error_page_on_a_get_is_a_bad_response_with_an_excerpt(lb, make_sd):
    lb.on("GET", "/Users", Reply(200, raw="<!DOCTYPE html><html><title>Vedlikehold</title>"
                                          + "x" * 500, content_type="text/html"))
    async with make_sd() as sd:
        with pytest.raises(BadResponse) as err:
            await sd.list("Users")
    assert "Vedlikehold" in err.value.excerpt and len(err.value.excerpt) <= 200
    assert "text/html" in str(err.value)


async def test_concurrent_calls_sign_in_once(lb, make_sd):
    lb.on("POST", "/Authorize/ApiToken", Reply(200, raw='"sd-session-x"', delay=0.1))
    lb.on("GET", "/Wages", reply(200, []))
    async with make_sd() as sd:
        await asyncio.gather(*(sd.list("Wages") for _ in range(6)))
    assert len(lb.hits("POST", "/Authorize/ApiToken")) == 1
