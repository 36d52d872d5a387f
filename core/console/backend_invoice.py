"""The console's door to the invoice engine (fakturagrunnlag → PowerOffice sales order drafts).

Part of the one door to the engine (see :mod:`grunndata.console.backend`): the Overføring page's
invoice preview and *Send* call only this. *Send* runs exactly what ``grunndata invoice --yes``
runs (:func:`grunndata.engine.invoice.invoice`, the function ``invoice_cycle`` wraps), with the
journal's lock, and goes ahead only when a fresh preview would write exactly what was shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from grunndata.console.backend import Reach, _connection, open_journal, run_sync, send_window
from grunndata.engine import invoice as invoice_engine
from grunndata.engine.invoice_plan import InvoicePlan
from grunndata.session import Session

__all__ = ["BasisOutcome", "InvoicePlan", "basis_outcomes", "invoice_digest", "invoice_preview", "invoice_send"]


def _journal_if_any(session: Session, reach: Reach | dict[str, Any] | None) -> Any:
    """The journal knows orders PowerOffice no longer lists (invoiced since); a preview reads it
    when it exists and never creates it."""
    return open_journal(session, reach, create=False)


async def _preview(
    session: Session, transports: Reach | dict[str, Any] | None, start: dt.date, end: dt.date
) -> InvoicePlan:
    journal = _journal_if_any(session, transports)
    try:
        async with _connection(session, transports) as conn:
            made, _ = await invoice_engine.preview(session, conn, start, end, journal=journal)
            return made
    finally:
        if journal is not None:
            journal.close()


def invoice_preview(
    session: Session, transports: Reach | dict[str, Any] | None, start: dt.date, end: dt.date
) -> InvoicePlan:
    """What ``grunndata invoice`` would show for the period; writes nothing."""
    return run_sync(lambda: _preview(session, transports, start, end))


def invoice_digest(plan: InvoicePlan) -> str:
    """What the preview would write, as a hash (every request, its target and its body)."""
    digest = hashlib.sha256()
    for w in plan.writes:
        digest.update(
            json.dumps(
                [w.op, w.key, w.reference, w.order_id, w.line_id, w.body, w.changes],
                sort_keys=True,
                default=str,
                ensure_ascii=False,
            ).encode()
        )
    return digest.hexdigest()[:32]


# ``grunndata invoice --yes`` for the period, only when the fresh preview writes what was shown
# (``stale_invoice`` otherwise, nothing sent).
invoice_send = partial(send_window, digest=invoice_digest, stale="stale_invoice", write=invoice_engine.invoice)


# ---- per-basis outcome ---------------------------------------------------------------------------
# The worst outcome of a basis' writes names the basis' outcome.
_SEVERITY = ("ok", "recovered", "locked", "failed", "not_sent")


@dataclass
class BasisOutcome:
    key: str  # the basis' reference, smartdok-invoice-{Id}
    op: str  # send | correct | hold | report
    outcome: str  # ok | recovered | locked | failed | not_sent | held | reported
    order_id: Any = None
    reason: str = ""
    details: list[str] = field(default_factory=list)
    writes: int = 0


def basis_outcomes(report: invoice_engine.InvoiceReport) -> list[BasisOutcome]:
    """One row per invoice basis of the run: what became of its order (its writes together)."""
    by_key: dict[str, list[Any]] = {}
    for result in report.results:
        by_key.setdefault(result.item.key, []).append(result)
    rows = []
    for entry in report.plan.entries:
        if entry.op in ("hold", "report"):
            rows.append(
                BasisOutcome(entry.key, entry.op, "held" if entry.op == "hold" else "reported", reason=entry.reason)
            )
            continue
        results = by_key.get(entry.key, [])
        statuses = [r.status for r in results] or ["not_sent"]
        if len(results) < len(entry.writes):
            statuses.append("not_sent")  # stopped before all its writes were made
        worst = max(statuses, key=lambda s: _SEVERITY.index(s) if s in _SEVERITY else len(_SEVERITY))
        order_id = next((r.remote_id for r in results if r.item.op == "create"), None)
        if order_id is None:
            order_id = next((r.item.order_id for r in results if r.item.order_id is not None), None)
        rows.append(
            BasisOutcome(
                entry.key,
                entry.op,
                worst,
                order_id,
                entry.reason,
                [r.detail for r in results if r.detail],
                len(entry.writes),
            )
        )
    return rows
