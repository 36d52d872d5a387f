"""One unattended sync cycle: lock -> read (full or what changed) -> plan -> guardrails -> write
-> journal -> watermarks and kept snapshot -> unlock.

:class:`Cycles` serves one integration. ``grunndata run`` keeps one for its whole life, so the
snapshot stays in memory and the clients keep their sign-in between cycles; ``run --once``,
``approve`` and the operator's worker make one per call (:func:`run_cycle`). The journal lock is
held only while a cycle runs. Nothing is stored as progress until the cycle's writes are
journaled: a cycle killed at any moment leaves the watermarks where they were, and the next
cycle reads the same changes again (and the records its writes made) and plans from there.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from dataclasses import dataclass, field
from typing import Any

from grunndata.engine.applier import Outcome, SyncWriter
from grunndata.engine.incremental import PlanMemo
from grunndata.engine.model import ApplyContext, Snapshot
from grunndata.engine.plan import Plan, plan_digest
from grunndata.engine.planner import config_hash, make_plan
from grunndata.engine.runner import ApplyReport
from grunndata.engine.writes import RunStamp, Stop, execute
from grunndata.journal import JournalLocked
from grunndata.state.protocol import StateStore
from grunndata.unattended.guardrails import WRITE_OPS, check_plan, receiving_counts
from grunndata.unattended.kept_fields import kept_fields, kept_fields_digest
from grunndata.unattended.reading import CycleRead, kept_to_snapshot, read_cycle, snapshot_to_kept, sync_reads
from grunndata.unattended.schedule import is_due
from grunndata.unattended.schedule_config import schedule_settings
from grunndata.unattended.staleness import plan_dependencies
from grunndata.unattended.watermarks import incremental_rules, next_watermarks

# What a cycle ended as, and the exit code of ``run --once`` for it.
EXIT = {"done": 0, "nothing": 0, "failed": 1, "refused": 3, "waiting": 4}


class CycleWriter(SyncWriter):
    """A sync cycle's writes: journaled as runs of kind ``sync`` (a person's are ``apply``)."""

    run_kind = "sync"


@dataclass
class CycleResult:
    """What one cycle did: the ``run --once`` exit code, the log line's facts, the status' error."""

    kind: str
    mode: str
    outcome: str  # done | nothing | failed | waiting | refused
    run_id: int | None = None
    reason: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    watermarks: dict[str, str] = field(default_factory=dict)
    error: dict[str, str] | None = None
    interrupted: int | None = None  # the signal that stopped the cycle's writes
    plan: Plan | None = None  # the plan made (None: nothing read had changed, or the read failed)

    @property
    def exit_code(self) -> int:
        return EXIT.get(self.outcome, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "mode": self.mode,
            "outcome": self.outcome,
            "run": self.run_id,
            "reason": self.reason,
            "counts": self.counts,
            "requests": self.requests,
            "durations_s": {k: round(v, 3) for k, v in self.durations.items()},
            "watermarks": self.watermarks,
            "error": self.error,
            "interrupted": self.interrupted,
        }


def error_of(exc: BaseException) -> dict[str, str]:
    """A cycle's error for the store and ``status``: the message and a Norwegian explanation."""
    message = str(exc) or type(exc).__name__
    return {"message": message, "explanation": f"syklusen stoppet uten å skrive mer: {message}"}


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        **plan.to_json(),
        "fingerprint": plan.fingerprint,
        "config_hash": plan.config_hash,
        "entity_order": plan.entity_order,
        "digest": plan_digest(plan.actions),
    }


def plan_from_json(data: dict[str, Any]) -> Plan:
    from grunndata.engine.model import Action

    actions = [
        Action(**{k: a[k] for k in ("op", "entity", "target", "key", "fields", "reason", "rule")})
        for a in data["actions"]
    ]
    return Plan(
        master=data["master"],
        actions=actions,
        fingerprint=data["fingerprint"],
        config_hash=data.get("config_hash", ""),
        blocked=bool(data.get("summary", {}).get("blocked")),
        entity_order=list(data.get("entity_order") or []),
        digest=data.get("digest", ""),
    )


def op_counts(plan: Plan) -> dict[str, int]:
    counts = {op: 0 for op in WRITE_OPS}
    for action in plan.writes:
        counts[action.op] = counts.get(action.op, 0) + 1
    return counts


