"""Backoff, Retry-After and a client-side rate limiter, shared by both clients."""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is tried again.

    ``max_attempts`` counts every try, the first included. Delays grow as
    ``base_delay * 2**(attempt-1)`` capped at ``max_delay``; with ``jitter`` the actual
    delay is drawn uniformly from [0, that] ("full jitter"), so concurrent clients spread out.
    A server's ``Retry-After`` replaces the computed delay; one longer than ``max_delay``
    is not waited for (the request fails with RateLimited / ApiError instead). 429s that name
    their wait are retried beyond ``max_attempts``, within ``rate_limit_patience`` seconds.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: bool = True
    retry_statuses: tuple[int, ...] = (429, 502, 503, 504)
    # A 429 that says when to try again (Retry-After, or PowerOffice's "Try again in N seconds")
    # was refused, not processed: waiting as told and sending again is always safe. Such waits
    # do not use up ``max_attempts`` while they add up to at most this many seconds (each
    # counted as at least one), so a burst by another integration on the same subscription key
    # delays a write instead of failing it.
    rate_limit_patience: float = 120.0
    # Any server error on a create may hide a create that happened (a 503 or 500 after the
    # backend committed has been seen in the sandbox's after_commit faults): a create is never
    # resent blind; it fails as ambiguous and the engine looks the record up by key first.
    ambiguous_statuses: tuple[int, ...] = (500, 502, 503, 504)

    def backoff(self, attempt: int) -> float:
        """Delay before try number ``attempt + 1`` (``attempt`` is 1-based)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return random.uniform(0, ceiling) if self.jitter else ceiling


_TRY_AGAIN = re.compile(r"try again in\s+(\d+(?:\.\d+)?)\s*(second|sec|s\b)?", re.IGNORECASE)


def parse_retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait as the server asked: ``Retry-After`` (seconds or HTTP date), else the
    PowerOffice 429 body "… Try again in N seconds."."""
    header = response.headers.get("retry-after")
    if header:
        try:
            value = float(header)
            if math.isfinite(value):
                return max(0.0, value)
        except ValueError:
            try:
                when = parsedate_to_datetime(header)
                return max(0.0, when.timestamp() - time.time())
            except (TypeError, ValueError, IndexError, OverflowError):
                pass
    if response.status_code == 429:
        try:
            text = response.text[:1000]
        except (UnicodeDecodeError, LookupError, httpx.ResponseNotRead):
            return None
        match = _TRY_AGAIN.search(text)
        if match:
            return float(match.group(1))
    return None


class RateLimiter:
    """At most ``rate`` requests per second *as the server counts them*, across all tasks.

    PowerOffice counts arrivals in a sliding second, and a request arrives some time after we
    start it: a busy event loop, a descheduled process or the network can delay one by
    hundreds of milliseconds (376 ms measured on a busy 2-core machine), and then it lands
    next to the following second's requests. No margin on start times covers every delay,
    so each request holds its place from ``acquire()`` until ``release()`` — when its answer is
    back or it failed, so the server has seen it if it ever will — and the place stays taken
    for ``window`` seconds after that. Of any ``capacity + 1`` requests, one was released a
    whole window before the last one started: the server never sees more than ``capacity``
    in a window, however late each arrived. ``margin`` only absorbs clock granularity.
    Throughput is ``capacity`` per (window + answer time): about 9 a second against a server
    that answers in 0.1 s.
    """

    def __init__(
        self,
        rate: float,
        *,
        margin: float = 0.02,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = max(1, math.floor(rate))
        self.window = self.capacity / rate + margin
        self._clock = clock
        self._sleep = sleep
        self._in_flight = 0
        self._released: deque[float] = deque()  # answer times within the last window, oldest first
        self._lock = asyncio.Lock()
        self._release_seen = asyncio.Event()

    async def acquire(self, *, write: bool = False) -> None:
        """Wait for a place; the caller must ``release()`` it once the request is over. Every
        request of one process queues alike (``write`` matters to a shared limiter only)."""
        # Holding the lock while waiting makes waiters queue up fairly, first come first served.
        async with self._lock:
            while True:
                now = self._clock()
                while self._released and now - self._released[0] >= self.window:
                    self._released.popleft()
                if self._in_flight + len(self._released) < self.capacity:
                    self._in_flight += 1
                    return
                if self._released:
                    # A floor on the nap: float rounding must not leave us spinning on 1e-17 s.
                    await self._sleep(max(0.001, self.window - (now - self._released[0])))
                else:  # every place is a request still under way: wait for an answer
                    self._release_seen.clear()
                    await self._release_seen.wait()

    def release(self) -> None:
        """The request that ``acquire()`` let through is over (answered, failed or cancelled)."""
        self._in_flight -= 1
        self._released.append(self._clock())
        self._release_seen.set()

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()
