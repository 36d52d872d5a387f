"""The transfer preview: read both systems and let the rules decide every line. Writes nothing.

Carrying the lines out is :mod:`grunndata.engine.transfer`'s business.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

from grunndata.engine.model import run_context
from grunndata.engine.transfer_plan import ENTRY, Line, TransferContext, TransferPlan, windows
from grunndata.engine.transfer_rules import EntryIndex, Resolver, _format, _revision_pattern, decide, doctor_findings
from grunndata.engine.transfer_schema import kind_rules


def subproject_code_rule(session: Any, transfer: Any) -> tuple[str, str]:
    """The sub-project code template a transfer kind uses, and where it is written: the rule the
    plugin names (``subproject_code_rule``), the one the sync makes sub-projects by."""
    path = tuple(transfer.subproject_code_rule)
    return session.rules.get(*path), session.rules.where(*path)


async def preview(
    session: Any, conn: Any, start: dt.date, end: dt.date, kinds: list[str] | None = None
) -> tuple[TransferPlan, TransferContext]:
    """Read both systems and decide every line. Writes nothing."""
    from grunndata.engine.runner import read_snapshot

    snapshot, entries = await asyncio.gather(read_snapshot(conn), conn.poweroffice.list(ENTRY))
    ctx = run_context(TransferContext, session, conn, snapshot)
    transfers = sorted(
        (t for name, t in session.host.transfers.items() if kinds is None or name in kinds),
        key=lambda t: (t.order, t.name),
    )
    rules = {t.name: kind_rules(session.rules, t.name) for t in transfers}
    checks = {c for k in rules.values() for c in (k.cfg["hold_on"] or {}).values()}
    findings = doctor_findings(session, snapshot, checks)
    res = Resolver(snapshot, session.rules)
    lines: list[Line] = []
    done: Counter = Counter()
    all_windows: list[tuple[dt.date, dt.date]] = []
    for t in transfers:
        k = rules[t.name]
        index = EntryIndex(entries, _revision_pattern(k.cfg["new_line_reference"]))
        spans = windows(start, end, k.cfg["window_days"])
        all_windows = all_windows if len(all_windows) >= len(spans) else spans
        rows_by_window = await asyncio.gather(*(t.read(ctx, a, b) for a, b in spans))
        seen: set[Any] = set()
        id_field = k.cfg["source"]["id"]
        select = k.condition("select")
        sub_code = subproject_code_rule(session, t)
        for rows in rows_by_window:
            for row in rows:
                if row.get(id_field) in seen or not select.holds(row):
                    continue
                seen.add(row.get(id_field))
                decided = decide(k, row, index, res, findings, sub_code)
                if decided is None:
                    if index.current(_format(k.cfg["reference"], id=row.get(id_field))) is not None:
                        done[t.name] += 1
                    continue
                lines.append(decided)
    ctx.cache["transfers"] = {t.name: t for t in transfers}
    return TransferPlan(start, end, lines, all_windows, done), ctx
