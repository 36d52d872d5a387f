"""``transfer``: hours, machine hours and goods consumption to PowerOffice, each row exactly once."""

from __future__ import annotations

import click

from grunndata.cli.window import confirmation, run_window, window_options, write_window
from grunndata.engine import transfer as engine
from grunndata.journal import Journal
from grunndata.report.transfer_text import print_preview, print_results
from grunndata.report.words import Words


def _question(plan: engine.TransferPlan) -> str:
    return f"Overføre {len(plan.writes)} linjer til PowerOffice?"


@click.command()
@window_options("Ikke spør før linjene sendes.")
def transfer(config_path: str | None, start, end, as_json: bool, yes: bool, state: str | None) -> None:
    """Overfør attesterte timer, maskintimer og vareforbruk til PowerOffice, hver rad nøyaktig én gang.

    Viser først hva som sendes, hva som holdes tilbake og hvorfor; sender når du bekrefter."""
    run_window(
        config_path,
        state,
        as_json,
        lambda session, journal: _run(session, journal, start, end, yes, as_json),
        print_results,
    )


async def _run(session, journal: Journal, start, end, yes: bool, as_json: bool) -> engine.TransferReport:
    return await write_window(
        session,
        as_json,
        lambda plan: print_preview(plan, words=Words.from_session(session)),
        lambda conn, show, progress, stop: engine.transfer(
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
