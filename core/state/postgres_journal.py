"""The run journal on PostgreSQL, for one tenant: the same rows and semantics as the SQLite
journal (:mod:`grunndata.journal.store`) — ``started`` before each request, the outcome after —
in tables shared by every tenant and scoped by its name.

The tenant's lock is a PostgreSQL advisory lock on the store's own session: a worker that dies
loses its session and with it the lock, so the next job of the tenant never waits for a corpse.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any

from psycopg import Connection, Cursor
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from grunndata.journal.lock import JournalLocked
from grunndata.journal.sql_journal import SqlJournal

_LOCK_SPACE = 0x6764  # "gd": the advisory-lock space of tenants (two-key form)


def lock_key(tenant: str) -> int:
    return zlib.crc32(tenant.encode("utf-8")) - (1 << 31)  # a signed int4


class PostgresJournal(SqlJournal):
    """:class:`grunndata.engine.writes.RunJournal` plus ``runs``/``run`` for history, per tenant."""

    tables = "grunndata."

    def __init__(self, conn: Connection[Any], tenant: str) -> None:
        self.conn = conn
        self.tenant = tenant
        self.scope = {"tenant": tenant}
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

    # ---- the dialect (see SqlJournal) -----------------------------------------------
    def _execute(self, sql: str, args: Sequence[Any] = ()) -> Cursor[Any]:
        return self.conn.execute(sql.replace("?", "%s"), args)

    def _insert(self, sql: str, args: Sequence[Any]) -> int:
        row = self._execute(sql + " RETURNING id", args).fetchone()
        assert row is not None
        return int(row[0])

    def _dicts(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            return list(cur.execute(sql.replace("?", "%s"), args).fetchall())

    def _json(self, value: Any) -> Jsonb:
        return Jsonb(value)

    def _fields(self, value: Any) -> Jsonb:
        return Jsonb(json.loads(json.dumps(value, default=str)))

    def _unjson(self, stored: Any) -> Any:
        return stored  # jsonb comes back as its value
