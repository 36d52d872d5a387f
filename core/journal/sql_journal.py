"""The run journal's rows and what is done with them, once for both stores: the SQLite file of one
integration (:mod:`grunndata.journal.store`) and PostgreSQL's tables shared by every tenant
(:mod:`grunndata.state.postgres_journal`).

Each write is recorded as ``started`` when its request is about to be sent and updated with its
outcome after; a run's counts are read back from its rows. The statements are written once, with
``?`` for their parameters; a store says how it runs them, where its tables live, the columns that
scope every row of it (PostgreSQL's ``tenant``) and how it keeps a JSON value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

# The tables of journalled writes, one per engine: sync actions, transfer lines, and (grunndata
# invoice) one row per request for a sales order (create) or one of its lines (add, change, remove),
# where ``key`` is the invoice basis' reference, ``reference`` the order's or the line's and
# ``digest`` the order as the run wanted it, so a basis unchanged since needs no look at its order.
# Per table: the columns that say what the request is, the outcome columns it keeps beside
# ``remote_id``, and the (index name suffix, column) of columns looked up by an index of their own.
WRITE_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]] = {
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

# The columns a writer fills when a write starts, per table (the rest is the journal's own).
ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    name: ("op", *(c.split()[0] for c in own), "fields", "reason", "rule")
    for name, (own, _outcome, _indexed) in WRITE_TABLES.items()
}
# Steps after the send that a table records with their time (transfer: accepted, then marked).
STEP_COLUMNS: dict[str, dict[str, str]] = {
    "transfer_lines": {"sent": "po_accepted_at", "marked": "sd_marked_at"},
}
# The outcome a row shows between its send and its last step: the send's own result, kept apart
# from the final word so that a run killed in between is read as "sent, not finished".
SENT_PREFIX = "po_"
COUNTED = ("ok", "recovered", "failed", "locked")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _id(remote_id: Any) -> str | None:
    return None if remote_id is None else str(remote_id)


class SqlJournal:
    """:class:`grunndata.engine.writes.RunJournal` plus ``runs``/``run`` for history, on a store
    that gives the hooks below; the lock is each store's own."""

    tables = ""  # the prefix of the journal's table names (PostgreSQL's schema)
    scope: dict[str, Any]  # column -> value every row of this journal carries (its store sets it)

    # ---- the store's hooks -------------------------------------------------------------
    def _execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """Run ``sql`` (``?`` parameters); the cursor, its rows tuples."""
        raise NotImplementedError

    def _insert(self, sql: str, args: Sequence[Any]) -> int:
        """Run an ``INSERT`` of one row; its new ``id``."""
        raise NotImplementedError

    def _dicts(self, sql: str, args: Sequence[Any]) -> list[dict[str, Any]]:
        """Run a ``SELECT``; its rows as dicts by column name."""
        raise NotImplementedError

    def _json(self, value: Any) -> Any:
        """``value`` (JSON) as the store keeps it in a JSON column."""
        raise NotImplementedError

    def _fields(self, value: Any) -> Any:
        """A row's ``fields``: as :meth:`_json`, with values JSON has no word for (dates) as text."""
        raise NotImplementedError

    def _unjson(self, stored: Any) -> Any:
        """A JSON column as read, back to its value (None when empty)."""
        raise NotImplementedError

    def _before_reading(self) -> None:
        """Settle what a dead process left, before history is read."""

    # ---- statements --------------------------------------------------------------------
    def _table(self, name: str) -> str:
        return self.tables + name

    def _insert_row(self, table: str, row: dict[str, Any]) -> int:
        values = {**self.scope, **row}
        names = ", ".join(values)
        return self._insert(
            f"INSERT INTO {self._table(table)} ({names}) VALUES ({_marks(len(values))})", [*values.values()]
        )

    def _where(self, *conditions: str) -> str:
        """A ``WHERE`` of this journal's rows (its scope's ``?`` first) that also meet ``conditions``."""
        every = (*(f"{c}=?" for c in self.scope), *conditions)
        return " WHERE " + " AND ".join(every) if every else ""

    def _select(self, table: str, where: tuple[str, ...], args: Sequence[Any], tail: str = "") -> list[dict[str, Any]]:
        """Every column of this journal's rows of ``table`` meeting ``where``, scope columns left out."""
        rows = self._dicts(
            f"SELECT * FROM {self._table(table)}{self._where(*where)}{tail}", [*self.scope.values(), *args]
        )
        for row in rows:
            for column in self.scope:
                row.pop(column, None)
        return rows

    # ---- runs --------------------------------------------------------------------------
    def start_run(
        self,
        master: str,
        config_hash: str,
        fingerprint: str,
        kind: str = "apply",
        summary: dict[str, Any] | None = None,
    ) -> int:
        """A run begins; ``summary`` is what it plans (its counts are read back from its rows)."""
        return self._insert_row(
            "runs",
            {
                "kind": kind,
                "started_at": now(),
                "master": master,
                "config_hash": config_hash,
                "fingerprint": fingerprint,
                "status": "running",
                "summary": None if summary is None else self._json(summary),
            },
        )

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        self._execute(
            f"UPDATE {self._table('runs')} SET finished_at=?, status=?, summary=?{self._where('id=?')}",
            (now(), status, self._json(summary), *self.scope.values(), run_id),
        )

    # ---- writes: one row per write, in the writer's table -------------------------------
    def write_started(self, run_id: int, table: str, seq: int, row: dict[str, Any]) -> int:
        own = {c: self._fields(row[c]) if c == "fields" else row[c] for c in ROW_COLUMNS[table]}
        return self._insert_row(table, {"run_id": run_id, "seq": seq, **own, "outcome": "started", "at": now()})

    def write_step(
        self, table: str, row_id: int, step: str, outcome: str | None = None, remote_id: Any = None, detail: str = ""
    ) -> None:
        """A step after the send: ``sent`` (with the send's outcome) or a follow-up such as ``marked``."""
        column, at = STEP_COLUMNS[table][step], now()
        if outcome is None:
            self._execute(f"UPDATE {self._table(table)} SET {column}=?, at=? WHERE id=?", (at, at, row_id))
        else:
            self._execute(
                f"UPDATE {self._table(table)} SET outcome=?, remote_id=?, detail=?, {column}=?, at=? WHERE id=?",
                (SENT_PREFIX + outcome, _id(remote_id), detail, at, at, row_id),
            )

    def write_done(self, table: str, row_id: int, outcome: str, remote_id: Any = None, detail: str = "") -> None:
        self._execute(
            f"UPDATE {self._table(table)} SET outcome=?, remote_id=COALESCE(?, remote_id), detail=?, at=? WHERE id=?",
            (outcome, _id(remote_id), detail, now(), row_id),
        )

    # ---- reading -------------------------------------------------------------------------
    def runs(self, limit: int = 50) -> list[dict[str, Any]]:
        self._before_reading()
        runs = [self._run(r) for r in self._select("runs", (), (limit,), " ORDER BY id DESC LIMIT ?")]
        self._count_rows(runs)
        return runs

    def run(self, run_id: int) -> dict[str, Any] | None:
        self._before_reading()
        rows = self._select("runs", ("id=?",), (run_id,))
        if not rows:
            return None
        run = self._run(rows[0])
        self._count_rows([run])
        run["actions"] = self._rows("actions", run_id)
        if run.get("kind") == "transfer":
            run["lines"] = self.transfer_lines(run_id)
        if run.get("kind") == "invoice":
            run["lines"] = self.invoice_writes(run_id)
        return run

    def transfer_lines(self, run_id: int) -> list[dict[str, Any]]:
        return self._rows("transfer_lines", run_id)

    def invoice_writes(self, run_id: int) -> list[dict[str, Any]]:
        return self._rows("invoice_writes", run_id)

    def _rows(self, table: str, run_id: int) -> list[dict[str, Any]]:
        rows = self._select(table, ("run_id=?",), (run_id,), " ORDER BY seq")
        for row in rows:
            row["fields"] = self._unjson(row["fields"])
        return rows

    def _run(self, row: dict[str, Any]) -> dict[str, Any]:
        row["summary"] = self._unjson(row.get("summary"))
        return row

    def _count_rows(self, runs: list[dict[str, Any]]) -> None:
        """Each run's counts as its rows say, so a run that was killed or stopped shows what reached
        the other system, not the zeros it started with."""
        ids = [r["id"] for r in runs if isinstance(r.get("summary"), dict)]
        if not ids:
            return
        counts: dict[int, dict[str, int]] = {i: {} for i in ids}
        for table in ROW_COLUMNS:
            marked = "COUNT(sd_marked_at)" if table == "transfer_lines" else "0"
            for run_id, outcome, n, m in self._execute(
                f"SELECT run_id, outcome, COUNT(*), {marked} FROM {self._table(table)} "
                f"WHERE run_id IN ({_marks(len(ids))}) GROUP BY run_id, outcome",
                ids,
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

    # ---- grunndata invoice ---------------------------------------------------------------
    def invoice_record(self) -> dict[str, dict[str, Any]]:
        """What every invoice basis' writes left, by the basis' reference: ``sent`` (its order was
        created), ``order_id``, ``digest`` (the order as its last run wanted it, when every write of
        that run succeeded; else None) and ``last_good`` (the same of its last run that fully
        succeeded). The record of orders PowerOffice no longer lists once they are invoices."""
        return invoice_record_of(
            self._execute(
                "SELECT key, run_id, op, outcome, remote_id, digest "
                f"FROM {self._table('invoice_writes')}{self._where()} ORDER BY id",
                [*self.scope.values()],
            )
        )


def _marks(n: int) -> str:
    return ",".join("?" * n)


def invoice_record_of(rows: Iterable[Sequence[Any]]) -> dict[str, dict[str, Any]]:
    """:meth:`SqlJournal.invoice_record` from the invoice writes ``(key, run_id, op, outcome,
    remote_id, digest)`` in the order they were made."""
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
