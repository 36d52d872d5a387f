"""``transfer``: hours, machine hours and goods consumption to PowerOffice, each row exactly once."""
from __future__ import annotations

import asyncio

import click

from grunndata.cli import output
from grunndata.cli.sync import CONFIG_HELP, JOURNAL_NAME, connection, finish, locked_journal, stop_on_signals
from grunndata.engine import transfer as engine
from grunndata.engine.transfer_plan import OPS
from grunndata.journal import Journal
from grunndata.session import open_session

OP_WORDS = {"send": "sendes", "update": "nytt antall", "new_line": "ny linje", "mark": "merkes i SmartDok",
            "hold": "holdes tilbake", "report": "rapporteres"}
KIND_WORDS = {"hours": "timer", "machine_hours": "maskintimer", "goods": "vareforbruk"}
DATE = click.DateTime(formats=["%Y-%m-%d"])


def print_preview(plan: engine.TransferPlan) -> None:
    longest = max(((b - a).days + 1 for a, b in plan.windows), default=0)
    click.echo(f"Periode {plan.start} til {plan.end}"
               + (f" (hentes i {len(plan.windows)} bolker på høyst {longest} dager)" if len(plan.windows) > 1 else ""))
    # Sends are counted, not listed one by one; everything a person must read is listed, and rows
    # held back for one reason are listed once, with how many and which.
    held: dict[tuple[str, str, str], list[str]] = {}
    for line in plan.lines:
        if line.op == "hold":
            held.setdefault((line.kind, line.reason, line.rule), []).append(line.key)
        elif line.op != "send":
            click.echo(f"  {OP_WORDS[line.op]:<17} {KIND_WORDS.get(line.kind, line.kind):<12} {line.key}: "
                       f"{line.reason}  [{line.rule}]")
    for (kind, reason, rule), keys in held.items():
        which = keys[0] if len(keys) == 1 else f"{len(keys)} rader: {', '.join(keys[:3])}" + (
            ", …" if len(keys) > 3 else "")
        click.echo(f"  {OP_WORDS['hold']:<17} {KIND_WORDS.get(kind, kind):<12} {which}: {reason}  [{rule}]")
    s = plan.summary()
    parts = [f"{s[op]} {OP_WORDS[op]}" for op in OPS if s[op]]
    click.echo("Oppsummert: " + (", ".join(parts) if parts else "ingenting å gjøre")
               + (f"; {s['already_transferred']} allerede overført" if s["already_transferred"] else ""))


def _confirm(yes: bool, as_json: bool):
    def ask(plan: engine.TransferPlan) -> bool:
        if yes:
            return True
        try:
            return click.confirm(f"Overføre {len(plan.writes)} linjer til PowerOffice?", default=False, err=as_json)
        except click.Abort:
            return False
    return ask


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--from", "start", required=True, type=DATE, metavar="DATO", help="Første dag (ÅÅÅÅ-MM-DD).")
@click.option("--to", "end", required=True, type=DATE, metavar="DATO", help="Siste dag (ÅÅÅÅ-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Skriv forhåndsvisning og resultat som JSON.")
@click.option("--yes", is_flag=True, help="Ikke spør før linjene sendes.")
@click.option("--state", metavar="FILE", help=f"Journalfil (standard: {JOURNAL_NAME} ved siden av oppsettet).")
def transfer(config_path: str | None, start, end, as_json: bool, yes: bool, state: str | None) -> None:
    """Overfør attesterte timer, maskintimer og vareforbruk til PowerOffice, hver rad nøyaktig én gang.

    Viser først hva som sendes, hva som holdes tilbake og hvorfor; sender når du bekrefter."""
    session = open_session(config_path)
    with locked_journal(session, state) as journal:
        report = asyncio.run(_run(session, journal, start.date(), end.date(), yes, as_json))
    finish(report, as_json, _print_results, "ingenting ble sendt (ikke bekreftet; bruk --yes for å sende uten å spørre)")


async def _run(session, journal: Journal, start, end, yes: bool, as_json: bool) -> engine.TransferReport:
    progress_bar = output.Progress(enabled=not as_json)

    def show(plan: engine.TransferPlan) -> None:
        if not as_json:
            print_preview(plan)
        progress_bar.total = len(plan.writes)

    async with connection(session) as conn:
        try:
            return await engine.transfer(session, conn, start, end, journal=journal, confirm=_confirm(yes, as_json),
                                         on_plan=show, progress=progress_bar.advance, stop=stop_on_signals())
        finally:
            progress_bar.stop()


def _print_results(report: engine.TransferReport) -> None:
    for r in report.results:
        if r.status != "ok":
            word = {"failed": "FEILET", "recovered": "funnet igjen", "locked": "låst"}.get(r.status, r.status)
            click.echo(f"{word}: {r.line.kind} {r.line.key}: {r.detail}")
    if not report.plan.writes:
        click.echo("Ingenting å sende.")
    elif not report.declined:
        s = report.summary()
        click.echo(f"Ferdig: {s['ok']} sendt/endret, {s['recovered']} funnet igjen, {s['marked']} merket i SmartDok, "
                   f"{s['failed']} feilet, {s['held']} holdt tilbake"
                   + (f" (kjøring {report.run_id} i journalen)" if report.run_id else ""))
