"""SmartDok's invoice bases (fakturagrunnlag) for ``grunndata invoice`` (R24-R27).

Reads ``GET /Invoices?fromDate=&toDate=`` (SmartDok selects the bases of the period) and a
project's own prices (``GET /Projects/{id}/Prices``). How a basis becomes a PowerOffice sales
order is the rule section ``invoice:`` (rules/invoice.yaml), decided by the core.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from grunndata import hookimpl
from grunndata.engine.invoice_schema import KEY, SCHEMA
from grunndata.engine.model import Read

# SmartDok's EntityType of a project price, by the kind of line it prices.
ENTITY_KINDS = {"Machine": "machine", "Goods": "goods", "Activity": "activity"}


class SmartDokInvoices:
    name = "invoices"
    title = "Fakturagrunnlag"
    label = "fakturagrunnlag"
    description = "Fakturagrunnlag fra SmartDok som ordreutkast i PowerOffice (R24-R27)"
    # What the bases are mapped against: the project and its sub-projects (SmartDok ids to numbers),
    # the registers a line's Code names (machines, goods, activities), and in PowerOffice the
    # projects, their customers, the products and the activities' products.
    reads = (
        Read("smartdok", "Projects", {"all": True}),
        Read("smartdok", "SubProjects", {"all": True}),
        Read("smartdok", "Machines", {"all": True}),
        Read("smartdok", "Goods", {"all": True}),
        Read("smartdok", "WorkDescriptions", {"all": True}),
        Read("poweroffice", "Projects"),
        Read("poweroffice", "Customers"),
        Read("poweroffice", "Products"),
        Read("poweroffice", "TimeTracking/Activity"),
    )

    async def read(self, ctx: Any, start: dt.date, end: dt.date) -> list[dict]:
        src = ctx.rules.get(KEY, "source")
        to = end.isoformat() + (f"T{src['to_time']}" if src["to_time"] else "")
        return await ctx.smartdok.list("Invoices", {src["from_param"]: start.isoformat(), src["to_param"]: to})

    async def prices(self, ctx: Any, project_id: Any) -> dict[tuple[str, str], float]:
        out: dict[tuple[str, str], float] = {}
        for price in await ctx.smartdok.list(f"Projects/{int(project_id)}/Prices"):
            kind = ENTITY_KINDS.get(str(price.get("EntityType")))
            value = price.get("ExternalPrice")
            if kind is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
                out[(kind, str(price.get("EntityId")))] = float(value)
        return out


SOURCE = SmartDokInvoices()


@hookimpl
def grunndata_invoice_sources() -> list[Any]:
    return [SOURCE]


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {KEY: SCHEMA}
