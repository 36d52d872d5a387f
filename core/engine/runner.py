"""The one-way flow of a run: read both systems -> snapshot -> plan -> apply -> journal.

Used by the CLI, the demo and the tests alike; only the transports differ.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Unpack

from grunndata.engine.applier import Outcome, SyncWriter
from grunndata.engine.model import SYSTEMS, ApplyContext, Read, Snapshot, run_context
from grunndata.engine.plan import Plan
from grunndata.engine.planner import make_plan, paused_gc
from grunndata.engine.saved_plan import StalePlan, check_current, check_offline  # noqa: F401 (StalePlan: re-exported)
from grunndata.engine.stopping import RunHooks
from grunndata.engine.writes import RunStamp, WriteReport, execute
from grunndata.errors import GrunndataError
from grunndata.secrets import Secrets
from grunndata.session import Session


class Blocked(GrunndataError):
    """The setup is invalid (R7): nothing is written."""


@dataclass
class Connection:
    smartdok: Any
    poweroffice: Any
    # What the snapshot reads: the session's plugins' declared reads (None: the installed plugins').
    reads: tuple[Read, ...] | None = None

    async def aclose(self) -> None:
        await asyncio.gather(self.smartdok.aclose(), self.poweroffice.aclose())

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


def connect(
    session: Session,
    secrets: Secrets,
    *,
    transports: dict[str, Any] | None = None,
    rate_per_second: float | None = 10.0,
    po_limiter: Any = None,
    **options: Any,
) -> Connection:
    """Clients for both systems; ``transports`` swaps the network for e.g. an in-process sandbox.
    ``po_limiter`` replaces PowerOffice's per-process limiter (an operator's, shared by its workers)."""
    from grunndata.clients import PowerOfficeClient, SmartDokClient

    transports = transports or {}
    cfg = session.config
    sd = SmartDokClient(
        cfg.smartdok_base_url, secrets.smartdok_api_token, transport=transports.get("smartdok"), **options
    )
    po = PowerOfficeClient(
        cfg.poweroffice_base_url,
        cfg.poweroffice_token_url,
        secrets.poweroffice_application_key,
        secrets.poweroffice_client_key,
        secrets.poweroffice_subscription_key,
        transport=transports.get("poweroffice"),
        rate_per_second=rate_per_second,
        limiter=po_limiter,
        **options,
    )
    return Connection(sd, po, tuple(session.host.reads))


async def read_snapshot(conn: Connection, reads: Iterable[Read] | None = None) -> Snapshot:
    """Both systems, read concurrently: every list the loaded plugins declare (``reads``), each
    distinct read once. Several reads of one resource (SmartDok's ``Additions``, once per kind)
    are one list in the snapshot, their records merged by id."""
    if reads is None:
        reads = conn.reads if conn.reads is not None else _installed_reads()
    share: dict[str, list[tuple[str, dict[str, Any]]]] = {system: [] for system in SYSTEMS}
    for read in dict.fromkeys(reads):
        share[read.system].append((read.resource, dict(read.params)))
    with paused_gc():
        sd, po = await asyncio.gather(
            conn.smartdok.read_all(share["smartdok"]), conn.poweroffice.read_all(share["poweroffice"])
        )
    return Snapshot(smartdok=sd, poweroffice=po)


def _installed_reads() -> list[Read]:
    from grunndata.plugin.manager import load_host

    return load_host().reads


async def plan(session: Session, conn: Connection) -> tuple[Plan, Snapshot]:
    snapshot = await read_snapshot(conn)
    return make_plan(session, snapshot), snapshot


class ApplyReport(WriteReport[Outcome]):
    """``apply``'s report; ``outcomes`` in plan order."""

    def to_json(self) -> dict[str, Any]:
        return {
            "master": self.plan.master,
            "run": self.run_id,
            "results": [o.to_json() for o in self.outcomes],
            "summary": self.summary(),
        }


async def apply(
    session: Session, conn: Connection, *, saved: Plan | None = None, journal: Any = None, **hooks: Unpack[RunHooks]
) -> ApplyReport:
    """Plan afresh (or check a saved plan is the one made, and still current), confirm, write, journal.

    A saved plan is checked before the first request (its digest, shape, master and rules), and
    after reading against the plan the same world gives now: it is applied exactly as made, or
    not at all."""
    if saved is not None:
        check_offline(saved, session)
    fresh, snapshot = await plan(session, conn)
    chosen = check_current(saved, fresh) if saved is not None else fresh
    on_plan = hooks.get("on_plan")
    if on_plan is not None:
        on_plan(chosen)
    if chosen.blocked:
        raise Blocked("ingenting ble skrevet: " + "; ".join(a.reason for a in chosen.actions))
    report = ApplyReport(chosen)
    writer = SyncWriter(chosen, session.host.entities, run_context(ApplyContext, session, conn, snapshot))
    stamp = RunStamp(chosen.master, chosen.config_hash, chosen.fingerprint)
    confirm, progress, stop = hooks.get("confirm"), hooks.get("progress"), hooks.get("stop")
    await execute(writer, report, stamp, journal=journal, confirm=confirm, progress=progress, stop=stop)
    return report
