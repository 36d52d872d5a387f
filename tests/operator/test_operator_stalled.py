"""A job whose worker's heartbeat is late is queued again only when its process is gone: a worker
busy long enough to miss heartbeats (a loaded machine) must not have its running job run a second
time beside it. Liveness is the tenant's job lock, held by the job's PostgreSQL session."""
from __future__ import annotations

import asyncio

import psycopg

from grunndata.operator import liveness
from grunndata.operator.worker import QUEUE, defer_cycle, make_app, retry_stalled

TENANT = "firma-0001"


def status(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT status::text FROM procrastinate_jobs WHERE lock=%s", (TENANT,))]


def test_a_late_heartbeat_of_a_live_job_is_not_a_dead_worker(pg_url):
    app = make_app(pg_url)

    async def go() -> tuple[int, list[str], int, list[str]]:
        async with app.open_async():
            assert await defer_cycle(app, TENANT, "sync")
            worker = await app.job_manager.register_worker()
            job = await app.job_manager.fetch_job(queues=[QUEUE], worker_id=worker)
            assert job is not None and job.lock == TENANT
            # the job is running in a live process: its session holds the tenant's job lock ...
            running = psycopg.connect(pg_url, autocommit=True)
            assert liveness.hold(running, TENANT)
            # ... while its worker's heartbeat is late
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'")
            live = await retry_stalled(app, pg_url)
            live_status = status(pg_url)
            running.close()  # the process is gone: PostgreSQL releases its lock with its session
            dead = await retry_stalled(app, pg_url)
            return live, live_status, dead, status(pg_url)

    live, live_status, dead, dead_status = asyncio.run(go())
    assert (live, live_status) == (0, ["doing"])
    assert (dead, dead_status) == (1, ["todo"])


def test_a_second_job_of_a_tenant_whose_job_runs_elsewhere_does_not_hold_it(pg_url, monkeypatch):
    monkeypatch.setattr(liveness, "WAIT", "50ms")
    with psycopg.connect(pg_url, autocommit=True) as first, psycopg.connect(pg_url, autocommit=True) as second:
        assert liveness.hold(first, TENANT)
        assert not liveness.hold(second, TENANT)
        assert liveness.hold(second, "firma-0002")  # another tenant's job is not held up
        first.close()
        assert liveness.hold(second, TENANT)
