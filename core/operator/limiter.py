"""PowerOffice's budget shared by every worker on every machine: a rate limiter in PostgreSQL.

PowerOffice throttles at 10 requests a second per *subscription key*, however many companies
use it. Each request takes a place before it is sent and releases it when its answer is back;
the place stays taken for ``window`` seconds after that — the semantics of the per-process
:class:`grunndata.clients.retry.RateLimiter`, now in rows every worker sees
(``grunndata.po_grants``), so of any ``capacity + 1`` requests one was answered a whole window
before the last one started, whichever machines sent them. The database's clock is the one
clock they all share.

Who gets a free place (``grunndata.po_try_acquire``): writes before reads (the writes of
running cycles finish before new cycles read), then the tenant served longest ago (fair:
every tenant's cycles advance, so when the budget cannot hold every schedule, every tenant's
interval stretches alike), then arrival. A worker that dies leaves its waiters to expire and
its places to count as released after a minute.

The default capacity is 9 a second against the limit of 10: one place of margin for clock
granularity and for other integrations' requests on the same key.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Any

_ENQUEUE = "INSERT INTO grunndata.po_waiters (key_label, tenant, priority) VALUES (%s, %s, %s) RETURNING id"
_TRY = "SELECT grant_id, wait_s FROM grunndata.po_try_acquire(%s, %s, %s, %s, %s)"
CAPACITY = 9
WINDOW = 1.02
STALE_WAITER = 5.0


def key_label(subscription_key: str) -> str:
    """A key is never stored: ``sha256:`` and 12 hex digits, as the sandbox names it."""
    return "sha256:" + hashlib.sha256(subscription_key.encode("utf-8")).hexdigest()[:12]


class PgRateLimiter:
    """``acquire(write=...)``/``release()`` for one tenant's client, over an async psycopg pool.

    ``on_wait(seconds)`` is told how long each request waited (the rate-limit-wait metric)."""

    def __init__(
        self,
        pool: Any,
        subscription_key: str,
        tenant: str,
        *,
        capacity: int = CAPACITY,
        window: float = WINDOW,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        self._pool = pool
        self.key = key_label(subscription_key)
        self.tenant = tenant
        self.capacity = capacity
        self.window = window
        self._held: list[int] = []
        self._on_wait = on_wait

    async def acquire(self, *, write: bool = False) -> None:
        started = time.monotonic()
        priority = 0 if write else 1
        # A connection only for each attempt, not while sleeping: waiting requests hold none.
        waiter: int | None = await self._sql(_ENQUEUE, (self.key, self.tenant, priority))
        try:
            while True:
                grant, wait = await self._sql(
                    _TRY, (waiter, self.key, self.capacity, self.window, STALE_WAITER), both=True
                )
                if grant is not None:
                    waiter = None
                    self._held.append(int(grant))
                    break
                if wait < 0:  # our turn expired while we were away: queue again
                    waiter = await self._sql(_ENQUEUE, (self.key, self.tenant, priority))
                    continue
                await asyncio.sleep(min(float(wait), 1.0))
        finally:
            if waiter is not None:  # cancelled while waiting: leave the queue
                await asyncio.shield(
                    self._sql("DELETE FROM grunndata.po_waiters WHERE id = %s RETURNING id", (waiter,))
                )
        if self._on_wait is not None:
            self._on_wait(time.monotonic() - started)

    async def _sql(self, sql: str, args: tuple[Any, ...], *, both: bool = False) -> Any:
        async with self._pool.connection() as conn:
            row = await (await conn.execute(sql, args)).fetchone()
            await conn.commit()
        if row is None:
            return None
        return tuple(row) if both else row[0]

    def release(self) -> None:
        """The request is over; its place counts for one more window from the database's now."""
        if not self._held:
            return
        grant = self._held.pop(0)
        task = asyncio.get_running_loop().create_task(self._release(grant))
        _pending.add(task)
        task.add_done_callback(_pending.discard)

    async def _release(self, grant: int) -> None:
        async with self._pool.connection() as conn:
            await conn.execute("UPDATE grunndata.po_grants SET released_at = clock_timestamp() WHERE id = %s", (grant,))
            await conn.commit()

    async def drain(self) -> None:
        """Wait for the releases under way (before the pool closes)."""
        if _pending:
            await asyncio.gather(*list(_pending), return_exceptions=True)


_pending: set[asyncio.Task[None]] = set()


async def used_last_second(pool: Any) -> dict[str, int]:
    """Places taken per key label within the last second (the budget-used metric)."""
    async with pool.connection() as conn:
        rows = await (
            await conn.execute(
                "SELECT key_label, count(*) FROM grunndata.po_grants WHERE released_at IS NULL "
                "OR released_at > clock_timestamp() - interval '1 second' GROUP BY key_label"
            )
        ).fetchall()
    return {label: int(n) for label, n in rows}
