"""``grunndata doctor`` as text: totals first, then per check and severity one line per finding.

Findings that say the same thing about different keys and names (81 users whose employee
number PowerOffice lacks) are grouped: the message is printed once with the key and the names
blanked, and each finding follows as one line with its key and names::

    Ansattnummer (R3): feil (81)
      Grunn: Brukeren «…» har ansattnummer … i SmartDok, men ingen ansatt i PowerOffice …
        · 1023 «Ola Moen»
        · 1057 «Erik Hagen»
"""

from __future__ import annotations

from typing import Any

from grunndata.report.lines import DEFAULT_LIMIT, Item, Section, blank, blank_quoted, count, emit, sections_lines
from grunndata.report.safe import shown
from grunndata.report.words import Words

SEVERITY_HEADINGS = {"error": "feil", "warning": "advarsler"}
MORE = "bruk --full for å se alle"


def _plural(n: int, one: str, many: str) -> str:
    return f"{count(n)} {one if n == 1 else many}"


def summary_line(report: Any) -> str:
    s = report.summary()
    if not report.findings:
        return "Ingen avvik: ansattnummer, lønnsarter og tillegg stemmer, og ingenting må gjøres for hånd."
    return f"Samsvar: {_plural(s['errors'], 'feil', 'feil')}, {_plural(s['warnings'], 'advarsel', 'advarsler')}."


def _template(text: str, key: str) -> tuple[str, list[str]]:
    """``text`` with its «quoted» names and the key blanked, and the names. Quotes that do not pair
    up (a name containing « or ») leave the text whole, so a name is never cut in two."""
    pattern, names = blank_quoted(text)
    if pattern == text and ("«" in text or "»" in text):
        return text, []
    return blank(pattern, key), [n for n in names if n != key]  # the key is on the line already


def _item(finding: Any) -> Item:
    key = str(finding.key)
    message = str(finding.message).strip()
    pattern, names = _template(message, key)
    detail = detail_pattern = detail_values = ""
    if finding.suggestion:
        detail = f"Forslag: {str(finding.suggestion).strip()}"
        detail_pattern, more_names = _template(detail, key)
        detail_values = "".join(f" «{shown(n)}»" for n in more_names if n not in names)
    line = " ".join(["·", shown(key), *(f"«{shown(n)}»" for n in names)])
    return Item(
        text=line,
        alone=f"· {shown(key)}",
        reason=message,
        rule="",
        pattern=pattern,
        detail=detail,
        detail_pattern=detail_pattern,
        detail_values=detail_values,
    )


def _titles(report: Any, words: Words) -> dict[str, str]:
    titles = {c.name: shown(words.check_title(c.name, c.description)) for c in report.checks}
    for f in report.findings:
        titles.setdefault(f.check, shown(words.check_title(f.check)))
    return titles


def doctor_lines(
    report: Any, words: Words | None = None, limit: int | None = DEFAULT_LIMIT, more: str = MORE
) -> list[str]:
    if not report.findings:
        return [summary_line(report)]
    words = words or Words.default()  # loads the plugins: only when there is something to word
    titles = _titles(report, words)
    per: dict[str, dict[str, int]] = {}
    sections: dict[tuple[str, str], Section] = {}
    for f in report.findings:  # already sorted: errors first, then by check and key
        counts = per.setdefault(f.check, {})
        counts[f.severity] = counts.get(f.severity, 0) + 1
        key = (f.check, f.severity)
        if key not in sections:
            heading = SEVERITY_HEADINGS.get(f.severity, shown(f.severity))
            sections[key] = Section(f"{titles[f.check]}: {heading}")
        sections[key].items.append(_item(f))
    width = max(len(titles[c]) for c in per)
    head = [f"Samsvar mellom {shown(words.system('smartdok'))} og {shown(words.system('poweroffice'))}", ""]
    for check, counts in per.items():
        parts = [
            _plural(counts.get("error", 0), "feil", "feil") if counts.get("error") else "",
            _plural(counts.get("warning", 0), "advarsel", "advarsler") if counts.get("warning") else "",
        ]
        parts += [f"{count(n)} {shown(sev)}" for sev, n in counts.items() if sev not in SEVERITY_HEADINGS]
        head.append(f"  {titles[check]:<{width}}  " + " · ".join(p for p in parts if p))
    body = sections_lines(sections.values(), limit, more)
    return [*head, *body, "", summary_line(report)]


def print_doctor(
    report: Any, out: Any = None, *, words: Words | None = None, limit: int | None = DEFAULT_LIMIT, more: str = MORE
) -> None:
    emit(doctor_lines(report, words, limit, more), out)
