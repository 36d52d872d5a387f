"""Goods consumption from SmartDok to PowerOffice, on the activity carrying the goods' product.

Reads ``GET /GoodsConsumption`` per window and marks a sent row with
``POST /GoodsConsumption/{id}/MarkAsExported``. ``goods:`` in rules/transfer.yaml.
"""

from __future__ import annotations

from grunndata.engine.transfer_plan import TransferContext
from grunndata.plugins.transfers.rows import SmartDokRows


class GoodsTransfer(SmartDokRows):
    async def mark(self, ctx: TransferContext, row: dict, reference: str) -> None:
        await ctx.smartdok.mark_goods_exported(self.row_id(ctx, row), key=reference)


GOODS = GoodsTransfer(
    "goods",
    30,
    "Vareforbruk",
    "vareforbruk",
    "Vareforbruk til PowerOffice, på aktiviteten med varens produkt",
    rules="Overføring av attestert vareforbruk fra SmartDok til PowerOffice, som "
    "linjer på aktiviteten med varens produkt, hver rad nøyaktig én gang.",
)

grunndata_transfers, grunndata_rules_schema = GOODS.hooks()
