"""``grunndata status``: the integration's health, as JSON and as Norwegian text, from stored facts.

The store (SQLite today, PostgreSQL per tenant later) fills :class:`StatusFacts`; nothing here
reads a clock or a file. Health: false when the last cycle of a kind failed, when a plan waits for
approval, or when a kind lags its schedule by more than ``schedule.alert_after``.

``lag_s`` is how far a kind is behind its schedule: the seconds since the slot that followed its
last successful cycle, 0 while it is on time. A daily full reconciliation is not late at noon;
it is late when 03:00 has passed by more than ``alert_after`` without one succeeding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grunndata.unattended.guardrails import WRITE_OPS
from grunndata.unattended.schedule import next_run, slot_after
from grunndata.unattended.schedule_config import KINDS, ScheduleSettings

_UTC = dt.UTC
KIND_WORDS = {"sync": "Synk", "full": "Full avstemming", "transfer": "Overføring"}
MODE_WORDS = {"incremental": "inkrementell", "full": "full"}
_OP_WORDS = {"create": "opprett", "update": "oppdater", "finish": "avslutt"}


@dataclass(frozen=True)
class CycleError:
    """Why the last cycle of a kind failed: the error, and what it means in Norwegian."""

    message: str
    explanation: str


@dataclass(frozen=True)
class CycleFacts:
    """What the store knows about one cycle kind (``sync``, ``full``, ``transfer``).

    ``last_started``/``last_finished``: the last cycle of the kind, whatever its outcome (finished
    None or before started: it is running). ``last_ok``: when the last successful one finished.
    ``error``: the last cycle's error, None when it succeeded. ``mode``: ``incremental`` or ``full``.
    """

    last_started: dt.datetime | None = None
    last_finished: dt.datetime | None = None
    last_ok: dt.datetime | None = None
    mode: str | None = None
    error: CycleError | None = None

    @property
    def running(self) -> bool:
        return self.last_started is not None and (self.last_finished is None or self.last_finished < self.last_started)


@dataclass(frozen=True)
class WaitingPlan:
    """A plan kept for approval: its run number, the guardrails' reason, its plan summary."""

    run: int
    reason: str
    summary: Mapping[str, int]


@dataclass(frozen=True)
class StatusFacts:
    """Everything ``status`` shows, as stored. ``runner_active``: a ``grunndata run`` is running
    (only then is there a ``next``). ``held_back``: rows a transfer holds back, by reason."""

    cycles: Mapping[str, CycleFacts] = field(default_factory=dict)
    waiting: Sequence[WaitingPlan] = ()
    watermarks: Mapping[str, str] = field(default_factory=dict)
    held_back: Mapping[str, int] = field(default_factory=dict)
    runner_active: bool = False


def iso(instant: dt.datetime | None, settings: ScheduleSettings) -> str | None:
    """ISO 8601 with the schedule zone's offset (``2026-11-29T10:15:02+01:00``), whole seconds."""
    return None if instant is None else instant.astimezone(settings.tz).isoformat(timespec="seconds")


def _next(
    facts: CycleFacts, kind: str, settings: ScheduleSettings, now: dt.datetime, runner_active: bool
) -> dt.datetime | None:
    schedule = settings.of(kind)
    if not runner_active or schedule.off:
        return None
    when: dt.datetime | None = next_run(schedule, facts.last_started, facts.last_finished, now)
    if when is None and facts.last_started is not None:  # running: the next slot, once this one ends
        slot = slot_after(schedule, facts.last_started)
        if slot is not None:
            when = slot if slot > now else now.astimezone(_UTC)
    return when


def lag_seconds(facts: CycleFacts, kind: str, settings: ScheduleSettings, now: dt.datetime) -> int | None:
    """Seconds ``kind`` is behind its schedule (0: on time); None when it is off or never succeeded."""
    schedule = settings.of(kind)
    if schedule.off or facts.last_ok is None:
        return None
    due = slot_after(schedule, facts.last_ok)
    assert due is not None
    return max(0, int((now.astimezone(_UTC) - due).total_seconds()))


def _cycle(
    facts: CycleFacts, kind: str, settings: ScheduleSettings, now: dt.datetime, runner_active: bool
) -> dict[str, Any]:
    error = None if facts.error is None else {"message": facts.error.message, "explanation": facts.error.explanation}
    return {
        "last_ok": iso(facts.last_ok, settings),
        "last_run": iso(facts.last_started, settings),
        "next": iso(_next(facts, kind, settings, now, runner_active), settings),
        "lag_s": lag_seconds(facts, kind, settings, now),
        "mode": facts.mode,
        "error": error,
    }


def _span(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} t {minutes} min" if minutes else f"{hours} t"
    return f"{hours // 24} døgn {hours % 24} t"


