"""What every PowerOffice Go handler shares: records, paging, shaping, sign-in.

Choices where the spec is silent (also in docs/SANDBOX.md):

* ``/v2`` calls need a Bearer token from ``POST /OAuth/Token``; tokens live
  1200 s of the sandbox clock.
* Lists page with ``PageNumber``/``PageSize`` (default 5000, max 20000) in id
  order, answer a bare array, or 204 with no body for an empty page.
* Body keys of POSTs bind case-insensitively, like ASP.NET; unknown keys are ignored.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from grunndata.sandbox import specs
from grunndata.sandbox.common import ApiError, Query, empty, json_body, json_response, schema_errors
from grunndata.sandbox.json_patch import apply_patch
from grunndata.sandbox.po_gateway import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PO, TOKEN_LIFETIME
from grunndata.sandbox.records import Records

if TYPE_CHECKING:
    pass

# The v2 resources and the schema each answers in.
SCHEMAS = {
    "Projects": "ProjectDto",
    "Products": "ProductDto",
    "Employees": "EmployeeDto",
    "PayItems": "PayItemDto",
    "Customers": "CustomerDto",
    "Departments": "DepartmentDto",
    "SalesOrders": "SalesOrderDto",
}


class PowerOfficeBase(Records):
    """Request plumbing; records live in the shared :class:`State`."""

    system = PO

    # --- records ----------------------------------------------------------------------------
    def delete(self, key: str, record_id: Any) -> None:
        del self.state.table(PO, key)[record_id]

    # --- requests ---------------------------------------------------------------------------
    @staticmethod
    def int_id(request: Request, name: str = "id") -> int:
        value = request.path_params[name]
        try:
            return int(value)
        except ValueError:
            raise ApiError(
                400, f"The value '{value}' is not valid.", errors={name: [f"The value '{value}' is not valid."]}
            ) from None

    @staticmethod
    def page(
        rows: list[dict[str, Any]], q: Query, shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    ) -> Response:
        """One page of ``rows``; ``shape`` (if given) runs on that page's records only."""
        number, size = page_params(q)
        chunk = rows[(number - 1) * size : number * size]
        if not chunk:
            return empty(204)
        return json_response([shape(r) for r in chunk] if shape is not None else chunk)

    @staticmethod
    def check_types(schema_name: str, record: dict[str, Any]) -> None:
        errors = schema_errors(specs.json_schema(PO, schema_name), record)
        if errors:
            raise ApiError(400, "One or more validation errors occurred.", errors=errors)

    async def patch_request(self, request: Request) -> tuple[int, list[Any]]:
        """The id a PATCH names and its JSON Patch operations (the id is checked first)."""
        record_id = self.int_id(request)
        return record_id, await self.patch_ops(request)

    async def patch_with(
        self,
        request: Request,
        key: str,
        noun: str,
        input_schema: str,
        change: Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], None],
    ) -> Response:
        """A v2 PATCH: the record (404), its answer with the operations applied (fields of
        ``input_schema`` only, names as spelled); ``change(rec, current, new)`` checks
        the result and updates ``rec``; then the record is stamped and answered."""
        record_id, ops = await self.patch_request(request)
        with self.state.lock:
            rec = self.found(key, record_id, noun)
            current = self.out(key, rec)
            new = apply_patch(current, ops, specs.properties(PO, input_schema), case_insensitive=False)
            change(rec, current, new)
            self.touch(key, rec)
            return json_response(self.out(key, rec))

    def created(self, key: str, rec: dict[str, Any], status: int = 201) -> Response:
        """A new v2 record stored and answered, with its Location."""
        stored = self.insert(key, rec)
        return json_response(self.out(key, stored), status, headers={"Location": f"/v2/{key}/{stored['Id']}"})

    async def patch_ops(self, request: Request) -> list[Any]:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json-patch+json":
            raise ApiError(415, f"Content-Type must be application/json-patch+json (got {media or 'none'}).")
        return await json_body(request, list)

    # --- auth -------------------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        state = self.state
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            return JSONResponse(
                {
                    "error": "invalid_client",
                    "error_description": "Basic authentication with applicationKey:clientKey is required.",
                },
                status_code=401,
                headers={"WWW-Authenticate": "Basic"},
            )
        try:
            app_key, sep, client_key = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep, app_key, client_key = "", "", ""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        if form.get("grant_type", [""])[0] != "client_credentials":
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials."},
                status_code=400,
            )
        creds = state.credentials.get(PO, {})
        good = bool(sep) and bool(app_key) and bool(client_key)
        good = (
            good
            and creds.get("application_key", app_key) == app_key
            and creds.get("client_key", client_key) == client_key
        )
        if not good:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Unknown application key or client key."},
                status_code=401,
                headers={"WWW-Authenticate": "Basic"},
            )
        token = secrets.token_urlsafe(32)
        with state.lock:
            state.po_tokens[token] = state.now() + TOKEN_LIFETIME
        return json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME},
            headers={"Cache-Control": "no-store"},
        )

    # --- shaping ----------------------------------------------------------------------------
    def _linked(self, out: dict[str, Any], field: str, key: str, record_id: Any, source: str) -> None:
        """``out[field]`` is ``source`` of the linked record, where there is one."""
        linked = self.get(key, record_id)
        if linked is not None:
            out[field] = linked.get(source)

    def project_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(PO, "ProjectDto", rec)
        self._linked(out, "ParentProjectCode", "Projects", rec.get("ParentProjectId"), "Code")
        self._linked(out, "CustomerNo", "Customers", rec.get("CustomerId"), "Number")
        self._linked(out, "ProjectManagerEmployeeNo", "Employees", rec.get("ProjectManagerEmployeeId"), "Number")
        self._linked(out, "DepartmentCode", "Departments", rec.get("DepartmentId"), "Code")
        return out

    def department_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(PO, "DepartmentDto", rec)
        self._linked(out, "ManagerEmployeeNo", "Employees", rec.get("ManagerEmployeeId"), "Number")
        return out

    def sales_order_out(self, rec: dict[str, Any], schema: str = "SalesOrderDto") -> dict[str, Any]:
        out = specs.shape(PO, schema, rec)
        self._linked(out, "ProjectCode", "Projects", rec.get("ProjectId"), "Code")
        self._linked(out, "CustomerNo", "Customers", rec.get("CustomerId"), "Number")
        lines = rec.get("SalesOrderLines") or []
        out["LineCount"] = len(lines)
        if rec.get("NetAmount") is None:
            out["NetAmount"] = round(
                sum(
                    (line.get("Quantity") or 0)
                    * (line.get("ProductUnitPrice") or 0)
                    * (1 - (line.get("Allowance") or 0) / 100)
                    for line in lines
                ),
                2,
            )
        return out

    def out(self, key: str, rec: dict[str, Any]) -> dict[str, Any]:
        if key == "Projects":
            return self.project_out(rec)
        if key == "Departments":
            return self.department_out(rec)
        if key == "SalesOrders":
            return self.sales_order_out(rec)
        return specs.shape(PO, SCHEMAS[key], rec)


