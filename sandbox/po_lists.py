"""PowerOffice Go v2 reads: the lists with their filters, and single records by id.

Every filter parameter of a list is parsed and checked before a record is read, so
a bad value answers 400 ProblemDetails whatever the other filters would have
matched (``?projectCodes=x&status=Bogus`` is a 400, not an empty list). Unknown
parameters are ignored, as ASP.NET does.

``includeSubProjects`` defaults to false: with ``projectCodes`` it adds the
sub-projects of the listed codes; without ``projectCodes`` every project, main and
sub, is listed (as the spec says). Timestamp filters (``…GreaterThan``) are strict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox.common import Query, after, in_ranges, json_response, number_ranges
from grunndata.sandbox.po_base import SCHEMAS, PowerOfficeBase, field_selection, page_params
from grunndata.sandbox.po_gateway import BILLING_METHODS, PROJECT_STATUS

Keep = Callable[[dict[str, Any]], bool]
FilterBuilder = Callable[[PowerOfficeBase, Query], Keep]


def _all(*tests: Keep | None) -> Keep:
    active = [t for t in tests if t is not None]
    return lambda rec: all(t(rec) for t in active)


def _later(field: str, limit: dt.datetime | None) -> Keep | None:
    return None if limit is None else (lambda rec: after(rec.get(field), limit))


def _in(field: str, values: list[str] | None) -> Keep | None:
    return None if values is None else (lambda rec: rec.get(field) in values)


def _ranges(number: Callable[[dict[str, Any]], Any], text: str | None, name: str) -> Keep | None:
    if text is None:
        return None
    ranges = number_ranges(text, name)
    return lambda rec: in_ranges(number(rec), ranges)


def projects(po: PowerOfficeBase, q: Query) -> Keep:
    codes = q.csv("projectCodes")
    include_subs = q.boolean("includeSubProjects", False)
    status = q.choice("status", PROJECT_STATUS)
    billing = q.choice("projectBillingMethod", BILLING_METHODS)
    name = q.text("name")
    exclude_archived = q.boolean("excludeArchivedProject", False)
    departments = q.csv("departmentCodes")

    def parent_code(p: dict[str, Any]) -> str | None:
        parent = po.get("Projects", p.get("ParentProjectId"))
        return parent["Code"] if parent else p.get("ParentProjectCode")

    def number_of(table: str, id_key: str, no_key: str) -> Callable[[dict[str, Any]], Any]:
        def number(p: dict[str, Any]) -> Any:
            linked = po.get(table, p.get(id_key))
            return linked.get("Number") if linked else p.get(no_key)

        return number

    def department_code(p: dict[str, Any]) -> Any:
        department = po.get("Departments", p.get("DepartmentId"))
        return department.get("Code") if department else p.get("DepartmentCode")

    wanted = set(codes) if codes is not None else None
    return _all(
        None if wanted is None else (lambda p: p["Code"] in wanted or bool(include_subs and parent_code(p) in wanted)),
        None if status is None else (lambda p: p.get("ProjectStatus") == status),
        None if billing is None else (lambda p: p.get("ProjectBillingMethod") == billing),
        None if name is None else (lambda p: name.lower() in str(p.get("Name") or "").lower()),
        (lambda p: p.get("ProjectStatus") != "Archived") if exclude_archived else None,
        _ranges(number_of("Customers", "CustomerId", "CustomerNo"), q.text("customerNos"), "customerNos"),
        _ranges(
            number_of("Employees", "ProjectManagerEmployeeId", "ProjectManagerEmployeeNo"),
            q.text("projectManagerEmployeeNos"),
            "projectManagerEmployeeNos",
        ),
        None if departments is None else (lambda p: department_code(p) in departments),
        _later("CreatedDateTimeOffset", q.timestamp("createdDateTimeOffsetGreaterThan")),
        _later("LastChangedDateTimeOffset", q.timestamp("lastChangedDateTimeOffsetGreaterThan")),
    )


def products(po: PowerOfficeBase, q: Query) -> Keep:
    archived = q.boolean("isArchived")
    kind = q.choice("type", ("Product", "Service"))
    return _all(
        _in("Code", q.csv("codes")),
        _in("Name", q.csv("names")),
        _in("ProductGroupCode", q.csv("productGroupCodes")),
        None if archived is None else (lambda p: bool(p.get("IsArchived")) == archived),
        None if kind is None else (lambda p: (p.get("ProductType") or "Product") == kind),
        _later("CreatedDateTimeOffset", q.timestamp("createdDateTimeOffsetGreaterThan")),
        _later("LastChangedDateTimeOffset", q.timestamp("lastChangedDateTimeOffsetGreaterThan")),
        _later("StockOnHandLastChangedDatetimeOffset", q.timestamp("stockOnHandLastChangedDatetimeOffsetGreaterThan")),
    )


def _numbered(q: Query, numbers: str, created: str) -> Keep:
    """Employees and customers filter alike: number ranges (``numbers``), import reference,
    created after (``created`` is the field; its parameter is that name plus ``GreaterThan``),
    changed after."""
    external = q.text("externalImportReference")
    return _all(
        _ranges(lambda r: r.get("Number"), q.text(numbers), numbers),
        None if external is None else (lambda r: r.get("ExternalImportReference") == external),
        _later(created, q.timestamp(created[0].lower() + created[1:] + "GreaterThan")),
        _later("LastChangedDateTimeOffset", q.timestamp("lastChangedDateTimeOffsetGreaterThan")),
    )


def employees(po: PowerOfficeBase, q: Query) -> Keep:
    return _numbered(q, "employeeNos", "EmployeeCreatedDateTimeOffset")


def pay_items(po: PowerOfficeBase, q: Query) -> Keep:
    active = q.boolean("isActive")
    return _all(
        _in("Code", q.csv("codes")),
        None if active is None else (lambda p: bool(p.get("IsActive")) == active),
        _later("CreatedDateTimeOffset", q.timestamp("createdDateTimeOffsetGreaterThan")),
        _later("LastChangedDateTimeOffset", q.timestamp("lastChangedDateTimeOffsetGreaterThan")),
    )


def customers(po: PowerOfficeBase, q: Query) -> Keep:
    return _numbered(q, "customerNos", "CustomerCreatedDateTimeOffset")


def departments(po: PowerOfficeBase, q: Query) -> Keep:
    active = q.boolean("isActive")
    name = q.text("name")

    def manager_number(d: dict[str, Any]) -> Any:
        manager = po.get("Employees", d.get("ManagerEmployeeId"))
        return manager.get("Number") if manager else d.get("ManagerEmployeeNo")

    manager = q.integer("managerEmployeeNo")
    journal = q.text("createdFromImportJournalId")
    return _all(
        _in("Code", q.csv("codes")),
        None if active is None else (lambda d: bool(d.get("IsActive")) == active),
        None if name is None else (lambda d: name.lower() in str(d.get("Name") or "").lower()),
        None if manager is None else (lambda d: manager_number(d) == manager),
        None if journal is None else (lambda d: str(d.get("CreatedFromImportJournalId")) == journal),
        _later("CreatedDateTimeOffset", q.timestamp("createdDateTimeOffsetGreaterThan")),
        _later("LastChangedDateTimeOffset", q.timestamp("lastChangedDateTimeOffsetGreaterThan")),
    )


def sales_orders(po: PowerOfficeBase, q: Query) -> Keep:
    status = q.choice("orderStatus", ("Draft", "Confirmed"))
    codes = q.csv("projectCodes")
    include_subs = q.boolean("includeSubProject", False)
    only_ours = q.boolean("onlyCreatedByCurrentIntegration", False)
    departments = q.csv("departmentCodes")
    q.boolean("showInherited")

    def project_code(o: dict[str, Any]) -> tuple[str | None, str | None]:
        project = po.get("Projects", o.get("ProjectId"))
        if project is None:
            return o.get("ProjectCode"), None
        return project["Code"], project.get("ParentProjectCode")

    def customer_number(o: dict[str, Any]) -> Any:
        customer = po.get("Customers", o.get("CustomerId"))
        return customer.get("Number") if customer else o.get("CustomerNo")

    return _all(
        None if status is None else (lambda o: (o.get("SalesOrderStatus") or "Draft") == status),
        None
        if codes is None
        else (lambda o: project_code(o)[0] in codes or bool(include_subs and project_code(o)[1] in codes)),
        _ranges(customer_number, q.text("customerNos"), "customerNos"),
        (lambda o: bool(o.get("IsCreatedByCurrentIntegration"))) if only_ours else None,
        None if departments is None else (lambda o: o.get("DepartmentCode") in departments),
        _later("LastChangedDateTimeOffset", q.timestamp("lastChangedDateTimeOffsetGreaterThan")),
    )


FILTERS: dict[str, FilterBuilder] = {
    "Projects": projects,
    "Products": products,
    "Employees": employees,
    "PayItems": pay_items,
    "Customers": customers,
    "Departments": departments,
    "SalesOrders": sales_orders,
}


def _shaper(po: PowerOfficeBase, key: str, q: Query) -> Callable[[dict[str, Any]], dict[str, Any]]:
    select = field_selection(q, SCHEMAS[key])
    if select is None:
        return lambda rec: po.out(key, rec)
    return lambda rec: select(po.out(key, rec))


def lister(po: PowerOfficeBase, key: str) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        q = Query(request)
        page_params(q)
        keep = FILTERS[key](po, q)  # every parameter checked before any record is read
        shape = _shaper(po, key, q)
        with po.state.lock:
            rows = po.rows(key)
            if q.has_other_than("PageNumber", "PageSize", "Fields"):
                rows = [r for r in rows if keep(r)]
            return po.page(rows, q, shape)

    return endpoint


def getter(po: PowerOfficeBase, key: str, param: str = "id", *, uuid_ids: bool = False) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        record_id: Any = request.path_params[param] if uuid_ids else po.int_id(request, param)
        shape = _shaper(po, key, Query(request))
        with po.state.lock:
            rec = po.found(key, record_id, key[:-1].lower())
            return json_response(shape(rec))

    return endpoint


def routes(po: PowerOfficeBase) -> list[Route]:
    return [
        Route("/v2/Projects", lister(po, "Projects"), methods=["GET"]),
        Route("/v2/Projects/{id}", getter(po, "Projects"), methods=["GET"]),
        Route("/v2/Products", lister(po, "Products"), methods=["GET"]),
        Route("/v2/Products/{id}", getter(po, "Products"), methods=["GET"]),
        Route("/v2/Employees", lister(po, "Employees"), methods=["GET"]),
        Route("/v2/Employees/{employeeId}", getter(po, "Employees", "employeeId"), methods=["GET"]),
        Route("/v2/PayItems", lister(po, "PayItems"), methods=["GET"]),
        Route("/v2/PayItems/{id}", getter(po, "PayItems", uuid_ids=True), methods=["GET"]),
        Route("/v2/Customers", lister(po, "Customers"), methods=["GET"]),
        Route("/v2/Customers/{id}", getter(po, "Customers"), methods=["GET"]),
        Route("/v2/Departments", lister(po, "Departments"), methods=["GET"]),
        Route("/v2/Departments/{id}", getter(po, "Departments"), methods=["GET"]),
        Route("/v2/SalesOrders", lister(po, "SalesOrders"), methods=["GET"]),
        Route("/v2/SalesOrders/{id}", getter(po, "SalesOrders", uuid_ids=True), methods=["GET"]),
    ]
