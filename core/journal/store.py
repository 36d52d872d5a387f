"""SQLite journal of runs and their actions, with an exclusive lock per integration.

Each action is written as ``started`` before its request goes out and
updated with its outcome after, so a crash leaves a trace of what may have
happened; the next run re-reads both systems and converges from there.
"""
from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from grunndata.errors import GrunndataError

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
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    op TEXT NOT NULL,
    entity TEXT NOT NULL,
    target TEXT NOT NULL,
    key TEXT NOT NULL,
    fields TEXT NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT NOT NULL,
    outcome TEXT NOT NULL,
    remote_id TEXT,
    detail TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_run ON actions(run_id, seq);
CREATE TABLE IF NOT EXISTS transfer_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    seq INTEGER NOT NULL,
    op TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    reference TEXT NOT NULL,
    fields TEXT NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT NOT NULL,
    outcome TEXT NOT NULL,
    remote_id TEXT,
    po_accepted_at TEXT,
    sd_marked_at TEXT,
    detail TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transfer_lines_run ON transfer_lines(run_id, seq);
CREATE INDEX IF NOT EXISTS transfer_lines_ref ON transfer_lines(reference);
"""


class JournalLocked(GrunndataError):
    exit_code = 3


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Journal:
    """One integration's journal file; ``lock()`` makes applies on it take turns."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock_fd: int | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise GrunndataError(f"{self.path}: cannot open the journal ({exc})") from None
        except OSError as exc:
            raise GrunndataError(f"{self.path}: cannot create the journal ({exc.strerror})") from None

    def close(self) -> None:
        self.unlock()
        self.db.close()

    # ---- lock ----------------------------------------------------------
    def lock(self) -> None:
        """Take the integration's lock, or refuse at once with who holds it."""
        lock_path = self._lock_path()
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise JournalLocked(f"another apply is already running for this integration (pid {holder}, lock "
                                f"{lock_path}); wait for it to finish and try again") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd
        self._mark_interrupted()

    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _mark_interrupted(self) -> None:
        # We hold the lock, so no run is going on: one still 'running' was killed mid-way.
        self.db.execute("UPDATE runs SET status='interrupted' WHERE status='running'")

    def _settle_stale_runs(self) -> None:
        """Runs left 'running' by a process that died show as 'interrupted' (only when no
        apply holds the lock: a live run stays 'running')."""
        if self._lock_fd is not None:
            return
        if self.db.execute("SELECT 1 FROM runs WHERE status='running' LIMIT 1").fetchone() is None:
            return
        try:
            fd = os.open(self._lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return
        try:
            self._mark_interrupted()
        except sqlite3.DatabaseError:
            pass
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    # ---- runs ----------------------------------------------------------
    def start_run(self, master: str, config_hash: str, fingerprint: str, kind: str = "apply") -> int:
        cur = self.db.execute(
            "INSERT INTO runs (kind, started_at, master, config_hash, fingerprint, status) VALUES (?,?,?,?,?,?)",
            (kind, _now(), master, config_hash, fingerprint, "running"))
        return int(cur.lastrowid)

    def action_started(self, run_id: int, seq: int, action: Any) -> int:
        cur = self.db.execute(
            "INSERT INTO actions (run_id, seq, op, entity, target, key, fields, reason, rule, outcome, at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, seq, action.op, action.entity, action.target, action.key,
             json.dumps(action.fields, ensure_ascii=False, default=str), action.reason, action.rule,
             "started", _now()))
        return int(cur.lastrowid)

    def action_done(self, row_id: int, outcome: str, remote_id: Any = None, detail: str = "") -> None:
        self.db.execute("UPDATE actions SET outcome=?, remote_id=?, detail=?, at=? WHERE id=?",
                        (outcome, None if remote_id is None else str(remote_id), detail, _now(), row_id))

    # ---- transfer lines: both steps of every row (PowerOffice accepted, SmartDok marked) ----
    def line_started(self, run_id: int, seq: int, line: Any) -> int:
        cur = self.db.execute(
            "INSERT INTO transfer_lines (run_id, seq, op, kind, key, reference, fields, reason, rule, outcome, at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, seq, line.op, line.kind, line.key, line.reference,
             json.dumps(line.fields, ensure_ascii=False, default=str), line.reason, line.rule, "started", _now()))
        return int(cur.lastrowid)

    def line_po_accepted(self, row_id: int, outcome: str, remote_id: Any = None, detail: str = "") -> None:
        now = _now()
        self.db.execute("UPDATE transfer_lines SET outcome=?, remote_id=?, detail=?, po_accepted_at=?, at=? "
                        "WHERE id=?", ("po_" + outcome, None if remote_id is None else str(remote_id), detail,
                                       now, now, row_id))

    def line_marked(self, row_id: int) -> None:
        now = _now()
        self.db.execute("UPDATE transfer_lines SET outcome='marked', sd_marked_at=?, at=? WHERE id=?",
                        (now, now, row_id))

    def line_done(self, row_id: int, outcome: str, remote_id: Any = None, detail: str = "") -> None:
        self.db.execute("UPDATE transfer_lines SET outcome=?, remote_id=COALESCE(?, remote_id), detail=?, at=? "
                        "WHERE id=?", (outcome, None if remote_id is None else str(remote_id), detail, _now(),
                                       row_id))

    def transfer_lines(self, run_id: int) -> list[dict[str, Any]]:
        self.db.row_factory = sqlite3.Row
        rows = self.db.execute("SELECT * FROM transfer_lines WHERE run_id=? ORDER BY seq", (run_id,)).fetchall()
        return [{**dict(r), "fields": json.loads(r["fields"])} for r in rows]

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        self.db.execute("UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
                        (_now(), status, json.dumps(summary, ensure_ascii=False), run_id))

    # ---- reading -------------------------------------------------------
    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        self._settle_stale_runs()
        self.db.row_factory = sqlite3.Row
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self._run(dict(r)) for r in rows]

    def run(self, run_id: int) -> dict[str, Any] | None:
        self._settle_stale_runs()
        self.db.row_factory = sqlite3.Row
        row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            return None
        run = self._run(dict(row))
        acts = self.db.execute("SELECT * FROM actions WHERE run_id=? ORDER BY seq", (run_id,)).fetchall()
        run["actions"] = [{**dict(a), "fields": json.loads(a["fields"])} for a in acts]
        if run.get("kind") == "transfer":
            run["lines"] = self.transfer_lines(run_id)
        return run

    @staticmethod
    def _run(row: dict[str, Any]) -> dict[str, Any]:
        row["summary"] = json.loads(row["summary"]) if row.get("summary") else None
        return row
