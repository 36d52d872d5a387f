"""``grunndata doctor``: read both systems and report every mismatch that stops hours reaching
PowerOffice right (R3-R5), and what a person must do by hand (R12, R16, R17)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from grunndata import asyncrun
from grunndata import secrets as env_secrets
from grunndata.cli import output
from grunndata.engine import runner
from grunndata.engine.doctor import DoctorReport, read_and_check
from grunndata.report.doctor_text import print_doctor
from grunndata.report.html import render_doctor, write_page
from grunndata.report.lines import DEFAULT_LIMIT
from grunndata.report.words import Words
from grunndata.session import Session, open_session

CONFIG_HELP = "Oppsettfil (standard: grunndata.yaml i arbeidsmappen)."


async def _check(session: Session) -> DoctorReport:
    async with runner.connect(session, env_secrets.from_environment()) as conn:
        return await read_and_check(session, conn)


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Skriv funnene som JSON.")
@click.option("--html", "html_file", metavar="FILE", help="Skriv en rapport som én HTML-side (kan sendes til kunden).")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_LIMIT,
    metavar="N",
    help=f"Vis høyst N funn per grunn (standard {DEFAULT_LIMIT}); resten telles.",
)
@click.option("--full", is_flag=True, help="Vis alle funn (ingen grense).")
def doctor(config_path: str | None, as_json: bool, html_file: str | None, limit: int, full: bool) -> None:
    """Les begge systemer og finn det som må stemme før timer overføres: ansattnummer (R3),
    lønnsarter mot timearter (R4), tilleggskoder mot lønnsarter (R5), og manuelt arbeid
    (R12, R16, R17). Skriver ingenting til systemene. Exit-kode 1 når noe er feil."""
    session = open_session(config_path)
    report = asyncrun.run(_check(session))
    words = Words.from_session(session)
    if html_file:
        # No config path on the page: it goes to the customer, and paths are the consultant's business.
        write_page(html_file, render_doctor(report, generated=dt.datetime.now().astimezone(), words=words))
    output.report(
        as_json,
        report.to_json,
        lambda: print_doctor(report, words=words, limit=None if full else limit),
        f"Rapporten er skrevet til {html_file}." if html_file else None,
    )
    if report.errors:
        sys.exit(1)
