"""``grunndata operator``, ``grunndata tenant`` and ``grunndata worker``: many companies on
PostgreSQL and procrastinate workers (docs/OPERATOR.md). ``GRUNNDATA_DATABASE_URL`` names the
database; psycopg and procrastinate are imported only by these commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from grunndata.cli import output
from grunndata.errors import GrunndataError

URL_HELP = "PostgreSQL-adressen (standard: GRUNNDATA_DATABASE_URL)."
# Every command here takes the database's address, last among its options.
with_database_url = click.option("--database-url", "url", metavar="URL", help=URL_HELP)


def _url(url: str | None) -> str:
    from grunndata.operator.db import database_url

    return database_url(url)


@contextmanager
def _db(url: str | None) -> Iterator[Any]:
    from grunndata.operator.db import check_migrated, connect

    with connect(_url(url), autocommit=True) as conn:
        check_migrated(conn)
        yield conn


@click.group()
def operator() -> None:
    """Drift av mange kunder: databasen."""


@operator.command()
@with_database_url
def migrate(url: str | None) -> None:
    """Opprett eller oppdater tabellene i PostgreSQL (trygt å kjøre flere ganger)."""
    from grunndata.operator.db import migrate as run_migrations

    applied = run_migrations(_url(url))
    if applied:
        output.ok("Databasen er oppdatert: " + ", ".join(applied) + ".")
    else:
        output.ok("Databasen er allerede oppdatert; ingenting å gjøre.")


@click.group()
def tenant() -> None:
    """Kundene en operatør kjører integrasjonen for."""


def _on_one_tenant(*params: Callable[[Any], Any]) -> Callable[[Callable[..., None]], click.Command]:
    """``grunndata tenant VERB NAME``: a verb on the one tenant NAME, then ``params``, then --database-url."""

    def make(verb: Callable[..., None]) -> click.Command:
        for param in reversed((click.argument("name"), *params, with_database_url)):
            verb = param(verb)
        return tenant.command()(verb)

    return make


@_on_one_tenant(
    click.option("--config", "config_path", required=True, metavar="PATH", help="Kundens grunndata.yaml."),
    click.option(
        "--secrets-file",
        metavar="PATH",
        help="Fil med KEY=value for de fire hemmelighetene (bare eieren kan lese den; må finnes på alle workere).",
    ),
)
def add(name: str, config_path: str, secrets_file: str | None, url: str | None) -> None:
    """Legg til en kunde, eller erstatt oppsettet til en som finnes (historikken beholdes)."""
    from grunndata.operator import tenants
    from grunndata.operator.tenant_secrets import check_file

    tenants.check_name(name)
    if secrets_file:
        check_file(secrets_file)
    setup = tenants.read_setup(config_path)
    with _db(url) as conn:
        before = tenants.current(conn, name)
        stored = tenants.add(conn, name, setup, secrets_file)
    word = "erstattet" if before is not None else "lagt til"
    output.ok(
        f"Kunden «{name}» er {word}: master {stored.master}, {len(stored.rule_files)} regelfiler, "
        f"{stored.config_hash[:19]}."
    )


@tenant.command("list")
@click.option("--json", "as_json", is_flag=True, help="Skriv JSON.")
@with_database_url
def list_(as_json: bool, url: str | None) -> None:
    """Vis kundene."""
    from grunndata.operator import tenants

    with _db(url) as conn:
        rows = tenants.listing(tenants.active(conn))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        output.ok("Ingen kunder ennå; legg til med «grunndata tenant add NAVN --config FIL».")
    for row in rows:
        click.echo(f"{row['name']}\t{row['master']}\t{row['config_hash'][:19]}\t{row['added_at']}")


@_on_one_tenant()
def remove(name: str, url: str | None) -> None:
    """Slutt å kjøre en kunde (journal og historikk beholdes)."""
    from grunndata.operator import tenants

    with _db(url) as conn:
        tenants.remove(conn, name)
    output.ok(f"Kunden «{name}» er fjernet; journal og historikk er beholdt.")


@_on_one_tenant()
def sync(name: str, url: str | None) -> None:
    """Sett en synksyklus i kø for kunden nå."""
    from grunndata.operator import tenants
    from grunndata.operator.worker import defer_cycle, make_app

    with _db(url) as conn:
        tenants.require(conn, name)
    app = make_app(_url(url))

    async def go() -> bool:
        async with app.open_async():
            return await defer_cycle(app, name, "sync", force=True)

    if asyncio.run(go()):
        output.ok(f"En synksyklus for «{name}» står i kø.")
    else:
        output.ok(f"En synksyklus for «{name}» står allerede i kø.")


LOCK_WAIT_S = 120.0


def _lock_waiting(store: Any, seconds: float = LOCK_WAIT_S) -> None:
    """A person's approve or reject waits for the tenant's running cycle to end (bounded), then
    holds the tenant: the worker's next job of it waits its turn."""
    import time

    from grunndata.journal import JournalLocked

    deadline = time.monotonic() + seconds
    while True:
        try:
            store.lock()
            return
        except JournalLocked:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


