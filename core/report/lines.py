"""Building blocks of the text reports: sections of one-line items, repeated reasons said once,
a limit per group, and writing the lines out.

A report is a list of sections (one per entity and operation, per check and severity, per
transfer kind and operation). A section's items are grouped by their reason with the item's own
key and name left out (:func:`blank`): 642 creates that differ only by project number share
one reason line, printed once with its rule, and the items follow one per line. An item whose
reason is its own has that reason printed whole above it. The rule that decided (FILE:LINE)
is on every reason line, in brackets. Each group shows at most ``limit`` items; ``None``
shows all.

No tables, no wrapping: a line is as long as its content, so nothing is ever folded into cells
at any terminal width.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from grunndata.report.safe import shown

DEFAULT_LIMIT = 50
ELLIPSIS = "…"


def count(n: int) -> str:
    """A count the Norwegian way: 4 550 (a plain space, so it survives any terminal)."""
    return f"{n:,}".replace(",", " ")


def preview_summary(s: dict[str, Any], ops: Iterable[str], words: dict[str, str]) -> str:
    """The last line of a transfer or invoice preview: how many of each op, and how many rows an
    earlier run already sent."""
    parts = [f"{count(s[op])} {words[op]}" for op in ops if s.get(op)]
    done = s.get("already_transferred")
    return (
        "Oppsummert: "
        + (", ".join(parts) if parts else "ingenting å gjøre")
        + (f"; {count(done)} allerede overført" if done else "")
    )


# A transfer's or invoice's outcome, as its result lines name it.
RESULT_WORDS = {"failed": "FEILET", "recovered": "funnet igjen", "locked": "låst"}


def run_result_lines(
    report: Any,
    words: Mapping[str, str],
    what: Callable[[Any], str],
    totals: Callable[[dict[str, Any]], str],
    nothing: str = "Ingenting å sende.",
) -> list[str]:
    """After a writing run: every write that did not simply go through (its outcome in ``words``,
    then ``what`` it was), then the run's ``totals`` (``nothing`` when it had nothing to write)."""
    out = [f"{words.get(o.status, shown(o.status))}: {what(o)}" for o in report.outcomes if o.status != "ok"]
    if not report.plan.writes:
        out.append(nothing)
    elif not report.declined:
        out.append(
            f"Ferdig: {totals(report.summary())}" + (f" (kjøring {report.run_id} i journalen)" if report.run_id else "")
        )
    return out


def window_result_lines(report: Any, what: Callable[[Any], str], sent: str, step: tuple[str, str]) -> list[str]:
    """After a transfer or invoice run: every write that did not simply go through (``what`` it
    was), then the totals: ``sent`` names the writes that went through, ``step`` (its summary key,
    its words) the kind's own count (a transfer's rows marked in SmartDok, an invoice's locked orders)."""
    totals = (("ok", sent), ("recovered", "funnet igjen"), step, ("failed", "feilet"), ("held", "holdt tilbake"))
    return run_result_lines(report, RESULT_WORDS, what, lambda s: ", ".join(f"{count(s[k])} {w}" for k, w in totals))


def blank(text: str, token: str, placeholder: str = ELLIPSIS) -> str:
    """``text`` with every standalone occurrence of ``token`` replaced by ``placeholder``
    (not inside a longer number or word: key 100 is not blanked in 1000 or 100.1)."""
    if not token or token not in text:
        return text
    out: list[str] = []
    size, end, start, pos = len(token), len(text), 0, 0
    while (i := text.find(token, pos)) >= 0:
        j = i + size
        before = text[i - 1] if i else " "
        after = text[j] if j < end else " "
        if (
            before.isalnum()
            or before in "_-."
            or after.isalnum()
            or after in "_-"
            or (after == "." and j + 1 < end and (text[j + 1].isalnum() or text[j + 1] in "_-"))
        ):
            pos = i + 1
            continue
        out.append(text[start:i])
        out.append(placeholder)
        start = pos = j
    if not out:
        return text
    out.append(text[start:])
    return "".join(out)


