"""PowerOfficeClient over real loopback HTTP against scripted answers."""
from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from _clients_loopback import APP_KEY, CLIENT_KEY, DROP, SUB_KEY, Reply, reply
from grunndata.clients import (
    ApiError, AuthError, BadResponse, Conflict, NotFound, RateLimited, RetryPolicy,
    TransportFailure,
)

pytestmark = pytest.mark.anyio


def records(n: int, start: int = 1) -> list[dict]:
    return [{"Id": i, "Code": str(i), "Name": f"P{i}"} for i in range(start, start + n)]


def paged(data: list[dict]):
    """A server that pages ``data`` by PageNumber/PageSize and answers 204 past the end."""
    def step(seen):
        number, size = int(seen.query["PageNumber"]), int(seen.query["PageSize"])
        chunk = data[(number - 1) * size: number * size]
        return reply(200, chunk) if chunk else reply(204)
    return step


# -- auth --------------------------------------------------------------------------------

async def test_token_call_and_every_call_carry_the_expected_headers(lb, make_po):
    lb.on("GET", "/v2/Projects", reply(200, records(2)))
    async with make_po() as po:
        assert len(await po.list("Projects")) == 2
    token_call, list_call = lb.seen
    basic = base64.b64encode(f"{APP_KEY}:{CLIENT_KEY}".encode()).decode()
    assert token_call.path == "/OAuth/Token"
    assert token_call.headers["authorization"] == f"Basic {basic}"
    assert token_call.body == b"grant_type=client_credentials"
    assert token_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert list_call.headers["authorization"] == "Bearer po-token-1"
    assert all(s.headers["ocp-apim-subscription-key"] == SUB_KEY for s in lb.seen)
    assert po.request_count == 2
    assert po.requests == {"POST /OAuth/Token": 1, "GET /Projects": 1}


async def test_token_is_renewed_about_a_minute_before_it_expires(lb, make_po):
    now = [1000.0]
    lb.on("GET", "/v2/Products", reply(200, []))
    async with make_po(clock=lambda: now[0]) as po:
        await po.list("Products")
        now[0] += 1100          # 100 s left: still fine
        await po.list("Products")
        assert len(lb.hits("POST", "/OAuth/Token")) == 1
        now[0] += 45            # 55 s left: renew before use
        await po.list("Products")
    assert len(lb.hits("POST", "/OAuth/Token")) == 2
    assert lb.hits("GET")[-1].headers["authorization"] == "Bearer po-token-2"


async def test_a_401_renews_the_token_once_and_retries(lb, make_po):
    def only_fresh_tokens(seen):
        ok = seen.headers.get("authorization") == "Bearer po-token-2"
        return reply(200, records(1)) if ok else reply(401)
    lb.on("GET", "/v2/Projects", only_fresh_tokens)
    async with make_po() as po:
        assert await po.list("Projects") == records(1)
    assert len(lb.hits("POST", "/OAuth/Token")) == 2
    assert len(lb.hits("GET", "/v2/Projects")) == 2


async def test_a_persistent_401_gives_up_with_auth_error(lb, make_po):
    lb.on("GET", "/v2/Projects", reply(401, {"title": "Unauthorized"}))
    async with make_po() as po:
        with pytest.raises(AuthError) as err:
            await po.list("Projects")
    assert err.value.status == 401
    assert len(lb.hits("POST", "/OAuth/Token")) == 2
    assert len(lb.hits("GET")) == 2


async def test_refused_client_credentials_are_an_auth_error(lb, make_po):
    lb.on("POST", "/OAuth/Token", reply(400, {"error": "invalid_client"}))
    async with make_po() as po:
        with pytest.raises(AuthError, match="invalid_client"):
            await po.list("Projects")


