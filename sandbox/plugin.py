"""Registers the sandbox's command (``grunndata sandbox``) with the grunndata host.

``grunndata demo`` runs the engine, so it is a core command (:mod:`grunndata.cli.demo`).
"""

from __future__ import annotations

from typing import Any

from grunndata import hookimpl
from grunndata.sandbox.cli import sandbox_command


@hookimpl
def grunndata_commands() -> list[Any]:
    return [sandbox_command]
