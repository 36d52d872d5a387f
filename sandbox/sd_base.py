"""What every SmartDok handler shares: records, errors, the session check, shaping, validation.

Choices where the spec is silent (also in docs/SANDBOX.md):

* ``POST /Authorize/ApiToken`` ``{"Token": ...}`` answers a session token as a
  JSON string; sessions last 3600 s of the sandbox clock. Other calls without a
  live session: 401 with no body.
* Errors are 400 ``{Code, Error, Message}``: ``NameIsRequired``, ``NumberIsRequired``,
  ``<Field>TooLong`` (spec lengths: ProjectName 70, SubProjectName 70,
  WorkDescription Name 50, ...), ``NumberAlreadyExists``, ``InvalidInput``; 404 has no body.
* ``PUT`` replaces the whole record: input fields absent from the body are
  reset (null, false, empty), so a partial body loses data.
* A required boolean missing from a POST body counts as false (as ASP.NET binds it).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from grunndata.sandbox import specs
from grunndata.sandbox.common import (
    ApiError,
    Query,
    after,
    canonical,
    empty,
    json_body,
    json_response,
    raw_body,
    schema_errors,
)
from grunndata.sandbox.faults import Fault
from grunndata.sandbox.records import Records

if TYPE_CHECKING:
    from grunndata.sandbox.state import State

SD = "smartdok"
AUTH_PATH = "/Authorize/ApiToken"
SESSION_LIFETIME = 3600
_ERROR_NAMES = {
    400: "ValidationError",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    429: "TooManyRequests",
    501: "NotImplemented",
}


def sd_error(status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> Response:
    if status == 404:
        return empty(404, headers)
    body = {
        "Code": code or _ERROR_NAMES.get(status, "ServerError"),
        "Error": _ERROR_NAMES.get(status, "ServerError"),
        "Message": message,
    }
    return JSONResponse(body, status_code=status, headers=headers)


def render_fault(fault: Fault, path: str) -> Response:
    status = fault.status or 500
    headers = dict(fault.headers)
    if fault.body is not None:
        return raw_body(fault.body, status, headers)
    if status < 400 or status == 401:
        return empty(status, headers)
    return sd_error(status, "Injected by the sandbox.", headers=headers)


class Gate:
    """Bearer session check for everything but the sign-in call."""

    def __init__(self, state: State, inner: Callable[[Scope, Receive, Send], Any]):
        self.state = state
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] != AUTH_PATH and not self.authorised(scope):
            await empty(401, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        await self.inner(scope, receive, send)

    def authorised(self, scope: Scope) -> bool:
        state = self.state
        auth = ""
        for key, value in scope.get("headers", []):
            if key.lower() == b"authorization":
                auth = value.decode("latin-1")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer":
            return False
        with state.lock:
            expiry = state.sd_sessions.get(token.strip())
            return expiry is not None and expiry > state.now()


def since(stamp: Any, limit: dt.datetime | None) -> bool:
    """SmartDok's "since" filters include the moment itself."""
    return after(stamp, limit, inclusive=True)


def text(value: Any) -> str:
    return "" if value is None else str(value)


def number_and_name(
    q: Query,
    number_param: str,
    name_param: str,
    number_field: str = "Number",
    name_field: str = "Name",
    *,
    trim: Callable[[str], str] = str.strip,
) -> Callable[[dict[str, Any]], bool]:
    """SmartDok's number filter (equal but for the spaces ``trim`` drops) and name filter (contained, any case)."""
    number, name = q.text(number_param), q.text(name_param)
    return lambda rec: (
        (number is None or trim(text(rec.get(number_field))) == trim(number))
        and (name is None or name.lower() in text(rec.get(name_field)).lower())
    )


class SmartDokBase(Records):
    """Request plumbing; records live in the shared :class:`State`."""

    system = SD

    def stamp(self) -> str:
        return self.state.stamp(SD)

    @staticmethod
    def int_id(request: Request, name: str = "id") -> int:
        try:
            return int(request.path_params[name])
        except ValueError:
            raise ApiError(404) from None

    def one(self, request: Request, key: str, shape: Callable[[dict[str, Any]], dict[str, Any]]) -> Response:
        """``GET /{key}/{id}``: the record, shaped, or a 404."""
        with self.state.lock:
            return json_response(shape(self.found(key, self.int_id(request))))

    @staticmethod
    def wrapped(items: list[dict[str, Any]]) -> Response:
        return json_response({"Count": len(items), "Offset": 0, "TotalCount": len(items), "Items": items})

    @staticmethod
    def active_filter(
        q: Query, all_default: bool, active_default: bool, is_active: Callable[[dict[str, Any]], bool]
    ) -> Callable[[dict[str, Any]], bool]:
        show_all = q.boolean("all", all_default)
        active = q.boolean("active", active_default)
        return lambda rec: bool(show_all) or is_active(rec) == active

    # --- auth -------------------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        body = canonical(await json_body(request), ["Token"])
        token = body.get("Token")
        expected = self.state.credentials.get(SD, {}).get("api_token")
        if not isinstance(token, str) or not token or (expected is not None and token != expected):
            return sd_error(401, "The API token is not valid.", "InvalidToken")
        session = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.sd_sessions[session] = self.state.now() + SESSION_LIFETIME
        return json_response(session)

    # --- shaping ----------------------------------------------------------------------------
    def project_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "ProjectOutput", rec)
        out["CalcuatedTimeConsumption"] = out.get("CalculatedTimeConsumption", 0)
        return out

    def sub_project_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "SubProjectOutput", rec)
        parent = self.get("Projects", rec.get("ProjectId")) or {}
        out["Project"] = {
            "ProjectId": rec.get("ProjectId") or 0,
            "ProjectName": text(parent.get("ProjectName")),
            "ProjectNumber": text(parent.get("ProjectNumber")),
        }
        return out

    # --- validation -------------------------------------------------------------------------
    def validate(
        self, schema_name: str, body: dict[str, Any], name_field: str | None, number_field: str | None
    ) -> None:
        if name_field and not text(body.get(name_field)).strip():
            raise ApiError(400, f"{name_field} is required.", "NameIsRequired")
        if number_field and not text(body.get(number_field)).strip():
            raise ApiError(400, f"{number_field} is required.", "NumberIsRequired")
        schema = specs.raw_schema(SD, schema_name)
        for field, prop in schema.get("properties", {}).items():
            limit = prop.get("maxLength")
            value = body.get(field)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                raise ApiError(
                    400, f"{field} cannot be longer than {limit} characters (got {len(value)}).", f"{field}TooLong"
                )
        plain = dict(specs.json_schema(SD, schema_name))
        plain.pop("required", None)
        errors = schema_errors(plain, body)
        if errors:
            field, messages = next(iter(errors.items()))
            raise ApiError(400, f"{field}: {messages[0]}", "InvalidInput")

    def replace(self, key: str, rec: dict[str, Any], body: dict[str, Any], input_schema: str) -> None:
        """PUT semantics: every input field takes the body's value or its reset default."""
        for field in specs.properties(SD, input_schema):
            rec.pop(field, None)
        rec.update({k: v for k, v in body.items() if v is not None})
