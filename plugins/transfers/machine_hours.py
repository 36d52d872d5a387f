"""Machine hours from SmartDok to PowerOffice, on the activity carrying the machine's product (R10).

The same ``GET /WorkHours`` rows as hours (``includeMachineHours``), the rows
with a machine; marked like hours. ``machine_hours:`` in rules/transfer.yaml.
"""

from __future__ import annotations

from grunndata.plugins.transfers.hours import WorkHourTransfer

MACHINE_HOURS = WorkHourTransfer(
    "machine_hours",
    20,
    "Maskintimer",
    "maskintimer",
    "Maskintimer til timeføring på maskinens produkt (R10)",
    rules="Overføring av attesterte maskintimer fra SmartDok til PowerOffice, ført på "
    "aktiviteten som har maskinens produkt (R10), hver rad nøyaktig én gang.",
)

grunndata_transfers, grunndata_rules_schema = MACHINE_HOURS.hooks()