def field_selection(q: Query, schema_name: str) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    """``Fields=Code,Name``: only those fields of each record (names in any case; unknown is 400)."""
    wanted = q.csv("Fields")
    if not wanted:
        return None
    spelled = {name.lower(): name for name in specs.properties(PO, schema_name)}
    unknown = [name for name in wanted if name.lower() not in spelled]
    if unknown:
        raise ApiError(
            400,
            f"The field '{unknown[0]}' does not exist on {schema_name}.",
            errors={"Fields": [f"Unknown field '{unknown[0]}'."]},
        )
    chosen = [spelled[name.lower()] for name in wanted]
    return lambda rec: {name: rec.get(name) for name in chosen}


def page_params(q: Query) -> tuple[int, int]:
    """PageNumber and PageSize, checked (400 ProblemDetails when out of range)."""
    number = q.integer("PageNumber", 1)
    size = q.integer("PageSize", DEFAULT_PAGE_SIZE)
    if size is not None and size > MAX_PAGE_SIZE:
        raise ApiError(
            400,
            f"PageSize cannot be larger than MaxPageSize ({MAX_PAGE_SIZE}).",
            errors={"PageSize": [f"PageSize cannot be larger than {MAX_PAGE_SIZE}."]},
        )
    if not size or size < 1 or not number or number < 1:
        raise ApiError(
            400,
            "PageNumber and PageSize must be positive.",
            errors={"PageNumber": ["PageNumber and PageSize must be positive."]},
        )
    return number, size
