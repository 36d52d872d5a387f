"""A run that writes to PowerOffice from a preview whose entries may be held back or reported
instead (``grunndata transfer`` and ``grunndata invoice``): the writer's common part, one report
summary shape for both, and the run over one window."""

from __future__ import annotations

from collections import Counter
from typing import Any, TypeVar, Unpack

from grunndata.engine.model import RunContext
from grunndata.engine.stopping import RunHooks
from grunndata.engine.writes import (
    FAILED,
    OK,
    RECOVERED,
    BaseWriter,
    Out,
    RunStamp,
    T,
    Writer,
    WriteReport,
    execute,
)

# A write PowerOffice refused because its record was locked (confirmed, approved) after the preview.
LOCKED = "locked"


class PreviewWriter(BaseWriter[T]):
    """A preview's writes into PowerOffice, with the run's context (``ctx``) and clients."""

    def __init__(self, ctx: RunContext, concurrency: int = 4) -> None:
        self.ctx = ctx
        self.po = ctx.poweroffice
        self.concurrency = concurrency

    def target_name(self, item: T) -> str:
        return str(self.ctx.rules.system_name("poweroffice"))


class PreviewReport(WriteReport[Out]):
    """What became of each write, with the preview's entries counted by what they do."""

    @property
    def results(self) -> list[Out]:
        return self.outcomes

    def entries(self) -> list[Any]:
        """The preview's entries (each with an ``op``: ``hold`` and ``report`` are counted)."""
        raise NotImplementedError

    def step_counts(self) -> dict[str, int]:
        """Counts of the steps after a send the kind records (transfer: ``marked``)."""
        return {}

    def summary(self) -> dict[str, Any]:
        counts = self.counts()
        ops = Counter(e.op for e in self.entries())
        return {
            "planned_writes": len(self.plan.writes),
            OK: counts.get(OK, 0),
            RECOVERED: counts.get(RECOVERED, 0),
            LOCKED: counts.get(LOCKED, 0),
            FAILED: counts.get(FAILED, 0),
            **self.step_counts(),
            "held": ops["hold"],
            "reported": ops["report"],
            "declined": self.declined,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **self.plan.to_json(),
            "run": self.run_id,
            "results": [r.to_json() for r in self.outcomes],
            "outcome": self.summary(),
        }


R = TypeVar("R", bound=PreviewReport[Any])


async def run_window(
    session: Any, report: R, writer: Writer[Any], window: str, *, journal: Any = None, **hooks: Unpack[RunHooks]
) -> R:
    """Show the preview, confirm, carry out, journal: a ``transfer`` or ``invoice`` run over one
    window (``start..end``) once its preview is made."""
    from grunndata.engine.planner import config_hash  # the planner is only needed once a run goes ahead

    on_plan = hooks.get("on_plan")
    if on_plan is not None:
        on_plan(report.plan)
    stamp = RunStamp(session.config.master, config_hash(session), window)
    confirm, progress, stop = hooks.get("confirm"), hooks.get("progress"), hooks.get("stop")
    return await execute(writer, report, stamp, journal=journal, confirm=confirm, progress=progress, stop=stop)