class Cycles:
    """The cycles of one integration over one connection (``conn``: both clients)."""

    def __init__(self, session: Any, store: StateStore, conn: Any, *, prime: bool = False) -> None:
        self.session, self.store, self.conn = session, store, conn
        # ``grunndata run``: plan once on the first quiet cycle too (the plan is not used), so that
        # the first cycle with changes already plans incrementally.
        self.prime = prime
        self.settings = schedule_settings(session.config)
        self.inc = incremental_rules(session.rules)
        # What a cycle keeps of each record; a snapshot kept under another cut is read again whole.
        self.fields = kept_fields(session, self.inc)
        self.fields_digest = kept_fields_digest(self.fields)
        self._memory: Snapshot | None = None
        self._positions: dict[str, dict[Any, int]] = {}  # where each id stands in _memory (reading.read_cycle)
        self._memory_cycle: int | None = None  # the sync cycle whose snapshot _memory is
        # What the last plan left for the next: an incremental cycle that merged its changes into
        # _memory plans only the keys that changed (grunndata.engine.incremental).
        self._plan_memo = PlanMemo()
        self._from_memory = False

    # ---- helpers ---------------------------------------------------------------------------
    def _requests(self) -> dict[str, int]:
        return {
            "smartdok": int(self.conn.smartdok.request_count),
            "poweroffice": int(self.conn.poweroffice.request_count),
        }

    def _kept(self, last_ok_id: int | None) -> Snapshot | None:
        """The kept snapshot: ours in memory when the store's last cycle is the one we kept it
        from, else the store's (another process may have run a cycle since)."""
        self._from_memory = self._memory is not None and self._memory_cycle == last_ok_id
        if self._from_memory:
            return self._memory
        self._positions = {}
        # Hundreds of thousands of plain dicts without reference cycles: no collection while they
        # are decoded (each would walk all of them again, and could free none).
        gc.disable()
        try:
            kept = self.store.kept_snapshot()
        finally:
            gc.enable()
        return None if kept is None else kept_to_snapshot(kept)

    def full_due(self, now: dt.datetime) -> bool:
        cycles = self.store.last_cycles().get("full") or []
        last = cycles[0] if cycles else None
        if last is None:
            return True
        return is_due(self.settings.full, last.started, last.finished, now)

    # ---- the sync cycle ---------------------------------------------------------------------
    async def sync(self, now: dt.datetime, stop: Stop | None = None, *, full: bool | None = None) -> CycleResult:
        """One sync cycle; ``full`` None: full when due (or nothing is kept), else incremental."""
        try:
            self.store.lock()
        except JournalLocked as exc:
            return CycleResult("sync", "incremental", "refused", reason=str(exc))
        try:
            result = await self._sync_locked(now, stop, full)
        finally:
            self.store.unlock()
        if self.prime:
            self._settle_memory(result)
        return result

    def _settle_memory(self, result: CycleResult) -> None:
        """``grunndata run`` keeps millions of plain objects between cycles (the snapshot and the plan
        memo), none of them in a reference cycle. Python's full collections would walk all of them
        again whenever enough new ones have piled up (a second at 100k projects, in whichever quiet
        cycle it falls), yet could free none: they are frozen out of the collector after each cycle.
        Memory is still freed as usual as they are dropped; only garbage in reference cycles waits,
        for the full reconciliation, which unfreezes and collects everything once."""
        t0 = time.process_time()
        if result.mode == "full":
            gc.unfreeze()
            gc.collect()
        gc.freeze()
        result.durations["gc_cpu"] = time.process_time() - t0
        result.durations["cpu"] = result.durations.get("cpu", 0.0) + result.durations["gc_cpu"]

    async def _sync_locked(self, now: dt.datetime, stop: Stop | None, full: bool | None) -> CycleResult:
        store, session = self.store, self.session
        store.settle(now)
        history = store.last_cycles().get("sync") or []
        last_ok = next((c for c in history if c.ok), None)
        same_cut = last_ok is not None and last_ok.counts.get("kept_fields") == self.fields_digest
        kept = self._kept(last_ok.id if last_ok else None) if same_cut else None
        whole = bool(full) if full is not None else (kept is None or self.full_due(now))
        mode = "full" if whole or kept is None else "incremental"
        cycle_id = store.cycle_started("sync", mode, now)
        full_id = store.cycle_started("full", "full", now) if mode == "full" else None
        before, t0 = self._requests(), time.process_time()
        result = CycleResult("sync", mode, "done")
        marks_before = store.watermarks()
        try:
            read = await read_cycle(
                self.conn,
                sync_reads(session),
                None if mode == "full" else kept,
                marks_before,
                self.inc,
                full=mode == "full",
                fields=self.fields,
                positions=self._positions if mode == "incremental" else {},
            )
            t_read = time.process_time()
            result.counts.update(
                records_read=read.records_read,
                changed_resources=sorted(read.changed),
                merged={k: {"added": m.added, "replaced": m.replaced} for k, m in read.merged.items()},
            )
            await self._plan_and_write(read, history, result, now, stop)
            result.durations.update(read_cpu=t_read - t0, plan_write_cpu=time.process_time() - t_read)
            # Progress is stored only now that every write of the cycle is journaled.
            marks = next_watermarks(marks_before, read.read, self.inc, now=now)
            store.set_watermarks(marks)
            names = None if mode == "full" else read.changed
            store.keep_snapshot(snapshot_to_kept(read.snapshot, names), replace=mode == "full")
            result.watermarks = marks
        except Exception as exc:  # the cycle fails as a whole; the next one starts from the stored state
            result.outcome, result.error = "failed", error_of(exc)
        result.requests = {k: v - before[k] for k, v in self._requests().items()}
        result.durations["cpu"] = time.process_time() - t0
        ended = dt.datetime.now(dt.UTC) if now.tzinfo else now
        ok = result.outcome in ("done", "nothing", "waiting")
        counts = {**result.counts, "requests": result.requests, "kept_fields": self.fields_digest}
        for finished in (cycle_id, full_id):  # a full sync cycle is also the full reconciliation
            if finished is not None:
                store.cycle_finished(
                    finished,
                    max(ended, now),
                    ok=ok and result.error is None,
                    error=result.error,
                    counts=counts,
                    run_id=result.run_id,
                )
        if result.error is None and result.outcome != "failed":
            self._memory, self._memory_cycle = read.snapshot, cycle_id
            if mode == "full":
                self._positions = {}
        else:
            self._memory, self._memory_cycle, self._positions = None, None, {}
        return result

    async def _plan_and_write(
        self, read: CycleRead, history: list[Any], result: CycleResult, now: dt.datetime, stop: Stop | None
    ) -> None:
        store, session = self.store, self.session
        chash = config_hash(session)
        last = history[0] if history else None
        person = store.person_applied()
        quiet = (
            read.mode == "incremental"
            and not read.changed
            and last is not None
            and last.ok
            and last.counts.get("planned_writes") == 0
            and last.counts.get("config_hash") == chash
            and person
        )
        result.counts["config_hash"] = chash
        if quiet:  # nothing read differs from the last cycle, which had nothing to write: same plan
            result.outcome = "nothing"
            result.counts["planned_writes"] = 0
            if self.prime and not self._plan_memo.ready:
                t_prime = time.process_time()
                make_plan(session, read.snapshot, self._plan_memo)
                result.durations["prime_plan_cpu"] = time.process_time() - t_prime
            return
        t_plan = time.process_time()
        plan = make_plan(
            session, read.snapshot, self._plan_memo, incremental=read.mode == "incremental" and self._from_memory
        )
        result.durations["plan_cpu"] = time.process_time() - t_plan
        result.plan = plan
        result.counts.update(planned_writes=len(plan.writes), **op_counts(plan))
        if plan.blocked:
            raise RuntimeError("; ".join(a.reason for a in plan.actions))
        verdict = check_plan(
            plan, receiving_counts(plan, read.snapshot, session), session.rules, first_cycle=not person
        )
        if not verdict.may_write:
            self._keep_waiting(plan, read.snapshot, verdict.reason, result)
            return
        if not plan.writes:
            result.outcome = "nothing"
            return
        report = ApplyReport(plan)
        actx = ApplyContext(
            snapshot=read.snapshot,
            rules=session.rules,
            config=session.config,
            smartdok=self.conn.smartdok,
            poweroffice=self.conn.poweroffice,
        )
        stamp = RunStamp(plan.master, plan.config_hash, plan.fingerprint)
        await execute(CycleWriter(plan, session.host.entities, actx), report, stamp, journal=store.journal, stop=stop)
        result.run_id = report.run_id
        result.counts.update({k: v for k, v in report.summary().items() if k in ("ok", "recovered", "failed")})
        result.interrupted = report.interrupted
        if report.failed:
            result.outcome = "failed"
            first: Outcome = report.failed[0]
            result.error = {
                "message": first.detail,
                "explanation": f"{len(report.failed)} {'skriving' if len(report.failed) == 1 else 'skrivinger'} feilet; de prøves igjen i neste syklus",
            }
        elif report.interrupted is not None:
            result.counts["planned_writes"] = -1  # not all written: the next cycle must plan
        # the next quiet check needs the plan's write count as planned, whatever became of them

    def _keep_waiting(self, plan: Plan, snapshot: Snapshot, reason: str, result: CycleResult) -> None:
        """The plan waits for approval: journaled as a run of its own (status ``waiting``), kept
        with its dependency fingerprints; an identical plan already waiting is not kept twice."""
        store = self.store
        digest = plan_digest(plan.actions)
        summary = op_counts(plan)
        result.outcome, result.reason = "waiting", reason
        for waiting in store.waiting():
            if waiting.plan.get("digest") == digest:
                result.run_id = waiting.run_id
                return
            store.resolve_waiting(waiting.run_id, "superseded")
        run_id = store.journal.start_run(
            plan.master,
            plan.config_hash,
            plan.fingerprint,
            kind="sync",
            summary={"planned_writes": len(plan.writes), **summary},
        )
        store.journal.finish_run(run_id, "waiting", {"planned_writes": len(plan.writes), **summary, "reason": reason})
        store.add_waiting(
            run_id, reason, summary, plan_to_json(plan), plan_dependencies(plan, snapshot, self.session).to_json()
        )
        result.run_id = run_id