@contextmanager
def _tenant_store(url: str | None, name: str) -> Iterator[tuple[Any, Any, Any]]:
    from grunndata.operator.runtime import Runtime

    runtime = Runtime(_url(url))
    with _db(url) as conn:
        loaded = runtime.load(conn, name)
    store = runtime.store(name)
    try:
        yield runtime, loaded, store
    finally:
        store.close()


@_on_one_tenant(
    click.argument("run_id", type=int),
    click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON."),
)
def approve(name: str, run_id: int, as_json: bool, url: str | None) -> None:
    """Godkjenn kundens plan som venter: skriv nøyaktig den planen (avvises hvis den er utdatert)."""
    from grunndata.cli.sync import finish, stop_on_signals
    from grunndata.report.text import print_apply_result
    from grunndata.unattended.approval import approve as approve_plan

    with _tenant_store(url, name) as (runtime, loaded, store):

        async def go() -> Any:
            try:
                async with runtime.connection(loaded) as conn:
                    return await approve_plan(loaded.session, store, conn, run_id, stop=stop_on_signals())
            finally:
                await runtime.aclose()

        _lock_waiting(store)
        report = asyncio.run(go())
    if not as_json:
        output.ok(f"Kjøring {run_id} for «{name}» er godkjent og skrevet som kjøring {report.run_id}.")
    finish(report, as_json, print_apply_result, "ingenting ble skrevet")


@_on_one_tenant(click.argument("run_id", type=int))
def reject(name: str, run_id: int, url: str | None) -> None:
    """Forkast kundens plan som venter; neste syklus planlegger på nytt."""
    from grunndata.unattended.approval import reject as reject_plan

    with _tenant_store(url, name) as (_runtime, _loaded, store):
        _lock_waiting(store)
        reject_plan(store, run_id)
    output.ok(f"Kjøring {run_id} for «{name}» er forkastet; ingenting ble skrevet.")


@tenant.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Skriv JSON.")
@with_database_url
def status(name: str | None, as_json: bool, url: str | None) -> None:
    """Vis om kundenes integrasjoner er i orden (exit-kode 1 hvis minst én ikke er det)."""
    from grunndata.operator import dispatch, tenants
    from grunndata.state.postgres import PostgresStateStore
    from grunndata.unattended.facts import status_facts
    from grunndata.unattended.status import build_status, status_text

    now = dt.datetime.now(dt.UTC)
    out: dict[str, Any] = {}
    texts = []
    with _db(url) as conn:
        names = [name] if name else [t.tenant for t in tenants.active(conn)]
        if name:
            tenants.require(conn, name)
        schedules = dispatch.tenant_schedules(conn)
        achieved = dispatch.achieved_intervals(conn, names)
        for each in names:
            settings = schedules[each]
            facts = status_facts(PostgresStateStore(conn, each))
            data = build_status(facts, settings, now)
            data["achieved_interval_s"] = achieved.get(each)
            out[each] = data
            texts.append(
                (
                    each,
                    status_text(facts, settings, now, command=f"grunndata tenant {{verb}} {shlex.quote(each)} {{run}}"),
                    achieved.get(each),
                )
            )
    if as_json:
        click.echo(json.dumps({"tenants": out}, indent=2, ensure_ascii=False))
    else:
        for each, text, interval in texts:
            click.echo(f"== {each}")
            click.echo(text, nl=False)
            if interval is not None:
                click.echo(f"Oppnådd intervall mellom synksykluser: {interval:.0f} s")
    sys.exit(0 if all(d.get("healthy") for d in out.values()) else 1)


@click.command()
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Jobber denne workeren kjører samtidig (aldri to for samme kunde).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(min=0, max=65535),
    metavar="P",
    help="Prometheus-målinger på http://0.0.0.0:P/metrics.",
)
@with_database_url
def worker(concurrency: int, metrics_port: int | None, url: str | None) -> None:
    """Kjør kundenes sykluser etter tidsplanene deres, til SIGTERM (fullfører jobbene som kjører)."""
    from grunndata.operator.worker import serve

    address = _url(url)
    with _db(address):
        pass
    try:
        asyncio.run(serve(address, concurrency, metrics_port))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise GrunndataError(f"workeren kunne ikke starte: {exc}") from None
