"""Transfers: attested SmartDok rows (hours, machine hours, goods) to PowerOffice, each exactly once.

The shared engine behind ``grunndata transfer``. Transfer plugins
(``grunndata_transfers``) only read their SmartDok rows for a date window and
mark a row as sent; everything else is a rule in the plugin's section of the
rule files (``rules/transfer.yaml``): which rows belong to the kind and
qualify, the field mapping, the ``externalImportReference`` format, the window
size, what counts as locked in PowerOffice, which doctor checks hold a row back.

Exactly once: every PowerOffice line carries a reference derived from the
SmartDok row's id, and PowerOffice refuses a second line with one reference.
A run first reads every line PowerOffice has; a row whose reference is there
is never sent again (only marked in SmartDok, if a crash came between the two
steps). A send whose answer was lost is looked up by its reference before
anything else happens. The journal records both steps per row.

PowerOffice's home for every kind is ``TimeTracking/TimeTrackingEntry`` (the
only documented resource that carries an import reference and lands on a
project's invoice basis); the adapter ``grunndata.clients.timetracking`` keeps
its paths and shapes in one place.
"""
from __future__ import annotations
from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from grunndata.engine.transfer_plan import ENTRY, F, Line, TransferContext, TransferPlan, windows  # noqa: F401
from grunndata.engine.transfer_preview import preview  # the rules decide; this module carries it out
from grunndata.errors import GrunndataError


# ---- carrying it out --------------------------------------------------------------------------
@dataclass
class LineResult:
    line: Line
    status: str  # ok | recovered | failed | locked
    entry_id: Any = None
    marked: bool = False
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.line.to_json(), "reference": self.line.reference, "outcome": self.status,
                "remote_id": self.entry_id, "marked": self.marked, "detail": self.detail}


def _status(exc: Exception) -> int | None:
    return getattr(exc, "status", None) or getattr(exc, "status_code", None)


async def _find(po: Any, reference: str) -> dict | None:
    found = await po.find(ENTRY, **{F["reference"]: reference})
    return found[0] if found else None


async def _send_once(po: Any, line: Line) -> tuple[str, Any, str]:
    """Send, or find the line a lost answer (or an earlier run) already created."""
    try:
        created = await po.create(ENTRY, line.body, key=line.reference)
        return "ok", created.get("id"), ""
    except Exception as exc:
        if not (getattr(exc, "ambiguous", False) or _status(exc) == 409):
            raise
        found = await _find(po, line.reference)
        if found is not None:
            return "recovered", found.get("id"), "fantes allerede i PowerOffice (svaret gikk tapt): ikke sendt på nytt"
        if _status(exc) == 409:
            raise
        created = await po.create(ENTRY, line.body, key=line.reference)
        return "ok", created.get("id"), "sendt på nytt: den første forespørselen nådde aldri PowerOffice"


async def carry_out(plan: TransferPlan, ctx: TransferContext, *, journal: Any = None, run_id: int | None = None,
                    concurrency: int = 4, progress: Callable[[LineResult], None] | None = None) -> list[LineResult]:
    """Send, update and mark; one failed line does not stop the others."""
    transfers = ctx.cache.get("transfers") or {}
    gate = asyncio.Semaphore(concurrency)
    po = ctx.poweroffice

    async def one(seq: int, line: Line) -> LineResult:
        jrow = journal.line_started(run_id, seq, line) if journal is not None else None
        result = LineResult(line, "ok", line.entry_id)
        async with gate:
            try:
                if line.op in ("send", "new_line"):
                    result.status, result.entry_id, result.detail = await _send_once(po, line)
                elif line.op == "update":
                    try:
                        await po.update(ENTRY, line.entry_id, line.changes or {}, key=line.reference)
                    except Exception as exc:
                        if _status(exc) != 409:
                            raise
                        result.status, result.detail = "locked", ("linjen ble låst i PowerOffice etter "
                                                                  "forhåndsvisningen; ikke endret")
                if journal is not None and result.status != "locked":
                    journal.line_po_accepted(jrow, result.status, result.entry_id, result.detail)
                if line.mark and result.status != "locked":
                    await transfers[line.kind].mark(ctx, line.row, line.reference)
                    result.marked = True
                    if journal is not None:
                        journal.line_marked(jrow)
            except Exception as exc:  # reported per line; the batch goes on
                result.status = "failed"
                result.detail = str(exc) if isinstance(exc, GrunndataError) else f"{type(exc).__name__}: {exc}"
        if journal is not None:
            journal.line_done(jrow, result.status, result.entry_id, result.detail)
        if progress is not None:
            progress(result)
        return result

    writes = plan.writes
    return list(await asyncio.gather(*(one(i, line) for i, line in enumerate(writes))))


@dataclass
class TransferReport:
    plan: TransferPlan
    results: list[LineResult] = field(default_factory=list)
    run_id: int | None = None
    declined: bool = False

    @property
    def failed(self) -> list[LineResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> dict[str, Any]:
        counts = Counter(r.status for r in self.results)
        return {"planned_writes": len(self.plan.writes), "ok": counts.get("ok", 0),
                "recovered": counts.get("recovered", 0), "locked": counts.get("locked", 0),
                "failed": counts.get("failed", 0), "marked": sum(1 for r in self.results if r.marked),
                "held": sum(1 for line in self.plan.lines if line.op == "hold"),
                "reported": sum(1 for line in self.plan.lines if line.op == "report"),
                "declined": self.declined}

    def to_json(self) -> dict[str, Any]:
        return {**self.plan.to_json(), "run": self.run_id, "results": [r.to_json() for r in self.results],
                "outcome": self.summary()}


async def transfer(session: Any, conn: Any, start: dt.date, end: dt.date, *, journal: Any = None,
                   confirm: Callable[[TransferPlan], bool] | None = None,
                   on_plan: Callable[[TransferPlan], None] | None = None,
                   progress: Callable[[LineResult], None] | None = None) -> TransferReport:
    """Preview, confirm, carry out, journal: the whole of ``grunndata transfer``."""
    plan, ctx = await preview(session, conn, start, end)
    if on_plan is not None:
        on_plan(plan)
    report = TransferReport(plan)
    if not plan.writes:
        return report
    if confirm is not None and not confirm(plan):
        report.declined = True
        return report
    if journal is not None:
        from grunndata.engine.planner import config_hash

        report.run_id = journal.start_run(session.config.master, config_hash(session), f"{start}..{end}",
                                          kind="transfer")
    try:
        report.results = await carry_out(plan, ctx, journal=journal, run_id=report.run_id, progress=progress)
    finally:
        if journal is not None:
            status = "interrupted" if len(report.results) < len(plan.writes) else \
                ("failed" if report.failed else "ok")
            journal.finish_run(report.run_id, status, report.summary())
    return report