async def test_concurrent_calls_share_one_token_fetch(lb, make_po):
    lb.on("POST", "/OAuth/Token", lambda seen: Reply(
        200, {"access_token": "po-token-x", "expires_in": 1200}, delay=0.1))
    lb.on("GET", "/v2/Projects", reply(200, []))
    async with make_po(max_concurrency=4) as po:
        await asyncio.gather(*(po.list("Projects") for _ in range(10)))
    assert len(lb.hits("POST", "/OAuth/Token")) == 1
    assert len(lb.hits("GET")) == 10


# -- paging ------------------------------------------------------------------------------

async def test_paging_stops_at_a_short_page(lb, make_po):
    lb.on("GET", "/v2/Projects", paged(records(7)))
    async with make_po(page_size=3) as po:
        assert [p["Id"] for p in await po.list("Projects")] == list(range(1, 8))
    assert [s.query["PageNumber"] for s in lb.hits("GET")] == ["1", "2", "3"]
    assert all(s.query["PageSize"] == "3" for s in lb.hits("GET"))


async def test_exact_multiple_of_the_page_size_ends_with_a_204(lb, make_po):
    lb.on("GET", "/v2/Employees", paged(records(6)))
    async with make_po(page_size=3) as po:
        assert len(await po.list("Employees")) == 6
        assert po.requests["GET /Employees"] == 3


async def test_an_empty_list_is_a_204_with_no_body(lb, make_po):
    lb.on("GET", "/v2/Customers", reply(204))
    async with make_po() as po:
        assert await po.list("Customers") == []


async def test_a_server_ignoring_page_number_is_a_bad_response(lb, make_po):
    lb.on("GET", "/v2/Projects", reply(200, records(3)))
    async with make_po(page_size=3) as po:
        with pytest.raises(BadResponse, match="gjentar"):
            await po.list("Projects")


async def test_find_uses_the_spec_filters(lb, make_po):
    lb.on("GET", "/v2/Projects", reply(200, records(1, 100)))
    lb.on("GET", "/v2/Products", reply(200, []))
    async with make_po() as po:
        assert (await po.find("Projects", projectCodes="100"))[0]["Code"] == "100"
        await po.find("Products", productCodes=["M1", "M2"])
    assert lb.hits("GET", "/v2/Projects")[0].query["projectCodes"] == "100"
    assert lb.hits("GET", "/v2/Products")[0].query["codes"] == "M1,M2"


# -- writes ------------------------------------------------------------------------------

async def test_create_posts_json_and_returns_the_dto(lb, make_po):
    lb.on("POST", "/v2/Projects", lambda seen: reply(201, {"Id": 9, **seen.json()}))
    async with make_po() as po:
        made = await po.create("Projects", {"Code": "100", "Name": "Bygg"})
    assert made == {"Id": 9, "Code": "100", "Name": "Bygg"}
    assert lb.hits("POST", "/v2/Projects")[0].headers["content-type"] == "application/json"


async def test_update_sends_pascal_case_json_patch_and_reads_back_an_empty_answer(lb, make_po):
    lb.on("PATCH", "/v2/Projects/9", reply(200))
    lb.on("GET", "/v2/Projects/9", reply(200, {"Id": 9, "Name": "Ny", "ProjectStatus": "Active"}))
    async with make_po() as po:
        updated = await po.update("Projects", 9, {"name": "Ny", "ProjectStatus": "Active"})
    assert updated["Name"] == "Ny"
    patch = lb.hits("PATCH")[0]
    assert patch.headers["content-type"] == "application/json-patch+json"
    assert patch.json() == [{"op": "replace", "path": "/Name", "value": "Ny"},
                            {"op": "replace", "path": "/ProjectStatus", "value": "Active"}]


async def test_update_returns_the_dto_when_patch_answers_it(lb, make_po):
    lb.on("PATCH", "/v2/Products/5", reply(200, {"Id": 5, "Name": "Gravemaskin"}))
    async with make_po() as po:
        assert (await po.update("Products", 5, {"Name": "Gravemaskin"}))["Name"] == "Gravemaskin"
        assert po.requests["GET /Products/{id}"] == 0


