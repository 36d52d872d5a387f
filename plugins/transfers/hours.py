"""Hours (with additions) from SmartDok to PowerOffice time tracking, each row exactly once.

Reads ``GET /WorkHours`` per window (shared with machine hours) and marks a
sent row with ``POST /WorkHours/SetExportedExternal`` and its reference. Which
rows are hours, which qualify, and how they map: ``hours:`` in rules/transfer.yaml.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from grunndata import hookimpl
from grunndata.engine.model import Read
from grunndata.engine.transfer_plan import TransferContext, read_source
from grunndata.engine.transfer_schema import section_schema


class WorkHourTransfer:
    """A kind read from SmartDok's WorkHours (hours, machine hours): rows marked by reference."""

    # What its rows are mapped against (the rows themselves are read per window, in ``read``):
    # employees (R3, through the SmartDok user where a row names only that), hour types (R4, R5),
    # projects, and the activity by code or by the machine's product (R10).
    reads = [Read("smartdok", "Users", {"all": True}), Read("poweroffice", "Employees"),
             Read("poweroffice", "TimeTracking/HourType"), Read("poweroffice", "Projects"),
             Read("poweroffice", "TimeTracking/Activity"), Read("poweroffice", "Products")]

    def __init__(self, name: str, order: int, description: str):
        self.name, self.order, self.description = name, order, description

    async def read(self, ctx: TransferContext, start: dt.date, end: dt.date) -> list[dict]:
        return await read_source(ctx, self.name, start, end)

    async def mark(self, ctx: TransferContext, row: dict, reference: str) -> None:
        row_id = row.get((ctx.section(self.name).get("source") or {}).get("id", "WorkHourID"))
        await ctx.smartdok.set_exported_external([int(row_id)], reference)


HOURS = WorkHourTransfer("hours", 10, "Timer (med tillegg) til timeføring i PowerOffice")


@hookimpl
def grunndata_transfers() -> list[Any]:
    return [HOURS]


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {"hours": section_schema("Overføring av attesterte timer og tillegg fra SmartDok til timeføringen i "
                                    "PowerOffice (R3-R5), hver rad nøyaktig én gang.", {})}
