"""What sits in front of the PowerOffice Go API: the gateway and its error formats.

Azure API Management checks ``Ocp-Apim-Subscription-Key`` and the rate limit
(answering ``{"statusCode", "message"}``); the API checks the Bearer token and
answers ProblemDetails (``Type, Title, Status, Detail, Instance`` in the spec's
casing).
"""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from grunndata.sandbox.common import empty, raw_body
from grunndata.sandbox.faults import Fault
from grunndata.sandbox.rates import RATE_LIMIT  # noqa: F401  (kept importable from here)

if TYPE_CHECKING:
    from grunndata.sandbox.state import State

PO = "poweroffice"
TOKEN_PATH = "/OAuth/Token"
TOKEN_LIFETIME = 1200
SUBSCRIPTION_HEADER = "ocp-apim-subscription-key"
RATE_LIMIT_BODY = {"statusCode": "429", "message": "Rate limit is exceeded. Try again in 1 seconds."}
PROJECT_STATUS = ("Tentative", "Active", "Archived", "NotStarted", "Complete")
BILLING_METHODS = ("FixedPrice", "Time", "TimeAndExpenses")
MAX_PAGE_SIZE = 20000
DEFAULT_PAGE_SIZE = 5000

_PROBLEM_TYPES = {
    400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    401: "https://tools.ietf.org/html/rfc9110#section-15.5.2",
    403: "https://tools.ietf.org/html/rfc9110#section-15.5.4",
    404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    405: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
    409: "https://tools.ietf.org/html/rfc9110#section-15.5.10",
    415: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc9110#section-15.6.1",
}


def phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem(
    status: int, detail: str, instance: str, errors: dict | None = None, headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {
        "Type": _PROBLEM_TYPES.get(status, "about:blank"),
        "Title": phrase(status),
        "Status": status,
        "Detail": detail,
        "Instance": instance,
    }
    if errors:
        body["Title"] = "One or more validation errors occurred."
        body["Errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


def gateway_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"statusCode": status, "message": message}, status_code=status, headers=headers)


def render_fault(fault: Fault, path: str) -> Response:
    status = fault.status or 500
    headers = dict(fault.headers)
    if fault.body is not None:
        return raw_body(fault.body, status, headers)
    if status == 429:
        headers.setdefault("Retry-After", "1")
        return JSONResponse(RATE_LIMIT_BODY, status_code=429, headers=headers)
    if status < 400:
        return empty(status, headers)
    return problem(status, "Injected by the sandbox.", path, headers=headers)


class Gate:
    """What Azure API Management and the token check do before the API sees a request."""

    def __init__(self, state: State, inner: Callable[[Scope, Receive, Send], Any]):
        self.state = state
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.check(scope)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.inner(scope, receive, send)

    def check(self, scope: Scope) -> Response | None:
        state = self.state
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        key = headers.get(SUBSCRIPTION_HEADER, "").strip()
        if not key:
            return gateway_error(
                401,
                "Access denied due to missing subscription key. Make sure to include "
                "subscription key when making requests to an API.",
            )
        if not state.subscription_known(key):
            return gateway_error(
                401,
                "Access denied due to invalid subscription key. Make sure to provide "
                "a valid key for an active subscription.",
            )
        # One window per subscription key for the whole sandbox: the tenants sharing a key share it.
        if not state.admit(key):
            return JSONResponse(RATE_LIMIT_BODY, status_code=429, headers={"Retry-After": "1"})
        with state.lock:
            now = state.now()
            if scope["path"] == TOKEN_PATH:
                return None
            auth = headers.get("authorization", "")
            scheme, _, token = auth.partition(" ")
            expiry = state.po_tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expiry is None:
            return problem(
                401,
                "Access token is missing or invalid.",
                scope["path"],
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        if expiry <= now:
            return problem(
                401,
                "Access token has expired.",
                scope["path"],
                headers={"WWW-Authenticate": 'Bearer error="invalid_token", error_description="The token expired"'},
            )
        return None
