"""What the built-in transfer kinds share: rows read from a SmartDok source named in the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from grunndata.engine.model import Read
from grunndata.engine.transfer_plan import TransferContext, read_source
from grunndata.engine.transfer_schema import section_schema
from grunndata.plugins.offers import offers_section

# Rule keys a kind's section held before they got one home each; a rule file that still sets one
# gets one line naming the new place.
MOVED = {
    "project_code": "projects.subproject_code (et hovedprosjekts kode er prosjektnummeret)",
    "subproject_code": "projects.subproject_code, med plassholderne {parent} og {sub}",
    "source": "transfer.sources.<ressurs>; velg ressursen med «rows_from»",
    "qualify": "transfer.sources.<ressurs>.qualify",
    "exported": "transfer.sources.<ressurs>.exported",
    "exported_reference": "transfer.sources.<ressurs>.exported_reference",
    "new_line_reference": "transfer.new_line_reference",
    "locked": "transfer.locked",
}


class SmartDokRows:
    """One kind of SmartDok row to transfer; its rules are the section of its ``name``."""

    # The template a sub-project's PowerOffice code is made by: the sync's own (R6).
    subproject_code_rule = ("projects", "subproject_code")
    # What its rows are mapped against (the rows themselves are read per window, in ``read``):
    # employees (R3, through the SmartDok user where a row names only that), hour types (R4, R5),
    # projects, and the activity by code or by the machine's or goods' product (R10).
    reads = (
        Read("smartdok", "Users", {"all": True}),
        Read("poweroffice", "Employees"),
        Read("poweroffice", "TimeTracking/HourType"),
        Read("poweroffice", "Projects"),
        Read("poweroffice", "TimeTracking/Activity"),
        Read("poweroffice", "Products"),
    )

    def __init__(self, name: str, order: int, title: str, label: str, description: str, rules: str = ""):
        self.name, self.order, self.description = name, order, description
        self.title = title  # heading: «Timer»
        self.label = label  # the noun in a sentence or a column: «timer»
        self.rules = rules  # the description of its section in the rules' schema

    def hooks(self) -> tuple[Callable[[], list[Any]], Callable[[], dict[str, Any]]]:
        """The module's two hooks: this kind, and the schema of its rules section."""
        return offers_section(
            "grunndata_transfers", self.name, lambda: [self], lambda: section_schema(self.rules, MOVED)
        )

    async def read(self, ctx: TransferContext, start: dt.date, end: dt.date) -> list[dict]:
        return await read_source(ctx, self.name, start, end)

    def row_id(self, ctx: TransferContext, row: dict[str, Any]) -> int:
        return int(row[ctx.section(self.name)["source"]["id"]])
