"""Unit tests: backoff, Retry-After, limiter, error texts; MockTransport where it is simpler."""
from __future__ import annotations

import asyncio
import json
import random

import httpx
import pytest

from _clients_loopback import APP_KEY, CLIENT_KEY, SUB_KEY
from grunndata.clients import (
    ApiError, BadResponse, PowerOfficeClient, RetryPolicy, SmartDokClient, TransportFailure,
)
from grunndata.clients.errors import excerpt, looks_like_error, redact, vendor_message
from grunndata.clients.retry import RateLimiter, parse_retry_after
from grunndata.errors import GrunndataError


def test_retry_policy_defaults_are_the_published_ones():
    p = RetryPolicy()
    assert (p.max_attempts, p.base_delay, p.max_delay, p.jitter, p.retry_statuses) == (
        5, 0.5, 30.0, True, (429, 502, 503, 504))


def test_backoff_doubles_up_to_the_cap_and_jitter_stays_below_it():
    p = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=False)
    assert [p.backoff(a) for a in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    j = RetryPolicy(base_delay=0.5, max_delay=3.0)
    assert all(0 <= j.backoff(4) <= 3.0 for _ in range(200))
    assert len({j.backoff(4) for _ in range(20)}) > 1


@pytest.mark.parametrize("status, headers, body, expected", [
    (429, {"Retry-After": "3"}, "", 3.0),
    (503, {"Retry-After": "0.5"}, "", 0.5),
    (429, {}, '{"statusCode":"429","message":"Rate limit is exceeded. Try again in 2 seconds."}', 2.0),
    (429, {}, "{}", None),
    (503, {}, "Try again in 9 seconds", None),
    (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, "", 0.0),
])
def test_parse_retry_after(status, headers, body, expected):
    assert parse_retry_after(httpx.Response(status, headers=headers, text=body)) == expected


def _virtual_limiter(rate: float, **kw):
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    return RateLimiter(rate, clock=lambda: now[0], sleep=sleep, **kw), now


def test_limiter_allows_at_most_rate_starts_in_any_window():
    limiter, now = _virtual_limiter(10, margin=0.0)
    starts = []

    async def run():
        for _ in range(25):
            async with limiter:
                starts.append(now[0])
                now[0] += 0.01  # the request takes 10 ms
    asyncio.run(run())
    for i, t in enumerate(starts):
        assert sum(1 for u in starts[i:] if u - t < 1.0) <= 10
    assert starts[-1] >= 2.0


def test_a_place_counts_from_the_answer_so_a_late_arrival_cannot_crowd_the_server():
    """Whatever delays a request between our start and the server's count, the server never
    sees more than ``rate`` in a second: simulated with requests that take up to 0.8 s and
    arrive at the server at any moment before their answer, eight at a time."""
    rng = random.Random(7)
    now = [0.0]
    arrivals: list[float] = []
    timers: list[tuple[float, int, asyncio.Future]] = []  # virtual time: the earliest timer fires next

    async def virtual_sleep(seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        timers.append((now[0] + seconds, len(timers), future))
        await future

    limiter = RateLimiter(10, clock=lambda: now[0], sleep=virtual_sleep)

    async def request() -> None:
        async with limiter:
            took = rng.uniform(0.0, 0.8)
            arrivals.append(now[0] + rng.uniform(0.0, took))
            await virtual_sleep(took)

    async def worker(n: int) -> None:
        for _ in range(n):
            await request()

    async def run():
        tasks = [asyncio.ensure_future(worker(15)) for _ in range(8)]
        while not all(t.done() for t in tasks):
            for _ in range(20):  # let every task run until it waits on a timer or the limiter
                await asyncio.sleep(0)
            if timers:
                timers.sort()
                when, _, future = timers.pop(0)
                now[0] = max(now[0], when)
                future.set_result(None)
        for t in tasks:
            t.result()
    asyncio.run(run())
    arrivals.sort()
    assert len(arrivals) == 120
    assert max(sum(1 for u in arrivals[i:] if u - t < 1.0) for i, t in enumerate(arrivals)) <= 10


def test_fractional_rates_space_requests_out():
    limiter = RateLimiter(0.5, margin=0.0)
    assert (limiter.capacity, limiter.window) == (1, 2.0)


def test_redact_and_excerpt():
    text = f"key={APP_KEY} other={SUB_KEY} short=ab"
    assert redact(text, [APP_KEY, SUB_KEY, "ab", None, ""]) == "key=*** other=*** short=ab"
    assert redact("it may have been applied", ["app"]) == "it may have been applied"
    long = excerpt("<html>\n" + "x " * 500 + f"{CLIENT_KEY}</html>", [CLIENT_KEY])
    assert len(long) <= 200 and "\n" not in long and CLIENT_KEY not in long


@pytest.mark.parametrize("body, expected", [
    ({"type": "t", "title": "Object(s) not found", "status": 404, "detail": "Project 5"},
     "Object(s) not found — Project 5"),
    ({"Title": "Bad", "Detail": "Name is required", "Status": 400}, "Bad — Name is required"),
    ({"statusCode": "429", "message": "Rate limit is exceeded. Try again in 1 seconds."},
     "Rate limit is exceeded. Try again in 1 seconds."),
    ({"Code": "NameIsRequired", "Error": "BadRequest", "Message": "Name is required"},
     "NameIsRequired — BadRequest — Name is required"),
    ({"title": "Validation", "errors": {"Code": ["too long"]}}, "Validation — Code: too long"),
    ([{"Code": "A", "Message": "first"}, {"Code": "B", "Message": "second"}],
     "A — first; B — second"),
    ("<html>", None),
])
def test_vendor_message(body, expected):
    raw = body if isinstance(body, str) else json.dumps(body)
    assert vendor_message(raw) == expected


@pytest.mark.parametrize("body, is_error", [
    ({"title": "x", "status": 500}, True),
    ({"Code": "X", "Message": "y"}, True),
    ({"success": False, "data": None}, True),
    ({"Id": 1, "Code": "X", "Message": "a field"}, False),
    ({"Code": "100", "Name": "Bygg"}, False),
    ([], False),
])
def test_looks_like_error(body, is_error):
    assert looks_like_error(body) is is_error


def test_errors_are_grunndata_errors_with_one_line_messages():
    err = ApiError("PowerOffice", "Projects", "avvist", operation="create", key="100",
                   status=400, message="Code\nalready in use", secrets=[])
    assert isinstance(err, GrunndataError)
    assert str(err) == "PowerOffice: opprette Projects '100': avvist (HTTP 400): Code already in use"
    for cls in (BadResponse, TransportFailure):
        assert issubclass(cls, ApiError)


# -- MockTransport: situations a real server cannot easily stage ----------------------------

def po_with(handler, **kw) -> PowerOfficeClient:
    kw.setdefault("retry", RetryPolicy(max_attempts=3, base_delay=0.001))
    return PowerOfficeClient("http://po.test/v2", "http://po.test/OAuth/Token", APP_KEY,
                             CLIENT_KEY, SUB_KEY, transport=httpx.MockTransport(handler),
                             rate_per_second=None, **kw)


def token_or(handler):
    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/OAuth/Token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 1200})
        return handler(request)
    return route


