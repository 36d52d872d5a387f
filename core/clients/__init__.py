"""Async HTTP clients for SmartDok and PowerOffice Go, with retries, limits and typed errors.

Retry semantics (see RetryPolicy): 429/502/503/504 and transport errors are retried with
full-jitter exponential backoff, honouring Retry-After (and PowerOffice's "Try again in N
seconds"); a 500 is retried for reads only. A create (POST) is never resent once it may have
reached the server (dropped connection, read timeout, 502/504): it fails with
``TransportFailure(ambiguous=True)`` so the caller can look the record up by key first.
Connect errors are resent for any method. PUT/PATCH are treated as idempotent.
All errors derive from ``ApiError`` (a ``GrunndataError``) and print as one secret-free line.

The names below are imported on first use (PEP 562): importing a submodule such as
``grunndata.clients.timetracking`` must not pull in httpx, which costs a tenth of a second
at every start of the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grunndata.lazy import lazy_attributes

if TYPE_CHECKING:
    from grunndata.clients.errors import (
        ApiError,
        AuthError,
        BadResponse,
        Conflict,
        NotFound,
        RateLimited,
        TransportFailure,
        redact,
    )
    from grunndata.clients.poweroffice import PowerOfficeClient
    from grunndata.clients.retry import RetryPolicy
    from grunndata.clients.smartdok import SmartDokClient

__all__ = [
    "ApiError",
    "AuthError",
    "BadResponse",
    "Conflict",
    "NotFound",
    "PowerOfficeClient",
    "RateLimited",
    "RetryPolicy",
    "SmartDokClient",
    "TransportFailure",
    "redact",
]

_ERRORS = ("ApiError", "AuthError", "BadResponse", "Conflict", "NotFound", "RateLimited", "TransportFailure", "redact")
_HOME = {
    **{name: "grunndata.clients.errors" for name in _ERRORS},
    "PowerOfficeClient": "grunndata.clients.poweroffice",
    "RetryPolicy": "grunndata.clients.retry",
    "SmartDokClient": "grunndata.clients.smartdok",
}


__getattr__ = lazy_attributes(__name__, _HOME)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
