"""``grunndata invoice`` as text: the preview (what becomes an order, what is held back and why) and
the results.

Shaped like the transfer's: the period and totals first, then per operation one line per invoice
basis (its reference, project, number of lines and amount), bases held back for the same reason
under that reason once, at most ``limit`` per group. Every value from the systems goes through
:func:`shown`.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.invoice_plan import OPS
from grunndata.report import lines as report_lines
from grunndata.report.lines import DEFAULT_LIMIT, Item, Section, blank, count, emit, sections_lines
from grunndata.report.safe import shown
from grunndata.report.words import Shown, marks_words_headings

SHOWN = {
    "send": Shown("+", "blir ordreutkast"),
    "correct": Shown("~", "ordren rettes"),
    "hold": Shown("×", "holdes tilbake"),
    "report": Shown("!", "rapporteres"),
}
MARKS, OP_WORDS, _ = marks_words_headings(SHOWN)
WRITE_WORDS = {
    "create": "ordre opprettet",
    "add_line": "linje lagt til",
    "update_line": "linje rettet",
    "delete_line": "linje fjernet",
}
MORE = "alle står i «grunndata invoice --json»"


def _amount(lines: list[Any]) -> float:
    total = 0.0
    for line in lines:
        if isinstance(line, dict):
            q, p, a = line.get("Quantity"), line.get("ProductUnitPrice"), line.get("Allowance") or 0
            if isinstance(q, (int, float)) and isinstance(p, (int, float)) and isinstance(a, (int, float)):
                total += q * p * (1 - a / 100)
    return total


def _money(value: float) -> str:
    whole, _, cents = f"{value:,.2f}".partition(".")
    return whole.replace(",", " ") + "," + cents


def _item(entry: Any) -> Item:
    reason = str(entry.reason)

    def text() -> str:
        fields = entry.fields if isinstance(entry.fields, dict) else {}
        found_order, found_lines = fields.get("order"), fields.get("lines")
        order: dict[str, Any] = found_order if isinstance(found_order, dict) else {}
        lines: list[Any] = found_lines if isinstance(found_lines, list) else []
        project = order.get("ProjectCode")
        out = f"{MARKS.get(entry.op, '·')} {shown(entry.key)}"
        if project:
            out += f" (prosjekt {shown(project)})"
        if entry.op == "send":
            out += f": {count(len(lines))} linjer, {_money(_amount(lines))} eks. mva."
        elif entry.op == "correct":
            out += f": {count(len(lines))} linjeendringer"
        return out

    return Item(text=text, reason=reason, rule=str(entry.rule), pattern=blank(reason, str(entry.key)))


def summary_line(plan: Any) -> str:
    return report_lines.preview_summary(plan.summary(), OPS, OP_WORDS)


def preview_lines(plan: Any, limit: int | None = DEFAULT_LIMIT, more: str = MORE) -> list[str]:
    out = [f"Periode {plan.start} til {plan.end}"]
    per: dict[str, list[Any]] = {}
    for entry in plan.entries:
        per.setdefault(entry.op, []).append(entry)
    used = [op for op in OPS if op in per]
    if used:
        out += ["", "Tegn: " + "  ".join(f"{MARKS[op]} {OP_WORDS[op]}" for op in used)]
    sections = [
        Section(f"Fakturagrunnlag: {OP_WORDS.get(op, shown(op))}", [_item(e) for e in per[op]])
        for op in dict.fromkeys([*OPS, *per])
        if op in per
    ]
    out += sections_lines(sections, limit, more)
    out += ["", summary_line(plan)]
    return out


def print_preview(plan: Any, out: Any = None, *, limit: int | None = DEFAULT_LIMIT, more: str = MORE) -> None:
    emit(preview_lines(plan, limit, more), out)


def _written(r: Any) -> str:
    """A write in the result lines: what it did, to which order or line, and what became of it."""
    return f"{WRITE_WORDS.get(r.item.op, shown(r.item.op))} {shown(r.item.reference)}: {shown(r.detail)}"


def result_lines(report: Any) -> list[str]:
    """After sending: every write that did not simply go through, then the totals."""
    return report_lines.window_result_lines(report, _written, "sendt/rettet", ("locked", "låst"))


def print_results(report: Any, out: Any = None) -> None:
    emit(result_lines(report), out)
