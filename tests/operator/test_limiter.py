"""The PowerOffice budget in PostgreSQL: every process's requests together stay within it,
writes go first, tenants take turns."""
from __future__ import annotations

import asyncio

from psycopg_pool import AsyncConnectionPool

from grunndata.operator.limiter import PgRateLimiter, key_label


async def _run(url, body):
    pool = AsyncConnectionPool(url, min_size=1, max_size=12, open=False)
    await pool.open()
    try:
        return await body(pool)
    finally:
        await pool.close()


def test_places_held_never_exceed_capacity_across_limiters(pg_url):
    """Four limiters (as four workers would hold), 60 requests: never more than the capacity
    in flight or answered within one window, counted in the database's own rows."""
    async def body(pool):
        limiters = [PgRateLimiter(pool, "key-1", f"t{i}", capacity=5, window=0.3) for i in range(4)]
        peak = 0
        in_window: list[tuple[float, float | None]] = []
        loop = asyncio.get_running_loop()

        async def request(lim):
            nonlocal peak
            await lim.acquire()
            start = loop.time()
            busy = sum(1 for a, r in in_window if r is None or r > start - 0.3)
            peak = max(peak, busy + 1)
            entry = [start, None]
            in_window.append(entry)  # type: ignore[arg-type]
            await asyncio.sleep(0)
            entry[1] = loop.time()
            lim.release()

        await asyncio.gather(*(request(limiters[i % 4]) for i in range(60)))
        await limiters[0].drain()
        return peak

    peak = asyncio.run(_run(pg_url, body))
    assert peak <= 5


def test_writes_before_reads_and_tenants_take_turns(pg_url):
    """With the budget full, waiting writes are served before waiting reads, and among reads the
    tenant served longest ago goes first."""
    async def body(pool):
        order: list[str] = []
        a = PgRateLimiter(pool, "key-2", "a", capacity=1, window=0.05)
        b = PgRateLimiter(pool, "key-2", "b", capacity=1, window=0.05)
        await a.acquire()  # holds the only place

        async def one(lim, tag, write):
            await lim.acquire(write=write)
            order.append(tag)
            lim.release()

        # one at a time: two tasks started together may queue in either order
        tasks = [asyncio.create_task(one(a, "a-read-1", False))]
        await _until_waiting(pool, 1)
        tasks += [asyncio.create_task(one(a, "a-read-2", False))]
        await _until_waiting(pool, 2)
        tasks += [asyncio.create_task(one(b, "b-read", False))]
        await _until_waiting(pool, 3)
        tasks += [asyncio.create_task(one(b, "b-write", True))]
        await _until_waiting(pool, 4)
        a.release()
        await asyncio.gather(*tasks)
        await a.drain()
        return order

    order = asyncio.run(_run(pg_url, body))
    # the write first; then a's first read (a was served before b's write), then b's read (b was
    # served last), then a's second read
    assert order == ["b-write", "a-read-1", "b-read", "a-read-2"]


async def _until_waiting(pool, n):
    for _ in range(2000):
        async with pool.connection() as conn:
            got = (await (await conn.execute("SELECT count(*) FROM grunndata.po_waiters")).fetchone())[0]
        if got >= n:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{n} waiters never queued")


def test_key_label_hides_the_key():
    assert key_label("secret-key").startswith("sha256:") and "secret" not in key_label("secret-key")
