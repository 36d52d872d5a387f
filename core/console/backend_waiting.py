"""The console's door to plans waiting for approval (made by unattended cycles, R23).

Part of the one door to the engine (see :mod:`grunndata.console.backend`). *Godkjenn* and *Avvis*
call exactly what ``grunndata approve RUN`` and ``grunndata reject RUN`` call
(:mod:`grunndata.unattended.approval`), on the integration's state store (the SQLite journal
file for a single company, the tenant's PostgreSQL store for an operator), holding its lock.
A plan whose records changed since it was made is refused with the engine's own words, which
name the records (``stale_waiting``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from grunndata.console.backend import Reach, Refusal, _connection, open_local, refusal, run_sync
from grunndata.errors import GrunndataError
from grunndata.session import Session
from grunndata.state import SqliteStateStore, StateStore, Waiting
from grunndata.unattended import approval

__all__ = ["Waiting", "approve_waiting", "reject_waiting", "status_facts", "waiting"]


def open_store(session: Session, reach: Reach | dict[str, Any] | None, *, create: bool = True) -> StateStore | None:
    return open_local(session, reach, create=create, opener=lambda r: r.store, make=SqliteStateStore)


def _refusal(exc: BaseException) -> Refusal:
    if isinstance(exc, approval.StaleApproval):
        return Refusal("stale_waiting", str(exc))
    if isinstance(exc, GrunndataError) and "venter ikke på godkjenning" in str(exc):
        return Refusal("not_waiting", str(exc))
    return refusal(exc)


def waiting(session: Session, reach: Reach | dict[str, Any] | None) -> list[Waiting]:
    """Plans waiting for approval, oldest first (none when nothing ran here yet)."""
    try:
        store = open_store(session, reach, create=False)
        if store is None:
            return []
        try:
            return store.waiting()
        finally:
            store.close()
    except Exception as exc:
        raise _refusal(exc) from None


def approve_waiting(
    session: Session, reach: Reach | dict[str, Any] | None, run_id: int, on_total: Callable[[int], None]
) -> Any:
    """``grunndata approve RUN``: exactly that plan, or refused as stale naming the records."""

    async def go() -> Any:
        store = open_store(session, reach)
        assert store is not None
        try:
            store.lock()
            found = approval.waiting_or_refuse(store, run_id)
            on_total(sum(int(v) for k, v in found.summary.items() if k in ("create", "update", "finish")))
            async with _connection(session, reach) as conn:
                return await approval.approve(session, store, conn, run_id)
        except Exception as exc:
            raise _refusal(exc) from None
        finally:
            store.close()

    return run_sync(go)


def _approve_errors(factory: Callable[[], Any]) -> Any:
    try:
        return factory()
    except Exception as exc:
        raise _refusal(exc) from None


def reject_waiting(session: Session, reach: Reach | dict[str, Any] | None, run_id: int) -> Waiting:
    """``grunndata reject RUN``: the plan no longer waits; nothing is written."""

    def go() -> Waiting:
        store = open_store(session, reach)
        assert store is not None
        try:
            store.lock()
            return approval.reject(store, run_id)
        finally:
            store.close()

    return _approve_errors(go)


def status_facts(store: StateStore) -> Any:
    from grunndata.unattended.facts import status_facts as facts

    return facts(store)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
