"""The ``/_sandbox/`` control surface and the fault injection around each emulator.

Every emulator is wrapped in a :class:`ControlApp`. It answers ``/_sandbox/...``
itself (no auth), counts every other request by method and path template, and
applies pending faults (:mod:`grunndata.sandbox.faults`) before the request reaches
the emulator. A dropped connection: served by uvicorn the socket is closed; in
process (``httpx.ASGITransport``) ``httpx.RemoteProtocolError`` is raised, which is
what an ``httpx`` client sees when a real server hangs up.

Every endpoint is documented in ``docs/SANDBOX.md``.
"""
from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from starlette.requests import ClientDisconnect, Request
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from grunndata.errors import GrunndataError
from grunndata.sandbox.common import empty, json_response
from grunndata.sandbox.faults import Fault, make_fault
from grunndata.sandbox.world import parse_world_text

if TYPE_CHECKING:
    from grunndata.sandbox.state import State

FaultRenderer = Callable[[Fault, str], Any]
ACTIONS = ("world", "stats", "faults", "reset", "clock")


def template_of(routes: list[Route], scope: Scope) -> str | None:
    for route in routes:
        match, _ = route.matches(scope)
        if match in (Match.FULL, Match.PARTIAL):
            return route.path
    return None


class ControlApp:
    """ASGI wrapper around one emulator: control endpoints, stats and faults."""

    def __init__(self, state: State, system: str, inner: Callable[[Scope, Receive, Send], Awaitable[None]],
                 routes: list[Route], render_fault: FaultRenderer):
        self.state = state
        self.system = system
        self.inner = inner
        self.routes = routes
        self.render_fault = render_fault
        self.not_emulated: list[tuple[str, str]] = []  # (METHOD, spec path) answered 501

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
        state = self.state
        with state.lock:
            control = state.controls[self.system]
            control.count(method, path, template)
            fault = control.take_fault(method, path, template)
        if fault is None:
            await self.inner(scope, receive, send)
            return
        if fault.delay:
            with state.lock:
                control.held += 1
                control.delayed += 1
            try:
                await asyncio.sleep(fault.delay)
            finally:
                with state.lock:
                    control.held -= 1
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
        request = Request(scope, receive)
        state = self.state
        action = scope["path"].rstrip("/").removeprefix("/_sandbox").strip("/")
        method = scope["method"].upper()
        if action == "world" and method == "GET":
            return json_response(state.dump())
        if action == "stats" and method == "GET":
            with state.lock:
                control = state.controls[self.system]
                return json_response({"requests": dict(control.requests), "writes": control.writes})
        if action == "faults":
            return await self._faults(request, method)
        if action == "reset" and method == "POST":
            return await self._reset(request)
        if action == "clock" and method == "POST":
            try:
                data = json.loads(await request.body() or b"{}")
                seconds = float(data.get("advance", 0))
            except (ValueError, TypeError, AttributeError):
                return json_response({"error": 'body must be {"advance": seconds}'}, 400)
            state.advance_clock(seconds)
            return json_response({"offset": state.clock_offset})
        if action in ACTIONS:
            return empty(405)
        return json_response({"error": f"unknown control endpoint /_sandbox/{action}"}, 404)

    async def _faults(self, request: Request, method: str) -> Any:
        state = self.state
        control = state.controls[self.system]
        if method == "GET":
            with state.lock:
                return json_response([f.as_dict() for f in control.faults])
        if method == "DELETE":
            with state.lock:
                control.faults.clear()
            return json_response([])
        if method != "POST":
            return empty(405)
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
        with state.lock:
            control.faults.extend(faults)
            return json_response([f.as_dict() for f in control.faults])

    async def _reset(self, request: Request) -> Any:
        """No body: back to the start world (the ``--world`` file). A body: that world, YAML or JSON."""
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return json_response({"error": "the world must be UTF-8 text"}, 400)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            world = None
            if text.strip():
                world = parse_world_text(text, "POST /_sandbox/reset", as_json=media.endswith("json"))
                if world is None:
                    world = {}
                if not isinstance(world, dict):  # never a path: a body names no file on this machine
                    raise GrunndataError("POST /_sandbox/reset: a world must be a mapping with keys "
                                         f"smartdok, poweroffice, credentials (got {type(world).__name__})")
            self.state.reset(world, name="POST /_sandbox/reset")
        except GrunndataError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response({"reset": True})


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
