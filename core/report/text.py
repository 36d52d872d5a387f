"""A plan as text a consultant reads in the terminal, shaped like a careful ``terraform plan``.

First the summary (per entity and operation), then one section per entity and operation with
one compact line per action::

    + prosjekt 100039 «Skole Grimstad 161» → PowerOffice
    ~ prosjekt 100066 navn: «RIVING CHARLOTTENLUND 52» → «Riving Charlottenlund 52»
    - prosjekt 100069 status: «Pågår» → «Avsluttet»

A reason shared by many actions is printed once above them with its rule line (FILE:LINE); an
action with a reason of its own has it on its line. At most ``limit`` actions per group, unless
``limit`` is ``None`` (``--full``). Every value from the systems goes through :func:`shown`.
"""

from __future__ import annotations

import re
from typing import Any

from grunndata.engine.model import OPS
from grunndata.engine.plan import Plan
from grunndata.report.lines import DEFAULT_LIMIT, Item, Section, blank, count, emit, run_result_lines, sections_lines
from grunndata.report.safe import quoted, shown
from grunndata.report.words import Shown, Words, marks_words_headings

SHOWN = {
    "create": Shown("+", "opprett", "opprettes"),
    "update": Shown("~", "endre", "endres"),
    "finish": Shown("-", "avslutt", "avsluttes"),
    "skip": Shown("×", "hopp over", "hoppes over"),
    "manual": Shown("?", "manuelt", "må gjøres for hånd"),
    "warn": Shown("!", "advarsel", "advarsler"),
}
MARKS, OP_WORDS, OP_HEADINGS = marks_words_headings(SHOWN)
MORE = "bruk --full for å se alle"
_has_digit = re.compile(r"\d").search


def summary_line(plan: Plan, words: Words | None = None) -> str:
    words = words or Words.default()
    s = plan.summary()
    parts = [f"{count(s[op])} {OP_WORDS[op]}" for op in OPS]
    head = "STOPPET: " if plan.blocked else ""
    return f"{head}Plan ({shown(words.system(plan.master))} er master): " + ", ".join(parts)


def changes_text(words: Words, entity: str, fields: dict[str, Any]) -> str:
    parts = []
    for name, change in fields.items():
        label = shown(words.field_label(entity, name))
        if isinstance(change, dict) and ("before" in change or "after" in change):
            parts.append(f"{label}: {quoted(change.get('before'))} → {quoted(change.get('after'))}")
        else:
            parts.append(f"{label}: {quoted(change)}")
    return "; ".join(parts)


def deciding_values(action: Any) -> dict[str, Any]:
    """The fields a skip, manual or warning line shows besides the name (the value that decided)."""
    fields = action.fields if isinstance(action.fields, dict) else {}
    if action.op in ("create", "update", "finish"):
        return {}
    return {k: v for k, v in fields.items() if k != "name" and v is not None}


def action_line(action: Any, words: Words) -> str:
    """One action in one line: marker, what, key, then the name (and for a skip, manual or
    warning the values that decided), the changes of an update, or where a create goes."""
    op = action.op
    fields = action.fields if isinstance(action.fields, dict) else {}
    head = f"{MARKS.get(op, '·')} {shown(words.entity_label(action.entity))} {shown(action.key)}"
    if op in ("update", "finish"):
        changes = changes_text(words, action.entity, fields)
        return f"{head} {changes}" if changes else head
    name = fields.get("name")
    line = f"{head} {quoted(name)}" if name is not None else head
    if op == "create":
        return line + f" → {shown(words.system(action.target))}"
    extras = deciding_values(action)
    return f"{line} ({changes_text(words, action.entity, extras)})" if extras else line


def reason_pattern(action: Any) -> str:
    """The reason with what the line itself shows (name, deciding values, key) blanked, so that
    actions differing only by those share one reason line. Quoted values go first, so a key
    inside a name never cuts the name. Works on the text as the engine wrote it; it is made safe
    to show when printed."""
    reason = str(action.reason)
    fields = action.fields if isinstance(action.fields, dict) else {}
    values = [fields.get("name"), *deciding_values(action).values()]
    texts = [str(v) for v in values if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v)]
    for text in texts:
        if text in reason:
            reason = reason.replace(f"«{text}»", "«…»")
    reason = blank(reason, str(action.key))
    for text in texts:
        if _has_digit(text):  # numbers are named without «»
            reason = blank(reason, text)
    return reason


