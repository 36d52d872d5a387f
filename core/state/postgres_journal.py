"""The run journal on PostgreSQL, for one tenant: the same rows and semantics as the SQLite
journal (:mod:`grunndata.journal.store`) — ``started`` before each request, the outcome after —
in tables shared by every tenant and scoped by its name.

The tenant's lock is a PostgreSQL advisory lock on the store's own session: a worker that dies
loses its session and with it the lock, so the next job of the tenant never waits for a corpse.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from grunndata.journal.lock import JournalLocked
from grunndata.journal.store import COUNTED, ROW_COLUMNS, SENT_PREFIX, STEP_COLUMNS, invoice_record_of

_LOCK_SPACE = 0x6764  # "gd": the advisory-lock space of tenants (two-key form)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _id(remote_id: Any) -> str | None:
    return None if remote_id is None else str(remote_id)


def lock_key(tenant: str) -> int:
    return zlib.crc32(tenant.encode("utf-8")) - (1 << 31)  # a signed int4


class PostgresJournal:
    """:class:`grunndata.engine.writes.RunJournal` plus ``runs``/``run`` for history, per tenant."""

    def __init__(self, conn: Connection[Any], tenant: str) -> None:
        self.conn = conn
        self.tenant = tenant
        self._locked = False

    # ---- lock ----------------------------------------------------------
    def lock(self) -> None:
        row = self.conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (_LOCK_SPACE, lock_key(self.tenant))).fetchone()
        if not row or not row[0]:
            raise JournalLocked(
                f"en annen kjøring pågår allerede for kunden «{self.tenant}»; vent til den er ferdig og prøv igjen"
            )
        self._locked = True
        # We hold the lock, so no run of this tenant is going on: one still 'running' was killed.
        self.conn.execute(
            "UPDATE grunndata.runs SET status='interrupted' WHERE tenant=%s AND status='running'", (self.tenant,)
        )

    def unlock(self) -> None:
        if self._locked:
            self._locked = False
            if not self.conn.closed:
                self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK_SPACE, lock_key(self.tenant)))

    # ---- runs ----------------------------------------------------------
    def start_run(
        self,
        master: str,
        config_hash: str,
        fingerprint: str,
        kind: str = "apply",
        summary: dict[str, Any] | None = None,
    ) -> int:
        row = self.conn.execute(
            "INSERT INTO grunndata.runs (tenant, kind, started_at, master, config_hash, fingerprint, status, summary)"
            " VALUES (%s,%s,%s,%s,%s,%s,'running',%s) RETURNING id",
            (self.tenant, kind, _now(), master, config_hash, fingerprint, None if summary is None else Jsonb(summary)),
        ).fetchone()
        assert row is not None
        return int(row[0])

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE grunndata.runs SET finished_at=%s, status=%s, summary=%s WHERE id=%s AND tenant=%s",
            (_now(), status, Jsonb(summary), run_id, self.tenant),
        )

    # ---- writes --------------------------------------------------------
    def write_started(self, run_id: int, table: str, seq: int, row: dict[str, Any]) -> int:
        columns = ROW_COLUMNS[table]
        values = [Jsonb(json.loads(json.dumps(row[c], default=str))) if c == "fields" else row[c] for c in columns]
        names = ", ".join(("tenant", "run_id", "seq", *columns, "outcome", "at"))
        marks = ",".join(["%s"] * (len(columns) + 5))
        found = self.conn.execute(
            f"INSERT INTO grunndata.{table} ({names}) VALUES ({marks}) RETURNING id",
            (self.tenant, run_id, seq, *values, "started", _now()),
        ).fetchone()
        assert found is not None
        return int(found[0])

    def write_step(
        self, table: str, row_id: int, step: str, outcome: str | None = None, remote_id: Any = None, detail: str = ""
    ) -> None:
        column = STEP_COLUMNS[table][step]
        now = _now()
        if outcome is None:
            self.conn.execute(f"UPDATE grunndata.{table} SET {column}=%s, at=%s WHERE id=%s", (now, now, row_id))
        else:
            self.conn.execute(
                f"UPDATE grunndata.{table} SET outcome=%s, remote_id=%s, detail=%s, {column}=%s, at=%s WHERE id=%s",
                (SENT_PREFIX + outcome, _id(remote_id), detail, now, now, row_id),
            )

    def write_done(self, table: str, row_id: int, outcome: str, remote_id: Any = None, detail: str = "") -> None:
        self.conn.execute(
            f"UPDATE grunndata.{table} SET outcome=%s, remote_id=COALESCE(%s, remote_id), detail=%s, at=%s WHERE id=%s",
            (outcome, _id(remote_id), detail, _now(), row_id),
        )

    # ---- reading -------------------------------------------------------
    def _dicts(self, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            return list(cur.execute(sql, args).fetchall())

    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._dicts(
            "SELECT id, kind, started_at, finished_at, master, config_hash, fingerprint, status, "
            "summary FROM grunndata.runs WHERE tenant=%s ORDER BY id DESC LIMIT %s",
            (self.tenant, limit),
        )
        self._count_rows(rows)
        return rows

    def run(self, run_id: int) -> dict[str, Any] | None:
        rows = self._dicts(
            "SELECT id, kind, started_at, finished_at, master, config_hash, fingerprint, status, "
            "summary FROM grunndata.runs WHERE tenant=%s AND id=%s",
            (self.tenant, run_id),
        )
        if not rows:
            return None
        run = rows[0]
        self._count_rows([run])
        run["actions"] = self._rows("actions", run_id)
        if run.get("kind") == "transfer":
            run["lines"] = self._rows("transfer_lines", run_id)
        if run.get("kind") == "invoice":
            run["lines"] = self._rows("invoice_writes", run_id)
        return run

    def _rows(self, table: str, run_id: int) -> list[dict[str, Any]]:
        rows = self._dicts(
            f"SELECT * FROM grunndata.{table} WHERE run_id=%s AND tenant=%s ORDER BY seq", (run_id, self.tenant)
        )
        for row in rows:
            row.pop("tenant", None)
        return rows

    def transfer_lines(self, run_id: int) -> list[dict[str, Any]]:
        return self._rows("transfer_lines", run_id)

    def invoice_writes(self, run_id: int) -> list[dict[str, Any]]:
        return self._rows("invoice_writes", run_id)

    def _count_rows(self, runs: list[dict[str, Any]]) -> None:
        """Counts as the rows say (a killed run shows what reached the other system)."""
        ids = [r["id"] for r in runs if isinstance(r.get("summary"), dict)]
        if not ids:
            return
        counts: dict[int, dict[str, int]] = {i: {} for i in ids}
        for table in ROW_COLUMNS:
            marked = "COUNT(sd_marked_at)" if table == "transfer_lines" else "0"
            for run_id, outcome, n, m in self.conn.execute(
                f"SELECT run_id, outcome, COUNT(*), {marked} FROM grunndata.{table} WHERE run_id = ANY(%s) "
                "GROUP BY run_id, outcome",
                (ids,),
            ):
                word = outcome[len(SENT_PREFIX) :] if outcome.startswith(SENT_PREFIX) else outcome
                into = counts[run_id]
                if word in COUNTED:
                    into[word] = into.get(word, 0) + n
                into["marked"] = into.get("marked", 0) + int(m)
        for run in runs:
            summary, found = run.get("summary"), counts.get(run["id"])
            if isinstance(summary, dict) and found is not None:
                for key in (*COUNTED, "marked"):
                    if key in summary:
                        summary[key] = found.get(key, 0)

    def invoice_record(self) -> dict[str, dict[str, Any]]:
        """As :meth:`grunndata.journal.Journal.invoice_record`, for this tenant."""
        return invoice_record_of(
            self.conn.execute(
                "SELECT key, run_id, op, outcome, remote_id, digest FROM grunndata.invoice_writes WHERE tenant=%s "
                "ORDER BY id",
                (self.tenant,),
            )
        )
