"""click parameter types whose values and errors are written the consultant's way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
DAY_HELP = "{which} dag (2026-01-31 eller 31.01.2026)."


class NorwegianDate(click.ParamType):
    """A day, written ``2026-01-31`` or ``31.01.2026``; gives a :class:`datetime.date`."""

    name = "dato"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.fail(f"«{value}» er ikke en dato; skriv den som 2026-01-31 eller 31.01.2026", param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATO"


DATE = NorwegianDate()
