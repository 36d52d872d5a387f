"""What a transfer plugin offers and what a transfer preview is made of: windows, lines, the plan."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from grunndata.clients import timetracking as tt
from grunndata.engine.model import RunContext, json_of, window_json
from grunndata.errors import GrunndataError
from grunndata.lazy import lazy_module

if TYPE_CHECKING:
    import asyncio
else:
    asyncio = lazy_module("asyncio")  # plugins import this module at every start; asyncio costs 40 ms

OPS = ("send", "update", "new_line", "mark", "hold", "report")
WRITES = ("send", "update", "new_line", "mark")
ENTRY = tt.ENTRY
F = tt.ENTRY_FIELDS  # the entry's field names, by meaning (the adapter's business)


# ---- what a plugin offers ---------------------------------------------------------------------
class Transfer(Protocol):
    """One kind of row to transfer. ``name`` is the kind and the rule key of its section."""

    name: str
    order: int
    description: str
    title: str  # heading in a consultant's report («Timer»)
    label: str  # the noun in a sentence or a column («timer»)
    subproject_code_rule: tuple[str, ...]  # rule path of the sub-project code template (the sync's)

    async def read(self, ctx: TransferContext, start: dt.date, end: dt.date) -> list[dict]: ...

    async def mark(self, ctx: TransferContext, row: dict, reference: str) -> None: ...


class TransferContext(RunContext):
    """A transfer run's context, with each kind's rules."""

    def section(self, kind: str) -> dict[str, Any]:
        """The rules ``kind`` runs by: its own section with its source's and the shared keys."""
        from grunndata.engine.transfer_schema import kind_rules

        return kind_rules(self.rules, kind).cfg


async def read_source(ctx: TransferContext, kind: str, start: dt.date, end: dt.date) -> list[dict]:
    """The SmartDok rows the kind's ``source`` rule names, for one window (read once per run,
    so kinds sharing a resource, such as hours and machine hours, share the request)."""
    src = ctx.section(kind)["source"]
    to = end.isoformat() + (f"T{src['to_time']}" if src["to_time"] else "")
    params = {**(src["params"] or {}), src["from_param"]: start.isoformat(), src["to_param"]: to}
    key = ("source", src.get("resource"), tuple(sorted((k, str(v)) for k, v in params.items())))
    if key not in ctx.cache:
        ctx.cache[key] = asyncio.ensure_future(ctx.smartdok.list(src["resource"], params))
    return list(await ctx.cache[key])


# ---- the preview ------------------------------------------------------------------------------
_line_json = json_of("op", "kind", "key", "fields", "reason", "rule")  # what ``--json`` shows of a line


@dataclass
class Line:
    """One line of the preview: what happens to one SmartDok row, why, and by which rule."""

    op: str
    kind: str
    key: str
    fields: dict[str, Any]
    reason: str
    rule: str
    # Not shown: what carrying the line out needs.
    row: dict[str, Any] = field(default_factory=dict, repr=False)
    reference: str = ""
    entry_id: Any = None
    body: dict[str, Any] | None = None
    changes: dict[str, Any] | None = None
    mark: bool = False

    def to_json(self) -> dict[str, Any]:
        return _line_json(self)

    @property
    def writes(self) -> bool:
        return self.op in WRITES


@dataclass
class TransferPlan:
    start: dt.date
    end: dt.date
    lines: list[Line]
    windows: list[tuple[dt.date, dt.date]]
    done: Counter = field(default_factory=Counter)  # rows already in PowerOffice and marked, per kind

    @property
    def writes(self) -> list[Line]:
        return [line for line in self.lines if line.writes]

    def summary(self) -> dict[str, Any]:
        counts = Counter(line.op for line in self.lines)
        out: dict[str, Any] = {op: counts.get(op, 0) for op in OPS}
        out["already_transferred"] = sum(self.done.values())
        out["total"] = len(self.lines)
        out["windows"] = [{"from": a.isoformat(), "to": b.isoformat()} for a, b in self.windows]
        return out

    def to_json(self) -> dict[str, Any]:
        return window_json(self)


def windows(start: dt.date, end: dt.date, days: int) -> list[tuple[dt.date, dt.date]]:
    """``start``..``end`` (inclusive) in pieces of at most ``days`` days (SmartDok's 93-day limit)."""
    if end < start:
        raise GrunndataError(f"perioden slutter ({end}) før den begynner ({start})")
    out, step = [], dt.timedelta(days=max(1, int(days)) - 1)
    while start <= end:
        stop = min(end, start + step)
        out.append((start, stop))
        start = stop + dt.timedelta(days=1)
    return out
