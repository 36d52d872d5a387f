"""The ``/_sandbox/`` control surface and the fault injection around each emulator.

Every emulator is wrapped in a :class:`ControlApp`. It answers ``/_sandbox/...``
itself (no auth). Every other request is served from one world, which its entry
(:mod:`grunndata.sandbox.tenancy`) picks by the request's credentials; the request is
counted in that world's stats by method and path template, and that world's pending
faults (:mod:`grunndata.sandbox.faults`) apply before the request reaches the emulator.
Control calls name a world with ``?tenant=NAME`` (``*``: all of them, where that makes
sense); a sandbox with several tenants refuses a call that names none. A dropped connection: served by uvicorn the socket is closed; in
process (``httpx.ASGITransport``) ``httpx.RemoteProtocolError`` is raised, which is
what an ``httpx`` client sees when a real server hangs up.

Every endpoint is documented in ``docs/SANDBOX.md``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from grunndata.errors import GrunndataError
from grunndata.sandbox import contract
from grunndata.sandbox.common import ApiError, empty, json_response
from grunndata.sandbox.contract import NotEmulated
from grunndata.sandbox.faults import Fault, make_fault
from grunndata.sandbox.resources import PO
from grunndata.sandbox.state import TenantNeeded, UnknownTenant
from grunndata.sandbox.tenancy import entry_for
from grunndata.sandbox.world import parse_world_text

if TYPE_CHECKING:
    from grunndata.sandbox.state import State
    from grunndata.sandbox.world_state import World

FaultRenderer = Callable[[Fault, str], Any]
ASGI = Callable[[Scope, Receive, Send], Awaitable[None]]
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]
ACTIONS = ("world", "stats", "faults", "reset", "clock")


def template_of(routes: list[Route], scope: Scope) -> str | None:
    for route in routes:
        match, _ = route.matches(scope)
        if match in (Match.FULL, Match.PARTIAL):
            return route.path
    return None


@dataclass(frozen=True)
class Vendor:
    """What one emulator answers beside its handlers, in its vendor's manner.

    ``prefix`` is where the vendor's contract is served; ``gate`` wraps the app in the vendor's
    credentials check; ``not_emulated`` answers an operation of the contract that is not
    emulated (501); ``on_api_error`` renders an :class:`ApiError` and ``on_http_error``
    Starlette's own 404 and 405, both in the vendor's error format.
    """

    system: str
    prefix: str
    gate: Callable[[State, ASGI], ASGI]
    render_fault: FaultRenderer
    not_emulated: NotEmulated
    on_api_error: ErrorHandler
    on_http_error: ErrorHandler


def emulator_app(state: State, vendor: Vendor, routes: list[Route], *, unchecked: Sequence[Route] = ()) -> ControlApp:
    """One emulator as served: its routes bound to the vendor's contract (``unchecked``, routes
    outside the contract, first), behind its vendor's gate, inside the control surface."""
    bound, missing = contract.bind(vendor.system, vendor.prefix, routes, vendor.not_emulated)
    served = [*unchecked, *bound]
    handlers = {ApiError: vendor.on_api_error, 404: vendor.on_http_error, 405: vendor.on_http_error}
    inner = Starlette(routes=served, exception_handlers=handlers)
    app = ControlApp(state, vendor.system, vendor.gate(state, inner), served, vendor.render_fault)
    app.not_emulated = missing
    return app


class ControlApp:
    """ASGI wrapper around one emulator: control endpoints, stats and faults."""

    def __init__(
        self,
        state: State,
        system: str,
        inner: Callable[[Scope, Receive, Send], Awaitable[None]],
        routes: list[Route],
        render_fault: FaultRenderer,
    ):
        self.state = state
        self.system = system
        self.inner = inner
        self.routes = routes
        self.render_fault = render_fault
        self.entry = entry_for(system)
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
        world, receive = await self.entry(self.state, scope, receive)
        try:
            with self.state.serving(world):
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
        if action not in ACTIONS:
            return json_response({"error": f"unknown control endpoint /_sandbox/{action}"}, 404)
        allowed = {
            "world": ("GET",),
            "stats": ("GET",),
            "faults": ("GET", "POST", "DELETE"),
            "reset": ("POST",),
            "clock": ("POST",),
        }[action]
        if method not in allowed:
            return empty(405)
        tenant = request.query_params.get("tenant")
        try:
            # The clock is the whole sandbox's: it needs no tenant, but a named one must exist.
            target = None if action == "clock" and tenant is None else state.target(tenant)
        except TenantNeeded as exc:
            return json_response(
                {"error": str(exc), "tenants": exc.tenants}, 404 if isinstance(exc, UnknownTenant) else 400
            )
        if action == "world":
            return json_response(state.dump(target.name if target is not None else None))
        if action == "stats":
            return json_response(self._stats(target))
        if action == "faults":
            return await self._faults(request, method, target)
        if action == "reset":
            return await self._reset(request, target)
        try:
            data = json.loads(await request.body() or b"{}")
            seconds = float(data.get("advance", 0))
        except (ValueError, TypeError, AttributeError):
            return json_response({"error": 'body must be {"advance": seconds}'}, 400)
        state.advance_clock(seconds)
        return json_response({"offset": state.clock_offset})

    def _stats(self, target: World | None) -> dict[str, Any]:
        """One world's requests and writes on this server (``*``: every tenant's); PowerOffice adds "rate"."""
        state = self.state
        with state.lock:
            if target is not None or not state.multi:
                out = (target or state.worlds[None]).stats(self.system)
            else:
                out = {"tenants": {world.name: world.stats(self.system) for world in state.worlds.values()}}
            if self.system == PO:
                out["rate"] = state.rates.report()
            return out

    async def _faults(self, request: Request, method: str, target: World | None) -> Any:
        state = self.state
        if target is None:
            if method != "DELETE":
                return json_response(
                    {
                        "error": "faults belong to one tenant: name it with ?tenant=NAME "
                        "(DELETE takes * to clear every tenant's)",
                        "tenants": state.tenant_names(),
                    },
                    400,
                )
            with state.lock:
                for world in state.worlds.values():
                    world.controls[self.system].faults.clear()
            return json_response([])
        control = target.controls[self.system]
        if method == "GET":
            with state.lock:
                return json_response([f.as_dict() for f in control.faults])
        if method == "DELETE":
            with state.lock:
                control.faults.clear()
            return json_response([])
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

    async def _reset(self, request: Request, target: World | None) -> Any:
        """No body: back to the start world (the ``--world`` file). A body: that world, YAML or JSON.

        ``target`` is the tenant to reset, or None for the whole sandbox.
        """
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return json_response({"error": "the world must be UTF-8 text"}, 400)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        source = "POST /_sandbox/reset"
        try:
            world = None
            if text.strip():
                world = parse_world_text(text, source, as_json=media.endswith("json"))
                if world is None:
                    world = {}
                if not isinstance(world, dict):  # never a path: a body names no file on this machine
                    raise GrunndataError(
                        f"{source}: a world must be a mapping with keys "
                        f"smartdok, poweroffice, credentials (got {type(world).__name__})"
                    )
            if target is None or target.name is None:
                self.state.reset(world, name=source)
            else:
                self.state.reset_tenant(target.name, world, name=source)
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
