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

import datetime as dt
from collections.abc import Callable
from typing import Any, Unpack

from grunndata.clients.errors import Conflict
from grunndata.engine.preview_report import LOCKED, PreviewReport, PreviewWriter, run_window
from grunndata.engine.stopping import RunHooks
from grunndata.engine.transfer_plan import ENTRY, F, Line, TransferContext, TransferPlan, windows  # noqa: F401
from grunndata.engine.transfer_preview import preview  # the rules decide; this module carries it out
from grunndata.engine.writes import Outcome, Sent, StepRecorder, Stop, carry


# ---- carrying it out: one kind of write for the engine ------------------------------------------
class LineResult(Outcome[Line]):
    """What became of one line: its send (or update) in PowerOffice, and its mark in SmartDok."""

    @property
    def line(self) -> Line:
        return self.item

    @property
    def entry_id(self) -> Any:
        return self.remote_id

    @property
    def marked(self) -> bool:
        return MARKED in self.steps

    def to_json(self) -> dict[str, Any]:
        return {
            **self.line.to_json(),
            "reference": self.line.reference,
            "outcome": self.status,
            "remote_id": self.remote_id,
            "marked": self.marked,
            "detail": self.detail,
        }


MARKED = "marked"


class TransferWriter(PreviewWriter[Line]):
    """Transfer lines: a time-tracking entry sent (or its amount updated) by its reference, then the
    SmartDok row marked. Two steps, both journaled."""

    run_kind = "transfer"
    journal_table = "transfer_lines"
    journal_sent = True

    def __init__(self, ctx: TransferContext, concurrency: int = 4) -> None:
        super().__init__(ctx, concurrency)
        self.transfers: dict[str, Any] = ctx.cache.get("transfers") or {}

    def creates(self, line: Line) -> bool:
        return line.op in ("send", "new_line")

    async def send(self, line: Line) -> Sent:
        if self.creates(line):
            created = await self.po.create(ENTRY, line.body, key=line.reference)
            return Sent(created.get("id"))
        if line.op == "update":
            try:
                await self.po.update(ENTRY, line.entry_id, line.changes or {}, key=line.reference)
            except Conflict:
                return Sent(
                    line.entry_id,
                    LOCKED,
                    "linjen ble låst i PowerOffice etter forhåndsvisningen; ikke endret",
                    final=True,
                )
        return Sent(line.entry_id)  # 'mark': the line is in PowerOffice already

    async def lookup(self, line: Line) -> dict[str, Any] | None:
        found = await self.po.find(ENTRY, **{F["reference"]: line.reference})
        return {"id": found[0].get("id")} if found else None

    async def follow_up(self, line: Line, outcome: Outcome[Line], step: StepRecorder) -> None:
        if line.mark:
            await self.transfers[line.kind].mark(self.ctx, line.row, line.reference)
            step(MARKED)

    def journal_row(self, line: Line) -> dict[str, Any]:
        return {**line.to_json(), "reference": line.reference}

    def new_outcome(self, line: Line, seq: int) -> LineResult:
        return LineResult(line, seq, remote_id=line.entry_id)


async def carry_out(
    plan: TransferPlan,
    ctx: TransferContext,
    *,
    journal: Any = None,
    run_id: int | None = None,
    concurrency: int = 4,
    progress: Callable[[Any], None] | None = None,
    stop: Stop | None = None,
) -> list[LineResult]:
    """Send, update and mark; one failed line does not stop the others."""
    outcomes = await carry(
        TransferWriter(ctx, concurrency), plan.writes, journal=journal, run_id=run_id, progress=progress, stop=stop
    )
    return [o for o in outcomes if isinstance(o, LineResult)]


class TransferReport(PreviewReport[LineResult]):
    """``transfer``'s report: the preview, what became of each line, how the run ended."""

    def entries(self) -> list[Line]:
        return self.plan.lines

    def step_counts(self) -> dict[str, int]:
        return {MARKED: sum(1 for r in self.outcomes if MARKED in r.steps)}


async def transfer(
    session: Any, conn: Any, start: dt.date, end: dt.date, *, journal: Any = None, **hooks: Unpack[RunHooks]
) -> TransferReport:
    """Preview, confirm, carry out, journal: the whole of ``grunndata transfer``."""
    plan, ctx = await preview(session, conn, start, end)
    return await run_window(
        session, TransferReport(plan), TransferWriter(ctx), f"{start}..{end}", journal=journal, **hooks
    )
