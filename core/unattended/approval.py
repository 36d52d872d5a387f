"""``grunndata approve RUN`` and ``grunndata reject RUN``: a person decides a waiting plan.

Approving reads both systems afresh and refuses — naming the records — when a record the plan
writes or depends on has changed since it was made (:mod:`grunndata.unattended.staleness`);
otherwise it writes exactly that plan through the one write engine, as a person's ``apply``.
Rejecting drops the plan; the next cycle plans again from what it reads then.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.applier import SyncWriter
from grunndata.engine.model import ApplyContext
from grunndata.engine.planner import config_hash
from grunndata.engine.runner import ApplyReport
from grunndata.engine.writes import RunStamp, Stop, execute
from grunndata.errors import GrunndataError
from grunndata.state.protocol import StateStore, Waiting
from grunndata.unattended.cycle import plan_from_json
from grunndata.unattended.kept_fields import kept_fields
from grunndata.unattended.reading import read_cycle, sync_reads
from grunndata.unattended.staleness import PlanDependencies, stale_records
from grunndata.unattended.watermarks import incremental_rules


class StaleApproval(GrunndataError):
    exit_code = 3


def waiting_or_refuse(store: StateStore, run_id: int) -> Waiting:
    waiting = store.waiting_plan(run_id)
    if waiting is None:
        known = ", ".join(str(w.run_id) for w in store.waiting()) or "ingen"
        raise GrunndataError(f"kjøring {run_id} venter ikke på godkjenning (venter nå: {known})")
    return waiting


async def approve(session: Any, store: StateStore, conn: Any, run_id: int, *, stop: Stop | None = None) -> ApplyReport:
    """Write exactly the waiting plan ``run_id``, or refuse it as stale. The caller holds the lock."""
    waiting = waiting_or_refuse(store, run_id)
    plan = plan_from_json(waiting.plan)
    if plan.config_hash and plan.config_hash != config_hash(session):
        raise StaleApproval(
            f"kjøring {run_id} kan ikke godkjennes: reglene eller oppsettet er endret siden planen "
            f"ble laget; forkast den med «grunndata reject {run_id}» og la neste syklus planlegge på nytt"
        )
    inc = incremental_rules(session.rules)
    # Cut as the cycles cut their reads: the plan's dependencies were fingerprinted so.
    read = await read_cycle(conn, sync_reads(session), None, {}, inc, full=True, fields=kept_fields(session, inc))
    stale = stale_records(PlanDependencies.from_json(waiting.dependencies), read.snapshot, session)
    if stale:
        shown = "; ".join(stale[:20]) + (f"; og {len(stale) - 20} til" if len(stale) > 20 else "")
        raise StaleApproval(
            f"kjøring {run_id} kan ikke godkjennes: planen er utdatert fordi {shown}; forkast den med "
            f"«grunndata reject {run_id}» og la neste syklus planlegge på nytt"
        )
    report = ApplyReport(plan)
    actx = ApplyContext(
        snapshot=read.snapshot,
        rules=session.rules,
        config=session.config,
        smartdok=conn.smartdok,
        poweroffice=conn.poweroffice,
    )
    stamp = RunStamp(plan.master, plan.config_hash, plan.fingerprint)
    await execute(SyncWriter(plan, session.host.entities, actx), report, stamp, journal=store.journal, stop=stop)
    store.resolve_waiting(run_id, "approved")
    # The kept snapshot and watermarks stay the cycles' own: the next cycle reads these writes by their stamps.
    store.note_person_applied()
    return report


def reject(store: StateStore, run_id: int) -> Waiting:
    waiting = waiting_or_refuse(store, run_id)
    store.resolve_waiting(run_id, "rejected")
    return waiting
