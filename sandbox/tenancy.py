"""Which world a request is served from: the tenant its credentials name.

The entry of each emulator (:class:`grunndata.sandbox.control.ControlApp`) calls
:func:`entry_for` ``(system)`` for every request outside ``/_sandbox/`` before it counts
the request or applies a fault, then serves the request from the world it picked.

* A world file without tenants: every request is served from its one world, and the
  emulators check credentials as they always did.
* With tenants, on SmartDok: ``POST /Authorize/ApiToken`` is served from the tenant whose
  ``api_token`` is the body's ``Token``; every other call from the tenant whose sign-in
  issued its Bearer session.
* With tenants, on PowerOffice: ``POST /OAuth/Token`` is served from the tenant whose
  ``client_key`` is in the Basic header; every other call from the tenant its Bearer token
  was issued to. PowerOffice's entry also counts the request's arrival for its
  subscription key (``"rate"`` in ``/_sandbox/stats``), whatever the answer will be.

A request that names no tenant is served from a world with no records whose credentials
nobody can know (``State.nobody``): the emulators then answer exactly as the vendors
answer bad credentials (SmartDok 401 ``InvalidToken`` or 401 without a body;
PowerOffice's gateway checks first, then 401 ``invalid_client`` or 401 ProblemDetails).
Such requests count in no tenant's stats.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.types import Message, Receive, Scope

from grunndata.sandbox.resources import PO, SD

if TYPE_CHECKING:
    from grunndata.sandbox.state import State
    from grunndata.sandbox.world_state import World

Entry = Callable[["State", Scope, Receive], Awaitable[tuple["World", Receive]]]
SD_SIGN_IN = "/Authorize/ApiToken"
PO_SIGN_IN = "/OAuth/Token"
SUBSCRIPTION_HEADER = b"ocp-apim-subscription-key"


def entry_for(system: str) -> Entry:
    return _smartdok if system == SD else _poweroffice


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _bearer(scope: Scope) -> str | None:
    scheme, _, token = _header(scope, b"authorization").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def _smartdok(state: State, scope: Scope, receive: Receive) -> tuple[World, Receive]:
    if not state.multi:
        return state.worlds[None], receive
    if scope["path"] == SD_SIGN_IN and scope["method"].upper() == "POST":
        body, receive = await _buffered(receive)
        return _pick(state, SD, selector=_sign_in_token(body)), receive
    return _pick(state, SD, token=_bearer(scope)), receive


async def _poweroffice(state: State, scope: Scope, receive: Receive) -> tuple[World, Receive]:
    state.arrive(_header(scope, SUBSCRIPTION_HEADER).strip())
    if not state.multi:
        return state.worlds[None], receive
    if scope["path"] == PO_SIGN_IN:
        return _pick(state, PO, selector=_client_key(_header(scope, b"authorization"))), receive
    return _pick(state, PO, token=_bearer(scope)), receive


def _pick(state: State, system: str, *, selector: str | None = None, token: str | None = None) -> World:
    """The world a sign-in's credential selects, or the one that issued ``token``; else nobody's."""
    world: World | None = None
    if selector:
        world = state.by_selector(system, selector)
    elif token:
        world = state.owner(system, token)
    return world or state.nobody


def _sign_in_token(body: bytes) -> str | None:
    """SmartDok's ``{"Token": …}`` (the key in any case, as ASP.NET binds it)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    for key, value in data.items():
        if str(key).lower() == "token" and isinstance(value, str):
            return value
    return None


def _client_key(authorization: str) -> str | None:
    """The client key of ``Basic base64(applicationKey:clientKey)``."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _, sep, client_key = decoded.partition(":")
    return client_key if sep else None


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the emulator again."""
    chunks: list[bytes] = []
    pending: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending.append(message)  # the client went away: the emulator sees that too
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replay: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *pending]

    async def again() -> Message:
        if replay:
            return replay.pop(0)
        return await receive()

    return body, again
