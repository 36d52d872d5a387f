"""Typed, one-line errors for everything that can go wrong talking to SmartDok or PowerOffice.

Every message names the system, the operation, the resource, the record's key when known,
the HTTP status and the vendor's own words, and never contains a secret: callers print
``str(exc)`` to the user as is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from grunndata.errors import GrunndataError

EXCERPT_CHARS = 200
REDACTED = "***"
MIN_SECRET_CHARS = 8


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of any secret value in ``text``.

    Values shorter than MIN_SECRET_CHARS are left alone: real keys and tokens are long, and
    scrubbing e.g. "app" would garble ordinary words ("applied") without protecting anything.
    """
    # Longest first, so a secret that contains another is not half-replaced.
    for secret in sorted({s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def excerpt(text: str, secrets: Iterable[str | None] = (), limit: int = EXCERPT_CHARS) -> str:
    """A short, single-line, redacted piece of a response body for an error message."""
    flat = re.sub(r"\s+", " ", redact(text, secrets)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def vendor_message(body: Any) -> str | None:
    """The human part of a vendor error body, whatever its casing.

    Understands PowerOffice ProblemDetails (``title``/``detail``/``errors``), its 429 body
    (``message``), SmartDok's ``{Code, Error, Message}`` and SaveError-like lists.
    """
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if isinstance(body, list):
        found = [m for m in (vendor_message(b) for b in body[:5]) if m]
        return "; ".join(found) or None
    if not isinstance(body, dict):
        return body if isinstance(body, str) and body else None
    low = {str(k).lower(): v for k, v in body.items()}
    parts: list[str] = []
    for name in ("code", "error", "title", "message", "detail", "errormessage", "description"):
        value = low.get(name)
        if isinstance(value, (str, int)) and str(value).strip() and str(value) not in parts:
            parts.append(str(value).strip())
    errors = low.get("errors") or low.get("validationerrors") or low.get("validation")
    if isinstance(errors, dict):
        for field, msgs in list(errors.items())[:5]:
            msgs = msgs if isinstance(msgs, list) else [msgs]
            parts.append(f"{field}: " + ", ".join(str(m) for m in msgs))
    elif isinstance(errors, list):
        nested = vendor_message(errors)
        if nested:
            parts.append(nested)
    return " — ".join(parts) or None


def looks_like_error(body: Any) -> bool:
    """True for a 2xx body that is really an error object (seen from both vendors)."""
    if not isinstance(body, dict):
        return False
    low = {str(k).lower() for k in body}
    if "id" in low:
        return False
    if body.get("success") is False or body.get("Success") is False:
        return True
    return bool(
        {"title", "status"} <= low
        or ("detail" in low and ("title" in low or "type" in low))
        or {"code", "message"} <= low
        or "error" in low
        or {"statuscode", "message"} <= low
        or "errors" in low
    )


# The operation a message names, as a consultant reads it.
OPERATION_WORDS = {
    "list": "lese",
    "get": "hente",
    "create": "opprette",
    "update": "endre",
    "sign in": "logge inn",
    "mark exported": "merke som overført",
}


class ApiError(GrunndataError):
    """A call to SmartDok or PowerOffice failed; ``str()`` is a one-line, secret-free message."""

    def __init__(
        self,
        system: str,
        resource: str,
        problem: str,
        *,
        operation: str | None = None,
        key: str | None = None,
        status: int | None = None,
        message: str | None = None,
        method: str | None = None,
        path: str | None = None,
        secrets: Iterable[str | None] = (),
    ) -> None:
        # The secrets are used here and never stored: exceptions travel into tracebacks.
        secrets = tuple(secrets)
        self.system = system
        self.resource = resource
        self.operation = operation
        self.key = None if key is None else redact(str(key), secrets)
        self.status = status
        self.vendor_message = None if message is None else excerpt(message, secrets, 300)
        self.method = method
        self.path = None if path is None else redact(path, secrets)
        self.problem = redact(problem, secrets)
        super().__init__(redact(self._compose(), secrets))

    def _compose(self) -> str:
        operation = OPERATION_WORDS.get(self.operation or "", self.operation)
        what = " ".join(p for p in (operation, self.resource) if p)
        if self.key is not None:
            what += f" '{self.key}'"
        text = f"{self.system}: {what}: {self.problem}"
        if self.status is not None:
            text += f" (HTTP {self.status})"
        if self.vendor_message:
            text += f": {self.vendor_message}"
        return text


class NotFound(ApiError):
    """404: the record (or the path) does not exist."""


class Conflict(ApiError):
    """409: the system refused because of the state of other records (e.g. a duplicate)."""


class AuthError(ApiError):
    """Credentials refused (401 after one renewal, or 403: missing permission)."""


class RateLimited(ApiError):
    """429 persisted through every retry, or the system asked us to wait longer than we may."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class TransportFailure(ApiError):
    """No usable HTTP answer: connection refused/dropped, timeout, or a gateway error on a create.

    ``ambiguous`` is True when a non-idempotent request (a create) may have reached the
    server and been applied: look the record up by its key before trying again.
    """

    def __init__(self, *args: Any, ambiguous: bool = False, **kwargs: Any) -> None:
        self.ambiguous = ambiguous
        super().__init__(*args, **kwargs)


class BadResponse(ApiError):
    """A 2xx (or error) answer whose body is not what the API describes."""

    def __init__(self, *args: Any, body_excerpt: str = "", **kwargs: Any) -> None:
        kwargs["secrets"] = tuple(kwargs.get("secrets", ()))
        self.excerpt = excerpt(body_excerpt, kwargs["secrets"])
        super().__init__(*args, **kwargs)

    def _compose(self) -> str:
        text = super()._compose()
        return text + (f" — innhold: {self.excerpt!r}" if self.excerpt else " — tomt svar")


ERROR_FOR_STATUS: dict[int, type[ApiError]] = {
    401: AuthError,
    403: AuthError,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}
