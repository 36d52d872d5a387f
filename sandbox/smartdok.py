"""SmartDok v1 emulator.

Faithful to ``contracts/smartdok-v1.openapi.json`` and the contracts README.
Choices where the spec is silent (documented for the README):

* ``POST /Authorize/ApiToken`` ``{"Token": ...}`` answers a session token as a
  JSON string; sessions last 3600 s of the sandbox clock. Other calls without a
  live session: 401 with no body.
* ``all``/``active`` follow each operation's spec defaults: ``/Projects``,
  ``/SubProjects``, ``/Users``, ``/Additions`` list active records only unless
  ``all=true``; ``/WorkDescriptions``, ``/Machines`` and ``/Wages`` default to
  ``all=true`` in the spec, so they list inactive records too. Projects that are
  orders (``IsOrder``) appear only with ``includeOrders=true``.
* ``GET /Additions`` is empty unless ``onlyAddition=true`` (records with
  ``Addition``) or ``onlyUnitAddition=true`` (records with ``UnitAddition``).
* ``projectNumber`` filters ignore trailing spaces (SQL Server compares that way);
  ``ProjectNumber`` is answered exactly as stored.
* POSTs answer 200 with the created record (as the spec says). Errors are 400
  ``{Code, Error, Message}``: ``NameIsRequired``, ``NumberIsRequired``,
  ``<Field>TooLong`` (spec lengths: ProjectName 70, SubProjectName 70,
  WorkDescription Name 50, ...), ``NumberAlreadyExists``, ``InvalidInput``.
* ``PUT`` replaces the whole record: input fields absent from the body are
  reset (null, false, empty), so a partial body loses data. Missing: 404, no body.
* A required boolean missing from a POST body counts as false (as ASP.NET binds it).
* Work hours and goods consumption: see :mod:`grunndata.sandbox.sd_hours`.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from grunndata.sandbox import specs
from grunndata.sandbox.common import (
    ApiError, Query, after, canonical, empty, json_body, json_response, raw_body, schema_errors,
)
from grunndata.sandbox.control import ControlApp, Fault

if TYPE_CHECKING:
    from grunndata.sandbox.app import Sandbox

SD = "smartdok"
AUTH_PATH = "/Authorize/ApiToken"
SESSION_LIFETIME = 3600
_ERROR_NAMES = {400: "ValidationError", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                409: "Conflict", 429: "TooManyRequests"}


def sd_error(status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> Response:
    if status == 404:
        return empty(404, headers)
    body = {"Code": code or _ERROR_NAMES.get(status, "ServerError"),
            "Error": _ERROR_NAMES.get(status, "ServerError"), "Message": message}
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

    def __init__(self, sd: SmartDok, inner: Callable[[Scope, Receive, Send], Any]):
        self.sd = sd
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] != AUTH_PATH and not self.authorised(scope):
            await empty(401, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        await self.inner(scope, receive, send)

    def authorised(self, scope: Scope) -> bool:
        sb = self.sd.sb
        auth = ""
        for key, value in scope.get("headers", []):
            if key.lower() == b"authorization":
                auth = value.decode("latin-1")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer":
            return False
        with sb.lock:
            expiry = sb.sd_sessions.get(token.strip())
            return expiry is not None and expiry > sb.now()


def since(stamp: Any, limit: dt.datetime | None) -> bool:
    """SmartDok's "since" filters include the moment itself."""
    return after(stamp, limit, inclusive=True)


def text(value: Any) -> str:
    return "" if value is None else str(value)


