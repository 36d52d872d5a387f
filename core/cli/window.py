"""What ``transfer`` and ``invoice`` share: a window of days, a preview to confirm, one locked run.

Both read SmartDok over ``--from``..``--to``, show what they would send, ask (unless ``--yes``),
send with a progress bar, journal each write under the integration's lock, and leave with the
run's exit code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import click

from grunndata import asyncrun
from grunndata.cli import output, prompt
from grunndata.cli.params import DATE, DAY_HELP
from grunndata.cli.sync import CONFIG_HELP, JOURNAL_NAME, connection, finish, locked_journal, stop_on_signals
from grunndata.journal import Journal
from grunndata.session import Session, open_session

NOT_CONFIRMED = "ingenting ble sendt (ikke bekreftet; bruk --yes for å sende uten å spørre)"
Command = TypeVar("Command", bound=Callable[..., Any])
R = TypeVar("R")
# What the engine's run gets from the command: the connection, the preview callback, the
# progress callback and the stop request.
Write = Callable[[Any, Callable[[Any], None], Callable[[Any], None], Any], Awaitable[R]]


def window_options(yes_help: str) -> Callable[[Command], Command]:
    """The options of a command that writes one window after a preview; ``yes_help`` says what
    ``--yes`` sends without asking."""
    options = [
        click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP),
        click.option("--from", "start", required=True, type=DATE, metavar="DATO", help=DAY_HELP.format(which="Første")),
        click.option("--to", "end", required=True, type=DATE, metavar="DATO", help=DAY_HELP.format(which="Siste")),
        click.option("--json", "as_json", is_flag=True, help="Skriv forhåndsvisning og resultat som JSON."),
        click.option("--yes", is_flag=True, help=yes_help),
        click.option("--state", metavar="FILE", help=f"Journalfil (standard: {JOURNAL_NAME} ved siden av oppsettet)."),
    ]

    def decorate(command: Command) -> Command:
        for option in reversed(options):  # as if stacked above the command, first on top
            command = option(command)
        return command

    return decorate


def confirmation(yes: bool, as_json: bool, question: Callable[[Any], str]) -> Callable[[Any], bool]:
    """The engine's ``confirm``: yes with ``--yes``, else the consultant's answer to ``question``
    about the plan (asked on stderr under ``--json``, so stdout stays JSON); Ctrl-C is no."""

    def ask(plan: Any) -> bool:
        if yes:
            return True
        return prompt.confirm(question(plan), err=as_json)

    return ask


def run_window(
    config_path: str | None,
    state: str | None,
    as_json: bool,
    run: Callable[[Session, Journal], Coroutine[Any, Any, Any]],
    print_results: Callable[[Any], None],
) -> None:
    """The command: the session, the journal held, the run, its report and exit code."""
    session = open_session(config_path)
    with locked_journal(session, state) as journal:
        report = asyncrun.run(run(session, journal))
    finish(report, as_json, print_results, NOT_CONFIRMED)


async def write_window(session: Session, as_json: bool, preview: Callable[[Any], None], write: Write[R]) -> R:
    """One run through the engine with a progress bar (not under ``--json``, where the preview
    is not printed either)."""
    progress_bar = output.Progress(enabled=not as_json)

    def show(plan: Any) -> None:
        if not as_json:
            preview(plan)
        progress_bar.total = len(plan.writes)

    async with connection(session) as conn:
        try:
            return await write(conn, show, progress_bar.advance, stop_on_signals())
        finally:
            progress_bar.stop()


def send_window(
    run: Callable[..., Awaitable[Any]],
    question: Callable[[Any], str],
    preview: Callable[[Session, Any], None],
    print_results: Callable[[Any], None],
    config_path: str | None,
    start: Any,
    end: Any,
    as_json: bool,
    yes: bool,
    state: str | None,
) -> None:
    """The whole of a ``transfer`` or ``invoice`` command (its options as ``window_options`` gives
    them): ``run`` (``engine.transfer``, ``engine.invoice``) over the window, its preview printed
    by ``preview(session, plan)``, ``question`` asked unless ``--yes``, the results printed."""

    async def write(session: Session, journal: Journal) -> Any:
        confirm = confirmation(yes, as_json, question)
        return await write_window(
            session,
            as_json,
            lambda plan: preview(session, plan),
            lambda conn, show, progress, stop: run(
                session, conn, start, end, journal=journal, confirm=confirm, on_plan=show, progress=progress, stop=stop
            ),
        )

    run_window(config_path, state, as_json, write, print_results)
