"""``grunndata worker``: procrastinate jobs that run each tenant's cycles on its schedule.

Tasks (queue ``grunndata``):

* ``grunndata.dispatch`` — periodic (every ``GRUNNDATA_DISPATCH_SECONDS``, default 10; one worker
  defers each tick): queues each tenant's due cycles, retries the jobs of workers that stopped
  sending heartbeats and whose job sessions are gone (a worker killed mid-job: procrastinate's
  stalled-job recovery, checked by :mod:`grunndata.operator.liveness`), and marks
  the tenants as served by a live worker (``next`` in ``tenant status``).
* ``grunndata.cycle(tenant, kind, force)`` — one cycle, deferred with ``lock=tenant`` (never two
  jobs of one tenant at once) and ``queueing_lock=tenant/kind`` (a due cycle is queued once).

SIGTERM: procrastinate stops fetching jobs and waits for the running ones; a cycle's writes in
flight are finished and journaled. A worker killed outright loses its session: its tenant lock
goes with it, its job is retried after ``GRUNNDATA_WORKER_STALLED_SECONDS`` (default 30) without a
heartbeat, and the next cycle looks up by key whatever the killed one may have written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import sys
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Status

from grunndata.errors import GrunndataError
from grunndata.operator import dispatch, liveness, metrics
from grunndata.operator.runtime import Runtime

log = logging.getLogger("grunndata.worker")
QUEUE = "grunndata"
CYCLE = "grunndata.cycle"


def _seconds(var: str, default: float) -> float:
    try:
        return max(0.5, float(os.environ.get(var, "") or default))
    except ValueError:
        raise GrunndataError(f"{var}: ventet et antall sekunder") from None


def dispatch_seconds() -> int:
    return max(1, int(_seconds("GRUNNDATA_DISPATCH_SECONDS", 10)))


def stalled_seconds() -> float:
    return _seconds("GRUNNDATA_WORKER_STALLED_SECONDS", 30)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def defer_cycle(app: App, tenant: str, kind: str, *, force: bool = False) -> bool:
    """Queue one cycle; False when the same cycle of the tenant is already queued."""
    try:
        await app.configure_task(CYCLE, lock=tenant, queueing_lock=f"{tenant}/{kind}", queue=QUEUE).defer_async(
            tenant=tenant, kind=kind, force=force
        )
    except AlreadyEnqueued:
        return False
    return True


def make_app(url: str, runtime: Runtime | None = None) -> App:
    app = App(connector=PsycopgConnector(conninfo=url))
    state: dict[str, Any] = {"runtime": runtime}

    def rt() -> Runtime:
        if state["runtime"] is None:
            state["runtime"] = Runtime(url, on_wait=metrics.RATE_WAIT.observe)
        return state["runtime"]

    @app.periodic(cron=f"* * * * * */{dispatch_seconds()}", periodic_id="dispatch")
    @app.task(name="grunndata.dispatch", queue=QUEUE, queueing_lock="grunndata.dispatch")
    async def dispatch_task(timestamp: int) -> None:
        try:
            await retry_stalled(app, url)
        except Exception:  # recovery must not stop the queueing of due cycles
            log.exception("retrying stalled jobs failed")
        now = _now()
        with psycopg.connect(url, autocommit=True) as conn:
            schedules = dispatch.tenant_schedules(conn)
            facts = dispatch.cycle_facts(conn, schedules)
            busy = {
                r[0]
                for r in conn.execute(
                    "SELECT lock FROM procrastinate_jobs WHERE status = 'doing' AND lock IS NOT NULL"
                ).fetchall()
            }
            due = dispatch.due_now(schedules, facts, now)
            # A cycle left running by a worker that died is settled by the tenant's next job.
            due += [
                dispatch.Due(name, kind)
                for name, kinds in facts.items()
                if name not in busy
                for kind, f in kinds.items()
                if f.running and dispatch.Due(name, kind) not in due
            ]
            conn.execute(
                "INSERT INTO grunndata.state_meta (tenant, key, value) SELECT name, 'runner', %s "
                "FROM grunndata.tenants WHERE removed_at IS NULL ON CONFLICT (tenant, key) DO UPDATE "
                "SET value = EXCLUDED.value",
                (json.dumps({"pid": os.getpid(), "at": now.isoformat()}),),
            )
        for item in due:
            await defer_cycle(app, item.tenant, item.kind)

    @app.task(
        name=CYCLE,
        queue=QUEUE,
        retry=RetryStrategy(max_attempts=3, wait=5, retry_exceptions={psycopg.OperationalError}),
    )
    async def cycle_task(tenant: str, kind: str, force: bool = False) -> None:
        await run_job(rt(), tenant, kind, force)

    return app


async def retry_stalled(app: App, url: str) -> int:
    """Jobs of workers without a heartbeat go back to the queue (procrastinate's recovery) — unless
    the tenant's job is still running in a live process whose heartbeat is merely late
    (:mod:`grunndata.operator.liveness`). The number queued again or finished."""
    stalled = list(await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=stalled_seconds()))
    if not stalled:
        return 0
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        dead = [job for job in stalled if job.lock is None or not await liveness.running_elsewhere(conn, job.lock)]
    for job in dead:
        try:
            await app.job_manager.retry_job(job)
            log.warning("job %s (%s) of a stalled worker is queued again", job.id, job.task_name)
        except UniqueViolation:
            # the same cycle of the tenant is queued already (its queueing lock): that job does the work
            await app.job_manager.finish_job(job, Status.FAILED, delete_job=False)
            log.warning("job %s (%s) of a stalled worker: the same cycle is queued already", job.id, job.task_name)
    return len(dead)


async def run_job(runtime: Runtime, tenant: str, kind: str, force: bool) -> None:
    """One cycle of one tenant; its outcome goes to the tenant's state, the log and the metrics."""
    from grunndata.unattended.facts import log_line
    from grunndata.unattended.periodic import run_cycle
    from grunndata.unattended.schedule_config import schedule_settings

    now = _now()
    store = runtime.store(tenant)
    try:
        # For the whole job, on the store's session: the tenant's job is running here (see liveness).
        if not liveness.hold(store.conn, tenant):
            log.warning("%s: hoppet over: en annen jobb for kunden kjører allerede", tenant)
            return
        with psycopg.connect(runtime.url, autocommit=True) as conn:
            try:
                loaded = runtime.load(conn, tenant)
            except GrunndataError as exc:
                log.warning("%s: hoppet over: %s", tenant, exc)
                return
        if not force:
            try:  # we run under the tenant's job lock: a cycle left unfinished is from a dead worker
                store.lock()
                store.settle(now)
                store.unlock()
            except GrunndataError:
                return  # a person's approve holds the tenant
            with psycopg.connect(runtime.url, autocommit=True) as conn:
                if not dispatch.is_due(conn, tenant, kind, now):
                    return
        try:
            async with runtime.connection(loaded) as clients:
                result = await run_cycle(loaded.session, store, kind, now, None, conn=clients)
                _count_requests(clients)
        except GrunndataError as exc:  # secrets missing, a client that cannot start: a failed cycle
            cid = store.cycle_started(kind, "full", now)
            from grunndata.unattended.cycle import error_of

            store.cycle_finished(cid, _now(), ok=False, error=error_of(exc))
            metrics.CYCLES.labels(kind, "failed").inc()
            metrics.FAILURES.labels(kind).inc()
            log.error("%s: %s", tenant, exc)
            return
        _count_actions(store, result.run_id)
        metrics.CYCLES.labels(kind, result.outcome).inc()
        if result.outcome == "failed":
            metrics.FAILURES.labels(kind).inc()
        line = log_line(result, schedule_settings(loaded.session.config), now, "text")
        print(f"{tenant}: {line}", flush=True)
    finally:
        store.close()


def _count_requests(clients: Any) -> None:
    for system, client in (("smartdok", clients.smartdok), ("poweroffice", clients.poweroffice)):
        metrics.REQUESTS.labels(system).inc(int(client.request_count))
        metrics.THROTTLED.labels(system).inc(int(getattr(client, "throttled", 0)))


def _count_actions(store: Any, run_id: int | None) -> None:
    if run_id is None:
        return
    for op, outcome, n in store.conn.execute(
        "SELECT op, outcome, count(*) FROM grunndata.actions WHERE run_id=%s GROUP BY op, outcome", (run_id,)
    ).fetchall():
        metrics.ACTIONS.labels(op, outcome).inc(int(n))


async def refresh_gauges(url: str, every: float = 5.0) -> None:
    """The gauges read from the database, refreshed while the worker runs."""
    from psycopg_pool import AsyncConnectionPool

    from grunndata.operator.limiter import used_last_second

    async with AsyncConnectionPool(url, min_size=1, max_size=1, kwargs={"autocommit": True}) as pool:
        while True:
            try:
                for label, n in (await used_last_second(pool)).items():
                    metrics.BUDGET_USED.labels(label).set(n)
                await asyncio.to_thread(_tenant_gauges, url)
            except psycopg.Error as exc:
                log.warning("metrics: %s", exc)
            await asyncio.sleep(every)


def _tenant_gauges(url: str) -> None:
    now = _now()
    with psycopg.connect(url, autocommit=True) as conn:
        schedules = dispatch.tenant_schedules(conn)
        facts = dispatch.cycle_facts(conn, schedules)
        for tenant, kinds in dispatch.lags(schedules, facts, now).items():
            for kind, lag in kinds.items():
                if lag is not None:
                    metrics.LAG.labels(tenant, kind).set(lag)
        for tenant, interval in dispatch.achieved_intervals(conn, schedules).items():
            if interval is not None:
                metrics.ACHIEVED.labels(tenant).set(interval)
        for status in ("todo", "doing"):
            metrics.JOBS.labels(status).set(0)
        for status, n in conn.execute(
            "SELECT status, count(*) FROM procrastinate_jobs WHERE queue_name = %s "
            "AND status IN ('todo', 'doing') GROUP BY status",
            (QUEUE,),
        ).fetchall():
            metrics.JOBS.labels(status).set(n)


async def serve(url: str, concurrency: int, metrics_port: int | None) -> None:
    runtime = Runtime(url, on_wait=metrics.RATE_WAIT.observe)
    app = make_app(url, runtime)
    if metrics_port is not None:
        metrics.serve(metrics_port)
    gauges = asyncio.create_task(refresh_gauges(url)) if metrics_port is not None else None
    heartbeat = max(1.0, stalled_seconds() / 3)
    try:
        async with app.open_async():
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                install_signal_handlers=True,
                update_heartbeat_interval=heartbeat,
                stalled_worker_timeout=stalled_seconds(),
                delete_jobs="successful",
                name=f"grunndata-{os.getpid()}",
            )
    finally:
        if gauges is not None:
            gauges.cancel()
        await runtime.aclose()
    print("worker: stoppet", file=sys.stderr, flush=True)
