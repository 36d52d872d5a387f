"""``grunndata console``: the integration's pages in the browser, on this machine.

The first line on standard output is the address to open, with the login token in it (as
Jupyter prints its own); everything else goes to standard error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from grunndata.config import DEFAULT_NAME
from grunndata.errors import GrunndataError

PASSWORD_VAR = "GRUNNDATA_CONSOLE_PASSWORD"
DATABASE_VAR = "GRUNNDATA_DATABASE_URL"

CONFIG_HELP = "Oppsettfil (standard: grunndata.yaml i arbeidsmappen)."
PORT_HELP = "Porten konsollen svarer på (0: en ledig port)."
HOST_HELP = "Adressen konsollen svarer på. Bare denne maskinen kan åpne den med standardverdien."
AUTH_HELP = f"Logg inn med passordet i {PASSWORD_VAR} i stedet for en nøkkel i adressen."


@click.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help=PORT_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help=HOST_HELP)
@click.option("--auth", "password_auth", is_flag=True, help=AUTH_HELP)
def console(config_path: str | None, port: int, host: str, password_auth: bool) -> None:
    """Åpne konsollen i nettleseren: oppsett, samsvar, plan, historikk og overføring.

    Med GRUNNDATA_DATABASE_URL satt viser den alle kundene til en driftsansvarlig (/kunder)."""
    # Heavy imports only when the console is asked for: the other commands stay quick.
    from grunndata.console.app import create_app, is_loopback
    from grunndata.console.auth import Authenticator, PasswordAuth, TokenAuth
    from grunndata.console.integration import Integration
    from grunndata.console.serve import run
    from grunndata.console.tenants import SingleCompany, TenantSource

    auth: Authenticator = TokenAuth()
    if password_auth:
        password = os.environ.get(PASSWORD_VAR, "")
        if not password:
            raise GrunndataError(
                f"--auth krever passordet i miljøvariabelen {PASSWORD_VAR}; sett den og start konsollen på nytt"
            )
        auth = PasswordAuth(password)
    url = os.environ.get(DATABASE_VAR, "").strip()
    source: TenantSource
    if url:
        from grunndata.console.operator_source import OperatorTenants

        source, served = OperatorTenants(url), "alle kundene i driftsdatabasen"
    else:
        if config_path is not None and not Path(config_path).is_file():
            raise GrunndataError(f"{config_path}: oppsettfilen finnes ikke")
        path = Path(config_path) if config_path else Path.cwd() / DEFAULT_NAME
        source, served = SingleCompany(Integration(path.resolve())), str(path)

    def announce(address: str, app) -> None:
        token = app.state.console.auth.token
        click.echo(f"{address}/?token={token}" if token else f"{address}/")
        sys.stdout.flush()
        how = "logg inn med passordet" if password_auth else "åpne adressen over i nettleseren"
        click.echo(f"grunndata-konsollen for {served}: {how}. Ctrl-C avslutter.", err=True)
        if not is_loopback(host):
            click.echo(f"Advarsel: konsollen svarer på {host}, ikke bare på denne maskinen.", err=True)

    try:
        run(lambda bound: create_app(source, port=bound, host=host, auth=auth), host, port, announce)
    finally:
        source.close()
