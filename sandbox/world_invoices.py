"""References of the invoice resources in a world file, resolved once at load.

SmartDok ``Invoices`` (invoice bases) and ``Prices`` name their project by ``ProjectId`` or by
``ProjectNumber`` (trailing spaces ignored); an invoice basis with a ``CustomerId`` and no
``CustomerNumber`` gets the number (and name) of that SmartDok customer. Each invoice line
gets an ``Id`` (unique over all invoice lines) and its invoice's ``InvoiceId``.

PowerOffice ``SalesOrders`` keep their lines in ``SalesOrderLines``; each line gets a UUID
``Id`` and its order's ``SalesOrderId``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grunndata.errors import GrunndataError

Fail = Callable[[str, str], GrunndataError]
Tables = dict[str, list[dict[str, Any]]]


def line_uuid(n: int) -> str:
    """A sales order line's id: a UUID of its own series (orders use ``…-8000-…``)."""
    return f"00000000-0000-4000-a000-{n:012d}"


def _project_ids(sd: Tables, key: str, fail: Fail) -> None:
    by_number = {str(p["ProjectNumber"]).rstrip(): p["Id"] for p in sd["Projects"]}
    ids = set(by_number.values())
    for i, row in enumerate(sd[key]):
        where = f"smartdok.{key}[{i}]"
        number = row.pop("ProjectNumber", None)
        if row.get("ProjectId") is None and number not in (None, ""):
            if str(number).rstrip() not in by_number:
                raise fail(where, f"project with ProjectNumber {number!r} not found in smartdok.Projects")
            row["ProjectId"] = by_number[str(number).rstrip()]
        if row.get("ProjectId") is None:
            raise fail(where, "needs ProjectId or ProjectNumber")
        if row["ProjectId"] not in ids:
            raise fail(where, f"ProjectId {row['ProjectId']} not found in smartdok.Projects")


def link_invoices(sd: Tables, po: Tables, fail: Fail) -> None:
    _project_ids(sd, "Invoices", fail)
    _project_ids(sd, "Prices", fail)
    customers = {c["Id"]: c for c in sd["Customers"]}
    seen = [
        line["Id"]
        for inv in sd["Invoices"]
        for line in inv.get("InvoiceLines") or []
        if isinstance(line.get("Id"), int)
    ]
    if len(seen) != len(set(seen)):
        raise fail("smartdok.Invoices", "an invoice line Id is used twice")
    next_id = max(seen, default=0)
    for inv in sd["Invoices"]:
        customer = customers.get(inv.get("CustomerId"))
        if customer is not None and inv.get("CustomerNumber") in (None, ""):
            inv["CustomerNumber"] = customer.get("CustomerNumber")
            inv.setdefault("CustomerName", customer.get("CustomerName"))
        for line in inv.get("InvoiceLines") or []:
            if line.get("Id") is None:
                next_id += 1
                line["Id"] = next_id
            line["InvoiceId"] = inv["Id"]
            line.setdefault("ProjectId", inv.get("ProjectId"))
    n = 0
    for order in po["SalesOrders"]:
        for line in order.get("SalesOrderLines") or []:
            if line.get("Id") is None:
                n += 1
                line["Id"] = line_uuid(n)
            line["SalesOrderId"] = order["Id"]
