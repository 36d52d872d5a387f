"""``run``, ``status``, ``approve`` and ``reject``: the integration running by itself."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import sys
import time
from typing import Any

import click

from grunndata.cli import output
from grunndata.cli.sync import CONFIG_HELP, JOURNAL_NAME, connection, journal_path
from grunndata.engine.writes import Stop
from grunndata.journal import JournalLocked
from grunndata.session import Session, open_session
from grunndata.state import SqliteStateStore
from grunndata.unattended.schedule import next_run
from grunndata.unattended.schedule_config import ScheduleSettings, schedule_settings

STATE_HELP = f"Journalfil (standard: {JOURNAL_NAME} ved siden av oppsettet)."
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# How long ``run`` waits at most before looking again (a cycle run by another process, a stop).
TICK_S = 1.0
# Kinds ``run`` schedules, and the cycle each runs: a due ``full`` is a sync cycle that reads everything.
LOOP_KINDS = ("sync", "full", "transfer", "invoice")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _store(session: Session, state: str | None) -> SqliteStateStore:
    return SqliteStateStore(journal_path(session, state))


def _settle_if_free(store: SqliteStateStore, now: dt.datetime) -> None:
    """A cycle left open by a process that was killed ends now, failed — if nobody holds the lock
    (then nobody is running it). Without this its kind would never be due again."""
    try:
        store.lock()
    except JournalLocked:
        return
    try:
        store.settle(now)
    finally:
        store.unlock()


def _due(
    store: SqliteStateStore, settings: ScheduleSettings, now: dt.datetime
) -> tuple[str | None, dt.datetime | None]:
    """The kind to run now (None: none is due) and when the earliest next one is."""
    cycles = store.last_cycles()
    if any(records[0].finished is None for records in cycles.values()):
        _settle_if_free(store, now)
        cycles = store.last_cycles()
    earliest: dt.datetime | None = None
    for kind in LOOP_KINDS:
        last = next(iter(cycles.get(kind) or []), None)
        when = next_run(settings.of(kind), last.started if last else None, last.finished if last else None, now)
        if when is None:
            continue
        if when <= now:
            return kind, when
        earliest = when if earliest is None else min(earliest, when)
    return None, earliest


class Stopper:
    """SIGTERM/SIGINT for the life of ``run``: ask the engine to stop (the write in flight finishes
    and is journaled) and wake the wait between cycles. A second signal stops at once."""

    def __init__(self) -> None:
        self.stop = Stop(signals=SIGNALS)
        self.wake: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.previous: dict[int, Any] = {}

    def install(self) -> None:
        self.loop, self.wake = asyncio.get_running_loop(), asyncio.Event()

        def on_signal(signum: int, _frame: Any) -> None:
            if self.stop.requested:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
                return
            self.stop.request(signum)
            if self.loop is not None and self.wake is not None:
                self.loop.call_soon_threadsafe(self.wake.set)

        for s in SIGNALS:
            self.previous[s] = signal.getsignal(s)
            signal.signal(s, on_signal)

    def uninstall(self) -> None:
        for s, handler in self.previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)

    async def sleep(self, seconds: float) -> None:
        assert self.wake is not None
        try:
            await asyncio.wait_for(self.wake.wait(), timeout=max(0.0, seconds))
        except TimeoutError:
            pass


def _emit(result: Any, settings: ScheduleSettings, started: dt.datetime, fmt: str) -> None:
    from grunndata.unattended.facts import log_line

    click.echo(log_line(result, settings, started, fmt))
    sys.stdout.flush()


async def _loop(session: Session, store: SqliteStateStore, fmt: str, once: bool, stopper: Stopper) -> int:
    from grunndata.unattended.cycle import Cycles
    from grunndata.unattended.periodic import periodic

    settings = schedule_settings(session.config)
    stopper.install()
    async with connection(session) as conn:
        cycles = Cycles(session, store, conn, prime=not once)
        if once:
            started, t0 = _now(), time.monotonic()
            result = await cycles.sync(started, stopper.stop)
            result.durations["wall"] = time.monotonic() - t0
            _emit(result, settings, started, fmt)
            if result.outcome == "refused":
                output.error(result.reason)
            if result.interrupted is not None:
                return 128 + result.interrupted
            return result.exit_code
        store.runner_heartbeat(os.getpid(), _now())
        try:
            while not stopper.stop.requested:
                now = _now()
                kind, when = _due(store, settings, now)
                if kind is None:
                    wait = TICK_S if when is None else min(TICK_S, (when - now).total_seconds())
                    await stopper.sleep(wait)
                    continue
                t0 = time.monotonic()
                if kind in ("sync", "full"):
                    result = await cycles.sync(now, stopper.stop, full=True if kind == "full" else None)
                else:
                    result = await periodic(cycles, kind, now, stopper.stop)
                result.durations["wall"] = time.monotonic() - t0
                _emit(result, settings, now, fmt)
                if result.outcome == "refused":
                    # Another run or apply holds the journal: try again at the next tick, never overlap.
                    await stopper.sleep(TICK_S)
        finally:
            store.runner_heartbeat(None, _now())
    # Stopped on request between or after cycles, every write journaled: a clean stop (exit 0).
    return 0


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--state", metavar="FILE", help=STATE_HELP)
@click.option("--once", is_flag=True, help="Kjør nøyaktig én synksyklus og avslutt (for cron, systemd, Kubernetes).")
@click.option(
    "--log-format",
    "log_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Én linje per syklus: tekst eller ett JSON-objekt.",
)
def run(config_path: str | None, state: str | None, once: bool, log_format: str) -> None:
    """Kjør integrasjonen av seg selv etter tidsplanen i grunndata.yaml, til den stoppes."""
    session = open_session(config_path)
    store = _store(session, state)
    try:
        stopper = Stopper()
        try:
            code = asyncio.run(_loop(session, store, log_format, once, stopper))
        finally:
            stopper.uninstall()
    finally:
        store.close()
    if code >= 128:
        output.error("stoppet: skrivingen som var i gang ble fullført og journalført")
    sys.exit(code)


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--state", metavar="FILE", help=STATE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Skriv status som JSON.")
def status(config_path: str | None, state: str | None, as_json: bool) -> None:
    """Vis om integrasjonen er i orden: siste sykluser, neste, planer som venter, vannmerker."""
    from grunndata.unattended.facts import status_facts
    from grunndata.unattended.status import build_status, exit_code, status_text

    session = open_session(config_path)
    settings = schedule_settings(session.config)
    store = _store(session, state)
    try:
        facts = status_facts(store)
    finally:
        store.close()
    now = _now()
    data = build_status(facts, settings, now)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(status_text(facts, settings, now), nl=False)
    sys.exit(exit_code(data))


@click.command()
@click.argument("run_id", type=int)
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--state", metavar="FILE", help=STATE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
def approve(run_id: int, config_path: str | None, state: str | None, as_json: bool) -> None:
    """Godkjenn en plan som venter: skriv nøyaktig den planen (avvises hvis den er utdatert)."""
    from grunndata.cli.sync import finish, stop_on_signals
    from grunndata.report.text import print_apply_result
    from grunndata.unattended.approval import approve as approve_plan

    session = open_session(config_path)
    store = _store(session, state)

    async def go() -> Any:
        async with connection(session) as conn:
            return await approve_plan(session, store, conn, run_id, stop=stop_on_signals())

    try:
        store.lock()
        report = asyncio.run(go())
    finally:
        store.close()
    if not as_json:
        output.ok(f"Kjøring {run_id} er godkjent og skrevet som kjøring {report.run_id}.")
    finish(report, as_json, print_apply_result, "ingenting ble skrevet")


@click.command()
@click.argument("run_id", type=int)
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--state", metavar="FILE", help=STATE_HELP)
def reject(run_id: int, config_path: str | None, state: str | None) -> None:
    """Forkast en plan som venter; neste syklus planlegger på nytt."""
    from grunndata.unattended.approval import reject as reject_plan

    session = open_session(config_path)
    store = _store(session, state)
    try:
        store.lock()
        reject_plan(store, run_id)
    finally:
        store.close()
    output.ok(f"Kjøring {run_id} er forkastet; ingenting ble skrevet.")
