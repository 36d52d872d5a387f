"""Fixtures for the client tests: a loopback server per session, reset per test."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from _clients_loopback import FAST, SD_TOKEN, APP_KEY, CLIENT_KEY, SUB_KEY, Loopback, _Server
from grunndata.clients import PowerOfficeClient, SmartDokClient


@pytest.fixture(scope="session")
def _loopback_server():
    lb = Loopback()
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", lb.handle, methods=methods)])
    server = _Server(app)
    server.start()
    lb.url = f"http://127.0.0.1:{server.port}"
    yield lb
    server.stop()


@pytest.fixture
def lb(_loopback_server: Loopback) -> Loopback:
    _loopback_server.reset()
    return _loopback_server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def make_po(lb: Loopback) -> Callable[..., PowerOfficeClient]:
    def make(**kw: Any) -> PowerOfficeClient:
        kw.setdefault("retry", FAST)
        kw.setdefault("rate_per_second", None)
        kw.setdefault("timeout", 5.0)
        return PowerOfficeClient(lb.url + "/v2", lb.url + "/OAuth/Token", APP_KEY, CLIENT_KEY,
                                 SUB_KEY, **kw)
    return make


@pytest.fixture
def make_sd(lb: Loopback) -> Callable[..., SmartDokClient]:
    def make(**kw: Any) -> SmartDokClient:
        kw.setdefault("retry", FAST)
        kw.setdefault("timeout", 5.0)
        return SmartDokClient(lb.url, SD_TOKEN, **kw)
    return make
