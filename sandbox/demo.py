"""The demo company, Fjordbygg AS: the world ``grunndata sandbox`` serves and ``grunndata demo`` syncs.

Only where the world is: the demo command itself, which runs the engine, is
:mod:`grunndata.cli.demo` (the emulators never import the engine).
"""

from __future__ import annotations

from pathlib import Path

EXAMPLE_WORLD = Path(__file__).resolve().parent / "worlds" / "demo.yaml"


def demo_world_path() -> Path:
    return EXAMPLE_WORLD
