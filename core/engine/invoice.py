"""Invoice bases (fakturagrunnlag) from SmartDok to PowerOffice as sales order drafts, exactly once.

The engine behind ``grunndata invoice`` (R24-R27). An invoice source plugin
(``grunndata_invoice_sources``) reads the bases of a period; the rules (``invoice:``,
rules/invoice.yaml) decide how each becomes one sales order with one line per invoice line;
the one write engine (:mod:`grunndata.engine.writes`) sends it and the journal records it.

Exactly once: an order carries the reference ``smartdok-invoice-{Id}`` (a rule) and PowerOffice
refuses a second order with it. Before sending, the orders this integration created are read
(drafts and confirmed orders) and every reference there is skipped; an order that has since
become an invoice is no longer listed, so the journal is its record. A create whose answer was
lost is looked up by reference before anything is resent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Unpack

from grunndata.clients import salesorders as so
from grunndata.clients.errors import ApiError, Conflict, NotFound
from grunndata.engine.invoice_decide import Decider, Known
from grunndata.engine.invoice_map import Hold, InvoiceMapper, Mapped
from grunndata.engine.invoice_plan import Entry, InvoiceContext, InvoicePlan, Write, digest
from grunndata.engine.model import run_context
from grunndata.engine.preview_report import LOCKED, PreviewReport, PreviewWriter, run_window
from grunndata.engine.stopping import RunHooks
from grunndata.engine.writes import RECOVERED, Outcome, Sent, Stop, ambiguous
from grunndata.errors import GrunndataError

JOURNAL_TABLE = "invoice_writes"


# ---- the preview: read, decide, write nothing ---------------------------------------------------
def _sources(session: Any) -> list[Any]:
    sources = sorted(session.host.invoice_sources.values(), key=lambda s: s.name)
    if not sources:
        raise GrunndataError(
            "ingen kilde for fakturagrunnlag er lastet (tillegget «invoices» mangler); se «grunndata plugins»"
        )
    return sources


async def _prices(ctx: InvoiceContext, source: Any, bases: list[dict], mapper_rules: dict) -> dict[Any, Any]:
    """Each project's own prices, read only when the price rule can reach them (one request per project)."""
    order = list(mapper_rules["price"]["from"])
    if "project" not in order or ("line" in order and order.index("line") < order.index("project")):
        return {}
    field = mapper_rules["fields"]["project"]
    projects = sorted({b.get(field) for b in bases if b.get(field) is not None}, key=str)
    found = await asyncio.gather(*(source.prices(ctx, p) for p in projects))
    return dict(zip(projects, found, strict=True))


async def preview(
    session: Any, conn: Any, start: dt.date, end: dt.date, *, journal: Any = None
) -> tuple[InvoicePlan, InvoiceContext]:
    """Read both systems and the journal, and decide every invoice basis of the period. Writes nothing."""
    from grunndata.engine.runner import read_snapshot

    if end < start:
        raise GrunndataError(f"perioden slutter ({end}) før den begynner ({start})")
    sources = _sources(session)
    # Only what the sources map against: the fewest requests (the sync's and the doctor's lists are not read).
    reads = [r for s in sources for r in s.reads]
    snapshot, orders = await asyncio.gather(read_snapshot(conn, reads), so.list_ours(conn.poweroffice))
    ctx = run_context(InvoiceContext, session, conn, snapshot)
    read = await asyncio.gather(*(s.read(ctx, start, end) for s in sources))
    cfg = session.rules.get("invoice")
    prices: dict[Any, Any] = {}
    for source, bases in zip(sources, read, strict=True):
        prices.update(await _prices(ctx, source, bases, cfg))
    mapper = InvoiceMapper(snapshot, session.rules, prices)
    decider = Decider(mapper)
    known: dict[str, Known] = {
        k: Known(**v) for k, v in (journal.invoice_record() if journal is not None else {}).items()
    }
    by_ref = {o.get(so.ORDER_FIELDS["reference"]): o for o in orders if o.get(so.ORDER_FIELDS["reference"])}
    rules = session.rules
    qualify, credited, exported = (rules.condition("invoice", k) for k in ("qualify", "credited", "exported"))
    entries: list[Entry] = []
    to_compare: list[tuple[Mapped, dict]] = []
    done = 0
    seen: set[str] = set()
    for basis in sorted((b for bases in read for b in bases), key=lambda b: str(b.get(cfg["fields"]["id"]))):
        ref = mapper.reference(basis)
        if ref in seen:
            continue
        seen.add(ref)
        po_order, rec = by_ref.get(ref), known.get(ref, Known())
        sent = po_order is not None or rec.sent
        if not qualify.holds(basis):
            if sent:
                entries.append(
                    decider.credited(ref, po_order)
                    if credited.holds(basis)
                    else decider.no_longer_qualifies(ref, po_order)
                )
            continue
        if not sent and exported.holds(basis):
            continue  # sent by SmartDok some other way: not this integration's
        try:
            mapped = mapper.map(basis)
        except Hold as held:
            entries.append(decider.held_but_sent(ref, held) if sent else decider.hold(ref, held))
            continue
        if not sent:
            entries.append(decider.send(mapped, retried=ref in known))
        elif rec.digest is not None and rec.digest == digest(mapped.order):
            done += 1
        elif po_order is None:  # invoiced (or deleted) since: the journal is its record
            if (rec.digest or rec.last_good) == digest(mapped.order):
                done += 1
            else:
                entries.append(decider.invoiced_and_changed(ref))
        else:
            to_compare.append((mapped, po_order))
    complete = await asyncio.gather(
        *(so.complete(conn.poweroffice, o.get(so.ORDER_FIELDS["id"]), key=m.reference) for m, o in to_compare)
    )
    for (mapped, _), po_order in zip(to_compare, complete, strict=True):
        entry = decider.compare(mapped, po_order)
        if entry is None:
            done += 1
        else:
            entries.append(entry)
    entries.sort(key=lambda e: _natural(e.key))
    return InvoicePlan(start, end, entries, done), ctx


