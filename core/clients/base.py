"""The request loop both clients share: auth (an ``httpx.Auth``), limits, retries, error mapping, logging."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, Unpack

import httpx

from grunndata.clients.auth import BearerAuth
from grunndata.clients.errors import (
    ERROR_FOR_STATUS,
    ApiError,
    BadResponse,
    RateLimited,
    TransportFailure,
    excerpt,
    looks_like_error,
    redact,
    vendor_message,
)
from grunndata.clients.options import PacedOptions
from grunndata.clients.retry import RateLimiter, RetryPolicy, parse_retry_after

log = logging.getLogger("grunndata.clients")

# Nothing reached the server: resending is harmless whatever the method.
NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Our own mistakes (bad URL, bad header): trying again cannot help.
NOT_TRANSIENT = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)

_PROBLEM = {
    400: "avvist",
    401: "innloggingen ble avvist",
    403: "ingen tilgang (mangler en rettighet?)",
    404: "finnes ikke",
    409: "konflikt",
    429: "for mange forespørsler (grensen er nådd)",
}


class Limiter(Protocol):
    """Where a client's requests take their place in a rate window: the per-process
    :class:`RateLimiter`, or one shared by many processes (grunndata.operator.limiter). ``write``:
    the request changes something (a shared limiter lets writes of running work go first)."""

    async def acquire(self, *, write: bool = False) -> None: ...

    def release(self) -> None: ...


@dataclass
class Call:
    """One logical request (retries included)."""

    method: str
    template: str  # path template relative to the base URL, for counting
    path: str  # the concrete path
    resource: str
    operation: str
    key: str | None = None
    params: Mapping[str, Any] | None = None
    body: Any = None
    has_body: bool = False
    content_type: str = "application/json"
    idempotent: bool = True  # resending after a possibly delivered attempt is harmless
    read: bool = False  # a 500 deserves another try
    authenticated: bool = True
    url: str | None = None  # absolute URL (token endpoints outside the base)
    extra_headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes | None:
        if not self.has_body:
            return None
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False, default=str).encode("utf-8")


class BaseClient:
    system = "?"

    def __init__(self, base_url: str, **options: Unpack[PacedOptions]) -> None:
        self._base_url = base_url.rstrip("/")
        timeout, rate = options.get("timeout", 30.0), options.get("rate_per_second")
        self._http = httpx.AsyncClient(
            transport=options.get("transport"),
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            follow_redirects=False,
        )
        self._retry = options.get("retry") or RetryPolicy()
        self._slots = asyncio.Semaphore(max(1, options.get("max_concurrency", 4)))
        # An injected limiter (shared by every worker of an operator) replaces this process's own.
        self._limiter: Limiter | None = options.get("limiter") or (RateLimiter(rate) if rate else None)
        self._hold_until = 0.0
        self._auth: BearerAuth | None = None
        self.request_count = 0
        self.throttled = 0  # answers 429 (the operator's metrics)
        self.requests: Counter[str] = Counter()

    @property
    def auth(self) -> BearerAuth | None:
        """The client's bearer credential (None for a client that signs nothing)."""
        return self._auth

    def _use_auth(self, auth: BearerAuth) -> None:
        """Authenticated requests carry ``auth``; its one resend after a 401 is paced like any request."""
        auth.system = self.system
        auth.pace = self._pace_again
        self._auth = auth

    async def _pace(self, call: Call | None = None) -> None:
        """Wait for a place in the rate window; ``_send`` releases it when the answer is back."""
        if self._limiter is not None:
            await self._limiter.acquire(write=call is not None and call.method != "GET" and call.authenticated)

    async def _pace_again(self) -> None:
        """The resend after a 401: the first request has its answer (its place is released), the
        resend takes a place of its own, released by ``_send`` like any other."""
        if self._limiter is not None:
            self._limiter.release()
            await self._limiter.acquire()

    # -- hooks for the concrete clients -------------------------------------------------
    def _secrets(self) -> tuple[str | None, ...]:
        return ()

    def _static_headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    # -- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, requests={self.request_count})"

    __str__ = __repr__

    # -- the loop -----------------------------------------------------------------------
    async def _call(self, call: Call) -> httpx.Response:
        """Send ``call`` until it succeeds (2xx) or fails for good; raise a typed error."""
        policy = self._retry
        attempt = 0
        patience_used = 0.0
        while True:
            attempt += 1
            headers = self._static_headers()
            headers.update(call.extra_headers)
            if call.has_body:
                headers["Content-Type"] = call.content_type
            try:
                response = await self._send(call, headers)
            except httpx.TransportError as exc:
                self._raise_unless_resendable(call, exc, attempt)
                await asyncio.sleep(policy.backoff(attempt))
                continue
            status = response.status_code
            if status < 400:
                return response
            retry_after = parse_retry_after(response)
            if status == 429 and retry_after and retry_after <= policy.max_delay:
                # The limit is per subscription: every task of this client should pause.
                self._hold_until = max(self._hold_until, time.monotonic() + retry_after)
            if (
                status == 429
                and retry_after is not None
                and retry_after <= policy.max_delay
                and patience_used + max(1.0, retry_after) <= policy.rate_limit_patience
            ):
                # Refused, not processed, and told when to come back: not a failed attempt.
                patience_used += max(1.0, retry_after)
                attempt -= 1
                log.debug("%s %s %s: HTTP 429, again in %.2f s", self.system, call.method, call.path, retry_after)
                await asyncio.sleep(retry_after)
                continue
            retryable = status in policy.retry_statuses or (status == 500 and call.read)
            if not call.idempotent and status in policy.ambiguous_statuses:
                raise self._error(
                    TransportFailure,
                    call,
                    "feil hos tjeneren etter at forespørselen var sendt; den kan være utført — "
                    "slå opp posten på nøkkelen før den prøves igjen",
                    status=status,
                    message=self._message(response),
                    ambiguous=True,
                )
            if retryable and attempt < policy.max_attempts:
                if retry_after is None:
                    delay = policy.backoff(attempt)
                elif retry_after <= policy.max_delay:
                    delay = retry_after
                else:
                    raise self._status_error(
                        call,
                        response,
                        attempt,
                        f"bedt om å vente {retry_after:.0f} s, mer enn de {policy.max_delay:.0f} s som tillates",
                        retry_after,
                    )
                log.debug(
                    "%s %s %s: HTTP %s, try %d of %d in %.2f s",
                    self.system,
                    call.method,
                    call.path,
                    status,
                    attempt + 1,
                    policy.max_attempts,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            raise self._status_error(call, response, attempt, None, retry_after)

    async def _send(self, call: Call, headers: dict[str, str]) -> httpx.Response:
        wait = self._hold_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        # A sign-in takes no slot: requests holding every slot may be waiting for it.
        auth = self._auth if call.authenticated else None
        if auth is not None:
            # Signed in before the limiter counts this request: a start the limiter records is a
            # request the server sees then, not after a sign-in.
            await auth.current()
        async with self._slots if call.authenticated else nullcontext():
            await self._pace(call)
            started = time.monotonic()
            try:
                response = await self._http.request(
                    call.method,
                    self._address(call),
                    params=call.params,
                    content=call.content(),
                    headers=headers,
                    auth=auth,
                )
            except httpx.TransportError as exc:
                self._count(call, 1)
                self._log(call, type(exc).__name__, started)
                raise
            finally:  # the server has seen it by now, if ever: its place counts from here
                if self._limiter is not None:
                    self._limiter.release()
            # A 401 answered inside the auth flow was sent again: both requests count.
            self._count(call, 1 + len(response.history))
            if response.status_code == 429:
                self.throttled += 1
            self._log(call, response.status_code, started)
            return response

    def _count(self, call: Call, n: int) -> None:
        self.request_count += n
        self.requests[f"{call.method} {call.template}"] += n

    def _address(self, call: Call) -> str:
        """The URL a call goes to (without its query): named in connection errors."""
        return call.url or self._base_url + call.path

    def _log(self, call: Call, outcome: Any, started: float) -> None:
        if log.isEnabledFor(logging.DEBUG):
            ms = (time.monotonic() - started) * 1000
            log.debug(
                "%s", redact(f"{self.system} {call.method} {call.path} -> {outcome} ({ms:.0f} ms)", self._secrets())
            )

    def _raise_unless_resendable(self, call: Call, exc: httpx.TransportError, attempt: int) -> None:
        kind = type(exc).__name__
        where = f"{self.system} på {self._address(call)}"
        reason = f"{kind}: {exc}" if str(exc) else kind
        if isinstance(exc, NOT_TRANSIENT):
            raise self._error(
                TransportFailure, call, f"forespørselen til {where} kunne ikke sendes ({reason})"
            ) from None
        if not isinstance(exc, NOTHING_SENT) and not call.idempotent:
            raise self._error(
                TransportFailure,
                call,
                f"ikke svar fra {where} etter at forespørselen var sendt ({reason}); den kan være utført — "
                "slå opp posten på nøkkelen før den prøves igjen",
                ambiguous=True,
            ) from None
        if attempt >= self._retry.max_attempts:
            what = "kunne ikke koble til" if isinstance(exc, NOTHING_SENT) else "ikke svar fra"
            raise self._error(TransportFailure, call, f"{what} {where} etter {attempt} forsøk: {reason}") from None
        log.debug(
            "%s %s %s: %s, try %d of %d",
            self.system,
            call.method,
            call.path,
            kind,
            attempt + 1,
            self._retry.max_attempts,
        )

    # -- errors and bodies --------------------------------------------------------------
    def _error(self, cls: type[ApiError], call: Call, problem: str, **kwargs: Any) -> ApiError:
        return cls(
            self.system,
            call.resource,
            problem,
            operation=call.operation,
            key=call.key,
            method=call.method,
            path=call.path,
            secrets=self._secrets(),
            **kwargs,
        )

    def _message(self, response: httpx.Response) -> str | None:
        text = _text(response)
        if not text.strip():
            return None
        return vendor_message(text) or excerpt(text, self._secrets(), 120)

    def _status_error(
        self, call: Call, response: httpx.Response, attempt: int, problem: str | None, retry_after: float | None
    ) -> ApiError:
        status = response.status_code
        cls = ERROR_FOR_STATUS.get(status, ApiError)
        if problem is None:
            problem = _PROBLEM.get(status, "feil hos tjeneren" if status >= 500 else "avvist")
            if attempt > 1:
                problem += f" etter {attempt} forsøk"
        extra: dict[str, Any] = {"retry_after": retry_after} if cls is RateLimited else {}
        return self._error(cls, call, problem, status=status, message=self._message(response), **extra)

    def _bad(self, call: Call, response: httpx.Response, problem: str) -> BadResponse:
        text = _text(response)
        ctype = response.headers.get("content-type", "").split(";")[0]
        if ctype:
            problem += f" ({ctype})"
        error = self._error(
            BadResponse, call, problem, status=response.status_code, message=vendor_message(text), body_excerpt=text
        )
        return error  # type: ignore[return-value]

    def _json(self, call: Call, response: httpx.Response, *, allow_empty: bool = False) -> Any:
        try:
            # From the bytes (JSON is UTF-8): decoding to text first would keep a second copy of
            # every page on the response — at 100k projects, 200 MB for SmartDok's project list.
            return self._parsed(call, response, response.content, allow_empty)
        except UnicodeDecodeError:
            pass  # not UTF-8: decode as the response's charset says
        return self._parsed(call, response, _text(response), allow_empty)

    def _parsed(self, call: Call, response: httpx.Response, body: bytes | str, allow_empty: bool) -> Any:
        """``body`` read as JSON; nothing (or only spaces) is None where ``allow_empty``."""
        if not body or body.isspace():
            if allow_empty:
                return None
            raise self._bad(call, response, "tomt svar der JSON var ventet")
        try:
            return json.loads(body)
        except UnicodeDecodeError:
            raise  # bytes that are not UTF-8: the caller decodes them by the response's charset
        except ValueError:
            raise self._bad(call, response, "svaret er ikke gyldig JSON") from None

    def _record(self, call: Call, response: httpx.Response, body: Any) -> dict:
        if not isinstance(body, dict) or looks_like_error(body):
            raise self._bad(call, response, "ventet én post")
        return body


def _text(response: httpx.Response) -> str:
    try:
        return response.text
    except (UnicodeDecodeError, LookupError):
        return response.content.decode("utf-8", "replace")


async def gather_dict(coros: Mapping[str, Any]) -> dict[str, Any]:
    """Await named coroutines concurrently; on the first failure cancel the rest and raise it
    (a plain exception, not an ExceptionGroup: the CLI prints GrunndataErrors as one line)."""
    tasks = {name: asyncio.ensure_future(coro) for name, coro in coros.items()}
    try:
        await asyncio.gather(*tasks.values())
    except BaseException:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        raise
    return {name: task.result() for name, task in tasks.items()}