@pytest.mark.anyio
async def test_a_connect_error_is_safe_to_retry_even_for_a_create():
    posts = []

    def handler(request):
        posts.append(request)
        if len(posts) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(201, json={"Id": 1, "Code": "100"})
    async with po_with(token_or(handler)) as po:
        assert (await po.create("Projects", {"Code": "100"}))["Id"] == 1
    assert len(posts) == 2


@pytest.mark.anyio
async def test_a_write_timeout_on_a_create_is_ambiguous():
    def handler(request):
        raise httpx.WriteTimeout("slow", request=request)
    async with po_with(token_or(handler)) as po:
        with pytest.raises(TransportFailure) as err:
            await po.create("Products", {"Code": "M1"}, key="M1")
    assert err.value.ambiguous


@pytest.mark.anyio
async def test_an_unsupported_protocol_is_not_retried():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.UnsupportedProtocol("nope", request=request)
    async with po_with(token_or(handler)) as po:
        with pytest.raises(TransportFailure, match="kunne ikke sendes"):
            await po.list("Projects")
    assert len(calls) == 1


@pytest.mark.anyio
async def test_a_token_without_access_token_is_a_bad_response():
    def handler(request):
        return httpx.Response(200, json={"token_type": "bearer"})
    async with po_with(handler) as po:
        with pytest.raises(BadResponse, match="access_token"):
            await po.list("Projects")


@pytest.mark.anyio
async def test_time_tracking_v1_envelopes_are_unwrapped():
    def handler(request):
        return httpx.Response(200, json={"data": [{"id": 1, "description": "Normaltid"}],
                                         "success": True, "count": 1})
    async with po_with(token_or(handler)) as po:
        assert await po.list("TimeTracking/HourType") == [{"id": 1, "description": "Normaltid"}]


@pytest.mark.anyio
async def test_a_failed_v1_envelope_is_a_bad_response():
    def handler(request):
        return httpx.Response(200, json={"data": None, "success": False,
                                         "message": "HourType not enabled"})
    async with po_with(token_or(handler)) as po:
        with pytest.raises(BadResponse, match="HourType not enabled"):
            await po.list("TimeTracking/HourType")


@pytest.mark.anyio
async def test_smartdok_accepts_a_bare_session_token_as_text():
    seen = []

    def handler(request):
        if request.url.path == "/Authorize/ApiToken":
            return httpx.Response(200, text="abc.DEF_123-token", headers={"content-type": "text/plain"})
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json=[])
    async with SmartDokClient("http://sd.test", "api-token-xyz",
                              transport=httpx.MockTransport(handler)) as sd:
        await sd.list("WorkDescriptions")
    assert seen == ["Bearer abc.DEF_123-token"]


@pytest.mark.anyio
async def test_smartdok_sub_project_create_needs_a_parent():
    async with SmartDokClient("http://sd.test", "tok", transport=httpx.MockTransport(
            lambda r: httpx.Response(500))) as sd:
        with pytest.raises(ValueError):
            await sd.create("SubProjects", {"SubProjectNumber": "1"})
