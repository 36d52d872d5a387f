"""The state store on PostgreSQL, for one tenant: :class:`grunndata.state.StateStore` in the
operator's database (``grunndata operator migrate`` creates the tables; see docs/OPERATOR.md).

Same behaviour as :class:`grunndata.state.SqliteStateStore`, rows scoped by tenant. The store
holds one connection (autocommit; from the worker's pool or its own) for its life: the tenant's
advisory lock lives on that session. ``runner_active`` is true while a worker runs the tenant's
jobs (the worker's heartbeat, not a pid: workers live on other machines).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Unpack

from psycopg import Connection
from psycopg.types.json import Jsonb

from grunndata.state.postgres_journal import PostgresJournal
from grunndata.state.protocol import CycleEnd, CycleRecord, KeptSnapshot, Waiting
from grunndata.state.sqlite import INTERRUPTED

_UTC = dt.UTC
# A worker's heartbeat older than this means no worker serves the tenant any more.
RUNNER_STALE = dt.timedelta(minutes=2)
_CYCLE_COLS = "id, kind, mode, started, finished, ok, error, counts, run_id"


def _aware(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise ValueError("state times must be timezone-aware")
    return instant


class PostgresStateStore:
    """:class:`grunndata.state.StateStore` for ``tenant`` on ``conn`` (autocommit)."""

    def __init__(self, conn: Connection[Any], tenant: str, *, on_close: Any = None) -> None:
        self.conn = conn
        self.tenant = tenant
        self._journal = PostgresJournal(conn, tenant)
        self._on_close = on_close

    @property
    def journal(self) -> PostgresJournal:
        return self._journal

    def lock(self) -> None:
        self._journal.lock()

    def unlock(self) -> None:
        self._journal.unlock()

    def close(self) -> None:
        self.unlock()
        if self._on_close is not None:
            self._on_close(self.conn)
            self._on_close = None
        elif not self.conn.closed:
            self.conn.close()

    def _all(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql, (self.tenant, *args)).fetchall())

    # ---- watermarks --------------------------------------------------------------------------
    def watermarks(self) -> dict[str, str]:
        return dict(self._all("SELECT name, value FROM grunndata.state_watermarks WHERE tenant=%s"))

    def set_watermarks(self, marks: dict[str, str]) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO grunndata.state_watermarks (tenant, name, value) VALUES (%s,%s,%s) "
                "ON CONFLICT (tenant, name) DO UPDATE SET value = EXCLUDED.value",
                [(self.tenant, str(k), str(v)) for k, v in marks.items()],
            )

    # ---- the kept snapshot -------------------------------------------------------------------
    def kept_snapshot(self) -> KeptSnapshot | None:
        rows = self._all("SELECT name, records FROM grunndata.state_snapshot WHERE tenant=%s")
        return {name: records for name, records in rows} if rows else None

    def keep_snapshot(self, resources: KeptSnapshot, *, replace: bool = False) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            if replace:
                cur.execute("DELETE FROM grunndata.state_snapshot WHERE tenant=%s", (self.tenant,))
            cur.executemany(
                "INSERT INTO grunndata.state_snapshot (tenant, name, records) VALUES (%s,%s,%s) "
                "ON CONFLICT (tenant, name) DO UPDATE SET records = EXCLUDED.records",
                [(self.tenant, name, Jsonb(records)) for name, records in resources.items()],
            )

    def drop_snapshot(self) -> None:
        self.conn.execute("DELETE FROM grunndata.state_snapshot WHERE tenant=%s", (self.tenant,))

    # ---- plans waiting for approval ----------------------------------------------------------
    def add_waiting(
        self, run_id: int, reason: str, summary: dict[str, int], plan: dict[str, Any], dependencies: dict[str, Any]
    ) -> None:
        self.conn.execute(
            "INSERT INTO grunndata.state_waiting (tenant, run_id, reason, summary, plan, dependencies, created) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (tenant, run_id) DO UPDATE SET reason=EXCLUDED.reason, "
            "summary=EXCLUDED.summary, plan=EXCLUDED.plan, dependencies=EXCLUDED.dependencies, "
            "created=EXCLUDED.created, outcome=NULL",
            (self.tenant, run_id, reason, Jsonb(summary), Jsonb(plan), Jsonb(dependencies), dt.datetime.now(_UTC)),
        )

    _WAITING = "SELECT run_id, reason, summary, plan, dependencies, created FROM grunndata.state_waiting "

    def waiting(self) -> list[Waiting]:
        return [
            Waiting(int(r[0]), *r[1:])
            for r in self._all(self._WAITING + "WHERE tenant=%s AND outcome IS NULL ORDER BY run_id")
        ]

    def waiting_plan(self, run_id: int) -> Waiting | None:
        rows = self._all(self._WAITING + "WHERE tenant=%s AND outcome IS NULL AND run_id=%s", run_id)
        return Waiting(int(rows[0][0]), *rows[0][1:]) if rows else None

    def resolve_waiting(self, run_id: int, outcome: str) -> None:
        with self.conn.transaction():
            self.conn.execute(
                "UPDATE grunndata.state_waiting SET outcome=%s WHERE tenant=%s AND run_id=%s AND outcome IS NULL",
                (outcome, self.tenant, run_id),
            )
            self.conn.execute(
                "UPDATE grunndata.runs SET status=%s WHERE tenant=%s AND id=%s AND status='waiting'",
                (outcome, self.tenant, run_id),
            )

    # ---- cycles ------------------------------------------------------------------------------
    def cycle_started(self, kind: str, mode: str, started: dt.datetime) -> int:
        row = self.conn.execute(
            "INSERT INTO grunndata.state_cycles (tenant, kind, mode, started) VALUES (%s,%s,%s,%s) RETURNING id",
            (self.tenant, kind, mode, _aware(started)),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def cycle_finished(self, cycle_id: int, finished: dt.datetime, *, ok: bool, **end: Unpack[CycleEnd]) -> None:
        error = end.get("error")
        self.conn.execute(
            "UPDATE grunndata.state_cycles SET finished=%s, ok=%s, error=%s, counts=%s, run_id=%s, "
            "mode=COALESCE(%s, mode) WHERE id=%s AND tenant=%s",
            (
                _aware(finished),
                ok,
                None if error is None else Jsonb(error),
                Jsonb(end.get("counts") or {}),
                end.get("run_id"),
                end.get("mode"),
                cycle_id,
                self.tenant,
            ),
        )

    @staticmethod
    def _cycle(row: tuple[Any, ...]) -> CycleRecord:
        cid, kind, mode, started, finished, ok, error, counts, run_id = row
        return CycleRecord(int(cid), kind, mode, started, finished, ok, error, counts or {}, run_id)

    def last_cycles(self) -> dict[str, list[CycleRecord]]:
        out: dict[str, list[CycleRecord]] = {}
        last = self._all(
            f"SELECT DISTINCT ON (kind) {_CYCLE_COLS} FROM grunndata.state_cycles WHERE tenant=%s "
            "ORDER BY kind, id DESC"
        )
        good = {
            r[1]: r
            for r in self._all(
                f"SELECT DISTINCT ON (kind) {_CYCLE_COLS} FROM grunndata.state_cycles "
                "WHERE tenant=%s AND ok ORDER BY kind, id DESC"
            )
        }
        for row in last:
            records = [self._cycle(row)]
            ok_row = good.get(row[1])
            if ok_row is not None and ok_row[0] != row[0]:
                records.append(self._cycle(ok_row))
            out[row[1]] = records
        return out

    def settle(self, now: dt.datetime) -> None:
        self.conn.execute(
            "UPDATE grunndata.state_cycles SET finished=%s, ok=false, error=%s WHERE tenant=%s AND finished IS NULL",
            (_aware(now), Jsonb(INTERRUPTED), self.tenant),
        )

    def person_applied(self) -> bool:
        if self._all("SELECT 1 FROM grunndata.state_meta WHERE tenant=%s AND key='person_applied'"):
            return True
        return bool(self._all("SELECT 1 FROM grunndata.runs WHERE tenant=%s AND kind='apply' LIMIT 1"))

    def note_person_applied(self) -> None:
        self._meta("person_applied", True)

    def _meta(self, key: str, value: Any) -> None:
        self.conn.execute(
            "INSERT INTO grunndata.state_meta (tenant, key, value) VALUES (%s,%s,%s) "
            "ON CONFLICT (tenant, key) DO UPDATE SET value=EXCLUDED.value",
            (self.tenant, key, Jsonb(value)),
        )

    def runner_heartbeat(self, pid: int | None, at: dt.datetime) -> None:
        if pid is None:
            self.conn.execute("DELETE FROM grunndata.state_meta WHERE tenant=%s AND key='runner'", (self.tenant,))
        else:
            self._meta("runner", {"pid": pid, "at": _aware(at).astimezone(_UTC).isoformat()})

    def runner_active(self) -> bool:
        rows = self._all("SELECT value FROM grunndata.state_meta WHERE tenant=%s AND key='runner'")
        if not rows or not isinstance(rows[0][0], dict):
            return False
        at = dt.datetime.fromisoformat(rows[0][0].get("at", "1970-01-01T00:00:00+00:00"))
        return dt.datetime.now(_UTC) - at < RUNNER_STALE