class SmartDok:
    def __init__(self, sb: Sandbox):
        self.sb = sb

    def rows(self, key: str) -> list[dict[str, Any]]:
        return self.sb.state.rows(SD, key)

    def get(self, key: str, record_id: Any) -> dict[str, Any] | None:
        return self.sb.state.get(SD, key, record_id)

    def stamp(self) -> str:
        return self.sb.utcnow().replace(tzinfo=None).isoformat(timespec="milliseconds")

    @staticmethod
    def int_id(request: Request, name: str = "id") -> int:
        try:
            return int(request.path_params[name])
        except ValueError:
            raise ApiError(404) from None

    @staticmethod
    def wrapped(items: list[dict[str, Any]]) -> Response:
        return json_response({"Count": len(items), "Offset": 0, "TotalCount": len(items), "Items": items})

    @staticmethod
    def active_filter(q: Query, all_default: bool, active_default: bool, is_active: Callable[[dict], bool]):
        show_all = q.boolean("all", all_default)
        active = q.boolean("active", active_default)
        return lambda rec: show_all or is_active(rec) == active

    # --- auth -------------------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        body = canonical(await json_body(request), ["Token"])
        token = body.get("Token")
        expected = self.sb.state.credentials.get(SD, {}).get("api_token")
        if not isinstance(token, str) or not token or (expected is not None and token != expected):
            return sd_error(401, "The API token is not valid.", "InvalidToken")
        session = secrets.token_urlsafe(32)
        with self.sb.lock:
            self.sb.sd_sessions[session] = self.sb.now() + SESSION_LIFETIME
        return json_response(session)

    # --- shaping ----------------------------------------------------------------------------
    def project_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "ProjectOutput", rec)
        out["CalcuatedTimeConsumption"] = out.get("CalculatedTimeConsumption", 0)
        return out

    def sub_project_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "SubProjectOutput", rec)
        parent = self.get("Projects", rec.get("ProjectId")) or {}
        out["Project"] = {"ProjectId": rec.get("ProjectId") or 0, "ProjectName": text(parent.get("ProjectName")),
                          "ProjectNumber": text(parent.get("ProjectNumber"))}
        return out

    # --- validation -------------------------------------------------------------------------
    def validate(self, schema_name: str, body: dict[str, Any], name_field: str | None,
                 number_field: str | None) -> None:
        if name_field and not text(body.get(name_field)).strip():
            raise ApiError(400, f"{name_field} is required.", "NameIsRequired")
        if number_field and not text(body.get(number_field)).strip():
            raise ApiError(400, f"{number_field} is required.", "NumberIsRequired")
        schema = specs.raw_schema(SD, schema_name)
        for field, prop in schema.get("properties", {}).items():
            limit = prop.get("maxLength")
            value = body.get(field)
            if limit is not None and isinstance(value, str) and len(value) > limit:
                raise ApiError(400, f"{field} cannot be longer than {limit} characters (got {len(value)}).",
                               f"{field}TooLong")
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

    # --- projects ---------------------------------------------------------------------------
    async def list_projects(self, request: Request) -> Response:
        q = Query(request)
        number = q.text("projectNumber")
        name = q.text("projectName")
        keep = self.active_filter(q, False, True, lambda r: bool(r.get("IsActive")))
        orders = q.boolean("includeOrders", False)
        updated, created = q.timestamp("updatedSince"), q.timestamp("createdSince")
        with self.sb.lock:
            items = [self.project_out(p) for p in self.rows("Projects")
                     if keep(p) and (orders or not p.get("IsOrder"))
                     and (number is None or text(p.get("ProjectNumber")).rstrip() == number.rstrip())
                     and (name is None or name.lower() in text(p.get("ProjectName")).lower())
                     and since(p.get("Updated"), updated) and since(p.get("Created"), created)]
        return self.wrapped(items)

    async def get_project(self, request: Request) -> Response:
        with self.sb.lock:
            rec = self.get("Projects", self.int_id(request))
            if rec is None:
                raise ApiError(404)
            return json_response(self.project_out(rec))

    def _unique_number(self, number: Any, record_id: int | None) -> None:
        wanted = text(number).rstrip()
        if any(text(p.get("ProjectNumber")).rstrip() == wanted and p["Id"] != record_id for p in self.rows("Projects")):
            raise ApiError(400, f"A project with number '{wanted}' already exists.", "NumberAlreadyExists")

    async def create_project(self, request: Request) -> Response:
        body = canonical(await json_body(request), specs.properties(SD, "ProjectInput"))
        self.validate("ProjectInput", body, "ProjectName", "ProjectNumber")
        with self.sb.lock:
            self._unique_number(body["ProjectNumber"], None)
            now = self.stamp()
            rec = {**{k: v for k, v in body.items() if v is not None}, "Created": now, "Updated": now}
            stored = self.sb.state.insert(SD, "Projects", rec)
            return json_response(self.project_out(stored))

    async def put_project(self, request: Request) -> Response:
        record_id = self.int_id(request)
        body = canonical(await json_body(request), specs.properties(SD, "ProjectInputLegacy"))
        with self.sb.lock:
            rec = self.get("Projects", record_id)
            if rec is None:
                raise ApiError(404)
        self.validate("ProjectInputLegacy", body, "ProjectName", "ProjectNumber")
        with self.sb.lock:
            self._unique_number(body["ProjectNumber"], record_id)
            self.replace("Projects", rec, body, "ProjectInputLegacy")
            rec["Updated"] = self.stamp()
            return json_response(self.project_out(rec))

    # --- sub-projects -----------------------------------------------------------------------
    def _sub_filter(self, q: Query):
        number, name = q.text("subProjectNumber"), q.text("subProjectName")
        keep = self.active_filter(q, False, True, lambda r: bool(r.get("IsActive")))
        updated = q.timestamp("updatedSince")
        return lambda s: (keep(s) and (number is None or text(s.get("SubProjectNumber")).rstrip() == number.rstrip())
                          and (name is None or name.lower() in text(s.get("SubProjectName")).lower())
                          and since(s.get("Updated"), updated))

    async def list_sub_projects(self, request: Request) -> Response:
        keep = self._sub_filter(Query(request))
        with self.sb.lock:
            return self.wrapped([self.sub_project_out(s) for s in self.rows("SubProjects") if keep(s)])

    async def list_project_sub_projects(self, request: Request) -> Response:
        keep = self._sub_filter(Query(request))
        project_id = self.int_id(request, "projectId")
        with self.sb.lock:
            if self.get("Projects", project_id) is None:
                raise ApiError(404)
            return self.wrapped([self.sub_project_out(s) for s in self.rows("SubProjects")
                                 if s.get("ProjectId") == project_id and keep(s)])

    async def get_sub_project(self, request: Request) -> Response:
        with self.sb.lock:
            rec = self.get("SubProjects", self.int_id(request))
            if rec is None:
                raise ApiError(404)
            return json_response(self.sub_project_out(rec))

    def _unique_sub_number(self, project_id: int, number: Any, record_id: int | None) -> None:
        wanted = text(number).rstrip()
        if any(s.get("ProjectId") == project_id and text(s.get("SubProjectNumber")).rstrip() == wanted
               and s["Id"] != record_id for s in self.rows("SubProjects")):
            raise ApiError(400, f"Sub-project number '{wanted}' already exists on this project.", "NumberAlreadyExists")

    async def create_sub_project(self, request: Request) -> Response:
        project_id = self.int_id(request, "projectId")
        body = canonical(await json_body(request), specs.properties(SD, "SubProjectInput"))
        with self.sb.lock:
            if self.get("Projects", project_id) is None:
                raise ApiError(404)
        self.validate("SubProjectInput", body, "SubProjectName", "SubProjectNumber")
        with self.sb.lock:
            self._unique_sub_number(project_id, body["SubProjectNumber"], None)
            rec = {"ProjectId": project_id, **{k: v for k, v in body.items() if v is not None}, "Updated": self.stamp()}
            rec.setdefault("IsActive", True)  # nullable in the input: null means the server default
            stored = self.sb.state.insert(SD, "SubProjects", rec)
            return json_response(self.sub_project_out(stored))

    async def put_sub_project(self, request: Request) -> Response:
        record_id = self.int_id(request)
        body = canonical(await json_body(request), specs.properties(SD, "SubProjectInput"))
        with self.sb.lock:
            rec = self.get("SubProjects", record_id)
            if rec is None:
                raise ApiError(404)
        self.validate("SubProjectInput", body, "SubProjectName", "SubProjectNumber")
        with self.sb.lock:
            self._unique_sub_number(rec["ProjectId"], body["SubProjectNumber"], record_id)
            self.replace("SubProjects", rec, body, "SubProjectInput")
            rec["Updated"] = self.stamp()
            return json_response(self.sub_project_out(rec))

    # --- work descriptions (activities) and machines ----------------------------------------
    def simple_resource(self, key: str, input_schema: str, out: Callable[[dict], dict],
                        number_field: str, name_param: str, number_param: str):
        sb = self.sb

        def unique(body: dict[str, Any], record_id: int | None) -> None:
            wanted = text(body.get(number_field)).strip()
            if wanted and any(text(r.get(number_field)).strip() == wanted and r["Id"] != record_id
                              for r in self.rows(key)):
                raise ApiError(400, f"{number_field} '{wanted}' already exists.", "NumberAlreadyExists")

        async def listing(request: Request) -> Response:
            q = Query(request)
            keep = self.active_filter(q, True, False, lambda r: bool(r.get("IsActive")))
            number, name = q.text(number_param), q.text(name_param)
            with sb.lock:
                items = [out(r) for r in self.rows(key) if keep(r)
                         and (number is None or text(r.get(number_field)).strip() == number.strip())
                         and (name is None or name.lower() in text(r.get("Name")).lower())]
            return self.wrapped(items) if key == "Machines" else json_response(items)

        async def getting(request: Request) -> Response:
            with sb.lock:
                rec = self.get(key, self.int_id(request))
                if rec is None:
                    raise ApiError(404)
                return json_response(out(rec))

        async def creating(request: Request) -> Response:
            body = canonical(await json_body(request), specs.properties(SD, input_schema))
            self.validate(input_schema, body, "Name", None)
            with sb.lock:
                unique(body, None)
                stored = sb.state.insert(SD, key, {k: v for k, v in body.items() if v is not None})
                return json_response(out(stored))

        async def putting(request: Request) -> Response:
            record_id = self.int_id(request)
            body = canonical(await json_body(request), specs.properties(SD, input_schema))
            with sb.lock:
                rec = self.get(key, record_id)
                if rec is None:
                    raise ApiError(404)
            self.validate(input_schema, body, "Name", None)
            with sb.lock:
                unique(body, record_id)
                self.replace(key, rec, body, input_schema)
                return json_response(out(rec))

        return listing, getting, creating, putting

    # --- read-only lists --------------------------------------------------------------------
    async def list_users(self, request: Request) -> Response:
        q = Query(request)
        keep = self.active_filter(q, False, True, lambda r: not r.get("IsEnded") and not r.get("IsDeleted"))
        with self.sb.lock:
            return self.wrapped([specs.shape(SD, "UserOutput", u) for u in self.rows("Users") if keep(u)])

    async def get_user(self, request: Request) -> Response:
        with self.sb.lock:
            rec = self.get("Users", request.path_params["id"])
            if rec is None:
                raise ApiError(404)
            return json_response(specs.shape(SD, "UserOutput", rec))

    async def list_wages(self, request: Request) -> Response:
        q = Query(request)
        keep = self.active_filter(q, True, False, lambda r: bool(r.get("IsActive")))
        number, name = q.text("wageNumber"), q.text("wageName")
        with self.sb.lock:
            return json_response([specs.shape(SD, "WageOutput", w) for w in self.rows("Wages") if keep(w)
                                  and (number is None or text(w.get("Number")).strip() == number.strip())
                                  and (name is None or name.lower() in text(w.get("Name")).lower())])

    async def list_additions(self, request: Request) -> Response:
        q = Query(request)
        only_addition = q.boolean("onlyAddition", False)
        only_unit = q.boolean("onlyUnitAddition", False)
        keep = self.active_filter(q, False, True, lambda r: bool(r.get("IsActive")))
        number, name = q.text("additionNumber"), q.text("additionName")
        with self.sb.lock:
            items = [specs.shape(SD, "AdditionOutput", a) for a in self.rows("Additions")
                     if ((only_addition and a.get("Addition")) or (only_unit and a.get("UnitAddition")))
                     and keep(a)
                     and (number is None or text(a.get("Number")).strip() == number.strip())
                     and (name is None or name.lower() in text(a.get("Name")).lower())]
        return json_response(items)

    def getter(self, key: str, schema: str):
        async def endpoint(request: Request) -> Response:
            with self.sb.lock:
                rec = self.get(key, self.int_id(request))
                if rec is None:
                    raise ApiError(404)
                return json_response(specs.shape(SD, schema, rec))
        return endpoint

