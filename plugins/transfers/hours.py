"""Hours (with additions) from SmartDok to PowerOffice time tracking, each row exactly once.

Reads ``GET /WorkHours`` per window (shared with machine hours) and marks a
sent row with ``POST /WorkHours/SetExportedExternal`` and its reference. Which
rows are hours, which qualify, and how they map: ``hours:`` in rules/transfer.yaml.
"""

from __future__ import annotations

from grunndata.engine.transfer_plan import TransferContext
from grunndata.plugins.transfers.rows import SmartDokRows


class WorkHourTransfer(SmartDokRows):
    """A kind read from SmartDok's WorkHours (hours, machine hours): rows marked by reference."""

    async def mark(self, ctx: TransferContext, row: dict, reference: str) -> None:
        await ctx.smartdok.set_exported_external([self.row_id(ctx, row)], reference)


HOURS = WorkHourTransfer(
    "hours",
    10,
    "Timer",
    "timer",
    "Timer (med tillegg) til timeføring i PowerOffice",
    rules="Overføring av attesterte timer og tillegg fra SmartDok til timeføringen i "
    "PowerOffice (R3-R5), hver rad nøyaktig én gang.",
)

grunndata_transfers, grunndata_rules_schema = HOURS.hooks()
