"""Registers the sandbox's commands with the grunndata host."""
from __future__ import annotations

from typing import Any

from grunndata import hookimpl


@hookimpl
def grunndata_commands() -> list[Any]:
    return []