async def test_time_tracking_goes_through_the_adapter(lb, make_po):
    lb.on("GET", "/v2/TimeTracking/Activity", reply(200, [{"id": 1, "code": "A1", "name": "Graving"},
                                                          {"id": 2, "code": "A2", "name": "Muring"}]))
    lb.on("PATCH", "/v2/TimeTracking/Activity/2", reply(200, {"id": 2, "code": "A2", "isActive": False}))
    lb.on("GET", "/v2/Project/7/Activity", reply(200, [{"activityCode": "A1", "isBillable": True}]))
    lb.on("POST", "/v2/Project/7/Activity", lambda s: reply(201, {"id": 3, **s.json()}))
    async with make_po() as po:
        assert [a["code"] for a in await po.find("TimeTracking/Activity", code="A2")] == ["A2"]
        await po.update("TimeTracking/Activity", 2, {"isActive": False})
        assert await po.list_project_activities(7) == [{"activityCode": "A1", "isBillable": True}]
        made = await po.create_project_activity(7, {"activityCode": "A2", "isBillable": True})
        assert made["id"] == 3
        assert po.requests["GET /Project/{id}/Activity"] == 1
    assert lb.hits("PATCH")[0].json() == [{"op": "replace", "path": "/isActive", "value": False}]


async def test_read_all_reads_the_world_section_without_project_activities(lb, make_po):
    for name in ("Projects", "Products", "Employees", "PayItems", "Customers",
                 "TimeTracking/Activity", "TimeTracking/HourType"):
        lb.on("GET", f"/v2/{name}", reply(200, [{"Id": 1, "Name": name}]))
    async with make_po() as po:
        world = await po.read_all([(name, {}) for name in ("Projects", "Products", "Employees", "PayItems",
                                                           "Customers", "TimeTracking/Activity",
                                                           "TimeTracking/HourType")])
    assert list(world) == ["Projects", "Products", "Employees", "PayItems", "Customers",
                           "TimeTracking/Activity", "TimeTracking/HourType"]
    assert world["PayItems"] == [{"Id": 1, "Name": "PayItems"}]
    assert not [s for s in lb.seen if "/Project/" in s.path]


# -- rate limits and server trouble ------------------------------------------------------

async def test_a_429_burst_is_waited_out_as_retry_after_says(lb, make_po):
    busy = reply(429, {"statusCode": "429", "message": "Rate limit is exceeded."},
                 headers={"Retry-After": "0.2"})
    lb.on("GET", "/v2/Projects", busy, busy, busy, reply(200, records(1)))
    async with make_po(retry=RetryPolicy(max_attempts=5, base_delay=0.001)) as po:
        assert await po.list("Projects") == records(1)
    gets = lb.hits("GET")  # the server's own arrival times: each try came as late as it was told
    assert len(gets) == 4
    assert all(b.at - a.at >= 0.19 for a, b in zip(gets, gets[1:]))


async def test_the_poweroffice_429_body_says_how_long_to_wait(lb, make_po):
    lb.on("GET", "/v2/Products",
          reply(429, {"statusCode": "429", "message": "Rate limit is exceeded. Try again in 1 seconds."}),
          reply(200, []))
    async with make_po(retry=RetryPolicy(max_attempts=3, base_delay=0.001)) as po:
        await po.list("Products")
    first, second = lb.hits("GET")
    assert second.at - first.at >= 0.95


async def test_429s_that_say_when_to_come_back_do_not_use_up_the_attempts(lb, make_po):
    busy = reply(429, headers={"Retry-After": "0.01"})
    lb.on("POST", "/v2/Projects", busy, busy, busy, busy, busy, busy, reply(201, {"Id": 1, "Code": "1"}))
    async with make_po(retry=RetryPolicy(max_attempts=2, base_delay=0.001)) as po:
        assert (await po.create("Projects", {"Code": "1", "Name": "x"}, key="1"))["Id"] == 1
    assert len(lb.hits("POST", "/v2/Projects")) == 7


