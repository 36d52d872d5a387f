"""``grunndata plan --html FILE``: the plan as one self-contained page for a customer meeting.

The doctor page's frame and style (:func:`grunndata.report.html.page`): the totals, a table per
entity and operation, then every action, grouped by its reason (said once, with the rule line
that decided) as in the terminal. All actions are on the page (no limit): it is read, searched
and printed, not scrolled past. Every value from the systems is escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from grunndata import __version__
from grunndata.engine.model import OPS
from grunndata.engine.plan import Plan
from grunndata.report.html import made_line, page
from grunndata.report.lines import count
from grunndata.report.safe import html_text, shown
from grunndata.report.text import (
    MARKS,
    OP_HEADINGS,
    OP_WORDS,
    changes_text,
    deciding_values,
    plan_groups,
    reason_pattern,
)
from grunndata.report.words import Words

INTRO = (
    "Planen viser hva grunndata vil gjøre for å holde prosjekter, underprosjekter, aktiviteter og maskiner "
    "i takt mellom SmartDok og PowerOffice: hva som opprettes, endres og avsluttes, hva som hoppes over "
    "og hva som må gjøres for hånd, og hvorfor. Hver grunn viser regelen som avgjorde (fil og linje). "
    "Ingenting er endret ennå."
)
TOTAL_CLASS = {
    "create": "ok",
    "update": "warning",
    "finish": "warning",
    "skip": "warning",
    "manual": "warning",
    "warn": "error",
}


def _cells(action: Any, words: Words) -> tuple[str, str]:
    """(name, what) of one row, HTML-escaped."""
    fields = action.fields if isinstance(action.fields, dict) else {}
    if action.op in ("update", "finish"):
        return "", escape(changes_text(words, action.entity, fields))
    name = fields.get("name")
    name_cell = html_text(name) if name is not None else '<span class="none">–</span>'
    if action.op == "create":
        return name_cell, escape(f"→ {shown(words.system(action.target))}")
    extras = deciding_values(action)
    return name_cell, escape(changes_text(words, action.entity, extras)) if extras else ""


def _rows(actions: list[Any], words: Words, with_reason: bool) -> list[str]:
    head = (
        '<thead><tr><th scope="col"></th><th scope="col">Nøkkel</th><th scope="col">Navn</th>'
        '<th scope="col">Hva</th>' + ('<th scope="col">Hvorfor</th>' if with_reason else "") + "</tr></thead>"
    )
    out = ["<table>", head, "<tbody>"]
    for a in actions:
        name, what = _cells(a, words)
        why = f'<td>{html_text(a.reason)} <span class="rule">{html_text(a.rule)}</span></td>' if with_reason else ""
        out.append(
            f'<tr><td class="op {html_text(a.op)}">{escape(MARKS.get(a.op, "·"))}</td>'
            f'<td class="key">{html_text(a.key)}</td><td>{name}</td><td>{what}</td>{why}</tr>'
        )
    out.append("</tbody></table>")
    return out


def _section(actions: list[Any], words: Words) -> list[str]:
    groups: dict[tuple[str, str], list[Any]] = {}
    for a in actions:
        groups.setdefault((shown(reason_pattern(a)), shown(a.rule)), []).append(a)
    out: list[str] = []
    singles = [members[0] for members in groups.values() if len(members) == 1]
    for (pattern, rule), members in groups.items():
        if len(members) > 1:
            out.append(
                f'<p class="reason">{escape(pattern)} <span class="rule">{escape(rule)}</span> '
                f"({escape(count(len(members)))})</p>"
            )
            out += _rows(members, words, with_reason=False)
    if singles:
        out += _rows(singles, words, with_reason=True)
    return out


def _overview(plan: Plan, words: Words) -> list[str]:
    per: dict[str, dict[str, int]] = {}
    for a in plan.actions:
        per.setdefault(a.entity, {})
        per[a.entity][a.op] = per[a.entity].get(a.op, 0) + 1
    entities = [e for e in dict.fromkeys([*plan.entity_order, *per]) if e in per]
    out = [
        "<table>",
        '<thead><tr><th scope="col"></th>'
        + "".join(f'<th scope="col" class="num">{escape(OP_WORDS[op])}</th>' for op in OPS)
        + "</tr></thead>",
        "<tbody>",
    ]
    for e in entities:
        out.append(
            f"<tr><td>{html_text(words.entity_title(e))}</td>"
            + "".join(f'<td class="num">{escape(count(per[e].get(op, 0)))}</td>' for op in OPS)
            + "</tr>"
        )
    out.append("</tbody></table>")
    return out


def render_plan(
    plan: Plan,
    *,
    words: Words | None = None,
    generated: dt.datetime | None = None,
    title: str = "Plan for grunndata: SmartDok og PowerOffice",
) -> str:
    words = words or Words.default()
    s = plan.summary()
    meta = [
        made_line(generated),
        f"mastersystem: {words.system(plan.master)}",
        f"{count(len(plan.actions))} handlinger",
    ]
    body = [f'<p class="intro">{escape(INTRO)}</p>', '<div class="totals">']
    if plan.blocked:
        body.append('<div class="total error">STOPPET: oppsettet må rettes før noe skrives</div>')
    if not plan.actions:
        body.append('<div class="total ok">Ingenting å gjøre: systemene er i takt</div>')
    for op in OPS:
        if s[op]:
            body.append(f'<div class="total {TOTAL_CLASS[op]}">{escape(count(s[op]))} {escape(OP_WORDS[op])}</div>')
    body.append("</div>")
    if plan.actions:
        body += ["<h2>Oversikt</h2>", *_overview(plan, words)]
    for entity, op, actions, target in plan_groups(plan):
        where = f" i {words.system(target)}" if target is not None else ""
        heading = f"{words.entity_title(entity)}: {OP_HEADINGS.get(op, op)}{where} ({count(len(actions))})"
        body += [
            f'<section id="{html_text(entity)}-{html_text(op)}">',
            f"<h2>{html_text(heading)}</h2>",
            *_section(actions, words),
            "</section>",
        ]
    footer = (
        f"Laget med grunndata {__version__}. Planen leser bare; ingenting er endret i SmartDok eller "
        "PowerOffice før planen gjennomføres."
    )
    return page(title, meta, body, footer)
