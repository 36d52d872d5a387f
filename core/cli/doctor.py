"""``grunndata doctor``: read both systems and report every mismatch that stops hours reaching
PowerOffice right (R3-R5), and what a person must do by hand (R12, R16, R17)."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

import click

from grunndata import secrets as env_secrets
from grunndata.cli import output
from grunndata.cli.output import Table
from grunndata.engine import runner
from grunndata.engine.doctor import DoctorReport, read_and_check
from grunndata.errors import GrunndataError
from grunndata.report.html import render_doctor
from grunndata.session import Session, open_session

CONFIG_HELP = "Oppsettfil (standard: grunndata.yaml i arbeidsmappen)."
SEVERITY_WORDS = {"error": "FEIL", "warning": "advarsel"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


async def _check(session: Session) -> DoctorReport:
    async with runner.connect(session, env_secrets.from_environment()) as conn:
        return await read_and_check(session, conn)


def summary_line(report: DoctorReport) -> str:
    s = report.summary()
    if not report.findings:
        return "Ingen avvik: ansattnummer, lønnsarter og tillegg stemmer, og ingenting må gjøres for hånd."
    return f"Samsvar: {s['errors']} feil, {s['warnings']} advarsler."


def print_report(report: DoctorReport) -> None:
    console = output.console
    titles = {c.name: c.description for c in report.checks}
    if report.findings:
        table = Table(title="Samsvar mellom SmartDok og PowerOffice", title_justify="left")
        for col in ("alvor", "sjekk", "nøkkel", "hva er galt", "forslag"):
            table.add_column(col, overflow="fold")
        for f in report.findings:
            table.add_row(f"[{SEVERITY_STYLE.get(f.severity, '')}]{SEVERITY_WORDS.get(f.severity, f.severity)}[/]",
                          titles.get(f.check, f.check).split(":")[0], f.key, f.message, f.suggestion or "")
        console.print(table)
    console.print(summary_line(report))


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Skriv funnene som JSON.")
@click.option("--html", "html_file", metavar="FILE", help="Skriv en rapport som én HTML-side (kan sendes til kunden).")
def doctor(config_path: str | None, as_json: bool, html_file: str | None) -> None:
    """Les begge systemer og finn det som må stemme før timer overføres: ansattnummer (R3),
    lønnsarter mot timearter (R4), tilleggskoder mot lønnsarter (R5), og manuelt arbeid
    (R12, R16, R17). Skriver ingenting til systemene. Exit-kode 1 når noe er feil."""
    session = open_session(config_path)
    report = asyncio.run(_check(session))
    if html_file:
        # No config path on the page: it goes to the customer, and paths are the consultant's business.
        page = render_doctor(report, generated=dt.datetime.now().astimezone())
        try:
            Path(html_file).write_text(page, encoding="utf-8")
        except OSError as exc:
            raise GrunndataError(f"{html_file}: cannot write the report ({exc.strerror})") from None
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print_report(report)
        if html_file:
            click.echo(f"Rapporten er skrevet til {html_file}.")
    if report.errors:
        sys.exit(1)