def _natural(key: str) -> tuple:
    import re

    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", key) if p)


# ---- carrying it out: one kind of write for the engine --------------------------------------------
class InvoiceResult(Outcome[Write]):
    def to_json(self) -> dict[str, Any]:
        return {**self.item.to_json(), "outcome": self.status, "remote_id": self.remote_id, "detail": self.detail}


class InvoiceWriter(PreviewWriter[Write]):
    """Sales orders and their lines: created by reference (looked up before any resend), and a
    draft's lines added, changed and removed. Each request is journaled before and after."""

    run_kind = "invoice"
    journal_table = JOURNAL_TABLE

    def creates(self, w: Write) -> bool:
        return w.op == "create"

    def _locked(self, w: Write) -> Sent:
        return Sent(
            w.line_id,
            LOCKED,
            f"ordren ble bekreftet eller fakturert i {self.target_name(w)} etter forhåndsvisningen; ikke endret",
            final=True,
        )

    async def send(self, w: Write) -> Sent:
        po = self.po
        if w.op == "create":
            created = await so.create(po, w.body or {}, key=w.reference)
            return Sent(created.get(so.ORDER_FIELDS["id"]))
        try:
            if w.op == "add_line":
                return await self._add_line(w)
            if w.op == "update_line":
                await so.update_line(po, w.order_id, w.line_id, w.changes or {}, key=w.reference)
            elif w.op == "delete_line":
                await so.delete_line(po, w.order_id, w.line_id, key=w.reference)
        except Conflict:
            return self._locked(w)
        except NotFound as exc:
            raise GrunndataError(
                f"linjen {w.reference} finnes ikke lenger på ordren i {self.target_name(w)} ({exc})"
            ) from None
        return Sent(w.line_id)

    async def _add_line(self, w: Write) -> Sent:
        """A line is a create too: a refused or unanswered add is looked up by its reference first."""
        try:
            created = await so.add_line(self.po, w.order_id, w.body or {}, key=w.reference)
            return Sent(created.get(so.LINE_FIELDS["id"]))
        except ApiError as exc:
            if not (isinstance(exc, Conflict) or ambiguous(exc)):
                raise
            found = await self._find_line(w)
            if found is not None:
                return Sent(found, RECOVERED, self.recovered_detail(w))
            if isinstance(exc, Conflict):
                return self._locked(w)
            raise

    async def _find_line(self, w: Write) -> Any:
        for line in await so.lines(self.po, w.order_id, key=w.reference):
            if line.get(so.LINE_FIELDS["reference"]) == w.reference:
                return line.get(so.LINE_FIELDS["id"])
        return None

    async def lookup(self, w: Write) -> dict[str, Any] | None:
        found = await so.find(self.po, w.reference, project=w.narrow.get("project"), customer=w.narrow.get("customer"))
        return {"id": found.get(so.ORDER_FIELDS["id"])} if found else None

    def journal_row(self, w: Write) -> dict[str, Any]:
        return {**w.to_json(), "order_id": w.order_id, "digest": w.digest}

    def new_outcome(self, w: Write, seq: int) -> InvoiceResult:
        return InvoiceResult(w, seq, remote_id=w.line_id)


class InvoiceReport(PreviewReport[InvoiceResult]):
    """``invoice``'s report: the preview, what became of each write, how the run ended."""

    def entries(self) -> list[Entry]:
        return self.plan.entries


async def invoice(
    session: Any, conn: Any, start: dt.date, end: dt.date, *, journal: Any = None, **hooks: Unpack[RunHooks]
) -> InvoiceReport:
    """Preview, confirm, carry out, journal: the whole of ``grunndata invoice``."""
    plan, ctx = await preview(session, conn, start, end, journal=journal)
    return await run_window(
        session, InvoiceReport(plan), InvoiceWriter(ctx), f"{start}..{end}", journal=journal, **hooks
    )


async def invoice_cycle(
    session: Any, conn: Any, start: dt.date, end: dt.date, *, journal: Any = None, stop: Stop | None = None
) -> InvoiceReport:
    """One unattended invoice cycle for ``grunndata run`` (``schedule.invoice``): the same as
    ``grunndata invoice --yes`` for ``start``..``end``. The caller holds the journal's lock."""
    return await invoice(session, conn, start, end, journal=journal, confirm=None, stop=stop)
