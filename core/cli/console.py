"""``grunndata console``: the integration's pages in the browser, on this machine.

The first line on standard output is the address to open, with the login token in it (as
Jupyter prints its own); everything else goes to standard error.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grunndata.config import DEFAULT_NAME
from grunndata.errors import GrunndataError

CONFIG_HELP = "Oppsettfil (standard: grunndata.yaml i arbeidsmappen)."


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Porten konsollen svarer på (0: en ledig port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Adressen konsollen svarer på. Bare denne maskinen kan åpne den med standardverdien.")
def console(config_path: str | None, port: int, host: str) -> None:
    """Åpne konsollen i nettleseren: oppsett, samsvar, plan, historikk og overføring."""
    # Heavy imports only when the console is asked for: the other commands stay quick.
    from grunndata.console.app import create_app, is_loopback
    from grunndata.console.integration import Integration
    from grunndata.console.serve import run

    if config_path is not None and not Path(config_path).is_file():
        raise GrunndataError(f"{config_path}: oppsettfilen finnes ikke")
    path = Path(config_path) if config_path else Path.cwd() / DEFAULT_NAME
    integration = Integration(path.resolve())

    def announce(address: str, app) -> None:
        click.echo(f"{address}/?token={app.state.console.auth.token}")
        sys.stdout.flush()
        click.echo(f"grunndata-konsollen for {path}: åpne adressen over i nettleseren. Ctrl-C avslutter.",
                   err=True)
        if not is_loopback(host):
            click.echo(f"Advarsel: konsollen svarer på {host}, ikke bare på denne maskinen.", err=True)

    try:
        run(lambda bound: create_app(integration, port=bound, host=host), host, port, announce)
    finally:
        integration.close()
