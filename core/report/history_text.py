"""``grunndata history`` as text: the runs, or one run with what it did.

The journal keeps UTC; times are shown here, and only here, in Norway's time with their offset
(``2026-01-05 14:03:22+01:00``). A run's kind (``apply`` or ``transfer``, the command that made
it) is its own column, and a transfer run lists its lines (both steps of every row), not an
empty list of sync actions. What the journal says is shown as it says it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from grunndata.report.invoice_text import WRITE_WORDS as INVOICE_WRITE_WORDS
from grunndata.report.lines import count, emit
from grunndata.report.safe import shown
from grunndata.report.text import MARKS as PLAN_MARKS
from grunndata.report.text import OP_WORDS as PLAN_OP_WORDS
from grunndata.report.text import action_line
from grunndata.report.transfer_text import MARKS as TRANSFER_MARKS
from grunndata.report.transfer_text import OP_WORDS as TRANSFER_OP_WORDS
from grunndata.report.words import Words

DISPLAY_ZONE = "Europe/Oslo"
STATUS_WORDS = {
    "running": "pågår",
    "ok": "ok",
    "failed": "feilet",
    "interrupted": "avbrutt",
    "waiting": "venter på godkjenning",
    "approved": "godkjent",
    "rejected": "forkastet",
    "superseded": "erstattet av en nyere plan",
}
OUTCOME_WORDS = {
    "started": "startet",
    "ok": "ok",
    "recovered": "funnet igjen",
    "failed": "FEILET",
    "locked": "låst",
    "marked": "merket",
    "po_ok": "i PowerOffice",
    "po_recovered": "funnet igjen",
}


def _word(words: Mapping[str, str], value: Any, default: Any) -> Any:
    """``words.get(value, default)`` for a journal value, which may be missing (None)."""
    return words.get(value, default) if isinstance(value, str) else default


def _zone() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(DISPLAY_ZONE)
    except Exception:  # no tz database at all (tzdata is a dependency, so only a broken install)
        return dt.UTC


def parse_stamp(stamp: Any) -> dt.datetime | None:
    """A journal time (ISO 8601) as a datetime; None for nothing or anything else."""
    if not stamp:
        return None
    try:
        return dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return None


def local_time(stamp: Any, zone: dt.tzinfo | None = None) -> str:
    """A journal time (ISO 8601, UTC) in Norway's time with its offset; anything else as it is."""
    when = parse_stamp(stamp)
    if when is None:
        return shown(stamp) if stamp else "–"
    if when.tzinfo is None:  # the journal writes UTC; an old row without offset is UTC too
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(zone or _zone()).isoformat(sep=" ", timespec="seconds")


def _table(rows: list[list[str]]) -> list[str]:
    """Plain columns padded to their widest value; a long value makes its line long, it never
    wraps into a cell."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)).rstrip() for r in rows]


def _written(summary: dict[str, Any] | None) -> tuple[str, str]:
    if not summary:
        return "–", "–"
    return count(int(summary.get("ok", 0)) + int(summary.get("recovered", 0))), count(int(summary.get("failed", 0)))


def runs_lines(runs: list[dict[str, Any]], words: Words | None = None) -> list[str]:
    words = words or Words.default()
    if not runs:
        return ["Ingen kjøringer i journalen ennå."]
    zone = _zone()
    rows = [["kjøring", "type", "startet", "ferdig", "master", "status", "skrevet/sendt", "feilet"]]
    for r in runs:
        written, failed = _written(r.get("summary"))
        started, finished = local_time(r.get("started_at"), zone), local_time(r.get("finished_at"), zone)
        if finished[:11] == started[:11] and len(finished) > 11:
            finished = finished[11:]  # the same day: the time is enough
        rows.append(
            [
                str(r["id"]),
                shown(r.get("kind") or "apply"),
                started,
                finished,
                shown(words.system(str(r.get("master")))),
                shown(_word(STATUS_WORDS, r.get("status"), r.get("status"))),
                written,
                failed,
            ]
        )
    return ["Kjøringer (tider i norsk tid)", "", *_table(rows)]


class _Journaled:
    """A journal row with the attribute names :func:`grunndata.report.text.action_line` reads."""

    def __init__(self, row: dict[str, Any]):
        self.op, self.entity, self.target = row.get("op"), row.get("entity"), row.get("target")
        self.key, self.fields = row.get("key"), row.get("fields") or {}


def _action_line(row: dict[str, Any], words: Words) -> str:
    outcome = shown(_word(OUTCOME_WORDS, row.get("outcome"), row.get("outcome")))
    line = f"  {row.get('seq')}  {outcome}  {action_line(_Journaled(row), words)}"
    if row.get("remote_id"):
        line += f"  id {shown(row['remote_id'])}"
    if row.get("detail"):
        line += f": {shown(row['detail'])}"
    return line


def _transfer_line(row: dict[str, Any], zone: dt.tzinfo, words: Words) -> str:
    outcome = shown(_word(OUTCOME_WORDS, row.get("outcome"), row.get("outcome")))
    op = row.get("op")
    line = (
        f"  {row.get('seq')}  {outcome}  {_word(TRANSFER_MARKS, op, '·')} {shown(row.get('reference') or row.get('key'))}"
        f" ({shown(words.transfer_label(str(row.get('kind'))))}, "
        f"{shown(_word(TRANSFER_OP_WORDS, op, None) or _word(INVOICE_WRITE_WORDS, op, None) or op)})"
    )
    if row.get("remote_id"):
        line += f"  id {shown(row['remote_id'])}"
    if "po_accepted_at" in row:  # a transfer's two steps (an invoice run's rows have one)
        line += f"  PowerOffice: {local_time(row.get('po_accepted_at'), zone)}"
        line += f"  SmartDok merket: {local_time(row.get('sd_marked_at'), zone)}"
    if row.get("detail"):
        line += f": {shown(row['detail'])}"
    return line


def run_lines(run: dict[str, Any], words: Words | None = None) -> list[str]:
    words = words or Words.default()
    zone = _zone()
    kind = run.get("kind") or "apply"
    status = shown(_word(STATUS_WORDS, run.get("status"), run.get("status")))
    out = [
        f"Kjøring {run['id']}: {status} ({shown(kind)}), startet {local_time(run.get('started_at'), zone)}, "
        f"ferdig {local_time(run.get('finished_at'), zone)}, master {shown(words.system(str(run.get('master'))))}, "
        f"regler {shown(run.get('config_hash'))}"
    ]
    written, failed = _written(run.get("summary"))
    out.append(f"{'Sendt' if kind == 'transfer' else 'Skrevet'}: {written}, feilet: {failed}.")
    actions = run.get("actions") or []
    if actions:
        out += [
            "",
            f"Handlinger ({count(len(actions))}):",
            "  Tegn: " + "  ".join(f"{PLAN_MARKS[op]} {PLAN_OP_WORDS[op]}" for op in ("create", "update", "finish")),
        ]
        out += [_action_line(a, words) for a in actions]
    lines = run.get("lines") or []
    if lines:
        out += ["", f"Linjer ({count(len(lines))}):"]
        out += [_transfer_line(line, zone, words) for line in lines]
    if not actions and not lines:
        out += ["", "Ingen handlinger eller linjer ble skrevet i denne kjøringen."]
    return out


def print_runs(runs: list[dict[str, Any]], out: Any = None, *, words: Words | None = None) -> None:
    emit(runs_lines(runs, words), out)


def print_run(run: dict[str, Any], out: Any = None, *, words: Words | None = None) -> None:
    emit(run_lines(run, words), out)
