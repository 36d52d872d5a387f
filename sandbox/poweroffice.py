"""PowerOffice Go v2 emulator: OAuth token, Projects, Products, Employees, PayItems, Customers.

Faithful to the v2 spec in ``contracts/`` and to the quirks in the contracts
README. Choices where the spec is silent (documented for the README):

* Every request, the token call too, needs ``Ocp-Apim-Subscription-Key``
  (missing/wrong: 401 with the API gateway's ``{"statusCode", "message"}``
  body). With ``rate_limit`` on, more than 10 requests in a sliding second per
  subscription key answer 429 (``Retry-After: 1``); only accepted requests count.
* ``/v2`` calls need a Bearer token from ``POST /OAuth/Token``; tokens live
  1200 s of the sandbox clock. Missing/unknown/expired: 401 ProblemDetails.
* Lists page with ``PageNumber``/``PageSize`` (default 5000, max 20000) in id
  order, answer a bare array, or 204 with no body for an empty page.
* ``includeSubProjects`` defaults to false: with ``projectCodes`` it adds the
  sub-projects of the listed codes; without ``projectCodes`` every project,
  main and sub, is listed (as the spec says).
* ``POST /v2/Projects`` answers 201; ``POST /v2/Products`` answers 200 (the
  spec documents 200 there). Duplicate codes are 400 (the spec lists no 409).
  New projects default to ``IsActive`` true and ``ProjectStatus``
  ``NotStarted``; the billing method stays null unless sent.
* ``PATCH`` needs ``Content-Type: application/json-patch+json`` (else 415).
  PascalCase paths (``/Name``) are applied; camelCase paths (``/name``) are
  silently ignored, as reported of the live API; unknown fields are 400.
* Body keys of POSTs bind case-insensitively, like ASP.NET; unknown keys are ignored.
"""
from __future__ import annotations

import base64
import binascii
import secrets
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import (
    ApiError, Query, after, canonical, empty, in_ranges, json_body, json_response, number_ranges, schema_errors,
)
from grunndata.sandbox.control import ControlApp
from grunndata.sandbox.po_gateway import (
    BILLING_METHODS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PO, PROJECT_STATUS, TOKEN_LIFETIME, TOKEN_PATH, Gate,
    apply_patch, gateway_error, phrase, problem, render_fault,
)

if TYPE_CHECKING:
    from grunndata.sandbox.app import Sandbox


