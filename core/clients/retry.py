"""Backoff, Retry-After and a client-side rate limiter, shared by both clients."""
from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections import deque
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Awaitable, Callable

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
    """At most ``rate`` request starts per second, over a sliding window, across all tasks.

    A small ``margin`` widens the window so that network jitter between our clock and the
    server's does not make the server see one request too many in its window.
    """

    def __init__(self, rate: float, *, margin: float = 0.05,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity = max(1, math.floor(rate))
        self.window = self.capacity / rate + margin
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        # Holding the lock while sleeping makes waiters queue up fairly, first come first served.
        async with self._lock:
            while True:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                if len(self._starts) < self.capacity:
                    self._starts.append(now)
                    return
                # A floor on the nap: float rounding must not leave us spinning on 1e-17 s.
                await self._sleep(max(0.001, self.window - (now - self._starts[0])))
