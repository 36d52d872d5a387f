"""``invoice``: SmartDok's invoice bases (fakturagrunnlag) to PowerOffice as sales order drafts, exactly once."""

from __future__ import annotations

import click

from grunndata.cli.window import send_window, window_options
from grunndata.engine import invoice as engine
from grunndata.engine.invoice_plan import InvoicePlan
from grunndata.report.invoice_text import print_preview, print_results
from grunndata.session import Session


def _question(plan: InvoicePlan) -> str:
    return f"Sende {len(plan.writes)} endringer (ordrer og ordrelinjer) til PowerOffice?"


def _preview(session: Session, plan: InvoicePlan) -> None:
    print_preview(plan)


@click.command()
@window_options("Ikke spør før ordrene sendes.")
def invoice(config_path: str | None, start, end, as_json: bool, yes: bool, state: str | None) -> None:
    """Overfør fakturagrunnlag fra SmartDok som ordreutkast i PowerOffice, hvert nøyaktig én gang.

    Viser først hvilke fakturagrunnlag som blir ordre, hvilke som holdes tilbake og hvorfor;
    sender når du bekrefter. Et endret fakturagrunnlag rettes på ordren så lenge den er et utkast."""
    send_window(engine.invoice, _question, _preview, print_results, config_path, start, end, as_json, yes, state)
