"""Registers the sandbox's commands with the grunndata host."""
from __future__ import annotations

from typing import Any

from grunndata import hookimpl
from grunndata.sandbox.cli import sandbox_command
from grunndata.sandbox.demo import demo_command


@hookimpl
def grunndata_commands() -> list[Any]:
    return [sandbox_command, demo_command]