def _item(action: Any, words: Words) -> Item:
    return Item(
        text=lambda: action_line(action, words),
        reason=str(action.reason),
        rule=str(action.rule),
        pattern=reason_pattern(action),
    )


def plan_groups(plan: Plan) -> list[tuple[str, str, list[Any], str | None]]:
    """The plan's actions by entity (in the plan's order) and op: (entity, op, actions, the one
    system they all write to, else None). The text and the HTML plan show these sections."""
    by_key: dict[tuple[str, str], list[Any]] = {}
    for a in plan.actions:
        by_key.setdefault((a.entity, a.op), []).append(a)
    groups = []
    for entity in dict.fromkeys([*plan.entity_order, *(a.entity for a in plan.actions)]):
        for op in dict.fromkeys([*OPS, *(o for _, o in by_key)]):
            actions = by_key.get((entity, op))
            if actions:
                targets = {a.target for a in actions}
                groups.append((entity, op, actions, next(iter(targets)) if len(targets) == 1 else None))
    return groups


def _sections(plan: Plan, words: Words) -> list[Section]:
    sections = []
    for entity, op, actions, target in plan_groups(plan):
        where = f" i {shown(words.system(target))}" if target is not None else ""
        title = f"{shown(words.entity_title(entity))}: {OP_HEADINGS.get(op, shown(op))}{where}"
        sections.append(Section(title, [_item(a, words) for a in actions]))
    return sections


def _overview(plan: Plan, words: Words) -> list[str]:
    per: dict[str, dict[str, int]] = {}
    for a in plan.actions:
        ops = per.setdefault(a.entity, {})
        ops[a.op] = ops.get(a.op, 0) + 1
    entities = [e for e in dict.fromkeys([*plan.entity_order, *per]) if e in per]
    titles = {e: shown(words.entity_title(e)) for e in entities}
    width = max((len(t) for t in titles.values()), default=0)
    out = []
    for entity in entities:
        counts = per[entity]
        parts = [
            f"{count(counts[op])} {OP_WORDS.get(op, shown(op))}"
            for op in dict.fromkeys([*OPS, *counts])
            if counts.get(op)
        ]
        out.append(f"  {titles[entity]:<{width}}  " + " · ".join(parts))
    return out


def plan_lines(
    plan: Plan, words: Words | None = None, limit: int | None = DEFAULT_LIMIT, more: str = MORE
) -> list[str]:
    words = words or Words.default()
    if not plan.actions:
        return ["Ingenting å gjøre: systemene er i takt.", summary_line(plan, words)]
    writes = len(plan.writes)
    head = [
        f"{'STOPPET: ' if plan.blocked else ''}Plan med {shown(words.system(plan.master))} som master: "
        f"{count(len(plan.actions))} handlinger, {count(writes)} av dem skriver til et system."
    ]
    if plan.blocked:
        head.append("Oppsettet stopper synken: ingenting skrives før det er rettet (se «hoppes over» under).")
    head += ["", *_overview(plan, words), "", "Tegn: " + "  ".join(f"{MARKS[op]} {OP_WORDS[op]}" for op in OPS)]
    body = sections_lines(_sections(plan, words), limit, more)
    return [*head, *body, "", summary_line(plan, words)]


def print_plan(
    plan: Plan, out: Any = None, *, words: Words | None = None, limit: int | None = DEFAULT_LIMIT, more: str = MORE
) -> None:
    """Print ``plan`` to ``out`` (a stream or a rich console; standard output by default)."""
    emit(plan_lines(plan, words, limit, more), out)


def apply_result_lines(report: Any, words: Words | None = None) -> list[str]:
    """After applying: every write that did not simply go through, then the totals."""
    shown_words = words or Words.default()
    return run_result_lines(
        report,
        {"failed": "FEILET", "recovered": "funnet igjen"},
        lambda o: f"{action_line(o.action, shown_words)}: {shown(o.detail)}",
        lambda s: f"{count(s['ok'])} skrevet, {count(s['recovered'])} funnet igjen, {count(s['failed'])} feilet",
        nothing="Ingenting å skrive.",
    )


def print_apply_result(report: Any, out: Any = None, *, words: Words | None = None) -> None:
    emit(apply_result_lines(report, words), out)
