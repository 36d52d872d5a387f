"""SQLite journal of runs and their writes, with an exclusive lock per integration.

Each write is recorded as ``started`` when its request is about to be sent (not while it
waits its turn) and updated with its outcome after, so a crash leaves a trace of what may
have happened; the next run re-reads both systems and converges from there. A run's counts
are read back from its rows, so a run that was killed or interrupted shows what it did.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grunndata.errors import GrunndataError
from grunndata.journal.lock import JournalLocked, RunLock, refusal, this_pid

# The tables of journalled writes, one per engine: sync actions, transfer lines, and (grunndata
# invoice) one row per request for a sales order (create) or one of its lines (add, change, remove),
# where ``key`` is the invoice basis' reference, ``reference`` the order's or the line's and
# ``digest`` the order as the run wanted it, so a basis unchanged since needs no look at its order.
# Per table: the columns that say what the request is, the outcome columns it keeps beside
# ``remote_id``, and the (index name suffix, column) of columns looked up by an index of their own.
_WRITE_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "actions": (("entity TEXT NOT NULL", "target TEXT NOT NULL", "key TEXT NOT NULL"), (), ()),
    "transfer_lines": (
        ("kind TEXT NOT NULL", "key TEXT NOT NULL", "reference TEXT NOT NULL"),
        ("po_accepted_at TEXT", "sd_marked_at TEXT"),
        (("ref", "reference"),),
    ),
    "invoice_writes": (
        ("kind TEXT NOT NULL", "key TEXT NOT NULL", "reference TEXT NOT NULL", "order_id TEXT", "digest TEXT"),
        (),
        (("key", "key"),),
    ),
}


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


# The columns a writer fills when a write starts, per table (the rest is the journal's own).
ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    name: ("op", *(c.split()[0] for c in own), "fields", "reason", "rule")
    for name, (own, _outcome, _indexed) in _WRITE_TABLES.items()
}

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
""".replace("{writes}", "".join(_write_table(name, *spec) for name, spec in _WRITE_TABLES.items()))

# Steps after the send that a table records with their time (transfer: accepted, then marked).
STEP_COLUMNS: dict[str, dict[str, str]] = {
    "transfer_lines": {"sent": "po_accepted_at", "marked": "sd_marked_at"},
}
# The outcome a row shows between its send and its last step: the send's own result, kept apart
# from the final word so that a run killed in between is read as "sent, not finished".
SENT_PREFIX = "po_"
COUNTED = ("ok", "recovered", "failed", "locked")

