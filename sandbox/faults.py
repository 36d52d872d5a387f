"""Injected faults and request counts: what ``/_sandbox/faults`` and ``/_sandbox/stats`` hold.

A fault makes the next ``count`` requests that match its method (or ``*``) and
path (exact, or a route template such as ``/v2/Projects/{id}``) misbehave:

* ``status``: answer that status at once (the write is *not* made) with the
  vendor's error body, or ``body``/``headers`` as given; ``after_commit``
  runs the real handler first and then answers the fault status instead.
* ``delay``: hold the request that many seconds first (real time), then go on.
* ``drop``: run the real handler (the write is committed), then drop the
  connection without an answer.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTH_PATHS = frozenset({"/OAuth/Token", "/Authorize/ApiToken"})


class FaultOptions(TypedDict, total=False):
    """What a fault may say beside its method and path (``make_fault`` has the defaults)."""

    count: int
    status: int | None
    delay: float
    after_commit: bool
    body: Any
    headers: dict[str, str] | None
    retry_after: float | int | None


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
        """As ``/_sandbox/faults`` shows it: the fields in order, ``remaining`` as ``count``."""
        return {("count" if name == "remaining" else name): value for name, value in asdict(self).items()}


def make_fault(
    method: str,
    path: str,
    *,
    count: int = 1,
    status: int | None = None,
    delay: float = 0.0,
    drop: bool = False,
    after_commit: bool = False,
    body: Any = None,
    headers: dict[str, str] | None = None,
    retry_after: float | int | None = None,
) -> Fault:
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
    return Fault(
        method=method.upper(),
        path=path,
        remaining=count,
        status=status,
        delay=float(delay),
        drop=bool(drop),
        after_commit=bool(after_commit),
        body=body,
        headers=hdrs,
    )


class ServerControl:
    """Faults and request counts of one emulated server.

    ``held`` counts the requests a delay fault is holding right now and ``delayed`` those it
    has held in all, so a test can wait on the sandbox instead of on a clock.
    """

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.requests: Counter[str] = Counter()
        self.writes = 0
        self.held = 0
        self.delayed = 0

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
        self.delayed = 0