@dataclass
class Item:
    """One line of a section. ``reason`` and ``rule`` group it; ``pattern`` is its reason with
    the item's own key and name blanked, so items differing only by those share a group.
    ``line`` is shown under a shared reason, ``alone`` (default: ``line``) under a reason of its
    own; either may be given as a function, called only for the items actually shown (a plan of
    10,000 actions shows a few hundred). ``detail`` (a suggestion) is said once for the group
    when every member's ``detail_pattern`` is the same, else on each member's line.

    ``reason``, ``rule``, ``pattern``, ``detail`` and ``detail_pattern`` are the systems' and
    rules' text as is: :func:`section_lines` makes them safe to show, once per line printed.
    ``text``, ``alone`` and ``detail_values`` are lines already made safe by their maker."""

    text: str | Callable[[], str]
    reason: str
    rule: str
    pattern: str
    alone: str = ""
    detail: str = ""
    detail_pattern: str = ""
    detail_values: str = ""  # what the shared detail's blanks stand for, for the line

    @property
    def line(self) -> str:
        return self.text if isinstance(self.text, str) else self.text()


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


def _group(items: list[Item]) -> list[tuple[str, str, list[Item]]]:
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        groups.setdefault((item.pattern, item.rule), []).append(item)
    return [(pattern, rule, members) for (pattern, rule), members in groups.items()]


def _at(rule: str) -> str:
    return f" [{rule}]" if rule else ""


def section_lines(section: Section, limit: int | None, more: str, why: str = "Grunn") -> list[str]:
    """The lines of one section: its title, then per reason the reason once (with its rule) and
    the items it covers, one line each. A reason of a single item is printed whole; reasons of
    single items beyond ``limit`` are counted, not printed."""
    out = [f"{section.title} ({count(len(section.items))})"]
    singles_shown = singles_hidden = 0
    for pattern, rule, members in _group(section.items):
        if len(members) == 1:
            if limit is not None and singles_shown >= limit:
                singles_hidden += 1
                continue
            singles_shown += 1
            item = members[0]
            out.append(
                f"  {why}{_at(shown(rule))}: {shown(item.reason)}" + (f" {shown(item.detail)}" if item.detail else "")
            )
            out.append(f"    {item.alone or item.line}")
            continue
        details = {m.detail_pattern for m in members}
        shared = details.pop() if len(details) == 1 else None
        out.append(f"  {why}{_at(shown(rule))}: {shown(pattern)}" + (f" {shown(shared)}" if shared else ""))
        listed = members if limit is None else members[:limit]
        for item in listed:
            if shared is not None:
                out.append(f"    {item.line}{item.detail_values}")
            else:
                out.append(f"    {item.line}" + (f" → {shown(item.detail)}" if item.detail else ""))
        if len(members) > len(listed):
            out.append(f"    {ELLIPSIS} og {count(len(members) - len(listed))} til; {more}")
    if singles_hidden:
        out.append(f"  {ELLIPSIS} og {count(singles_hidden)} til, hver med sin grunn; {more}")
    return out


def sections_lines(sections: Iterable[Section], limit: int | None, more: str, **kw: Any) -> list[str]:
    out: list[str] = []
    for section in sections:
        if section.items:
            out.append("")
            out.extend(section_lines(section, limit, more, **kw))
    return out


def emit(lines: Iterable[str], out: Any = None) -> None:
    """Write ``lines`` at once. ``out`` is a text stream, something with a ``file`` (a rich
    console), or ``None`` for standard output (looked up now, so test runners can swap it)."""
    text = "\n".join(lines)
    if not text:
        return
    stream = getattr(out, "file", out) if out is not None else None
    if stream is None:
        import click

        click.echo(text)
        return
    stream.write(text + "\n")
    flush = getattr(stream, "flush", None)
    if flush is not None:
        flush()


_QUOTED = re.compile(r"«([^«»]*)»")


def blank_quoted(text: str) -> tuple[str, list[str]]:
    """``text`` with each «…» quotation blanked, and the quotations in order (each once).
    Text whose « and » do not pair up is left as it is: a name containing » would otherwise be
    cut in two, half in the reason and half on the line."""
    found = _QUOTED.findall(text)
    if not found or text.count("«") != len(found) or text.count("»") != len(found):
        return text, []
    return _QUOTED.sub("«…»", text), list(dict.fromkeys(found))
