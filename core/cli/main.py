"""``grunndata``: the command line a consultant uses.

Exit codes: 0 ok, 1 problems found (invalid rules, doctor errors, failed
writes), 2 usage error, 3 refused (stale plan, locked, declined).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any

import click

from grunndata import __version__
from grunndata.cli import output, usage
from grunndata.errors import GrunndataError
from grunndata.plugin.manager import PluginError, load_host
from grunndata.rulebook.ruleset import load_rules
from grunndata.session import open_session, rule_sources

CONFIG_HELP = "Oppsettfil (standard: grunndata.yaml i arbeidsmappen)."

# Built-in commands whose modules are imported only when the command is used (or listed by
# --help): the engine, the HTTP clients and table rendering cost more than the rest of a start.
LAZY_COMMANDS = {
    "plan": "grunndata.cli.sync:plan",
    "apply": "grunndata.cli.sync:apply",
    "history": "grunndata.cli.sync:history",
    "doctor": "grunndata.cli.doctor:doctor",
    "snapshot": "grunndata.cli.snapshot:snapshot",
    "transfer": "grunndata.cli.transfer:transfer",
    "invoice": "grunndata.cli.invoice:invoice",
    "console": "grunndata.cli.console:console",
    "demo": "grunndata.cli.demo:demo",
    "operator": "grunndata.cli.operator:operator",
    "tenant": "grunndata.cli.operator:tenant",
    "worker": "grunndata.cli.operator:worker",
    "run": "grunndata.cli.unattended:run",
    "status": "grunndata.cli.unattended:status",
    "approve": "grunndata.cli.unattended:approve",
    "reject": "grunndata.cli.unattended:reject",
}


class GrunndataGroup(click.Group):
    """Turns every error into one clear line; a traceback only with GRUNNDATA_DEBUG=1.

    The built-in commands of LAZY_COMMANDS are loaded on first use (click's "lazy group").
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        command = self.commands.get(cmd_name)
        if command is not None and command.context_class is click.Context:
            command.context_class = usage.Context  # its help and usage lines in Norwegian too
        return command

    # click's own messages (usage errors, help headings) in Norwegian: see grunndata.cli.usage.
    context_class = usage.Context

    def main(self, *args: Any, **kwargs: Any) -> Any:
        return usage.run_main(self, super().main, args, kwargs)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[Any, ...]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise usage.no_such_command(ctx, name, self.list_commands(ctx))
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GrunndataError as exc:
            output.error(str(exc))
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            output.error("avbrutt")
            sys.exit(130)
        except Exception as exc:  # the last line of defence: a message, never a traceback
            if os.environ.get("GRUNNDATA_DEBUG"):
                raise
            output.error(f"intern feil: {type(exc).__name__}: {exc} (sett GRUNNDATA_DEBUG=1 for detaljer)")
            sys.exit(70)


@click.group(cls=GrunndataGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grunndata", message="%(prog)s versjon %(version)s")
def cli() -> None:
    """Grunndatasynk mellom SmartDok og PowerOffice Go."""


@cli.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
def check(config_path: str | None) -> None:
    """Sjekk oppsett og regelfiler, uten nettverk."""
    session = open_session(config_path)
    files = len(session.rules.files)
    where = session.config.path or "standardoppsett (ingen grunndata.yaml)"
    output.ok(f"{where}: gyldig; {files} regelfiler; master: {session.config.master}")


@cli.command()
@click.option("-c", "--config", "config_path", metavar="FILE", help=CONFIG_HELP)
def schema(config_path: str | None) -> None:
    """Skriv JSON Schema for regelfilene (for editorer)."""
    host = load_host()
    try:
        session = open_session(config_path)
        result = session.schema
    except GrunndataError:
        # The schema is most wanted when the rules are broken: fall back to the shipped vocabulary.
        _, result = load_rules(host.rules_schema, rule_sources(host, None))
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Skriv JSON.")
def plugins(as_json: bool) -> None:
    """Vis innlastede tillegg og hvor de kommer fra (exit-kode 1 når et tillegg ble hoppet over)."""
    host = load_host()
    rows = []
    for p in host.plugins:
        offers = [
            f"{kind} {name}"
            for key, owner in host.owners.items()
            if owner == p.name
            for kind, name in [key.split(":", 1)]
        ]
        rows.append({"name": p.name, "origin": p.origin, "offers": offers})
    skipped = [{"name": n, "error": e} for n, e in host.skipped]
    if as_json:
        click.echo(json.dumps({"plugins": rows, "skipped": skipped}, indent=2, ensure_ascii=False))
    else:
        output.plugins_table(rows, [])
        for s in skipped:
            output.error(f"hoppet over tillegget '{s['name']}': {s['error']}")
    if skipped:
        # A skipped plugin (broken, or a misspelt hook) offers nothing: that is a problem to fix.
        sys.exit(1)


def _add_plugin_commands() -> None:
    try:
        host = load_host()
    except PluginError:
        return  # reported by any command that loads the host
    for command in host.commands:
        if command.name not in cli.commands and command.name not in LAZY_COMMANDS:
            cli.add_command(command)


def main() -> None:
    _add_plugin_commands()
    cli(prog_name="grunndata")


if __name__ == "__main__":
    main()
