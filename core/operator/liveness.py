"""Whether a tenant's job is really running somewhere: a PostgreSQL session lock, not a heartbeat.

procrastinate calls a job stalled when its worker's heartbeat is late. A late heartbeat is not a
dead worker: a worker whose event loop was busy (loading a tenant's rules, planning, a machine
under load) sends its heartbeat late while its job goes on, and the job queued again would run a
second time beside it — two jobs of one tenant at once, and two finishes of one job row. So each
job holds a session-level advisory lock of its tenant for its whole life, on a connection of its
own process; PostgreSQL releases it the moment that process's session ends (a killed worker's
socket is closed by its kernel; a lost machine's is found dead by the TCP keepalives set below).
The stalled-job recovery queues a job again only when its tenant's lock is free.
"""

from __future__ import annotations

from typing import Any

import psycopg

from grunndata.state.postgres_journal import lock_key

# The two-key advisory-lock space of running jobs (the journal's is 0x6764, "gd").
JOB_SPACE = 0x676A  # "gj"
# How long a starting job waits for its tenant's lock: a recovery's probe holds it an instant.
WAIT = "5s"
# A session whose machine vanished without closing it is dropped after about 10 + 3 × 5 s, within
# the default stalled timeout of 30 s (no effect on a Unix-socket connection, which cannot be lost).
KEEPALIVES = (("tcp_keepalives_idle", "10"), ("tcp_keepalives_interval", "5"), ("tcp_keepalives_count", "3"))


def hold(conn: psycopg.Connection[Any], tenant: str) -> bool:
    """Take the tenant's job lock on ``conn`` (autocommit) for as long as the session lasts; False
    when another live session holds it (the tenant's job is running elsewhere)."""
    for name, value in KEEPALIVES:
        conn.execute("SELECT set_config(%s, %s, false)", (name, value))
    conn.execute("SELECT set_config('lock_timeout', %s, false)", (WAIT,))
    try:
        conn.execute("SELECT pg_advisory_lock(%s, %s)", (JOB_SPACE, lock_key(tenant)))
    except psycopg.errors.LockNotAvailable:
        return False
    finally:
        conn.execute("SELECT set_config('lock_timeout', '0', false)")
    return True


async def running_elsewhere(conn: psycopg.AsyncConnection[Any], tenant: str) -> bool:
    """Whether a live session holds the tenant's job lock (probed, and released at once if free)."""
    row = await (await conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (JOB_SPACE, lock_key(tenant)))).fetchone()
    if row and row[0]:
        await conn.execute("SELECT pg_advisory_unlock(%s, %s)", (JOB_SPACE, lock_key(tenant)))
        return False
    return True
