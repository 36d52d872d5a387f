"""Terminal output: errors to stderr, every line made safe to show, rich only for progress bars.

The reports themselves are built in :mod:`grunndata.report`; this module writes the odd line a
command prints itself. Messages may carry text from the systems (a vendor's error message, a
name), so each line goes through :func:`grunndata.report.safe.lines_shown`. rich is imported only
when a progress bar is actually drawn.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from grunndata.report.lines import emit
from grunndata.report.safe import lines_shown, shown

_console: Any = None


def get_console() -> Any:
    """The rich console of the progress bars (created, and rich imported, on first use)."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(highlight=False, soft_wrap=True, markup=False)
    return _console


def __getattr__(name: str) -> Any:  # ``output.console`` for older callers, still lazily
    if name == "console":
        return get_console()
    raise AttributeError(name)


def error(message: str) -> None:
    click.echo(lines_shown(message), err=True)


def ok(message: str) -> None:
    click.echo(lines_shown(message))


def report(as_json: bool, to_json: Callable[[], Any], human: Callable[[], None], *notes: str | None) -> None:
    """A command's report: JSON on stdout under ``--json``; else ``human()``, then each note given
    (what else the command wrote, and where)."""
    if as_json:
        click.echo(json.dumps(to_json(), indent=2, ensure_ascii=False))
        return
    human()
    for note in notes:
        if note:
            ok(note)


def plugins_table(rows: list[dict], skipped: list[dict]) -> None:
    width = max((len(shown(r["name"])) for r in rows), default=0)
    lines = ["Tillegg", ""]
    for r in rows:
        lines.append(f"  {shown(r['name']):<{width}}  fra {shown(r['origin'])}")
        if r["offers"]:
            lines.append(f"  {'':<{width}}  tilbyr {', '.join(shown(o) for o in r['offers'])}")
    emit(lines)
    for s in skipped:
        click.echo(f"hoppet over tillegget '{shown(s['name'])}': {shown(s['error'])}", err=True)
    sys.stdout.flush()


def _stdout_is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class Progress:
    """A progress bar for long applies; silent for short ones, in JSON mode and when piped."""

    def __init__(self, enabled: bool = True, threshold: int = 20):
        self.enabled = enabled and _stdout_is_terminal()
        self.threshold = threshold
        self.total = 0
        self._bar: Any = None
        self._task: Any = None

    def advance(self, _outcome: Any) -> None:
        if not self.enabled or self.total < self.threshold:
            return
        if self._bar is None:
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(console=get_console(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("Skriver", total=self.total)
        self._bar.advance(self._task)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
