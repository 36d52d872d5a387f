"""The doctor's report as one self-contained HTML page a consultant can send to the customer.

No scripts, no external fonts, images or style sheets: the CSS is inline, and
every text from the systems is escaped (names in SmartDok or PowerOffice are
whatever someone typed): control characters as visible escapes, as in the terminal, then
HTML-escaped (:func:`grunndata.report.safe.html_text`). :func:`page` is the frame every page
shares (the plan's page too, :mod:`grunndata.report.plan_html`).
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from grunndata import __version__
from grunndata.errors import GrunndataError
from grunndata.report.safe import html_text
from grunndata.report.words import Words

if TYPE_CHECKING:
    from grunndata.engine.doctor import DoctorReport

SEVERITY_WORDS = {"error": "Feil", "warning": "Advarsel"}
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)

CSS = """
*{box-sizing:border-box}
body{margin:0;padding:2rem 1.25rem;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:#1f2328;background:#f6f7f9}
main{max-width:70rem;margin:0 auto;background:#fff;padding:2rem 2.25rem;border-radius:10px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.15rem;margin:2rem 0 .5rem;padding-bottom:.3rem;border-bottom:1px solid #e3e6ea}
.meta{color:#59636e;margin:0 0 1.25rem}
.intro{max-width:52rem}
.totals{display:flex;gap:.75rem;flex-wrap:wrap;margin:1.25rem 0}
.total{padding:.6rem 1rem;border-radius:8px;font-weight:600}
.total.error{background:#fdecea;color:#a4161a}
.total.warning{background:#fff4d6;color:#7a4f00}
.total.ok{background:#e6f4ea;color:#1e6b34}
table{width:100%;border-collapse:collapse;margin:.5rem 0 1rem}
th,td{text-align:left;vertical-align:top;padding:.5rem .6rem;border-bottom:1px solid #e3e6ea}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:#59636e}
td.key{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600}
.badge.error{background:#fdecea;color:#a4161a}
.badge.warning{background:#fff4d6;color:#7a4f00}
.ok{color:#1e6b34}
.none{color:#8c959f}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.reason{margin:.75rem 0 .25rem}
.rule{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#59636e;font-size:.85rem}
.op{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:700}
.op.create{color:#1e6b34}.op.update{color:#7a4f00}.op.finish{color:#8250df}.op.warn{color:#a4161a}
footer{margin-top:2rem;color:#8c959f;font-size:.85rem}
@media print{body{background:#fff;padding:0}main{box-shadow:none;padding:0}tr{break-inside:avoid}}
"""

INTRO = (
    "Timer fra SmartDok havner bare hos riktig person, på riktig timeart og med riktig lønnsart i "
    "PowerOffice når tre ting stemmer nøyaktig: ansattnummeret (R3), navnet på hver lønnsart i SmartDok "
    "mot en timeart i PowerOffice (R4), og koden på hvert tillegg mot en lønnsart i PowerOffice (R5). "
    "Rapporten viser hvert avvik og hvordan det rettes, og det som må legges inn for hånd. "
    "Feil må rettes før timer overføres; advarsler bør sjekkes."
)


def norwegian_date(when: dt.datetime) -> str:
    return f"{when.day}. {MONTHS[when.month - 1]} {when.year} kl. {when:%H:%M}"


def made_line(generated: dt.datetime | None) -> str:
    """A page's first meta line: when it was made (``generated``, else now)."""
    return f"Laget {norwegian_date(generated or dt.datetime.now().astimezone())}"


def _rule_order(description: str) -> int:
    """Sections follow the domain rules they check (R3, R4, R5, then R12 ...); others last."""
    numbers = [int(n) for n in re.findall(r"\bR(\d+)", description)]
    return min(numbers) if numbers else 10_000


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def write_page(path: str, html: str) -> None:
    """Write a page, or one clear line saying why it could not be written."""
    try:
        Path(path).write_text(html, encoding="utf-8")
    except OSError as exc:
        raise GrunndataError(f"{path}: kan ikke skrive siden ({exc.strerror or exc})") from None


def page(title: str, meta: list[str], body: list[str], footer: str) -> str:
    """One self-contained page: the shared head and style, ``body`` (HTML already escaped)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nb">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(" · ".join(meta))}</p>',
        *body,
        f"<footer>{escape(footer)}</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def render_doctor(
    report: DoctorReport,
    *,
    generated: dt.datetime | None = None,
    config: str | None = None,
    title: str = "Samsvarsrapport: SmartDok og PowerOffice",
    words: Words | None = None,
) -> str:
    words = words or Words.default()
    s = report.summary()
    meta = [made_line(generated), f"mastersystem for prosjekter og aktiviteter: {words.system(report.master)}"]
    if config:
        meta.append(f"oppsett: {config}")
    parts = [f'<p class="intro">{escape(INTRO)}</p>', '<div class="totals">']
    if report.findings:
        parts.append(f'<div class="total error">{escape(_plural(s["errors"], "feil", "feil"))}</div>')
        parts.append(f'<div class="total warning">{escape(_plural(s["warnings"], "advarsel", "advarsler"))}</div>')
    else:
        parts.append('<div class="total ok">Ingen avvik funnet</div>')
    parts.append("</div>")

    by_check: dict[str, list] = {}
    for f in report.findings:
        by_check.setdefault(f.check, []).append(f)
    sections = sorted(((c.name, c.description) for c in report.checks), key=lambda s: (_rule_order(s[1]), s[0]))
    sections += [(name, name) for name in by_check if name not in {c.name for c in report.checks}]
    for name, description in sections:
        found = by_check.get(name, [])
        parts.append(f'<section id="{html_text(name)}">')
        parts.append(f"<h2>{html_text(description)}</h2>")
        if not found:
            parts.append('<p class="ok">Ingen avvik.</p>')
        else:
            parts.append("<table>")
            parts.append(
                '<thead><tr><th scope="col">Alvor</th><th scope="col">Nøkkel</th>'
                '<th scope="col">Hva er galt</th><th scope="col">Forslag</th></tr></thead>'
            )
            parts.append("<tbody>")
            for f in found:
                word = SEVERITY_WORDS.get(f.severity, f.severity)
                suggestion = html_text(f.suggestion) if f.suggestion else '<span class="none">–</span>'
                parts.append(
                    f'<tr><td><span class="badge {html_text(f.severity)}">{html_text(word)}</span></td>'
                    f'<td class="key">{html_text(f.key)}</td><td>{html_text(f.message)}</td><td>{suggestion}</td></tr>'
                )
            parts.append("</tbody></table>")
        parts.append("</section>")
    footer = (
        f"Laget med grunndata {__version__}. Rapporten leser bare; ingenting er endret i SmartDok eller PowerOffice."
    )
    return page(title, meta, parts, footer)
