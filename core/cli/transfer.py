"""``transfer``: hours, machine hours and goods consumption to PowerOffice, each row exactly once."""
from __future__ import annotations

import click

from grunndata import asyncrun
from grunndata.cli import output, prompt
from grunndata.cli.params import DATE, DAY_HELP
from grunndata.cli.sync import CONFIG_HELP, JOURNAL_NAME, connection, finish, locked_journal, stop_on_signals
from grunndata.engine import transfer as engine
from grunndata.journal import Journal
from grunndata.report.transfer_text import print_preview, print_results
from grunndata.report.words import Words
from grunndata.session import open_session


def _confirm(yes: bool, as_json: bool):
    def ask(plan: engine.TransferPlan) -> bool:
        if yes:
            return True
        return prompt.confirm(f"Overføre {len(plan.writes)} linjer til PowerOffice?", err=as_json)
    return ask


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--from", "start", required=True, type=DATE, metavar="DATO", help=DAY_HELP.format(which="Første"))
@click.option("--to", "end", required=True, type=DATE, metavar="DATO", help=DAY_HELP.format(which="Siste"))
@click.option("--json", "as_json", is_flag=True, help="Skriv forhåndsvisning og resultat som JSON.")
@click.option("--yes", is_flag=True, help="Ikke spør før linjene sendes.")
@click.option("--state", metavar="FILE", help=f"Journalfil (standard: {JOURNAL_NAME} ved siden av oppsettet).")
def transfer(config_path: str | None, start, end, as_json: bool, yes: bool, state: str | None) -> None:
    """Overfør attesterte timer, maskintimer og vareforbruk til PowerOffice, hver rad nøyaktig én gang.

    Viser først hva som sendes, hva som holdes tilbake og hvorfor; sender når du bekrefter."""
    session = open_session(config_path)
    with locked_journal(session, state) as journal:
        report = asyncrun.run(_run(session, journal, start, end, yes, as_json))
    finish(report, as_json, print_results,
           "ingenting ble sendt (ikke bekreftet; bruk --yes for å sende uten å spørre)")


async def _run(session, journal: Journal, start, end, yes: bool, as_json: bool) -> engine.TransferReport:
    progress_bar = output.Progress(enabled=not as_json)

    def show(plan: engine.TransferPlan) -> None:
        if not as_json:
            print_preview(plan, words=Words.from_session(session))
        progress_bar.total = len(plan.writes)

    async with connection(session) as conn:
        try:
            return await engine.transfer(session, conn, start, end, journal=journal, confirm=_confirm(yes, as_json),
                                         on_plan=show, progress=progress_bar.advance, stop=stop_on_signals())
        finally:
            progress_bar.stop()
