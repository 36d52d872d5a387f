"""``transfer``: hours, machine hours and goods consumption to PowerOffice, each row exactly once."""

from __future__ import annotations

import click

from grunndata.cli.window import send_window, window_options
from grunndata.engine import transfer as engine
from grunndata.report.transfer_text import print_preview, print_results
from grunndata.report.words import Words
from grunndata.session import Session


def _question(plan: engine.TransferPlan) -> str:
    return f"Overføre {len(plan.writes)} linjer til PowerOffice?"


def _preview(session: Session, plan: engine.TransferPlan) -> None:
    print_preview(plan, words=Words.from_session(session))


@click.command()
@window_options("Ikke spør før linjene sendes.")
def transfer(config_path: str | None, start, end, as_json: bool, yes: bool, state: str | None) -> None:
    """Overfør attesterte timer, maskintimer og vareforbruk til PowerOffice, hver rad nøyaktig én gang.

    Viser først hva som sendes, hva som holdes tilbake og hvorfor; sender når du bekrefter."""
    send_window(engine.transfer, _question, _preview, print_results, config_path, start, end, as_json, yes, state)