class PowerOffice:
    """Request handlers; state lives on the Sandbox (``sb.state``)."""

    def __init__(self, sb: Sandbox):
        self.sb = sb

    # --- plumbing ---------------------------------------------------------------------------
    def rows(self, key: str) -> list[dict[str, Any]]:
        return self.sb.state.rows(PO, key)

    def get(self, key: str, record_id: Any) -> dict[str, Any] | None:
        return self.sb.state.get(PO, key, record_id)

    def stamp(self) -> str:
        return self.sb.utcnow().isoformat(timespec="microseconds")

    @staticmethod
    def int_id(request: Request, name: str = "id") -> int:
        value = request.path_params[name]
        try:
            return int(value)
        except ValueError:
            raise ApiError(400, f"The value '{value}' is not valid.", errors={name: [f"The value '{value}' is not valid."]}) from None

    @staticmethod
    def page(rows: list[dict[str, Any]], q: Query,
             shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Response:
        """One page of ``rows``; ``shape`` (if given) runs on that page's records only."""
        number = q.integer("PageNumber", 1)
        size = q.integer("PageSize", DEFAULT_PAGE_SIZE)
        if size is not None and size > MAX_PAGE_SIZE:
            raise ApiError(400, f"PageSize cannot be larger than MaxPageSize ({MAX_PAGE_SIZE}).",
                           errors={"PageSize": [f"PageSize cannot be larger than {MAX_PAGE_SIZE}."]})
        if not size or size < 1 or not number or number < 1:
            raise ApiError(400, "PageNumber and PageSize must be positive.",
                           errors={"PageNumber": ["PageNumber and PageSize must be positive."]})
        chunk = rows[(number - 1) * size: number * size]
        if not chunk:
            return empty(204)
        return json_response([shape(r) for r in chunk] if shape is not None else chunk)

    @staticmethod
    def check_types(schema_name: str, record: dict[str, Any]) -> None:
        errors = schema_errors(specs.json_schema(PO, schema_name), record)
        if errors:
            raise ApiError(400, "One or more validation errors occurred.", errors=errors)

    async def patch_ops(self, request: Request) -> list[Any]:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json-patch+json":
            raise ApiError(415, f"Content-Type must be application/json-patch+json (got {media or 'none'}).")
        return await json_body(request, list)

    # --- auth -------------------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        sb = self.sb
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            return JSONResponse({"error": "invalid_client", "error_description": "Basic authentication "
                                 "with applicationKey:clientKey is required."}, status_code=401,
                                headers={"WWW-Authenticate": "Basic"})
        try:
            app_key, sep, client_key = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep, app_key, client_key = "", "", ""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if form.get("grant_type", [""])[0] != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type",
                                 "error_description": "grant_type must be client_credentials."}, status_code=400)
        creds = sb.state.credentials.get(PO, {})
        good = bool(sep) and bool(app_key) and bool(client_key)
        good = good and creds.get("application_key", app_key) == app_key and creds.get("client_key", client_key) == client_key
        if not good:
            return JSONResponse({"error": "invalid_client", "error_description": "Unknown application key or "
                                 "client key."}, status_code=401, headers={"WWW-Authenticate": "Basic"})
        token = secrets.token_urlsafe(32)
        with sb.lock:
            sb.po_tokens[token] = sb.now() + TOKEN_LIFETIME
        return json_response({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME},
                             headers={"Cache-Control": "no-store"})

    # --- shaping ----------------------------------------------------------------------------
    def project_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(PO, "ProjectDto", rec)
        parent = self.get("Projects", rec.get("ParentProjectId"))
        if parent is not None:
            out["ParentProjectCode"] = parent["Code"]
        customer = self.get("Customers", rec.get("CustomerId"))
        if customer is not None:
            out["CustomerNo"] = customer.get("Number")
        manager = self.get("Employees", rec.get("ProjectManagerEmployeeId"))
        if manager is not None:
            out["ProjectManagerEmployeeNo"] = manager.get("Number")
        return out

    def out(self, key: str, rec: dict[str, Any]) -> dict[str, Any]:
        if key == "Projects":
            return self.project_out(rec)
        return specs.shape(PO, _SCHEMAS[key], rec)

    # --- lists and single records -----------------------------------------------------------
    def lister(self, key: str) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            q = Query(request)
            with self.sb.lock:
                rows = self.rows(key)
                if q.has_other_than("PageNumber", "PageSize"):
                    rows = [r for r in rows if _FILTERS[key](self, r, q)]
                return self.page(rows, q, lambda r: self.out(key, r))
        return endpoint

    def getter(self, key: str, param: str = "id") -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            record_id: Any = request.path_params[param] if key == "PayItems" else self.int_id(request, param)
            with self.sb.lock:
                rec = self.get(key, record_id)
                if rec is None:
                    raise ApiError(404, f"No {key[:-1].lower()} with id {record_id} was found.")
                return json_response(self.out(key, rec))
        return endpoint

    def filter_projects(self, p: dict[str, Any], q: Query) -> bool:
        codes = q.csv("projectCodes")
        if codes is not None:
            wanted = set(codes)
            include_subs = q.boolean("includeSubProjects", False)
            if not (p["Code"] in wanted or (include_subs and self._parent_code(p) in wanted)):
                return False
        status = q.choice("status", PROJECT_STATUS)
        if status is not None and p.get("ProjectStatus") != status:
            return False
        billing = q.choice("projectBillingMethod", BILLING_METHODS)
        if billing is not None and p.get("ProjectBillingMethod") != billing:
            return False
        name = q.text("name")
        if name is not None and name.lower() not in str(p.get("Name") or "").lower():
            return False
        if q.boolean("excludeArchivedProject", False) and p.get("ProjectStatus") == "Archived":
            return False
        customers = q.text("customerNos")
        if customers is not None:
            customer = self.get("Customers", p.get("CustomerId"))
            number = customer.get("Number") if customer else p.get("CustomerNo")
            if not in_ranges(number, number_ranges(customers, "customerNos")):
                return False
        managers = q.text("projectManagerEmployeeNos")
        if managers is not None:
            manager = self.get("Employees", p.get("ProjectManagerEmployeeId"))
            number = manager.get("Number") if manager else p.get("ProjectManagerEmployeeNo")
            if not in_ranges(number, number_ranges(managers, "projectManagerEmployeeNos")):
                return False
        departments = q.csv("departmentCodes")
        if departments is not None and p.get("DepartmentCode") not in departments:
            return False
        return (after(p.get("CreatedDateTimeOffset"), q.timestamp("createdDateTimeOffsetGreaterThan"))
                and after(p.get("LastChangedDateTimeOffset"), q.timestamp("lastChangedDateTimeOffsetGreaterThan")))

    def _parent_code(self, p: dict[str, Any]) -> str | None:
        parent = self.get("Projects", p.get("ParentProjectId"))
        return parent["Code"] if parent else p.get("ParentProjectCode")

    def filter_products(self, p: dict[str, Any], q: Query) -> bool:
        codes = q.csv("codes")
        if codes is not None and p.get("Code") not in codes:
            return False
        names = q.csv("names")
        if names is not None and p.get("Name") not in names:
            return False
        archived = q.boolean("isArchived")
        if archived is not None and bool(p.get("IsArchived")) != archived:
            return False
        kind = q.choice("type", ("Product", "Service"))
        if kind is not None and (p.get("ProductType") or "Product") != kind:
            return False
        groups = q.csv("productGroupCodes")
        if groups is not None and p.get("ProductGroupCode") not in groups:
            return False
        return (after(p.get("CreatedDateTimeOffset"), q.timestamp("createdDateTimeOffsetGreaterThan"))
                and after(p.get("LastChangedDateTimeOffset"), q.timestamp("lastChangedDateTimeOffsetGreaterThan")))

    def filter_employees(self, e: dict[str, Any], q: Query) -> bool:
        numbers = q.text("employeeNos")
        if numbers is not None and not in_ranges(e.get("Number"), number_ranges(numbers, "employeeNos")):
            return False
        external = q.text("externalImportReference")
        if external is not None and e.get("ExternalImportReference") != external:
            return False
        return (after(e.get("EmployeeCreatedDateTimeOffset"), q.timestamp("employeeCreatedDateTimeOffsetGreaterThan"))
                and after(e.get("LastChangedDateTimeOffset"), q.timestamp("lastChangedDateTimeOffsetGreaterThan")))

    def filter_pay_items(self, p: dict[str, Any], q: Query) -> bool:
        codes = q.csv("codes")
        if codes is not None and p.get("Code") not in codes:
            return False
        active = q.boolean("isActive")
        if active is not None and bool(p.get("IsActive")) != active:
            return False
        return (after(p.get("CreatedDateTimeOffset"), q.timestamp("createdDateTimeOffsetGreaterThan"))
                and after(p.get("LastChangedDateTimeOffset"), q.timestamp("lastChangedDateTimeOffsetGreaterThan")))

    def filter_customers(self, c: dict[str, Any], q: Query) -> bool:
        numbers = q.text("customerNos")
        if numbers is not None and not in_ranges(c.get("Number"), number_ranges(numbers, "customerNos")):
            return False
        external = q.text("externalImportReference")
        if external is not None and c.get("ExternalImportReference") != external:
            return False
        return (after(c.get("CustomerCreatedDateTimeOffset"), q.timestamp("customerCreatedDateTimeOffsetGreaterThan"))
                and after(c.get("LastChangedDateTimeOffset"), q.timestamp("lastChangedDateTimeOffsetGreaterThan")))

    # --- projects ---------------------------------------------------------------------------
    def _resolve_links(self, rec: dict[str, Any]) -> None:
        """CustomerNo / ProjectManagerEmployeeNo to ids (the ids win when both are sent)."""
        for id_key, no_key, table in (("CustomerId", "CustomerNo", "Customers"),
                                      ("ProjectManagerEmployeeId", "ProjectManagerEmployeeNo", "Employees")):
            if rec.get(id_key) is not None:
                if self.get(table, rec[id_key]) is None:
                    raise ApiError(400, f"{id_key} {rec[id_key]} does not exist.", errors={id_key: ["Not found."]})
                rec.pop(no_key, None)
            elif rec.get(no_key) is not None:
                match = next((r for r in self.rows(table) if r.get("Number") == rec[no_key]), None)
                if match is None:
                    raise ApiError(400, f"{no_key} {rec[no_key]} does not exist.", errors={no_key: ["Not found."]})
                rec[id_key] = match["Id"]
                rec.pop(no_key, None)

    def _check_project_fields(self, rec: dict[str, Any]) -> None:
        self.check_types("ProjectPostDto", {k: v for k, v in rec.items() if k in specs.properties(PO, "ProjectPostDto")})
        if not str(rec.get("Name") or "").strip():
            raise ApiError(400, "The Name field is required.", errors={"Name": ["The Name field is required."]})
        progress = rec.get("Progress")
        if progress is not None and not 0 <= progress <= 100:
            raise ApiError(400, "Progress must be between 0 and 100.", errors={"Progress": ["Out of range."]})

    async def create_project(self, request: Request) -> Response:
        body = canonical(await json_body(request), specs.properties(PO, "ProjectPostDto"))
        with self.sb.lock:
            self._check_project_fields(body)
            code = body.get("Code")
            if code is not None and "." in str(code):
                raise ApiError(400, "The project code cannot contain '.' (it separates parent and sub-project).",
                               errors={"Code": ["'.' is not allowed."]})
            parent = None
            if body.get("ParentProjectId") is not None:
                parent = self.get("Projects", body["ParentProjectId"])
                if parent is None:
                    raise ApiError(400, f"Parent project with id {body['ParentProjectId']} was not found.",
                                   errors={"ParentProjectId": ["Not found."]})
            elif body.get("ParentProjectCode") not in (None, ""):
                parent = next((p for p in self.rows("Projects") if p["Code"] == str(body["ParentProjectCode"])), None)
                if parent is None:
                    raise ApiError(400, f"Parent project with code '{body['ParentProjectCode']}' was not found.",
                                   errors={"ParentProjectCode": ["Not found."]})
            if parent is not None and parent.get("ParentProjectId") is not None:
                raise ApiError(400, "A sub-project cannot have sub-projects (one level only).",
                               errors={"ParentProjectCode": ["The parent is itself a sub-project."]})
            siblings = [p for p in self.rows("Projects")
                        if (p.get("ParentProjectId") == (parent["Id"] if parent else None))]
            if code in (None, ""):
                code = str(_next_number([_last_segment(p["Code"]) for p in siblings]))
            full = f"{parent['Code']}.{code}" if parent else str(code)
            if any(p["Code"] == full for p in self.rows("Projects")):
                raise ApiError(400, f"A project with code '{full}' already exists.",
                               errors={"Code": [f"'{full}' is already in use."]})
            self._resolve_links(body)
            now = self.stamp()
            rec = {**{k: v for k, v in body.items() if v is not None},
                   "Code": full, "CreatedDateTimeOffset": now, "LastChangedDateTimeOffset": now}
            rec.pop("ParentProjectCode", None)
            if parent is not None:
                rec["ParentProjectId"] = parent["Id"]
                rec["ParentProjectCode"] = parent["Code"]
            rec.setdefault("IsActive", True)
            rec.setdefault("ProjectStatus", "NotStarted")
            rec.setdefault("AllowAllActivities", True)
            rec.setdefault("AllowAllEmployees", True)
            stored = self.sb.state.insert(PO, "Projects", rec)
            return json_response(self.project_out(stored), 201, headers={"Location": f"/v2/Projects/{stored['Id']}"})

    async def patch_project(self, request: Request) -> Response:
        record_id = self.int_id(request)
        ops = await self.patch_ops(request)
        with self.sb.lock:
            rec = self.get("Projects", record_id)
            if rec is None:
                raise ApiError(404, f"No project with id {record_id} was found.")
            fields = specs.properties(PO, "ProjectPostDto")
            current = self.project_out(rec)
            new = apply_patch(current, ops, fields, case_insensitive=False)
            changed = {k for k in fields if new.get(k) != current.get(k)}
            if changed & {"ParentProjectId", "ParentProjectCode"}:
                raise ApiError(400, "The parent of a project cannot be changed.")
            if "Code" in changed:
                code = str(new.get("Code") or "")
                if rec.get("ParentProjectId") is not None:
                    raise ApiError(400, "The code of a sub-project cannot be changed.")
                if not code or "." in code:
                    raise ApiError(400, "The project code must be non-empty and cannot contain '.'.",
                                   errors={"Code": ["Invalid code."]})
                if any(p["Code"] == code and p["Id"] != record_id for p in self.rows("Projects")):
                    raise ApiError(400, f"A project with code '{code}' already exists.")
            self._check_project_fields({k: new.get(k) for k in fields})
            update = {k: new.get(k) for k in changed}
            if "CustomerNo" in changed and "CustomerId" not in changed:
                update["CustomerId"] = None
            if "ProjectManagerEmployeeNo" in changed and "ProjectManagerEmployeeId" not in changed:
                update["ProjectManagerEmployeeId"] = None
            self._resolve_links(update)
            if "Code" in changed:
                for sub in self.rows("Projects"):
                    if sub.get("ParentProjectId") == record_id:
                        sub["Code"] = f"{update['Code']}.{_last_segment(sub['Code'])}"
                        sub["ParentProjectCode"] = update["Code"]
            rec.update(update)
            rec["LastChangedDateTimeOffset"] = self.stamp()
            return json_response(self.project_out(rec))

    async def delete_project(self, request: Request) -> Response:
        record_id = self.int_id(request)
        with self.sb.lock:
            rec = self.get("Projects", record_id)
            if rec is None:
                raise ApiError(404, f"No project with id {record_id} was found.")
            in_use = any(p.get("ParentProjectId") == record_id for p in self.rows("Projects")) or any(
                e.get("projectCode") == rec["Code"] for e in self.rows("TimeTracking/TimeTrackingEntry"))
            if in_use:
                raise ApiError(409, f"Project {rec['Code']} is in use and cannot be deleted.")
            del self.sb.state.table(PO, "Projects")[record_id]
            for link in [a for a in self.rows("Project/Activity") if a.get("projectId") == record_id]:
                del self.sb.state.table(PO, "Project/Activity")[link["id"]]
            return empty(200)

    # --- products ---------------------------------------------------------------------------
    def _check_product(self, rec: dict[str, Any], record_id: int | None) -> None:
        self.check_types("ProductPostDto", {k: v for k, v in rec.items() if k in specs.properties(PO, "ProductPostDto")})
        if not str(rec.get("Name") or "").strip():
            raise ApiError(400, "The Name field is required.", errors={"Name": ["The Name field is required."]})
        code = rec.get("Code")
        if code not in (None, "") and any(p.get("Code") == code and p["Id"] != record_id for p in self.rows("Products")):
            raise ApiError(400, f"A product with code '{code}' already exists.", errors={"Code": ["Already in use."]})

    async def create_product(self, request: Request) -> Response:
        body = canonical(await json_body(request), specs.properties(PO, "ProductPostDto"))
        with self.sb.lock:
            self._check_product(body, None)
            now = self.stamp()
            rec = {**{k: v for k, v in body.items() if v is not None},
                   "CreatedDateTimeOffset": now, "LastChangedDateTimeOffset": now}
            rec.setdefault("ProductType", "Product")
            rec.setdefault("IsArchived", False)
            stored = self.sb.state.insert(PO, "Products", rec)
            return json_response(self.out("Products", stored), 200, headers={"Location": f"/v2/Products/{stored['Id']}"})

    async def patch_product(self, request: Request) -> Response:
        record_id = self.int_id(request)
        ops = await self.patch_ops(request)
        with self.sb.lock:
            rec = self.get("Products", record_id)
            if rec is None:
                raise ApiError(404, f"No product with id {record_id} was found.")
            fields = specs.properties(PO, "ProductPostDto")
            current = self.out("Products", rec)
            new = apply_patch(current, ops, fields, case_insensitive=False)
            self._check_product({k: new.get(k) for k in fields}, record_id)
            rec.update({k: new.get(k) for k in fields if new.get(k) != current.get(k)})
            rec["LastChangedDateTimeOffset"] = self.stamp()
            return json_response(self.out("Products", rec))

    async def delete_product(self, request: Request) -> Response:
        record_id = self.int_id(request)
        with self.sb.lock:
            if self.get("Products", record_id) is None:
                raise ApiError(404, f"No product with id {record_id} was found.")
            del self.sb.state.table(PO, "Products")[record_id]
            return empty(200)


