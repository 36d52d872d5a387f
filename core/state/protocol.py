"""The state an unattended integration keeps between cycles, as one small typed interface.

``grunndata run`` and friends need more than the run journal: the watermark per resource, the
snapshot kept from the last cycle, the plans waiting for approval and a record of every cycle.
:class:`StateStore` is all of it, for *one* integration. The embedded default keeps it in the
journal's SQLite file (:mod:`grunndata.state.sqlite`); a PostgreSQL store (issue 14) implements
the same protocol, scoped to a tenant given at construction. Every value that crosses the
interface is plain JSON (dicts, lists, str, int, float, bool, None) or one of the frozen
dataclasses below, whose fields are JSON too; times are aware ``datetime`` instants.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, Unpack, runtime_checkable

from grunndata.engine.writes import RunJournal

# Cycle kinds and their modes. ``sync`` cycles are ``incremental`` or ``full`` (a sync cycle that
# read everything also counts as the ``full`` reconciliation); ``transfer``/``invoice`` are ``full``.
CYCLE_KINDS = ("sync", "full", "transfer", "invoice")
MODES = ("incremental", "full")
Json = Any  # a JSON-serialisable value: what json.dumps accepts without a default

# resource name (``smartdok/Projects``) -> records, as read. The kept snapshot of one integration.
KeptSnapshot = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class CycleRecord:
    """One cycle as stored. ``finished`` None: still running (or killed; see ``settle``)."""

    id: int
    kind: str
    mode: str
    started: dt.datetime
    finished: dt.datetime | None = None
    ok: bool | None = None
    error: dict[str, str] | None = None  # {"message", "explanation"} when not ok
    counts: dict[str, Json] = field(default_factory=dict)
    run_id: int | None = None  # the journal run of its writes, if any


class CycleEnd(TypedDict, total=False):
    """What a cycle records when it ends, beside whether it went well (each absent: None)."""

    error: dict[str, str] | None  # {"message", "explanation"} when not ok
    counts: dict[str, Json] | None
    run_id: int | None  # the journal run of its writes, if any
    mode: str | None  # the mode it ran in, when not the one it started with


@dataclass(frozen=True)
class Waiting:
    """A plan kept for approval: the journal run it belongs to, why it waits, its counts per
    operation, the plan itself (``Plan.to_json``/saved form) and its dependency fingerprints
    (``PlanDependencies.to_json``)."""

    run_id: int
    reason: str
    summary: dict[str, int]
    plan: dict[str, Json]
    dependencies: dict[str, Json]
    created: dt.datetime


@runtime_checkable
class StateStore(Protocol):
    """Everything a cycle reads and writes between cycles, for one integration.

    Lock discipline: ``lock()`` takes the integration's exclusive lock (refusing at once with
    :class:`grunndata.journal.JournalLocked`, exit 3, when another run holds it); a cycle holds it
    from its first read to its last store, and nothing else. Methods that only read may be called
    without the lock.
    """

    @property
    def journal(self) -> RunJournal:
        """The run journal the write engine records every write in (runs and their rows)."""
        ...

    def lock(self) -> None: ...

    def unlock(self) -> None: ...

    def close(self) -> None: ...

    # ---- watermarks --------------------------------------------------------------------------
    def watermarks(self) -> dict[str, str]:
        """``system/Resource`` -> the newest change stamp the server returned, as it wrote it."""
        ...

    def set_watermarks(self, marks: dict[str, str]) -> None:
        """Store these watermarks (others are kept). Call only once the cycle's writes are journaled."""
        ...

    # ---- the kept snapshot -------------------------------------------------------------------
    def kept_snapshot(self) -> KeptSnapshot | None:
        """The snapshot kept from the last cycle; None when none is kept (the next read is full)."""
        ...

    def keep_snapshot(self, resources: KeptSnapshot, *, replace: bool = False) -> None:
        """Store these resources of the snapshot (others are kept), or with ``replace`` exactly these."""
        ...

    def drop_snapshot(self) -> None: ...

    # ---- plans waiting for approval ----------------------------------------------------------
    def add_waiting(
        self, run_id: int, reason: str, summary: dict[str, int], plan: dict[str, Json], dependencies: dict[str, Json]
    ) -> None: ...

    def waiting(self) -> list[Waiting]:
        """Plans waiting for approval, oldest first."""
        ...

    def waiting_plan(self, run_id: int) -> Waiting | None: ...

    def resolve_waiting(self, run_id: int, outcome: str) -> None:
        """The plan no longer waits: ``approved``, ``rejected`` or ``superseded``."""
        ...

    # ---- cycles ------------------------------------------------------------------------------
    def cycle_started(self, kind: str, mode: str, started: dt.datetime) -> int: ...

    def cycle_finished(self, cycle_id: int, finished: dt.datetime, *, ok: bool, **end: Unpack[CycleEnd]) -> None: ...

    def last_cycles(self) -> dict[str, list[CycleRecord]]:
        """Per kind: its last cycle and its last successful one (one record when they are the same)."""
        ...

    def settle(self, now: dt.datetime) -> None:
        """Cycles left unfinished by a process that died end now, failed (call holding the lock)."""
        ...

    def person_applied(self) -> bool:
        """Whether a person has ever applied (``apply``) or approved a plan of this integration."""
        ...

    def note_person_applied(self) -> None: ...

    def runner_heartbeat(self, pid: int | None, at: dt.datetime) -> None:
        """A ``grunndata run`` is alive (``pid``), or stopped (None)."""
        ...

    def runner_active(self) -> bool: ...
