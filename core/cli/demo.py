"""``grunndata demo``: the whole sync on the shipped demo company, in-process, no network.

Runs plan and apply with SmartDok as master, then with PowerOffice as master,
each followed by a second plan that must have nothing left to write.

The one core module that imports the sandbox: it runs the engine against the
emulators. The imports wait until the command runs, so ``grunndata --help`` stays quick.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console

    from grunndata.journal import Journal
    from grunndata.sandbox.app import Sandbox

STANDARD_PROJECT = "9000"


def demo_world_path() -> Path:
    from grunndata.sandbox.demo import demo_world_path as path

    return path()


def _config(folder: Path, master: str) -> Path:
    import yaml

    from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL

    cfg: dict[str, object] = {
        "master": master,
        "smartdok": {"base_url": SMARTDOK_URL},
        "poweroffice": {"base_url": POWEROFFICE_URL, "token_url": POWEROFFICE_TOKEN_URL},
    }
    if master == "smartdok":
        cfg["standard_project"] = STANDARD_PROJECT
    path = folder / f"grunndata-{master}.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def _round(sb: Sandbox, config: Path, journal: Journal, console: Console) -> bool:
    from grunndata.engine import runner
    from grunndata.report.text import print_plan
    from grunndata.secrets import Secrets
    from grunndata.session import open_session

    # The sandbox accepts any non-empty credentials when the world names none.
    secrets = Secrets("demo-smartdok-token", "demo-application-key", "demo-client-key", "demo-subscription-key")
    session = open_session(str(config))
    master = "SmartDok" if session.config.master == "smartdok" else "PowerOffice"
    console.rule(f"[bold]{master} som master")
    async with runner.connect(session, secrets, transports=sb.transports(), rate_per_second=None) as conn:
        report = await runner.apply(
            session, conn, journal=journal, confirm=lambda p: True, on_plan=lambda p: print_plan(p, console)
        )
        s = report.summary()
        console.print(
            f"[bold]Gjennomført:[/] {s['ok']} skrevet, {s['recovered']} funnet igjen, {s['failed']} feilet "
            f"(kjøring {report.run_id} i journalen)."
        )
        for o in report.failed:
            console.print(f"[red]FEILET[/] {o.action.op} {o.action.entity} {o.action.key}: {o.detail}")
        before = sb.write_count("smartdok") + sb.write_count("poweroffice")
        again, _ = await runner.plan(session, conn)
        after = sb.write_count("smartdok") + sb.write_count("poweroffice")
        left = len(again.writes)
        console.print(f"Ny plan etterpå: {left} endringer igjen; planleggingen skrev {after - before} ganger.")
        return not report.failed and left == 0 and after == before


@click.command("demo")
@click.option("--world", "world_file", metavar="FILE", help="En annen verdensfil enn den medfølgende demoen.")
def demo(world_file: str | None) -> None:
    """Kjør grunndatasynken på et demoselskap i sandkassen (ingen nettverk, ingen nøkler)."""
    from rich.console import Console

    from grunndata.journal import Journal
    from grunndata.sandbox.app import Sandbox

    started = time.monotonic()
    console = Console(highlight=False)
    sb = Sandbox.from_file(world_file or demo_world_path(), rate_limit=False)
    console.print("[bold]grunndata demo[/]: Fjordbygg AS i sandkassen (SmartDok og PowerOffice i minnet).")
    with tempfile.TemporaryDirectory(prefix="grunndata-demo-") as tmp:
        folder = Path(tmp)
        journal = Journal(folder / "journal.sqlite")
        try:
            ok = True
            for master in ("smartdok", "poweroffice"):
                ok = asyncio.run(_round(sb, _config(folder, master), journal, console)) and ok
        finally:
            journal.close()
    stats = sb.stats()
    reads = sum(n for system in stats.values() for k, n in system.items() if k.startswith("GET "))
    console.rule()
    console.print(
        f"Forespørsler til sandkassen: {reads} lesinger, "
        f"{sb.write_count('smartdok')} skrivinger til SmartDok, "
        f"{sb.write_count('poweroffice')} til PowerOffice. Tid: {time.monotonic() - started:.1f} s."
    )
    if not ok:
        raise SystemExit(1)