def health_problems(facts: StatusFacts, settings: ScheduleSettings, now: dt.datetime) -> list[str]:
    """Why the integration is unhealthy, one Norwegian line each (empty: healthy)."""
    problems = []
    for kind in KINDS:
        cycle = facts.cycles.get(kind) or CycleFacts()
        word = KIND_WORDS[kind].lower()
        if cycle.error is not None:
            problems.append(f"siste {word} feilet: {cycle.error.explanation or cycle.error.message}")
        lag = lag_seconds(cycle, kind, settings, now)
        limit = settings.alert_after
        if lag is not None and limit is not None and lag > limit.total_seconds():
            problems.append(
                f"{word} ligger {_span(lag)} etter tidsplanen; varsles etter "
                f"{_span(int(limit.total_seconds()))} (schedule.alert_after)"
            )
    for plan in facts.waiting:
        problems.append(f"kjøring {plan.run} venter på godkjenning: {plan.reason}")
    return problems


def build_status(facts: StatusFacts, settings: ScheduleSettings, now: dt.datetime) -> dict[str, Any]:
    """The ``grunndata status --json`` object (shape documented in docs/UNATTENDED.md)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    cycles = {
        kind: _cycle(facts.cycles.get(kind) or CycleFacts(), kind, settings, now, facts.runner_active) for kind in KINDS
    }
    waiting = [
        {"run": int(p.run), "reason": p.reason, "summary": {op: int(p.summary.get(op, 0)) for op in WRITE_OPS}}
        for p in facts.waiting
    ]
    held = {str(k): int(v) for k, v in sorted(facts.held_back.items())}
    return {
        "healthy": not health_problems(facts, settings, now),
        "cycles": cycles,
        "waiting": waiting,
        "watermarks": dict(sorted(facts.watermarks.items())),
        "held_back": {"count": sum(held.values()), "by_reason": held},
    }


def exit_code(status: Mapping[str, Any]) -> int:
    """``grunndata status``: 0 healthy, 1 not."""
    return 0 if status.get("healthy") else 1


def _local(instant: str | None, settings: ScheduleSettings) -> str:
    if instant is None:
        return "aldri"
    return dt.datetime.fromisoformat(instant).astimezone(settings.tz).strftime("%d.%m.%Y %H:%M:%S")


def status_text(
    facts: StatusFacts, settings: ScheduleSettings, now: dt.datetime, *, command: str = "grunndata {verb} {run}"
) -> str:
    """``grunndata status`` for a person, in Norwegian; ``command`` is how a person approves or
    rejects a waiting plan (an operator's: ``grunndata tenant {verb} NAME {run}``)."""
    status = build_status(facts, settings, now)
    problems = health_problems(facts, settings, now)
    lines = ["Integrasjonen er i orden." if not problems else "Integrasjonen trenger tilsyn:"]
    lines += [f"  - {p}" for p in problems]
    lines.append("")
    for kind in KINDS:
        c = status["cycles"][kind]
        schedule = settings.of(kind)
        head = f"{KIND_WORDS[kind]} ({'av' if schedule.off else schedule.text})"
        cycle = facts.cycles.get(kind) or CycleFacts()
        parts = [f"sist i orden {_local(c['last_ok'], settings)}"]
        if cycle.running:
            parts.append(f"kjører nå (startet {_local(c['last_run'], settings)})")
        elif c["error"] is not None:
            parts.append(f"siste forsøk {_local(c['last_run'], settings)} feilet")
        if c["mode"]:
            parts.append(MODE_WORDS.get(c["mode"], c["mode"]))
        if c["next"]:
            parts.append(f"neste {_local(c['next'], settings)}")
        elif not schedule.off and not facts.runner_active:
            parts.append("neste: ingen «grunndata run» kjører")
        if c["lag_s"]:
            parts.append(f"{_span(c['lag_s'])} etter tidsplanen")
        lines.append(f"{head}: " + ", ".join(parts))
    for plan in status["waiting"]:
        counts = ", ".join(f"{_OP_WORDS.get(op, op)} {n}" for op, n in plan["summary"].items())
        lines += [
            "",
            f"Kjøring {plan['run']} venter på godkjenning ({counts}):",
            f"  {plan['reason']}",
            "  Godkjenn: "
            + command.format(verb="approve", run=plan["run"])
            + "   Forkast: "
            + command.format(verb="reject", run=plan["run"]),
        ]
    if status["watermarks"]:
        lines += ["", "Endringer er lest til (vannmerker):"]
        width = max(len(k) for k in status["watermarks"])
        lines += [f"  {k.ljust(width)}  {v}" for k, v in status["watermarks"].items()]
    held = status["held_back"]
    if held["count"]:
        lines += ["", f"Holdt tilbake fra overføring: {held['count']}"]
        lines += [f"  {reason}: {n}" for reason, n in held["by_reason"].items()]
    return "\n".join(lines) + "\n"
