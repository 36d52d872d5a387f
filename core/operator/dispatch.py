"""Which tenant cycles are due, from the schedules stored with each tenant and the cycles in the
state tables: one query for every tenant, then the schedule grammar's own ``next_run``.

Due jobs are queued with a queueing lock per tenant and kind (a due cycle is queued once, never
piled up) and run under a lock per tenant (never two jobs of one tenant at once). procrastinate
runs queued jobs oldest first: when the budget cannot keep up with every schedule, each tenant's
next cycle waits its turn behind the others' and every interval stretches alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from grunndata.unattended.schedule import next_run
from grunndata.unattended.schedule_config import ScheduleSettings, settings_from
from grunndata.unattended.status import CycleFacts, StatusFacts, build_status

KINDS = ("sync", "full", "transfer", "invoice")
# Starts averaged for the achieved interval.
RECENT = 10


@dataclass(frozen=True)
class Due:
    tenant: str
    kind: str


def _settings(raw: Any) -> ScheduleSettings | None:
    try:
        return settings_from(raw)
    except ValueError:
        return None  # stored from a validated config; an unreadable one is not scheduled


def tenant_schedules(conn: psycopg.Connection[Any]) -> dict[str, ScheduleSettings]:
    rows = conn.execute(
        "SELECT t.name, c.schedule FROM grunndata.tenants t JOIN grunndata.tenant_configs c "
        "ON c.id = t.current_version WHERE t.removed_at IS NULL ORDER BY t.name"
    ).fetchall()
    out = {}
    for name, raw in rows:
        settings = _settings(raw)
        if settings is not None:
            out[name] = settings
    return out


def cycle_facts(conn: psycopg.Connection[Any], names: Iterable[str]) -> dict[str, dict[str, CycleFacts]]:
    """Per tenant and kind: its last cycle and when its last successful one finished."""
    names = list(names)
    last = conn.execute(
        "SELECT DISTINCT ON (tenant, kind) tenant, kind, started, finished, mode, ok, error "
        "FROM grunndata.state_cycles WHERE tenant = ANY(%s) ORDER BY tenant, kind, id DESC",
        (names,),
    ).fetchall()
    good = {
        (t, k): f
        for t, k, f in conn.execute(
            "SELECT DISTINCT ON (tenant, kind) tenant, kind, finished FROM grunndata.state_cycles "
            "WHERE tenant = ANY(%s) AND ok ORDER BY tenant, kind, id DESC",
            (names,),
        ).fetchall()
    }
    out: dict[str, dict[str, CycleFacts]] = {n: {} for n in names}
    for tenant, kind, started, finished, mode, _ok, _error in last:
        out[tenant][kind] = CycleFacts(
            last_started=started, last_finished=finished, last_ok=good.get((tenant, kind)), mode=mode
        )
    return out


def due_now(
    schedules: dict[str, ScheduleSettings], facts: dict[str, dict[str, CycleFacts]], now: dt.datetime
) -> list[Due]:
    """Every tenant's kinds whose slot has come (a kind still running is not due)."""
    due = []
    for name, settings in schedules.items():
        for kind in KINDS:
            schedule = settings.of(kind)
            if schedule.off:
                continue
            f = facts.get(name, {}).get(kind) or CycleFacts()
            when = next_run(schedule, f.last_started, f.last_finished, now)
            if when is not None and when <= now:
                due.append(Due(name, kind))
    return due


def is_due(conn: psycopg.Connection[Any], name: str, kind: str, now: dt.datetime) -> bool:
    schedules = {k: v for k, v in tenant_schedules(conn).items() if k == name}
    return Due(name, kind) in due_now(schedules, cycle_facts(conn, [name]), now)


def achieved_intervals(conn: psycopg.Connection[Any], names: Iterable[str]) -> dict[str, float | None]:
    """Mean seconds between each tenant's last ``RECENT`` sync cycle starts (None: fewer than two)."""
    rows = conn.execute(
        "SELECT tenant, count(*), extract(epoch FROM max(started) - min(started)) FROM ("
        " SELECT tenant, started, row_number() OVER (PARTITION BY tenant ORDER BY id DESC) AS n"
        " FROM grunndata.state_cycles WHERE kind = 'sync' AND tenant = ANY(%s)) recent "
        "WHERE n <= %s GROUP BY tenant",
        (list(names), RECENT),
    ).fetchall()
    out: dict[str, float | None] = dict.fromkeys(names)
    for tenant, n, span in rows:
        out[tenant] = round(float(span) / (n - 1), 1) if n > 1 else None
    return out


def lags(
    schedules: dict[str, ScheduleSettings], facts: dict[str, dict[str, CycleFacts]], now: dt.datetime
) -> dict[str, dict[str, int | None]]:
    """``lag_s`` per tenant and kind, as ``grunndata status`` computes it."""
    out = {}
    for name, settings in schedules.items():
        status = build_status(StatusFacts(cycles=facts.get(name, {})), settings, now)
        out[name] = {kind: c.get("lag_s") for kind, c in status["cycles"].items()}
    return out