def _last_segment(code: str) -> str:
    return str(code).rsplit(".", 1)[-1]


def _next_number(codes: list[str]) -> int:
    numbers = [int(c) for c in codes if str(c).isdigit()]
    return max(numbers, default=0) + 1


_SCHEMAS = {"Projects": "ProjectDto", "Products": "ProductDto", "Employees": "EmployeeDto",
            "PayItems": "PayItemDto", "Customers": "CustomerDto"}
_FILTERS: dict[str, Callable[[PowerOffice, dict[str, Any], Query], bool]] = {
    "Projects": PowerOffice.filter_projects, "Products": PowerOffice.filter_products,
    "Employees": PowerOffice.filter_employees, "PayItems": PowerOffice.filter_pay_items,
    "Customers": PowerOffice.filter_customers,
}


def build(sb: Sandbox) -> ControlApp:
    """The PowerOffice ASGI app: token at /OAuth/Token, API under /v2, control under /_sandbox."""
    from grunndata.sandbox import po_timetracking

    po = PowerOffice(sb)
    routes = [
        Route(TOKEN_PATH, po.token, methods=["POST"]),
        Route("/v2/Projects", po.lister("Projects"), methods=["GET"]),
        Route("/v2/Projects", po.create_project, methods=["POST"]),
        Route("/v2/Projects/{id}", po.getter("Projects"), methods=["GET"]),
        Route("/v2/Projects/{id}", po.patch_project, methods=["PATCH"]),
        Route("/v2/Projects/{id}", po.delete_project, methods=["DELETE"]),
        Route("/v2/Products", po.lister("Products"), methods=["GET"]),
        Route("/v2/Products", po.create_product, methods=["POST"]),
        Route("/v2/Products/{id}", po.getter("Products"), methods=["GET"]),
        Route("/v2/Products/{id}", po.patch_product, methods=["PATCH"]),
        Route("/v2/Products/{id}", po.delete_product, methods=["DELETE"]),
        Route("/v2/Employees", po.lister("Employees"), methods=["GET"]),
        Route("/v2/Employees/{employeeId}", po.getter("Employees", "employeeId"), methods=["GET"]),
        Route("/v2/PayItems", po.lister("PayItems"), methods=["GET"]),
        Route("/v2/PayItems/{id}", po.getter("PayItems"), methods=["GET"]),
        Route("/v2/Customers", po.lister("Customers"), methods=["GET"]),
        Route("/v2/Customers/{id}", po.getter("Customers"), methods=["GET"]),
        *po_timetracking.routes(po),
    ]

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return problem(exc.status, exc.message, request.url.path, errors=exc.errors)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        if status == 404:
            return gateway_error(404, "Resource not found")
        return problem(status, phrase(status), request.url.path)

    inner = Starlette(routes=routes, exception_handlers={ApiError: on_api_error, 404: on_http_error,
                                                         405: on_http_error})
    return ControlApp(sb, PO, Gate(sb, inner), routes, render_fault)
