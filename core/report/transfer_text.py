"""``grunndata transfer`` as text: the preview (what is sent, held back and why) and the results.

Shaped like the plan: the period and totals per kind first, then per kind and operation one
line per row, rows held back for the same reason under that reason once, at most ``limit`` rows
per group. Every value from the systems goes through :func:`shown`.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.transfer_plan import OPS
from grunndata.report import lines as report_lines
from grunndata.report.lines import DEFAULT_LIMIT, Item, Section, blank, count, emit, sections_lines
from grunndata.report.safe import shown
from grunndata.report.words import Shown, Words, marks_words_headings

SHOWN = {
    "send": Shown("+", "sendes"),
    "update": Shown("~", "nytt antall"),
    "new_line": Shown("+", "ny linje"),
    "mark": Shown("*", "merkes i SmartDok"),
    "hold": Shown("×", "holdes tilbake"),
    "report": Shown("!", "rapporteres"),
}
MARKS, OP_WORDS, _ = marks_words_headings(SHOWN)
MORE = "alle står i «grunndata transfer --json»"


def _date(line: Any) -> Any:
    fields = line.fields if isinstance(line.fields, dict) else {}
    row = fields.get("row")
    return fields.get("date") or (row.get("date") if isinstance(row, dict) else None)


def _item(line: Any) -> Item:
    reason = str(line.reason)

    def text() -> str:
        date = _date(line)
        return f"{MARKS.get(line.op, '·')} {shown(line.key)}" + (f" ({shown(date)})" if date else "")

    return Item(text=text, reason=reason, rule=str(line.rule), pattern=blank(reason, str(line.key)))


def summary_line(plan: Any) -> str:
    return report_lines.preview_summary(plan.summary(), OPS, OP_WORDS)


def preview_lines(
    plan: Any, words: Words | None = None, limit: int | None = DEFAULT_LIMIT, more: str = MORE
) -> list[str]:
    words = words or Words.default()
    longest = max(((b - a).days + 1 for a, b in plan.windows), default=0)
    out = [
        f"Periode {plan.start} til {plan.end}"
        + (f" (hentes i {len(plan.windows)} bolker på høyst {longest} dager)" if len(plan.windows) > 1 else "")
    ]
    per: dict[str, dict[str, list[Any]]] = {}
    for line in plan.lines:
        per.setdefault(line.kind, {}).setdefault(line.op, []).append(line)
    titles = {kind: shown(words.transfer_title(kind)) for kind in per}
    if per:
        width = max(len(t) for t in titles.values())
        out.append("")
        for kind, ops in per.items():
            parts = [
                f"{count(len(ops[op]))} {OP_WORDS.get(op, shown(op))}"
                for op in dict.fromkeys([*OPS, *ops])
                if op in ops
            ]
            out.append(f"  {titles[kind]:<{width}}  " + " · ".join(parts))
        used = [op for op in OPS if any(op in ops for ops in per.values())]
        out += ["", "Tegn: " + "  ".join(f"{MARKS[op]} {OP_WORDS[op]}" for op in used)]
    sections = [
        Section(f"{titles[kind]}: {OP_WORDS.get(op, shown(op))}", [_item(line) for line in ops[op]])
        for kind, ops in per.items()
        for op in dict.fromkeys([*OPS, *ops])
        if op in ops
    ]
    out += sections_lines(sections, limit, more)
    out += ["", summary_line(plan)]
    return out


def print_preview(
    plan: Any, out: Any = None, *, words: Words | None = None, limit: int | None = DEFAULT_LIMIT, more: str = MORE
) -> None:
    emit(preview_lines(plan, words, limit, more), out)


def result_lines(report: Any) -> list[str]:
    """After sending: every line that did not simply go through, then the totals."""
    return report_lines.window_result_lines(
        report,
        lambda r: f"{shown(r.line.kind)} {shown(r.line.key)}: {shown(r.detail)}",
        "sendt/endret",
        ("marked", "merket i SmartDok"),
    )


def print_results(report: Any, out: Any = None) -> None:
    emit(result_lines(report), out)
