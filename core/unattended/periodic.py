"""Transfer and invoice cycles, and :func:`run_cycle`: one cycle of any kind for one integration.

A transfer cycle (``schedule.transfer``) sends the hours, machine hours and goods of the last
``transfer.days`` days (a rule, default 31) through the transfer engine, which has its own rules
and never counts against the sync guardrails. An invoice cycle (``schedule.invoice``, default off)
sends the invoice bases of the same window as sales order drafts. Both hold the journal lock
while they run, like a sync cycle.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any

from grunndata.engine.writes import Stop
from grunndata.journal import JournalLocked
from grunndata.state.protocol import StateStore
from grunndata.unattended.cycle import CycleResult, Cycles, error_of
from grunndata.unattended.schedule_config import schedule_settings

DEFAULT_DAYS = 31


def window(session: Any, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """The days a scheduled transfer or invoice cycle covers: the last ``transfer.days``, today included."""
    days = session.rules.get("transfer", "days", default=DEFAULT_DAYS) or DEFAULT_DAYS
    today = now.astimezone(schedule_settings(session.config).tz).date()
    return today - dt.timedelta(days=int(days) - 1), today


async def periodic(cycles: Cycles, kind: str, now: dt.datetime, stop: Stop | None = None) -> CycleResult:
    """One ``transfer`` or ``invoice`` cycle."""
    store, session, conn = cycles.store, cycles.session, cycles.conn
    try:
        store.lock()
    except JournalLocked as exc:
        return CycleResult(kind, "full", "refused", reason=str(exc))
    result = CycleResult(kind, "full", "done")
    try:
        store.settle(now)
        cycle_id = store.cycle_started(kind, "full", now)
        before, t0 = cycles._requests(), time.process_time()
        start, end = window(session, now)
        result.counts.update(start=start.isoformat(), end=end.isoformat())
        try:
            if kind == "transfer":
                from grunndata.engine import transfer as engine

                report: Any = await engine.transfer(session, conn, start, end, journal=store.journal, stop=stop)
            else:
                from grunndata.engine.invoice import invoice_cycle

                report = await invoice_cycle(session, conn, start, end, journal=store.journal, stop=stop)
            summary = report.summary()
            result.run_id, result.interrupted = report.run_id, report.interrupted
            result.counts.update({k: v for k, v in summary.items() if isinstance(v, (int, float, bool))})
            held = Counter(
                str(getattr(line, "reason", ""))
                for line in getattr(report.plan, "lines", ())
                if getattr(line, "op", "") == "hold"
            )
            result.counts["held_by_reason"] = dict(held)  # what ``status`` shows as held_back
            if not report.plan.writes:
                result.outcome = "nothing"
            if report.failed:
                result.outcome = "failed"
                result.error = {
                    "message": report.failed[0].detail,
                    "explanation": f"{len(report.failed)} {'skriving' if len(report.failed) == 1 else 'skrivinger'} feilet; de prøves igjen neste gang",
                }
        except Exception as exc:  # the cycle fails as a whole; the next one tries again
            result.outcome, result.error = "failed", error_of(exc)
        result.requests = {k: v - before[k] for k, v in cycles._requests().items()}
        result.durations["cpu"] = time.process_time() - t0
        store.cycle_finished(
            cycle_id,
            max(dt.datetime.now(dt.UTC), now),
            ok=result.error is None,
            error=result.error,
            counts={**result.counts, "requests": result.requests},
            run_id=result.run_id,
        )
    finally:
        store.unlock()
    return result


async def run_cycle(
    session: Any,
    store: StateStore,
    kind: str,
    now: dt.datetime,
    stop: Stop | None = None,
    *,
    conn: Any = None,
    cycles: Cycles | None = None,
) -> CycleResult:
    """One cycle of ``kind`` (``sync``, ``full``, ``transfer``, ``invoice``) for one integration:
    what ``grunndata run`` does per slot and the operator's worker per tenant. ``conn`` (both
    clients) or ``cycles`` (kept between calls, with its snapshot in memory) say how to reach the
    systems; with neither, the session's config and the environment's secrets do."""
    if cycles is None:
        if conn is None:
            from grunndata import secrets as env_secrets
            from grunndata.engine import runner

            async with runner.connect(session, env_secrets.from_environment()) as own:
                return await run_cycle(session, store, kind, now, stop, conn=own)
        cycles = Cycles(session, store, conn)
    if kind == "sync":
        return await cycles.sync(now, stop)
    if kind == "full":
        return await cycles.sync(now, stop, full=True)
    if kind in ("transfer", "invoice"):
        return await periodic(cycles, kind, now, stop)
    raise ValueError(f"unknown cycle kind {kind!r}")
