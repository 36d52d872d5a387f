"""The embedded state store: the journal's SQLite file holds the cycles' state beside the runs.

Tables (created on open, next to the journal's): ``state_watermarks``, ``state_snapshot`` (one
JSON list per resource, so a cycle rewrites only the resources that changed), ``state_waiting``,
``state_cycles`` and ``state_meta``. The journal itself (:class:`grunndata.journal.Journal`) is
wrapped, not changed: its runs, rows and lock behave exactly as for ``apply``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Unpack

from grunndata.journal import Journal
from grunndata.state.protocol import CycleEnd, CycleRecord, KeptSnapshot, Waiting

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS state_watermarks (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state_snapshot (name TEXT PRIMARY KEY, records TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state_waiting (
    run_id INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,
    summary TEXT NOT NULL,
    plan TEXT NOT NULL,
    dependencies TEXT NOT NULL,
    created TEXT NOT NULL,
    outcome TEXT
);
CREATE TABLE IF NOT EXISTS state_cycles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    ok INTEGER,
    error TEXT,
    counts TEXT,
    run_id INTEGER
);
CREATE INDEX IF NOT EXISTS state_cycles_kind ON state_cycles(kind, id);
CREATE TABLE IF NOT EXISTS state_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
INTERRUPTED = {
    "message": "interrupted",
    "explanation": "syklusen ble avbrutt før den ble ferdig (prosessen stoppet); neste syklus leser på nytt",
}
_UTC = dt.UTC


def _text(instant: dt.datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("state times must be timezone-aware")
    return instant.astimezone(_UTC).isoformat()


def _time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


class SqliteStateStore:
    """:class:`grunndata.state.StateStore` in the journal file at ``path``."""

    def __init__(self, path: Path) -> None:
        self._journal = Journal(Path(path))
        self.db: sqlite3.Connection = self._journal.db
        self.db.executescript(STATE_SCHEMA)

    @property
    def journal(self) -> Journal:
        return self._journal

    @property
    def path(self) -> Path:
        return self._journal.path

    def lock(self) -> None:
        self._journal.lock()

    def unlock(self) -> None:
        self._journal.unlock()

    def close(self) -> None:
        self._journal.close()

    def _rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        self.db.row_factory = None
        return self.db.execute(sql, args).fetchall()

    # ---- watermarks --------------------------------------------------------------------------
    def watermarks(self) -> dict[str, str]:
        return {name: value for name, value in self._rows("SELECT name, value FROM state_watermarks")}

    def set_watermarks(self, marks: dict[str, str]) -> None:
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO state_watermarks (name, value) VALUES (?, ?)",
                [(str(k), str(v)) for k, v in marks.items()],
            )

    # ---- the kept snapshot -------------------------------------------------------------------
    def kept_snapshot(self) -> KeptSnapshot | None:
        rows = self._rows("SELECT name, records FROM state_snapshot")
        if not rows:
            return None
        return {name: json.loads(records) for name, records in rows}

    def keep_snapshot(self, resources: KeptSnapshot, *, replace: bool = False) -> None:
        with self.db:
            self.db.execute("BEGIN")
            if replace:
                self.db.execute("DELETE FROM state_snapshot")
            self.db.executemany(
                "INSERT OR REPLACE INTO state_snapshot (name, records) VALUES (?, ?)",
                [(name, _dump(records)) for name, records in resources.items()],
            )

    def drop_snapshot(self) -> None:
        self.db.execute("DELETE FROM state_snapshot")

    # ---- plans waiting for approval ----------------------------------------------------------
    def add_waiting(
        self, run_id: int, reason: str, summary: dict[str, int], plan: dict[str, Any], dependencies: dict[str, Any]
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO state_waiting (run_id, reason, summary, plan, dependencies, created)"
            " VALUES (?,?,?,?,?,?)",
            (run_id, reason, _dump(summary), _dump(plan), _dump(dependencies), _text(dt.datetime.now(_UTC))),
        )

    @staticmethod
    def _waiting(row: tuple[Any, ...]) -> Waiting:
        run_id, reason, summary, plan, deps, created = row
        return Waiting(
            int(run_id),
            reason,
            json.loads(summary),
            json.loads(plan),
            json.loads(deps),
            dt.datetime.fromisoformat(created),
        )

    def waiting(self) -> list[Waiting]:
        return [
            self._waiting(r)
            for r in self._rows(
                "SELECT run_id, reason, summary, plan, dependencies, created FROM state_waiting "
                "WHERE outcome IS NULL ORDER BY run_id"
            )
        ]

    def waiting_plan(self, run_id: int) -> Waiting | None:
        rows = self._rows(
            "SELECT run_id, reason, summary, plan, dependencies, created FROM state_waiting "
            "WHERE outcome IS NULL AND run_id=?",
            (run_id,),
        )
        return self._waiting(rows[0]) if rows else None

    def resolve_waiting(self, run_id: int, outcome: str) -> None:
        self.db.execute("UPDATE state_waiting SET outcome=? WHERE run_id=? AND outcome IS NULL", (outcome, run_id))
        self.db.execute("UPDATE runs SET status=? WHERE id=? AND status='waiting'", (outcome, run_id))

    # ---- cycles ------------------------------------------------------------------------------
    def cycle_started(self, kind: str, mode: str, started: dt.datetime) -> int:
        cur = self.db.execute(
            "INSERT INTO state_cycles (kind, mode, started) VALUES (?,?,?)", (kind, mode, _text(started))
        )
        return int(cur.lastrowid or 0)

    def cycle_finished(self, cycle_id: int, finished: dt.datetime, *, ok: bool, **end: Unpack[CycleEnd]) -> None:
        error = end.get("error")
        self.db.execute(
            "UPDATE state_cycles SET finished=?, ok=?, error=?, counts=?, run_id=?, mode=COALESCE(?, mode) WHERE id=?",
            (
                _text(finished),
                int(ok),
                None if error is None else _dump(error),
                _dump(end.get("counts") or {}),
                end.get("run_id"),
                end.get("mode"),
                cycle_id,
            ),
        )

    @staticmethod
    def _cycle(row: tuple[Any, ...]) -> CycleRecord:
        cid, kind, mode, started, finished, ok, error, counts, run_id = row
        return CycleRecord(
            int(cid),
            kind,
            mode,
            dt.datetime.fromisoformat(started),
            _time(finished),
            None if ok is None else bool(ok),
            None if error is None else json.loads(error),
            json.loads(counts) if counts else {},
            run_id,
        )

    def last_cycles(self) -> dict[str, list[CycleRecord]]:
        cols = "id, kind, mode, started, finished, ok, error, counts, run_id"
        out: dict[str, list[CycleRecord]] = {}
        for (kind,) in self._rows("SELECT DISTINCT kind FROM state_cycles"):
            last = self._rows(f"SELECT {cols} FROM state_cycles WHERE kind=? ORDER BY id DESC LIMIT 1", (kind,))
            good = self._rows(
                f"SELECT {cols} FROM state_cycles WHERE kind=? AND ok=1 ORDER BY id DESC LIMIT 1", (kind,)
            )
            records = [self._cycle(last[0])]
            if good and good[0][0] != last[0][0]:
                records.append(self._cycle(good[0]))
            out[kind] = records
        return out

    def settle(self, now: dt.datetime) -> None:
        self.db.execute(
            "UPDATE state_cycles SET finished=?, ok=0, error=? WHERE finished IS NULL", (_text(now), _dump(INTERRUPTED))
        )

    def person_applied(self) -> bool:
        if self._rows("SELECT 1 FROM state_meta WHERE key='person_applied'"):
            return True
        return bool(self._rows("SELECT 1 FROM runs WHERE kind='apply' LIMIT 1"))

    def note_person_applied(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO state_meta (key, value) VALUES ('person_applied', '1')")

    def runner_heartbeat(self, pid: int | None, at: dt.datetime) -> None:
        if pid is None:
            self.db.execute("DELETE FROM state_meta WHERE key='runner'")
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO state_meta (key, value) VALUES ('runner', ?)",
                (_dump({"pid": pid, "at": _text(at)}),),
            )

    def runner_active(self) -> bool:
        rows = self._rows("SELECT value FROM state_meta WHERE key='runner'")
        if not rows:
            return False
        pid = json.loads(rows[0][0]).get("pid")
        return isinstance(pid, int) and _pid_alive(pid)
