"""Where PowerOffice's sales orders (invoice drafts) live, and how they are spoken to.

Every path, field name and body shape of ``/SalesOrders`` the invoice transfer uses is here,
so the engine speaks of an order's meaning (``project``, ``reference``) and never spells the
API's fields. The functions take a :class:`~grunndata.clients.poweroffice.PowerOfficeClient`
and use its request loop (retries, pacing, typed errors), as a part of that client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grunndata.clients.errors import NotFound

if TYPE_CHECKING:
    from grunndata.clients.poweroffice import PowerOfficeClient

ORDERS = "SalesOrders"
COMPLETE = "SalesOrders/Complete"
LINES = "SalesOrders/Lines"

# An order's header and its lines, by meaning (SalesOrderCompletePostDto, SalesOrderLinePostDto).
ORDER_FIELDS = {
    "customer": "CustomerNo",
    "project": "ProjectCode",
    "date": "SalesOrderDate",
    "status": "SalesOrderStatus",
    "reference": "ExternalImportReference",
    "lines": "SalesOrderLines",
    "id": "Id",
    "number": "SalesOrderNo",
}
LINE_FIELDS = {
    "product": "ProductCode",
    "description": "Description",
    "quantity": "Quantity",
    "price": "ProductUnitPrice",
    "allowance": "Allowance",
    "project": "ProjectCode",
    "reference": "ExternalImportReference",
    "sort": "SortOrder",
    "id": "Id",
}
# What "only the orders this integration made" is called in the list's query.
OURS = {"onlyCreatedByCurrentIntegration": True}
FILTERS = {"project": "projectCodes", "customer": "customerNos"}


async def list_ours(po: PowerOfficeClient, **filters: Any) -> list[dict]:
    """The drafts and confirmed orders this integration created (orders that became invoices are
    not listed: the journal remembers those)."""
    params = {**OURS, **{FILTERS[k]: v for k, v in filters.items() if v not in (None, "")}}
    return await po.list(ORDERS, params)


async def find(
    po: PowerOfficeClient, reference: str, *, project: str | None = None, customer: Any = None
) -> dict | None:
    """The order this integration made with ``reference`` (narrowed by project and customer), or None."""
    for order in await list_ours(po, project=project, customer=customer):
        if order.get(ORDER_FIELDS["reference"]) == reference:
            return order
    return None


async def create(po: PowerOfficeClient, body: dict, *, key: str) -> dict:
    """``POST /SalesOrders/Complete``: the order and its lines in one request."""
    return await po.create(COMPLETE, body, key=key)


async def complete(po: PowerOfficeClient, order_id: Any, *, key: str | None = None) -> dict:
    """``GET /SalesOrders/{id}/Complete``: the order as it is now, with its lines."""
    from grunndata.clients.base import Call

    call = Call(
        "GET", "/SalesOrders/{id}/Complete", f"/SalesOrders/{order_id}/Complete", ORDERS, "get", key=key, read=True
    )
    response = await po._call(call)
    return po._record(call, response, po._json(call, response))


async def lines(po: PowerOfficeClient, order_id: Any, *, key: str | None = None) -> list[dict]:
    """``GET /SalesOrders/{id}/Lines``."""
    return await po._list(LINES, "/SalesOrders/{id}/Lines", f"/SalesOrders/{order_id}/Lines", None, paged=True)


async def add_line(po: PowerOfficeClient, order_id: Any, body: dict, *, key: str) -> dict:
    """``POST /SalesOrders/{id}/Lines`` (a create: a lost answer is looked up before any resend)."""
    return await po._create(LINES, "/SalesOrders/{id}/Lines", f"/SalesOrders/{order_id}/Lines", body, key)


async def update_line(po: PowerOfficeClient, order_id: Any, line_id: Any, changes: dict, *, key: str) -> dict:
    """``PATCH /SalesOrders/{id}/Lines/{lineId}`` with JSON Patch ``replace`` operations (PascalCase paths)."""
    from grunndata.clients import timetracking as tt
    from grunndata.clients.poweroffice import replace_call

    template, path = "/SalesOrders/{id}/Lines/{lineId}", f"/SalesOrders/{order_id}/Lines/{line_id}"
    call = replace_call(LINES, template, path, changes, key=key)
    response = await po._call(call)
    body = tt.unwrap(po._json(call, response, allow_empty=True))
    return body if isinstance(body, dict) else {}


async def delete_line(po: PowerOfficeClient, order_id: Any, line_id: Any, *, key: str) -> None:
    """``DELETE /SalesOrders/{id}/Lines/{lineId}``; a line already gone counts as deleted (a resend
    after a lost answer finds nothing to delete)."""
    from grunndata.clients.base import Call

    call = Call(
        "DELETE",
        "/SalesOrders/{id}/Lines/{lineId}",
        f"/SalesOrders/{order_id}/Lines/{line_id}",
        LINES,
        "delete",
        key=key,
    )
    try:
        await po._call(call)
    except NotFound:
        return
