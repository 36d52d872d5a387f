"""What ``grunndata status`` shows, read from a :class:`grunndata.state.StateStore`, and the one log
line per cycle ``grunndata run`` writes (text or JSON; counts, requests, durations, watermarks)."""

from __future__ import annotations

import datetime as dt
import json

from grunndata.state.protocol import StateStore
from grunndata.unattended.cycle import CycleResult
from grunndata.unattended.schedule_config import KINDS, ScheduleSettings
from grunndata.unattended.status import CycleError, CycleFacts, StatusFacts, WaitingPlan


def status_facts(store: StateStore) -> StatusFacts:
    cycles: dict[str, CycleFacts] = {}
    stored = store.last_cycles()
    for kind in KINDS:
        records = stored.get(kind) or []
        if not records:
            continue
        last = records[0]
        good = next((r for r in records if r.ok), None)
        error = None
        if last.ok is False and last.error is not None:
            error = CycleError(str(last.error.get("message", "")), str(last.error.get("explanation", "")))
        cycles[kind] = CycleFacts(
            last_started=last.started,
            last_finished=last.finished,
            last_ok=good.finished if good is not None else None,
            mode=last.mode,
            error=error,
        )
    waiting = [WaitingPlan(w.run_id, w.reason, w.summary) for w in store.waiting()]
    held: dict[str, int] = {}
    transfer = next(iter(stored.get("transfer") or []), None)
    if transfer is not None:
        for reason, n in (transfer.counts.get("held_by_reason") or {}).items():
            held[str(reason)] = int(n)
    return StatusFacts(
        cycles=cycles,
        waiting=waiting,
        watermarks=store.watermarks(),
        held_back=held,
        runner_active=store.runner_active(),
    )


_OUTCOME_WORDS = {
    "done": "ferdig",
    "nothing": "ingenting å gjøre",
    "failed": "feilet",
    "waiting": "venter på godkjenning",
    "refused": "avvist (journalen er låst)",
}
_MODE_WORDS = {"incremental": "inkrementell", "full": "full"}


def log_line(result: CycleResult, settings: ScheduleSettings, started: dt.datetime, fmt: str) -> str:
    """One line for one cycle. Never a secret: only counts, names of resources, stamps, our words."""
    at = started.astimezone(settings.tz).isoformat(timespec="seconds")
    if fmt == "json":
        return json.dumps({"at": at, **result.to_json()}, ensure_ascii=False, default=str)
    c = result.counts
    parts = [
        f"{at} {result.kind} ({_MODE_WORDS.get(result.mode, result.mode)}): "
        f"{_OUTCOME_WORDS.get(result.outcome, result.outcome)}"
    ]
    if result.run_id is not None:
        parts.append(f"kjøring {result.run_id}")
    if "planned_writes" in c:
        parts.append(
            f"opprett {c.get('create', 0)}, oppdater {c.get('update', 0)}, avslutt {c.get('finish', 0)}, "
            f"skrevet {c.get('ok', 0) + c.get('recovered', 0)}, feilet {c.get('failed', 0)}"
        )
    if "records_read" in c:
        parts.append(f"lest {c['records_read']} poster")
    if result.requests:
        parts.append(
            f"forespørsler SmartDok {result.requests.get('smartdok', 0)}, "
            f"PowerOffice {result.requests.get('poweroffice', 0)}"
        )
    d = result.durations
    if d:
        parts.append(f"{d.get('wall', 0.0):.2f} s, CPU {d.get('cpu', 0.0):.2f} s")
    if result.watermarks:
        parts.append("vannmerker " + " ".join(f"{k}={v}" for k, v in sorted(result.watermarks.items())))
    if result.reason:
        parts.append(result.reason)
    if result.error:
        parts.append(f"feil: {result.error.get('explanation') or result.error.get('message')}")
    return "; ".join(parts)
