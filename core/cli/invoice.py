"""``invoice``: SmartDok's invoice bases (fakturagrunnlag) to PowerOffice as sales order drafts, exactly once."""

from __future__ import annotations

import click

from grunndata.cli.window import confirmation, run_window, window_options, write_window
from grunndata.engine import invoice as engine
from grunndata.engine.invoice_plan import InvoicePlan
from grunndata.journal import Journal
from grunndata.report.invoice_text import print_preview, print_results


def _question(plan: InvoicePlan) -> str:
    return f"Sende {len(plan.writes)} endringer (ordrer og ordrelinjer) til PowerOffice?"


@click.command()
@window_options("Ikke spør før ordrene sendes.")
def invoice(config_path: str | None, start, end, as_json: bool, yes: bool, state: str | None) -> None:
    """Overfør fakturagrunnlag fra SmartDok som ordreutkast i PowerOffice, hvert nøyaktig én gang.

    Viser først hvilke fakturagrunnlag som blir ordre, hvilke som holdes tilbake og hvorfor;
    sender når du bekrefter. Et endret fakturagrunnlag rettes på ordren så lenge den er et utkast."""
    run_window(
        config_path,
        state,
        as_json,
        lambda session, journal: _run(session, journal, start, end, yes, as_json),
        print_results,
    )


async def _run(session, journal: Journal, start, end, yes: bool, as_json: bool) -> engine.InvoiceReport:
    return await write_window(
        session,
        as_json,
        print_preview,
        lambda conn, show, progress, stop: engine.invoice(
            session,
            conn,
            start,
            end,
            journal=journal,
            confirm=confirmation(yes, as_json, _question),
            on_plan=show,
            progress=progress,
            stop=stop,
        ),
    )
