"""Bearer credentials as ``httpx.Auth``: PowerOffice's OAuth token, SmartDok's session.

httpx runs the flow around every authenticated request: the credential is fetched on first
use (one fetch shared by concurrent requests), renewed shortly before it expires when its
lifetime is known, and renewed once when the server answers 401 — then the request is sent
again, once. A second 401 is the caller's answer (an ``AuthError``). The fetch itself goes
through the client's request loop (retries, typed errors, secrets redacted), outside the flow.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

import httpx

log = logging.getLogger("grunndata.clients")

# (credential, lifetime in seconds, or None when the server does not say)
Fetch = Callable[[], Awaitable[tuple[str, float | None]]]


class BearerAuth(httpx.Auth):
    """A bearer credential fetched with ``fetch``; see the module docstring."""

    system = "?"

    def __init__(
        self,
        fetch: Fetch,
        *,
        clock: Callable[[], float] = time.monotonic,
        pace: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        # Paces the one resend after a 401 like any other request (the client's rate limiter).
        self.pace = pace
        self.token: str | None = None
        self._renew_at = math.inf
        self._lock: asyncio.Lock | None = None

    def renew_at(self, lifetime: float) -> float:
        """When to renew a credential valid for ``lifetime`` seconds from now: a minute early (half
        its life if shorter), so it never expires between our check and the server's."""
        return self._clock() + lifetime - min(60.0, lifetime / 2)

    def fresh(self) -> bool:
        return self.token is not None and self._clock() < self._renew_at

    async def current(self) -> str:
        """The credential to send now, fetched or renewed when needed (one fetch at a time)."""
        if self.fresh():
            return self.token  # type: ignore[return-value]
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.fresh():
                return self.token  # type: ignore[return-value]
            token, lifetime = await self._fetch()
            self.token = token
            self._renew_at = math.inf if lifetime is None else self.renew_at(lifetime)
            return token

    def held(self) -> tuple[str, float] | None:
        """The credential and when it is due for renewal (on this auth's clock), while it is fresh:
        what a long-lived process keeps to hand the next client of the same account (:meth:`adopt`)."""
        if not self.fresh():
            return None
        return self.token, self._renew_at  # type: ignore[return-value]

    def adopt(self, token: str, renew_at: float) -> None:
        """Use a credential a previous client of the same account fetched (see :meth:`held`); a 401
        drops it and fetches anew as usual."""
        self.token, self._renew_at = token, renew_at

    def drop(self, token: str) -> None:
        # Only the request that used the current credential drops it; the others reuse the new one.
        if self.token == token:
            self.token = None

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("grunndata's API clients are asynchronous")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            log.debug("%s %s %s: HTTP 401, renewing the credential once", self.system, request.method, request.url.path)
            self.drop(token)
            token = await self.current()
            request.headers["Authorization"] = f"Bearer {token}"
            if self.pace is not None:
                await self.pace()
            yield request