async def test_429s_beyond_the_rate_limit_patience_fail(lb, make_po):
    lb.on("POST", "/v2/Projects", reply(429, headers={"Retry-After": "0.01"}))
    policy = RetryPolicy(max_attempts=2, base_delay=0.001, rate_limit_patience=3.0)
    async with make_po(retry=policy) as po:
        with pytest.raises(RateLimited):
            await po.create("Projects", {"Code": "1", "Name": "x"}, key="1")
    # three told-to-wait retries (each counted as a second of patience), then two attempts
    assert len(lb.hits("POST", "/v2/Projects")) == 5


async def test_a_429_that_persists_is_rate_limited(lb, make_po):
    lb.on("GET", "/v2/Products", reply(429, {"message": "Rate limit is exceeded."}))
    async with make_po() as po:
        with pytest.raises(RateLimited, match="Rate limit is exceeded") as err:
            await po.list("Products")
    assert err.value.status == 429
    assert len(lb.hits("GET")) == 4


async def test_a_retry_after_beyond_max_delay_is_not_waited_for(lb, make_po):
    lb.on("GET", "/v2/Products", reply(429, headers={"Retry-After": "3600"}))
    async with make_po() as po:
        with pytest.raises(RateLimited) as err:
            await po.list("Products")
    assert err.value.retry_after == 3600
    assert len(lb.hits("GET")) == 1


class Answered(httpx.AsyncBaseTransport):
    """The real transport, and an event set once an answer with ``status`` has been read."""

    def __init__(self, status: int) -> None:
        self.inner, self.status, self.seen = httpx.AsyncHTTPTransport(), status, asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if response.status_code == self.status:
            await response.aread()  # the whole answer is in: the client handles it without a pause
            self.seen.set()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_429_pauses_the_other_tasks_of_the_client_too(lb, make_po):
    lb.on("GET", "/v2/Products", reply(429, headers={"Retry-After": "0.3"}), reply(200, []))
    lb.on("GET", "/v2/Customers", reply(200, []))
    transport = Answered(429)
    async with make_po(retry=RetryPolicy(max_attempts=3, base_delay=0.001), transport=transport) as po:
        products = asyncio.ensure_future(po.list("Products"))
        await transport.seen.wait()              # the client has the 429 (and runs on to its wait)
        await po.list("Customers")
        await products
    first_product = lb.hits("GET", "/v2/Products")[0]
    assert lb.hits("GET", "/v2/Customers")[0].at - first_product.at >= 0.28


async def test_a_refused_long_wait_does_not_pause_the_client(lb, make_po):
    lb.on("GET", "/v2/Products", reply(429, headers={"Retry-After": "3600"}))
    lb.on("GET", "/v2/Customers", reply(200, []))
    async with make_po() as po:
        with pytest.raises(RateLimited):
            await po.list("Products")
        # A pause as asked would be an hour; the bound only tells "no pause" from "an hour".
        await asyncio.wait_for(po.list("Customers"), timeout=60)
    assert len(lb.hits("GET", "/v2/Customers")) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_are_retried_then_succeed(lb, make_po, status):
    lb.on("GET", "/v2/Projects", reply(status, raw="<html>busy</html>", content_type="text/html"),
          reply(200, records(2)))
    async with make_po() as po:
        assert len(await po.list("Projects")) == 2


async def test_server_errors_that_persist_fail_with_the_vendor_message(lb, make_po):
    lb.on("GET", "/v2/Projects", reply(503, {"title": "Service Unavailable",
                                              "detail": "maintenance"}))
    async with make_po() as po:
        with pytest.raises(ApiError) as err:
            await po.list("Projects")
    assert err.value.status == 503
    assert "PowerOffice" in str(err.value) and "maintenance" in str(err.value)
    assert "etter 4 forsøk" in str(err.value)
    assert len(lb.hits("GET")) == 4


