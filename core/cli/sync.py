"""``plan``, ``apply`` and ``history``: the sync commands."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from grunndata import asyncrun
from grunndata import secrets as env_secrets
from grunndata.cli import output, prompt
from grunndata.engine import runner
from grunndata.engine.plan import Plan
from grunndata.engine.planner import paused_gc
from grunndata.engine.writes import Stop, WriteReport
from grunndata.errors import GrunndataError
from grunndata.journal import Journal
from grunndata.report import history_text, jsontext
from grunndata.report.lines import DEFAULT_LIMIT
from grunndata.report.text import print_apply_result, print_plan
from grunndata.report.words import Words
from grunndata.session import Session, open_session
from grunndata.state import SqliteStateStore

CONFIG_HELP = "Oppsettfil (standard: grunndata.yaml i arbeidsmappen)."
JOURNAL_NAME = "grunndata-journal.sqlite"


class Declined(GrunndataError):
    exit_code = 3


def journal_path(session: Session, state: str | None) -> Path:
    return Path(state) if state else session.config.base_dir / JOURNAL_NAME


RATE_VAR = "GRUNNDATA_POWEROFFICE_RATE"


def poweroffice_rate() -> float | None:
    """Requests per second towards PowerOffice: 10 (its documented limit) unless
    GRUNNDATA_POWEROFFICE_RATE says otherwise (``0`` = unpaced, for a local sandbox)."""
    raw = os.environ.get(RATE_VAR, "").strip()
    if not raw:
        return 10.0
    try:
        rate = float(raw)
    except ValueError:
        raise GrunndataError(
            f"{RATE_VAR}={raw!r}: skal være et antall forespørsler per sekund (0 for ingen begrensning)"
        ) from None
    if rate != rate or rate < 0:
        raise GrunndataError(f"{RATE_VAR}={raw!r}: skal være et tall, 0 eller større")
    return rate or None


@contextmanager
def locked_journal(session: Session, state: str | None) -> Iterator[Journal]:
    """The integration's journal, held exclusively: writing runs take turns."""
    journal = Journal(journal_path(session, state))
    try:
        journal.lock()
        yield journal
    finally:
        journal.close()


INTERRUPTED = (
    "avbrutt: skrivingen som var i gang ble fullført og journalført, resten ble ikke startet; "
    "kjør kommandoen igjen for å fullføre"
)


def stop_on_signals() -> Stop:
    """Ctrl-C (or SIGTERM) while writing: the writes in flight finish and are journaled, then the
    command stops (exit 128 + the signal, 130 for Ctrl-C); a second Ctrl-C stops at once."""
    return Stop(signals=(signal.SIGINT, signal.SIGTERM))


def finish(report: WriteReport[Any], as_json: bool, print_human: Callable[[Any], None], declined: str) -> None:
    """Print a writing run's report and leave with its exit code (1 failed, 3 declined,
    130 stopped by Ctrl-C)."""
    if as_json:
        click.echo(jsontext.dumps(report.to_json(), "results", default=str))
    else:
        print_human(report)
    if report.interrupted is not None:
        output.error(INTERRUPTED)
        sys.exit(report.exit_code)
    if report.declined:
        raise Declined(declined)
    if report.failed:
        sys.exit(1)


def connection(session: Session) -> runner.Connection:
    return runner.connect(session, env_secrets.from_environment(), rate_per_second=poweroffice_rate())


async def _plan(session: Session) -> Plan:
    async with connection(session) as conn:
        result, _ = await runner.plan(session, conn)
        return result


