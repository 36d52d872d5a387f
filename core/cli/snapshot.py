"""``grunndata snapshot``: both real systems as a sandbox world file, for support work."""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from grunndata import asyncrun
from grunndata import secrets as env_secrets
from grunndata.engine import runner
from grunndata.session import open_session

HEADER = (
    "# Snapshot of SmartDok and PowerOffice, written by 'grunndata snapshot'.\n"
    "# Load it with: grunndata sandbox --world FILE\n"
)


@click.command()
@click.option(
    "-c", "--config", "config_path", metavar="FILE", help="Oppsettfil (standard: grunndata.yaml i arbeidsmappen)."
)
@click.option("-o", "--output", "out", metavar="FILE", help="Verdensfil å skrive (standard: skjermen).")
def snapshot(config_path: str | None, out: str | None) -> None:
    """Les begge systemer og skriv dem som en verdensfil for sandkassen."""
    session = open_session(config_path)

    async def read():
        async with runner.connect(session, env_secrets.from_environment()) as conn:
            return await runner.read_snapshot(conn)

    world = asyncrun.run(read()).as_world()
    text = HEADER + yaml.safe_dump(world, allow_unicode=True, sort_keys=False, width=120)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        counts = ", ".join(
            f"{session.rules.system_name(system)}: {sum(len(v) for v in world[system].values())}" for system in world
        )
        click.echo(f"skrev {out} (poster: {counts})")
    else:
        click.echo(text, nl=False)
