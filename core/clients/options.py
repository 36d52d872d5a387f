"""The keyword options a client takes beside its server and keys, stated once for both clients
and the request loop they share (:class:`grunndata.clients.base.BaseClient`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

import httpx

from grunndata.clients.retry import RetryPolicy

if TYPE_CHECKING:
    from grunndata.clients.base import Limiter


class HttpOptions(TypedDict, total=False):
    """How a client reaches its server; each absent one takes its default."""

    transport: httpx.AsyncBaseTransport | None  # None: the network (tests give a mock or the sandbox)
    timeout: httpx.Timeout | float  # seconds per request, or httpx's own (default 30)
    retry: RetryPolicy | None  # None: RetryPolicy()
    max_concurrency: int  # requests in flight at once (default 4)


class PacedOptions(HttpOptions, total=False):
    """And how fast it may send, for a server that limits the pace (PowerOffice)."""

    rate_per_second: float | None  # this process's own pace; None: unpaced
    limiter: Limiter | None  # a limiter shared by many processes, in place of this process's own