async def test_a_500_is_retried_for_reads_only(lb, make_po):
    lb.on("GET", "/v2/Projects/1", reply(500), reply(200, {"Id": 1}))
    lb.on("PATCH", "/v2/Projects/1", reply(500, {"title": "boom"}))
    async with make_po() as po:
        assert await po.get("Projects", 1) == {"Id": 1}
        with pytest.raises(ApiError, match="boom") as err:
            await po.update("Projects", 1, {"Name": "x"}, key="100")
    assert err.value.status == 500 and err.value.key == "100"
    assert len(lb.hits("PATCH")) == 1


async def test_a_read_timeout_on_a_get_is_retried(lb, make_po):
    lb.on("GET", "/v2/Projects", Reply(200, [], delay=1.0), reply(200, records(1)))
    async with make_po(timeout=0.3) as po:
        assert await po.list("Projects") == records(1)
    assert len(lb.hits("GET")) == 2


async def test_a_dropped_connection_on_a_get_is_retried(lb, make_po):
    lb.on("GET", "/v2/Projects", DROP, reply(200, records(1)))
    async with make_po() as po:
        assert await po.list("Projects") == records(1)


async def test_a_create_whose_connection_drops_is_ambiguous_and_not_resent(lb, make_po):
    lb.on("POST", "/v2/Projects", DROP)
    async with make_po() as po:
        with pytest.raises(TransportFailure) as err:
            await po.create("Projects", {"Code": "100", "Name": "Bygg"}, key="100")
    assert err.value.ambiguous is True
    assert "'100'" in str(err.value) and "slå opp posten på nøkkelen" in str(err.value)
    assert len(lb.hits("POST", "/v2/Projects")) == 1


async def test_a_create_that_times_out_is_ambiguous_and_not_resent(lb, make_po):
    lb.on("POST", "/v2/Products", Reply(201, {"Id": 1}, delay=1.0))
    async with make_po(timeout=0.3) as po:
        with pytest.raises(TransportFailure) as err:
            await po.create("Products", {"Code": "M1", "Name": "Gravemaskin"})
    assert err.value.ambiguous
    assert len(lb.hits("POST", "/v2/Products")) == 1


async def test_a_gateway_timeout_on_a_create_is_ambiguous(lb, make_po):
    lb.on("POST", "/v2/Products", reply(504))
    async with make_po() as po:
        with pytest.raises(TransportFailure) as err:
            await po.create("Products", {"Code": "M1"}, key="M1")
    assert err.value.ambiguous and err.value.status == 504
    assert len(lb.hits("POST", "/v2/Products")) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error_on_a_create_is_ambiguous_not_resent(lb, make_po, status):
    # A 503/500 may come after the backend committed (tests/reliability/test_faults.py): the
    # engine looks the record up by key before sending it again, the client never resends.
    lb.on("POST", "/v2/Products", reply(status), reply(201, {"Id": 4, "Code": "M1"}))
    async with make_po() as po:
        with pytest.raises(TransportFailure) as err:
            await po.create("Products", {"Code": "M1"}, key="M1")
    assert err.value.ambiguous and err.value.status == status
    assert len(lb.hits("POST", "/v2/Products")) == 1


async def test_a_patch_whose_connection_drops_is_retried(lb, make_po):
    lb.on("PATCH", "/v2/Products/4", DROP, reply(200, {"Id": 4, "Name": "x"}))
    async with make_po() as po:
        assert (await po.update("Products", 4, {"Name": "x"}))["Name"] == "x"


