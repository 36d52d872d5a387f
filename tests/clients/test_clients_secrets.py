"""Secrets never reach exception messages, log output or reprs."""
from __future__ import annotations

import logging

import pytest

from _clients_loopback import ALL_SECRETS, APP_KEY, CLIENT_KEY, DROP, SUB_KEY, Reply, reply
from grunndata.clients import ApiError

pytestmark = pytest.mark.anyio


def echo_headers(status: int):
    """A misbehaving server that quotes our request headers back in its error body."""
    def step(seen):
        return reply(status, {"title": "Echo", "detail": repr(seen.headers)})
    return step


def assert_clean(text: str, *extra: str) -> None:
    for secret in ALL_SECRETS + extra:
        assert secret not in text


async def test_poweroffice_secrets_stay_out_of_errors_and_logs(lb, make_po, caplog):
    caplog.set_level(logging.DEBUG)
    lb.on("GET", "/v2/Projects", echo_headers(400))
    lb.on("GET", "/v2/Products", Reply(200, raw=f"<html>{APP_KEY} {CLIENT_KEY} {SUB_KEY}</html>",
                                       content_type="text/html"))
    lb.on("POST", "/v2/Customers", DROP)
    messages = []
    async with make_po() as po:
        for call in (po.list("Projects"), po.list("Products"), po.create("Customers", {"Number": 1})):
            with pytest.raises(ApiError) as err:
                await call
            messages.append(str(err.value))
            messages.append(repr(err.value))
            messages.append(getattr(err.value, "excerpt", ""))
        messages.append(repr(po))
        token = po._auth.token
    assert token and "Echo" in messages[0] and "***" in messages[0]
    assert_clean("\n".join(messages), token)
    assert "PowerOffice GET /Projects -> 400" in caplog.text
    assert_clean(caplog.text, token)


async def test_smartdok_secrets_stay_out_of_errors_and_logs(lb, make_sd, caplog):
    caplog.set_level(logging.DEBUG)
    lb.on("POST", "/Authorize/ApiToken", lambda seen: reply(
        401, {"Code": "Unauthorized", "Message": f"bad token {seen.body.decode()}"}))
    async with make_sd() as sd:
        with pytest.raises(ApiError) as err:
            await sd.list("Projects")
        assert_clean(str(err.value) + repr(sd))
    assert "bad token" in str(err.value)
    assert_clean(caplog.text)


async def test_smartdok_session_token_stays_out_of_errors(lb, make_sd):
    lb.on("PUT", "/WorkDescriptions/3", echo_headers(400))
    lb.on("GET", "/WorkDescriptions/3", reply(200, {"Id": 3, "Number": "A3", "Name": "x"}))
    async with make_sd() as sd:
        with pytest.raises(ApiError) as err:
            await sd.update("WorkDescriptions", 3, {"Name": "y"})
    assert_clean(str(err.value), "sd-session-1")