def build(sb: Sandbox) -> ControlApp:
    """The SmartDok ASGI app, served at the root like api.smartdok.no."""
    from grunndata.sandbox import sd_hours

    sd = SmartDok(sb)
    wd_list, wd_get, wd_post, wd_put = sd.simple_resource(
        "WorkDescriptions", "ActivityInput", lambda r: specs.shape(SD, "ActivityOutput", r),
        "Number", "workDescriptionName", "workDescriptionNumber")
    m_list, m_get, m_post, m_put = sd.simple_resource(
        "Machines", "MachineInput", lambda r: specs.shape(SD, "MachineOutput", r),
        "InternalNumber", "machineName", "internalNumber")
    routes = [
        Route(AUTH_PATH, sd.authorize, methods=["POST"]),
        Route("/Projects", sd.list_projects, methods=["GET"]),
        Route("/Projects", sd.create_project, methods=["POST"]),
        Route("/Projects/{id}", sd.get_project, methods=["GET"]),
        Route("/Projects/{id}", sd.put_project, methods=["PUT"]),
        Route("/Projects/{projectId}/SubProjects", sd.list_project_sub_projects, methods=["GET"]),
        Route("/Projects/{projectId}/SubProjects", sd.create_sub_project, methods=["POST"]),
        Route("/SubProjects", sd.list_sub_projects, methods=["GET"]),
        Route("/SubProjects/{id}", sd.get_sub_project, methods=["GET"]),
        Route("/SubProjects/{id}", sd.put_sub_project, methods=["PUT"]),
        Route("/WorkDescriptions", wd_list, methods=["GET"]),
        Route("/WorkDescriptions", wd_post, methods=["POST"]),
        Route("/WorkDescriptions/{id}", wd_get, methods=["GET"]),
        Route("/WorkDescriptions/{id}", wd_put, methods=["PUT"]),
        Route("/Machines", m_list, methods=["GET"]),
        Route("/Machines", m_post, methods=["POST"]),
        Route("/Machines/{id}", m_get, methods=["GET"]),
        Route("/Machines/{id}", m_put, methods=["PUT"]),
        Route("/Users", sd.list_users, methods=["GET"]),
        Route("/Users/{id}", sd.get_user, methods=["GET"]),
        Route("/Wages", sd.list_wages, methods=["GET"]),
        Route("/Wages/{id}", sd.getter("Wages", "WageOutput"), methods=["GET"]),
        Route("/Additions", sd.list_additions, methods=["GET"]),
        Route("/Additions/{id}", sd.getter("Additions", "AdditionOutput"), methods=["GET"]),
        *sd_hours.routes(sd),
    ]

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return sd_error(exc.status, exc.message, exc.code)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        return sd_error(getattr(exc, "status_code", 500), "Not supported by the sandbox.")

    inner = Starlette(routes=routes, exception_handlers={ApiError: on_api_error, 404: on_http_error,
                                                         405: on_http_error})
    return ControlApp(sb, SD, Gate(sd, inner), routes, render_fault)
