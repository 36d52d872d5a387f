"""``grunndata sandbox``: both emulators as real HTTP servers, for trying the sync by hand.

Kept light at import time: the host loads this module for every ``grunndata``
command, so starlette and uvicorn are imported only when the command runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from grunndata.errors import GrunndataError
from grunndata.sandbox.demo import EXAMPLE_WORLD  # the company «grunndata demo» syncs, so both show one world

F = TypeVar("F", bound=Callable[..., Any])


def _port_option(flag: str, default: int, system: str) -> Callable[[F], F]:
    return click.option(
        flag,
        default=default,
        show_default=True,
        type=click.IntRange(0, 65535),
        help=f"Port for {system} (0 = velg en ledig).",
    )


@click.command("sandbox")
@click.option(
    "--world",
    "world_path",
    metavar="FILE",
    help="Verdensfil (YAML/JSON) med startdata, for ett selskap eller mange (tenants:). "
    "Standard: eksempelverdenen Fjordbygg AS.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse å lytte på.")
@_port_option("--smartdok-port", 8081, "SmartDok")
@_port_option("--poweroffice-port", 8082, "PowerOffice Go")
@click.option("--no-rate-limit", is_flag=True, help="Slå av PowerOffice sin grense på 10 kall i sekundet.")
@click.option("--access-log", is_flag=True, help="Skriv hvert kall til terminalen.")
def sandbox_command(
    world_path: str | None, host: str, smartdok_port: int, poweroffice_port: int, no_rate_limit: bool, access_log: bool
) -> None:
    """Start sandkasser for SmartDok og PowerOffice Go (Ctrl-C stopper)."""
    try:
        _run(
            Path(world_path) if world_path else EXAMPLE_WORLD,
            host,
            smartdok_port,
            poweroffice_port,
            rate_limit=not no_rate_limit,
            access_log=access_log,
        )
    except GrunndataError as exc:
        click.echo(f"grunndata sandbox: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("sandkassen er stoppet")


def _run(
    world: Path, host: str, smartdok_port: int, poweroffice_port: int, *, rate_limit: bool, access_log: bool
) -> None:
    import asyncio
    import logging
    import signal

    from grunndata.sandbox.app import Sandbox
    from grunndata.sandbox.server import Urls, serve

    sb = Sandbox.from_file(world, rate_limit=rate_limit)
    tenants = sb.tenants()
    if access_log:
        logging.basicConfig(level=logging.INFO, format="%(message)s")

    def announce(urls: Urls) -> None:
        click.echo(f"SmartDok      {urls.smartdok}")
        click.echo(f"PowerOffice   {urls.poweroffice}")
        click.echo(f"Token         {urls.token}")
        click.echo(f"Kontroll      {urls.smartdok}/_sandbox/  {urls.token.rsplit('/OAuth', 1)[0]}/_sandbox/")
        click.echo(f"Verden        {world}" + ("" if rate_limit else "  (uten rate limit)"))
        if tenants:
            click.echo(
                f"Selskaper     {len(tenants)} (API-nøkkel og klientnøkkel velger selskap; "
                "kontrollkall tar ?tenant=NAVN)"
            )
        click.echo("Trykk Ctrl-C for å stoppe.")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        except (NotImplementedError, RuntimeError):  # not available on every platform/thread
            pass
        await serve(sb, host, smartdok_port, poweroffice_port, on_ready=announce, stop=stop, access_log=access_log)

    asyncio.run(main())
