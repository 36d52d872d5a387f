"""PowerOffice's rate limit and what the sandbox saw of it, per subscription key.

The live gateway throttles at 10 requests a second per subscription key, whatever client
keys (companies) the requests are for, so the window is the whole sandbox's and is shared
by every tenant that uses the key. Two things are kept per key:

* the limit's window: the accepted requests of the last second; a request that would be
  the eleventh is answered 429 and not counted in it (as before);
* what ``/_sandbox/stats`` reports under ``"rate"``: every request that arrived with the key
  (counted on arrival, before the limit, faults or the token check decide its answer),
  the most that arrived in any one second (a sliding window over arrival times), and how
  many the limit answered 429.

A key is never shown: :func:`key_label` names it by a short hash.
"""

from __future__ import annotations

import hashlib
from collections import deque
from typing import Any

RATE_LIMIT = 10  # requests per sliding second per subscription key (PowerOffice "Throttling")
WINDOW = 1.0


def key_label(key: str) -> str:
    """How a subscription key is named in answers: ``sha256:`` and the first 12 hex digits of its SHA-256."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class KeyRate:
    """Arrivals of one subscription key."""

    __slots__ = ("arrivals", "max_per_second", "rejected", "requests")

    def __init__(self) -> None:
        self.arrivals: deque[float] = deque()
        self.max_per_second = 0
        self.requests = 0
        self.rejected = 0

    def as_dict(self) -> dict[str, int]:
        return {"max_per_second": self.max_per_second, "requests": self.requests, "429": self.rejected}


class Rates:
    """The limit's windows and the arrival counts, by subscription key (the caller holds the lock)."""

    def __init__(self) -> None:
        self.windows: dict[str, deque[float]] = {}
        self.keys: dict[str, KeyRate] = {}

    def arrive(self, key: str, now: float) -> None:
        rate = self.keys.get(key)
        if rate is None:
            rate = self.keys[key] = KeyRate()
        rate.requests += 1
        arrivals = rate.arrivals
        arrivals.append(now)
        while arrivals and arrivals[0] <= now - WINDOW:
            arrivals.popleft()
        rate.max_per_second = max(rate.max_per_second, len(arrivals))

    def admit(self, key: str, now: float) -> bool:
        """Whether the limit lets this request through (it then counts in the window)."""
        window = self.windows.setdefault(key, deque())
        while window and window[0] <= now - WINDOW:
            window.popleft()
        if len(window) >= RATE_LIMIT:
            rate = self.keys.get(key)
            if rate is None:
                rate = self.keys[key] = KeyRate()
            rate.rejected += 1
            return False
        window.append(now)
        return True

    def clear(self) -> None:
        # cleared in place: callers (benchmarks) hold the windows' dict
        self.windows.clear()
        self.keys.clear()

    def report(self) -> dict[str, Any]:
        return {
            key_label(key): rate.as_dict() for key, rate in sorted(self.keys.items(), key=lambda kv: key_label(kv[0]))
        }