async def test_nothing_listening_is_a_transport_failure_that_is_not_ambiguous(make_po):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from grunndata.clients import PowerOfficeClient
    async with PowerOfficeClient(f"http://127.0.0.1:{port}/v2", f"http://127.0.0.1:{port}/OAuth/Token",
                                 APP_KEY, CLIENT_KEY, SUB_KEY, retry=RetryPolicy(3, 0.001)) as po:
        with pytest.raises(TransportFailure) as err:
            await po.create("Projects", {"Code": "1"})
    assert not err.value.ambiguous
    # The address that failed, in Norwegian: the token endpoint is the first thing it connects to.
    assert f"kunne ikke koble til PowerOffice på http://127.0.0.1:{port}/OAuth/Token etter 3 forsøk" \
        in str(err.value)
    assert "\n" not in str(err.value) and APP_KEY not in str(err.value)


# -- bad bodies and vendor errors --------------------------------------------------------

@pytest.mark.parametrize("answer, problem", [
    (Reply(200, raw='[{"Id": 1, "Code": "1"', content_type="application/json"), "ikke gyldig JSON"),
    (Reply(200, raw="<html><body>" + "Innlogging kreves " * 40 + "</body></html>",
           content_type="text/html"), "ikke gyldig JSON"),
    (reply(200, {"title": "Internal", "status": 500, "detail": "db down"}), "ventet en liste"),
    (reply(200, {"Id": 1}), "ventet en liste"),
])
async def test_malformed_list_bodies_are_bad_responses(lb, make_po, answer, problem):
    lb.on("GET", "/v2/Projects", answer)
    async with make_po() as po:
        with pytest.raises(BadResponse, match=problem) as err:
            await po.list("Projects")
    assert "PowerOffice" in str(err.value) and "Projects" in str(err.value)
    assert len(err.value.excerpt) <= 200


async def test_a_200_error_object_where_a_dto_was_expected_is_a_bad_response(lb, make_po):
    lb.on("GET", "/v2/Projects/3", reply(200, {"Title": "Object(s) not found", "Status": 404}))
    async with make_po() as po:
        with pytest.raises(BadResponse, match="Object\\(s\\) not found"):
            await po.get("Projects", 3)


@pytest.mark.parametrize("body", [
    {"title": "Validation failed", "detail": "Code 100 is already in use", "status": 400},
    {"Title": "Validation failed", "Detail": "Code 100 is already in use", "Status": 400},
])
async def test_problem_details_in_any_casing_make_a_one_line_message(lb, make_po, body):
    lb.on("POST", "/v2/Projects", reply(400, body))
    async with make_po() as po:
        with pytest.raises(ApiError) as err:
            await po.create("Projects", {"Code": "100"}, key="100")
    text = str(err.value)
    assert text == ("PowerOffice: opprette Projects '100': avvist (HTTP 400): "
                    "Validation failed — Code 100 is already in use")
    assert "\n" not in text


async def test_404_and_409_have_their_own_types(lb, make_po):
    lb.on("GET", "/v2/Projects/77", reply(404, {"title": "Object(s) not found"}))
    lb.on("POST", "/v2/Products", reply(409, {"title": "Conflict", "detail": "duplicate code"}))
    async with make_po() as po:
        with pytest.raises(NotFound):
            await po.get("Projects", 77)
        with pytest.raises(Conflict, match="duplicate code"):
            await po.create("Products", {"Code": "M1"})


# -- the limiter ---------------------------------------------------------------------------

async def test_the_rate_limiter_keeps_ten_requests_in_any_second(lb, make_po):
    lb.on("GET", "/v2/Products", reply(200, []))
    async with make_po(rate_per_second=10, max_concurrency=8) as po:
        await asyncio.gather(*(po.list("Products") for _ in range(24)))  # + 1 token call
    times = sorted(s.at for s in lb.seen)
    assert len(times) == 25
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t - start < 1.0) <= 10
    assert times[-1] - times[0] >= 2.0


async def test_max_concurrency_bounds_requests_in_flight(lb, make_po):
    lb.on("GET", "/v2/Products", Reply(200, [], delay=0.1))
    async with make_po(max_concurrency=3) as po:
        await asyncio.gather(*(po.list("Products") for _ in range(12)))
    assert lb.max_in_flight == 3
