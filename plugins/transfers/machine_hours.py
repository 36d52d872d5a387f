"""Machine hours from SmartDok to PowerOffice, on the activity carrying the machine's product (R10).

The same ``GET /WorkHours`` rows as hours (``includeMachineHours``), the rows
with a machine; marked like hours. ``machine_hours:`` in rules/transfer.yaml.
"""
from __future__ import annotations

from typing import Any

from grunndata import hookimpl
from grunndata.engine.transfer_schema import section_schema
from grunndata.plugins.transfers.hours import WorkHourTransfer
from grunndata.plugins.transfers.rows import MOVED

MACHINE_HOURS = WorkHourTransfer("machine_hours", 20, "Maskintimer", "maskintimer",
                                 "Maskintimer til timeføring på maskinens produkt (R10)")


@hookimpl
def grunndata_transfers() -> list[Any]:
    return [MACHINE_HOURS]


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {"machine_hours": section_schema(
        "Overføring av attesterte maskintimer fra SmartDok til PowerOffice, ført på aktiviteten som har "
        "maskinens produkt (R10), hver rad nøyaktig én gang.", MOVED)}