__all__ = ["Journal", "JournalLocked"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _id(remote_id: Any) -> str | None:
    return None if remote_id is None else str(remote_id)


class Journal:
    """One integration's journal file; ``lock()`` makes writing runs on it take turns."""

    def __init__(self, path: Path):
        self.path = Path(path)
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
        self.db.execute("INSERT OR REPLACE INTO lock_holder (id, pid, since) VALUES (1, ?, ?)", (this_pid(), _now()))
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

    # ---- runs ----------------------------------------------------------
    def start_run(
        self,
        master: str,
        config_hash: str,
        fingerprint: str,
        kind: str = "apply",
        summary: dict[str, Any] | None = None,
    ) -> int:
        """A run begins; ``summary`` is what it plans (its counts are read back from its rows)."""
        cur = self.db.execute(
            "INSERT INTO runs (kind, started_at, master, config_hash, fingerprint, status, summary)"
            " VALUES (?,?,?,?,?,?,?)",
            (
                kind,
                _now(),
                master,
                config_hash,
                fingerprint,
                "running",
                None if summary is None else json.dumps(summary, ensure_ascii=False),
            ),
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
            (_now(), status, json.dumps(summary, ensure_ascii=False), run_id),
        )

    # ---- writes: one row per write, in the writer's table ---------------
    def write_started(self, run_id: int, table: str, seq: int, row: dict[str, Any]) -> int:
        columns = ROW_COLUMNS[table]
        values = [json.dumps(row[c], ensure_ascii=False, default=str) if c == "fields" else row[c] for c in columns]
        names = ", ".join(("run_id", "seq", *columns, "outcome", "at"))
        marks = ",".join("?" * (len(columns) + 4))
        cur = self.db.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks})", (run_id, seq, *values, "started", _now())
        )
        return int(cur.lastrowid or 0)

    def write_step(
        self, table: str, row_id: int, step: str, outcome: str | None = None, remote_id: Any = None, detail: str = ""
    ) -> None:
        """A step after the send: ``sent`` (with the send's outcome) or a follow-up such as ``marked``."""
        column = STEP_COLUMNS[table][step]
        now = _now()
        if outcome is None:
            self.db.execute(f"UPDATE {table} SET {column}=?, at=? WHERE id=?", (now, now, row_id))
        else:
            self.db.execute(
                f"UPDATE {table} SET outcome=?, remote_id=?, detail=?, {column}=?, at=? WHERE id=?",
                (SENT_PREFIX + outcome, _id(remote_id), detail, now, now, row_id),
            )

    def write_done(self, table: str, row_id: int, outcome: str, remote_id: Any = None, detail: str = "") -> None:
        self.db.execute(
            f"UPDATE {table} SET outcome=?, remote_id=COALESCE(?, remote_id), detail=?, at=? WHERE id=?",
            (outcome, _id(remote_id), detail, _now(), row_id),
        )

    # ---- reading -------------------------------------------------------
    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        self._settle_stale_runs()
        self.db.row_factory = sqlite3.Row
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        runs = [self._run(dict(r)) for r in rows]
        self._count_rows(runs)
        return runs

    def run(self, run_id: int) -> dict[str, Any] | None:
        self._settle_stale_runs()
        self.db.row_factory = sqlite3.Row
        row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            return None
        run = self._run(dict(row))
        self._count_rows([run])
        acts = self.db.execute("SELECT * FROM actions WHERE run_id=? ORDER BY seq", (run_id,)).fetchall()
        run["actions"] = [{**dict(a), "fields": json.loads(a["fields"])} for a in acts]
        if run.get("kind") == "transfer":
            run["lines"] = self.transfer_lines(run_id)
        if run.get("kind") == "invoice":
            run["lines"] = self.invoice_writes(run_id)
        return run

    def transfer_lines(self, run_id: int) -> list[dict[str, Any]]:
        self.db.row_factory = sqlite3.Row
        rows = self.db.execute("SELECT * FROM transfer_lines WHERE run_id=? ORDER BY seq", (run_id,)).fetchall()
        return [{**dict(r), "fields": json.loads(r["fields"])} for r in rows]

    def _count_rows(self, runs: list[dict[str, Any]]) -> None:
        """Each run's counts as its rows say, so a run that was killed or stopped shows what reached
        the other system, not the zeros it started with."""
        ids = [r["id"] for r in runs if isinstance(r.get("summary"), dict)]
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        counts: dict[int, dict[str, int]] = {i: {} for i in ids}
        for table in ROW_COLUMNS:
            marked = "COUNT(sd_marked_at)" if table == "transfer_lines" else "0"
            for run_id, outcome, n, m in self.db.execute(
                f"SELECT run_id, outcome, COUNT(*), {marked} FROM {table} WHERE run_id IN ({marks}) "
                "GROUP BY run_id, outcome",
                ids,
            ):
                word = outcome[len(SENT_PREFIX) :] if outcome.startswith(SENT_PREFIX) else outcome
                into = counts[run_id]
                if word in COUNTED:
                    into[word] = into.get(word, 0) + n
                into["marked"] = into.get("marked", 0) + m
        for run in runs:
            summary, found = run.get("summary"), counts.get(run["id"])
            if not isinstance(summary, dict) or found is None:
                continue
            for key in (*COUNTED, "marked"):
                if key in summary:
                    summary[key] = found.get(key, 0)

    @staticmethod
    def _run(row: dict[str, Any]) -> dict[str, Any]:
        row["summary"] = json.loads(row["summary"]) if row.get("summary") else None
        return row

    # ---- grunndata invoice ---------------------------------------------
    def invoice_writes(self, run_id: int) -> list[dict[str, Any]]:
        self.db.row_factory = sqlite3.Row
        rows = self.db.execute("SELECT * FROM invoice_writes WHERE run_id=? ORDER BY seq", (run_id,)).fetchall()
        return [{**dict(r), "fields": json.loads(r["fields"])} for r in rows]

    def invoice_record(self) -> dict[str, dict[str, Any]]:
        """What every invoice basis' writes left, by the basis' reference: ``sent`` (its order was
        created), ``order_id``, ``digest`` (the order as its last run wanted it, when every write of
        that run succeeded; else None) and ``last_good`` (the same of its last run that fully
        succeeded). The record of orders PowerOffice no longer lists once they are invoices."""
        self.db.row_factory = None
        return invoice_record_of(
            self.db.execute("SELECT key, run_id, op, outcome, remote_id, digest FROM invoice_writes ORDER BY id")
        )


def invoice_record_of(rows: Iterable[Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """:meth:`Journal.invoice_record` from the invoice writes ``(key, run_id, op, outcome,
    remote_id, digest)`` in the order they were made (any store's)."""
    out: dict[str, dict[str, Any]] = {}
    runs: dict[str, dict[int, list[Any]]] = {}  # key -> run -> [all succeeded, digest], in run order
    for key, run_id, op, outcome, remote_id, digest in rows:
        rec = out.setdefault(key, {"sent": False, "order_id": None, "digest": None, "last_good": None})
        done = outcome in ("ok", "recovered")
        if op == "create" and done:
            rec["sent"], rec["order_id"] = True, remote_id
        state = runs.setdefault(key, {}).setdefault(run_id, [True, digest])
        state[0] = state[0] and done
    for key, by_run in runs.items():
        ordered = list(by_run.values())
        out[key]["digest"] = ordered[-1][1] if ordered[-1][0] else None
        out[key]["last_good"] = next((d for ok, d in reversed(ordered) if ok), None)
    return out
