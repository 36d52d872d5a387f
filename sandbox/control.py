"""The ``/_sandbox/`` control surface, request statistics and fault injection.

Every emulator is wrapped in a :class:`ControlApp`. It answers ``/_sandbox/...``
itself (no auth), counts every other request by method and path template, and
applies pending faults before the request reaches the emulator:

* ``status``: answer that status at once (the write is *not* made) with the
  vendor's error body, or ``body``/``headers`` as given; ``after_commit``
  runs the real handler first and then answers the fault status instead.
* ``delay``: sleep that many seconds first (real time), then go on.
* ``drop``: run the real handler (the write is committed), then drop the
  connection without an answer. Served by uvicorn the socket is closed; in
  process (``httpx.ASGITransport``) ``httpx.RemoteProtocolError`` is raised,
  which is what an ``httpx`` client sees when a real server hangs up.

Control endpoints, on each server::

    GET    /_sandbox/world     current state in world-file format (both systems)
    GET    /_sandbox/stats     {"requests": {"GET /v2/Projects": 3}, "writes": 1}
    GET    /_sandbox/faults    pending faults
    POST   /_sandbox/faults    {"method", "path", "count", "status", "delay", "drop",
                                "after_commit", "body", "headers", "retry_after"} (or a list)
    DELETE /_sandbox/faults    clear this server's faults
    POST   /_sandbox/reset     back to the loaded world (optional body: a new world)
    POST   /_sandbox/clock     {"advance": seconds} moves the sandbox clock (token expiry)
"""
from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from starlette.requests import ClientDisconnect
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from grunndata.errors import GrunndataError
from grunndata.sandbox.common import empty, json_response

if TYPE_CHECKING:
    from grunndata.sandbox.app import Sandbox

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTH_PATHS = frozenset({"/OAuth/Token", "/Authorize/ApiToken"})
FaultRenderer = Callable[["Fault", str], Any]


@dataclass
class Fault:
    method: str
    path: str
    remaining: int = 1
    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    after_commit: bool = False
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str, template: str | None) -> bool:
        if self.method != "*" and self.method != method:
            return False
        return self.path in (path, template)

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "count": self.remaining, "status": self.status,
                "delay": self.delay, "drop": self.drop, "after_commit": self.after_commit,
                "body": self.body, "headers": dict(self.headers)}


def make_fault(method: str, path: str, *, count: int = 1, status: int | None = None, delay: float = 0.0,
               drop: bool = False, after_commit: bool = False, body: str | None = None,
               headers: dict[str, str] | None = None, retry_after: float | int | None = None) -> Fault:
    """Check and build a fault; raises ValueError with a readable message."""
    if not isinstance(method, str) or not method:
        raise ValueError("method must be an HTTP method or '*'")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError("path must start with '/' (e.g. /v2/Projects or /v2/Projects/{id})")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError("count must be a positive integer")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599):
        raise ValueError("status must be an HTTP status code")
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
        raise ValueError("delay must be a number of seconds >= 0")
    if body is not None and not isinstance(body, str):
        body = json.dumps(body, ensure_ascii=False)
    if status is None and not drop and not delay:
        raise ValueError("a fault needs a status, a delay or drop")
    if after_commit and status is None:
        raise ValueError("after_commit needs a status")
    hdrs = {str(k): str(v) for k, v in (headers or {}).items()}
    if retry_after is not None:
        hdrs["Retry-After"] = str(retry_after)
    return Fault(method=method.upper(), path=path, remaining=count, status=status, delay=float(delay),
                 drop=bool(drop), after_commit=bool(after_commit), body=body, headers=hdrs)


