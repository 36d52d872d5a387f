"""Terminal output: errors to stderr, tables through rich."""
from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

console = Console(highlight=False, soft_wrap=True)


def error(message: str) -> None:
    click.echo(message, err=True)


def ok(message: str) -> None:
    click.echo(message)


def plugins_table(rows: list[dict], skipped: list[dict]) -> None:
    table = Table(title="Tillegg", show_lines=False)
    table.add_column("navn")
    table.add_column("fra")
    table.add_column("tilbyr")
    for r in rows:
        table.add_row(r["name"], r["origin"], ", ".join(r["offers"]))
    console.print(table)
    for s in skipped:
        click.echo(f"skipped plugin '{s['name']}': {s['error']}", err=True)
    sys.stdout.flush()
