"""SQLite journal of runs and their writes, with an exclusive lock per integration.

Each write is recorded as ``started`` when its request is about to be sent (not while it
waits its turn) and updated with its outcome after, so a crash leaves a trace of what may
have happened; the next run re-reads both systems and converges from there. A run's counts
are read back from its rows, so a run that was killed or interrupted shows what it did.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grunndata.errors import GrunndataError
from grunndata.journal.lock import JournalLocked, RunLock, refusal, this_pid
from grunndata.journal.sql_journal import WRITE_TABLES, SqlJournal, now


def _write_table(
    name: str, own: tuple[str, ...], outcome: tuple[str, ...], indexed: tuple[tuple[str, str], ...]
) -> str:
    columns = (
        "id INTEGER PRIMARY KEY AUTOINCREMENT",
        "run_id INTEGER NOT NULL REFERENCES runs(id)",
        "seq INTEGER NOT NULL",
        "op TEXT NOT NULL",
        *own,
        "fields TEXT NOT NULL",
        "reason TEXT NOT NULL",
        "rule TEXT NOT NULL",
        "outcome TEXT NOT NULL",
        "remote_id TEXT",
        *outcome,
        "detail TEXT",
        "at TEXT NOT NULL",
    )
    body = ",\n".join(f"    {c}" for c in columns)
    indexes = "".join(f"CREATE INDEX IF NOT EXISTS {name}_{suffix} ON {name}({c});\n" for suffix, c in indexed)
    return (
        f"CREATE TABLE IF NOT EXISTS {name} (\n{body}\n);\n"
        f"CREATE INDEX IF NOT EXISTS {name}_run ON {name}(run_id, seq);\n{indexes}"
    )


SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'apply',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    master TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    summary TEXT
);
{writes}CREATE TABLE IF NOT EXISTS lock_holder (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER NOT NULL,
    since TEXT NOT NULL
);
""".replace("{writes}", "".join(_write_table(name, *spec) for name, spec in WRITE_TABLES.items()))

__all__ = ["Journal", "JournalLocked"]


class Journal(SqlJournal):
    """One integration's journal file; ``lock()`` makes writing runs on it take turns."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.scope = {}
        self._lock = RunLock(self._lock_path())
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise GrunndataError(f"{self.path}: kan ikke åpne journalen ({exc})") from None
        except OSError as exc:
            raise GrunndataError(f"{self.path}: kan ikke opprette journalen ({exc.strerror})") from None

    def close(self) -> None:
        self.unlock()
        self.db.close()

    # ---- lock ----------------------------------------------------------
    def lock(self) -> None:
        """Take the integration's lock, or refuse at once naming who holds it."""
        if not self._lock.try_acquire():
            row = self.db.execute("SELECT pid FROM lock_holder WHERE id=1").fetchone()
            raise refusal(self._lock_path(), row[0] if row else None)
        self.db.execute("INSERT OR REPLACE INTO lock_holder (id, pid, since) VALUES (1, ?, ?)", (this_pid(), now()))
        self._mark_interrupted()

    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _mark_interrupted(self) -> None:
        # We hold the lock, so no run is going on: one still 'running' was killed mid-way.
        self.db.execute("UPDATE runs SET status='interrupted' WHERE status='running'")

    def _settle_stale_runs(self) -> None:
        """Runs left 'running' by a process that died show as 'interrupted' (only when no
        run holds the lock: a live run stays 'running')."""
        if self._lock.held:
            return
        if self.db.execute("SELECT 1 FROM runs WHERE status='running' LIMIT 1").fetchone() is None:
            return
        probe = RunLock(self._lock_path())
        try:
            if not probe.try_acquire():
                return
        except OSError:
            return
        try:
            self._mark_interrupted()
        except sqlite3.DatabaseError:
            pass
        finally:
            probe.release()

    def unlock(self) -> None:
        if self._lock.held:
            try:
                self.db.execute("DELETE FROM lock_holder WHERE id=1 AND pid=?", (this_pid(),))
            except sqlite3.DatabaseError:
                pass  # the lock goes anyway; a stale pid is overwritten by the next holder
            self._lock.release()

    # ---- the dialect (see SqlJournal) -----------------------------------------------
    def _execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        self.db.row_factory = None
        return self.db.execute(sql, args)

    def _insert(self, sql: str, args: Sequence[Any]) -> int:
        return int(self._execute(sql, args).lastrowid or 0)

    def _dicts(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        self.db.row_factory = sqlite3.Row
        return [dict(r) for r in self.db.execute(sql, args).fetchall()]

    def _json(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def _fields(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, default=str)

    def _unjson(self, stored: Any) -> Any:
        return json.loads(stored) if stored else None

    def _before_reading(self) -> None:
        self._settle_stale_runs()
