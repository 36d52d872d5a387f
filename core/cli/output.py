"""Terminal output: errors to stderr, tables through rich."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from grunndata.lazy import lazy, lazy_instance

# rich is imported when the first table or line is drawn, not when a command starts.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
else:
    Console = lazy("rich.console", "Console")
    Table = lazy("rich.table", "Table")
console = lazy_instance(lambda: Console(highlight=False, soft_wrap=True))


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


class Progress:
    """A progress bar for long applies; silent for short ones and in JSON mode."""

    def __init__(self, enabled: bool = True, threshold: int = 20):
        self.enabled = enabled and console.is_terminal
        self.threshold = threshold
        self.total = 0
        self._bar = None
        self._task = None

    def advance(self, _outcome) -> None:
        if not self.enabled or self.total < self.threshold:
            return
        if self._bar is None:
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(console=console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("Skriver", total=self.total)
        self._bar.advance(self._task)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def runs_table(runs: list[dict]) -> None:
    table = Table(title="Kjøringer", title_justify="left")
    for col in ("kjøring", "startet", "ferdig", "master", "status", "skrevet", "feilet"):
        table.add_column(col)
    for r in runs:
        s = r.get("summary") or {}
        table.add_row(str(r["id"]), r["started_at"], r.get("finished_at") or "-", r["master"], r["status"],
                      str(s.get("ok", 0) + s.get("recovered", 0)), str(s.get("failed", 0)))
    console.print(table)


def run_detail(run: dict) -> None:
    click.echo(f"Kjøring {run['id']}: {run['status']}, startet {run['started_at']}, master {run['master']}, "
               f"regler {run['config_hash']}")
    table = Table(title_justify="left")
    for col in ("#", "handling", "i", "nøkkel", "utfall", "id", "detaljer"):
        table.add_column(col, overflow="fold")
    for a in run["actions"]:
        table.add_row(str(a["seq"]), f"{a['op']} {a['entity']}", a["target"], a["key"], a["outcome"],
                      a.get("remote_id") or "", a.get("detail") or "")
    console.print(table)
    if run.get("lines"):  # a transfer run: both steps of every row
        lines = Table(title_justify="left")
        for col in ("#", "handling", "type", "referanse", "utfall", "PowerOffice", "SmartDok merket", "detaljer"):
            lines.add_column(col, overflow="fold")
        for line in run["lines"]:
            lines.add_row(str(line["seq"]), line["op"], line["kind"], line["reference"], line["outcome"],
                          line.get("po_accepted_at") or "", line.get("sd_marked_at") or "", line.get("detail") or "")
        console.print(lines)
