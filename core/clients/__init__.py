"""Async HTTP clients for SmartDok and PowerOffice Go, with retries, limits and typed errors."""
from grunndata.clients.errors import (
    ApiError, AuthError, BadResponse, Conflict, NotFound, RateLimited, TransportFailure, redact,
)
from grunndata.clients.poweroffice import PowerOfficeClient
from grunndata.clients.retry import RetryPolicy
from grunndata.clients.smartdok import SmartDokClient

__all__ = [
    "SmartDokClient", "PowerOfficeClient", "RetryPolicy", "ApiError", "NotFound", "Conflict",
    "AuthError", "RateLimited", "TransportFailure", "BadResponse", "redact",
]
