"""Goods consumption from SmartDok to PowerOffice, on the activity carrying the goods' product.

Reads ``GET /GoodsConsumption`` per window and marks a sent row with
``POST /GoodsConsumption/{id}/MarkAsExported``. ``goods:`` in rules/transfer.yaml.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from grunndata import hookimpl
from grunndata.engine.model import Read
from grunndata.engine.transfer_plan import TransferContext, read_source
from grunndata.engine.transfer_schema import section_schema


class GoodsTransfer:
    name = "goods"
    order = 30
    description = "Vareforbruk til PowerOffice, på aktiviteten med varens produkt"
    # What its rows are mapped against (the rows themselves are read per window, in ``read``):
    # the employee through the SmartDok user (R3), projects, the activity by the goods' product.
    reads = [Read("smartdok", "Users", {"all": True}), Read("poweroffice", "Employees"),
             Read("poweroffice", "TimeTracking/HourType"), Read("poweroffice", "Projects"),
             Read("poweroffice", "TimeTracking/Activity"), Read("poweroffice", "Products")]

    async def read(self, ctx: TransferContext, start: dt.date, end: dt.date) -> list[dict]:
        return await read_source(ctx, self.name, start, end)

    async def mark(self, ctx: TransferContext, row: dict, reference: str) -> None:
        row_id = row.get((ctx.section(self.name).get("source") or {}).get("id", "Id"))
        await ctx.smartdok.mark_goods_exported(int(row_id), key=reference)


GOODS = GoodsTransfer()


@hookimpl
def grunndata_transfers() -> list[Any]:
    return [GOODS]


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {"goods": section_schema("Overføring av attestert vareforbruk fra SmartDok til PowerOffice, som "
                                    "linjer på aktiviteten med varens produkt, hver rad nøyaktig én gang.", {})}