class ServerControl:
    """Faults and request counts of one emulated server."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.requests: Counter[str] = Counter()
        self.writes = 0

    def take_fault(self, method: str, path: str, template: str | None) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, path, template):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def count(self, method: str, path: str, template: str | None) -> None:
        self.requests[f"{method} {template or path}"] += 1
        if method in WRITE_METHODS and path not in AUTH_PATHS:
            self.writes += 1

    def clear_stats(self) -> None:
        self.requests.clear()
        self.writes = 0


def template_of(routes: list[Route], scope: Scope) -> str | None:
    for route in routes:
        match, _ = route.matches(scope)
        if match in (Match.FULL, Match.PARTIAL):
            return route.path
    return None


class ControlApp:
    """ASGI wrapper around one emulator: control endpoints, stats and faults."""

    def __init__(self, sandbox: Sandbox, system: str, inner: Callable[[Scope, Receive, Send], Awaitable[None]],
                 routes: list[Route], render_fault: FaultRenderer):
        self.sandbox = sandbox
        self.system = system
        self.inner = inner
        self.routes = routes
        self.render_fault = render_fault

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
            return
        path = scope["path"]
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            response = await self._control(scope, receive)
            await response(scope, receive, send)
            return
        try:
            await self._emulate(scope, receive, send, path)
        except ClientDisconnect:
            return  # the client went away mid-request (e.g. a killed apply): no one to answer

    async def _emulate(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        method = scope["method"].upper()
        template = template_of(self.routes, scope)
        with self.sandbox.lock:
            control = self.sandbox.controls[self.system]
            control.count(method, path, template)
            fault = control.take_fault(method, path, template)
        if fault is None:
            await self.inner(scope, receive, send)
            return
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            await self.inner(scope, receive, _swallow)
            await _drop_connection(send)
            return
        if fault.status is None:
            await self.inner(scope, receive, send)
            return
        if fault.after_commit:
            await self.inner(scope, receive, _swallow)
        await self.render_fault(fault, path)(scope, receive, send)

    async def _control(self, scope: Scope, receive: Receive) -> Any:
        from starlette.requests import Request

        request = Request(scope, receive)
        sb = self.sandbox
        action = scope["path"].rstrip("/").removeprefix("/_sandbox").strip("/")
        method = scope["method"].upper()
        if action == "world" and method == "GET":
            return json_response(sb.world())
        if action == "stats" and method == "GET":
            with sb.lock:
                control = sb.controls[self.system]
                return json_response({"requests": dict(control.requests), "writes": control.writes})
        if action == "faults":
            if method == "GET":
                return json_response(sb.faults(self.system))
            if method == "DELETE":
                sb.clear_faults(self.system)
                return json_response([])
            if method == "POST":
                try:
                    data = json.loads(await request.body() or b"null")
                    items = data if isinstance(data, list) else [data]
                    faults = []
                    for item in items:
                        if not isinstance(item, dict):
                            raise ValueError("a fault is a JSON object")
                        kwargs = dict(item)
                        if "drop_after_commit" in kwargs:
                            kwargs["drop"] = kwargs.pop("drop_after_commit")
                        faults.append(make_fault(**kwargs))
                except (ValueError, TypeError) as exc:
                    return json_response({"error": str(exc)}, 400)
                with sb.lock:
                    sb.controls[self.system].faults.extend(faults)
                return json_response(sb.faults(self.system))
        if action == "reset" and method == "POST":
            raw = await request.body()
            try:
                world = json.loads(raw) if raw.strip() else None
                sb.reset(world)
            except json.JSONDecodeError as exc:
                return json_response({"error": f"not valid JSON: {exc}"}, 400)
            except GrunndataError as exc:
                return json_response({"error": str(exc)}, 400)
            return json_response({"reset": True})
        if action == "clock" and method == "POST":
            try:
                data = json.loads(await request.body() or b"{}")
                seconds = float(data.get("advance", 0))
            except (ValueError, TypeError, AttributeError):
                return json_response({"error": 'body must be {"advance": seconds}'}, 400)
            sb.advance_clock(seconds)
            return json_response({"offset": sb.clock_offset})
        if action in ("world", "stats", "faults", "reset", "clock"):
            return empty(405)
        return json_response({"error": f"unknown control endpoint /_sandbox/{action}"}, 404)


async def _swallow(message: Message) -> None:
    """The response of a request whose connection is about to be dropped goes nowhere."""


async def _drop_connection(send: Send) -> None:
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        # Served by uvicorn: close the socket; uvicorn then sees a client gone and stays quiet.
        transport.close()
        for _ in range(100):
            if getattr(cycle, "disconnected", True):
                return
            await asyncio.sleep(0)
        return
    import httpx

    # In process there is no socket; this is the error httpx raises when a server hangs up.
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