LIMIT_HELP = f"Vis høyst N handlinger per grunn (standard {DEFAULT_LIMIT}); resten telles."


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--json", "as_json", is_flag=True, help="Skriv planen som JSON.")
@click.option("--out", "out", metavar="FILE", help="Lagre planen for «apply --plan FILE».")
@click.option(
    "--limit", type=click.IntRange(min=0), default=DEFAULT_LIMIT, show_default=False, metavar="N", help=LIMIT_HELP
)
@click.option("--full", is_flag=True, help="Vis alle handlinger (ingen grense).")
@click.option("--html", "html_file", metavar="FILE", help="Skriv planen som én HTML-side (for et kundemøte).")
def plan(
    config_path: str | None, as_json: bool, out: str | None, limit: int, full: bool, html_file: str | None
) -> None:
    """Les begge systemer og vis hva som må gjøres, og hvorfor. Skriver ingenting."""
    session = open_session(config_path)
    result = asyncrun.run(_plan(session))
    if out:
        result.save(Path(out))
    words = Words.from_session(session)
    if html_file:
        from grunndata.report.html import write_page
        from grunndata.report.plan_html import render_plan

        write_page(html_file, render_plan(result, words=words))
    if as_json:
        with paused_gc():  # thousands of new dicts over millions read: no full collections
            text = jsontext.dumps(result.to_json(), "actions")
        click.echo(text)
    else:
        print_plan(result, words=words, limit=None if full else limit)
        if out:
            output.ok(f"Planen er lagret i {out}; kjør «grunndata apply --plan {out}» for å gjennomføre den.")
        if html_file:
            output.ok(f"Planen er skrevet til {html_file}.")
    if result.blocked:
        sys.exit(1)


def _confirm(yes: bool, as_json: bool):
    def ask(p: Plan) -> bool:
        if yes:
            return True
        return prompt.confirm(f"Gjennomføre {len(p.writes)} endringer?", err=as_json)

    return ask


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--plan", "plan_file", metavar="FILE", help="Gjennomfør nøyaktig denne lagrede planen.")
@click.option("--yes", is_flag=True, help="Ikke spør før endringer skrives.")
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.option("--state", metavar="FILE", help=f"Journalfil (standard: {JOURNAL_NAME} ved siden av oppsettet).")
def apply(config_path: str | None, plan_file: str | None, yes: bool, as_json: bool, state: str | None) -> None:
    """Gjennomfør planen: opprett, endre og avslutt i mottakersystemet."""
    session = open_session(config_path)
    saved = Plan.load(Path(plan_file)) if plan_file else None
    with locked_journal(session, state) as journal:
        report = asyncrun.run(_apply(session, saved, journal, yes, as_json))
        if not report.plan.writes and not report.declined:
            # A person ran apply and found the systems in step: there is no plan left to approve,
            # so the unattended cycles may write from here (their first plan waits only until a
            # person has applied; an apply that writes records its run, this one records the fact).
            store = SqliteStateStore(journal.path)
            try:
                store.note_person_applied()
            finally:
                store.close()
    finish(
        report,
        as_json,
        print_apply_result,
        "ingenting ble skrevet (ikke bekreftet; bruk --yes for å skrive uten å spørre)",
    )


async def _apply(session: Session, saved: Plan | None, journal: Journal, yes: bool, as_json: bool):
    progress_bar = output.Progress(enabled=not as_json)

    def show(p: Plan) -> None:
        if not as_json:
            print_plan(p, words=Words.from_session(session), more="se alle med «grunndata plan --full» før du svarer")
        progress_bar.total = len(p.writes)

    async with connection(session) as conn:
        try:
            return await runner.apply(
                session,
                conn,
                saved=saved,
                journal=journal,
                confirm=_confirm(yes, as_json),
                progress=progress_bar.advance,
                on_plan=show,
                stop=stop_on_signals(),
            )
        finally:
            progress_bar.stop()


@click.command()
@click.argument("run_id", required=False, type=int)
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--state", metavar="FILE", help=f"Journalfil (standard: {JOURNAL_NAME} ved siden av oppsettet).")
@click.option("--json", "as_json", is_flag=True, help="Skriv JSON.")
def history(run_id: int | None, config_path: str | None, state: str | None, as_json: bool) -> None:
    """Vis tidligere kjøringer, eller én kjøring med alle handlinger."""
    session = open_session(config_path)
    path = journal_path(session, state)
    if not path.exists():
        raise GrunndataError(f"{path}: ingen journal ennå (ingen apply eller transfer har kjørt her)")
    journal = Journal(path)
    try:
        data: Any = journal.run(run_id) if run_id is not None else journal.runs()
    finally:
        journal.close()
    if data is None:
        raise GrunndataError(f"ingen kjøring {run_id} i {path}")
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif run_id is None:
        history_text.print_runs(data, words=Words.from_session(session))
    else:
        history_text.print_run(data, words=Words.from_session(session))
