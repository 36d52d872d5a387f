"""A month of invoice bases through ``grunndata invoice``: the request figure, and SIGKILL mid-run.

``python -m benchmarks.invoice_month`` (``--bases 500 --lines 10 --kills 10``) runs, on the
generated world of :mod:`grunndata.sandbox.invoice_world` (one basis held back for its customer,
one for a product PowerOffice lacks):

1. **the figure**, in process, with the sandbox enforcing PowerOffice's 10 requests per second and
   the client pacing itself to it: requests per endpoint, wall time, against the fewest possible
   (one list of the orders this integration made, the four PowerOffice lists the bases are mapped
   against, and one ``POST /SalesOrders/Complete`` per order, its lines in it), then the same
   period again (no write);
2. **the crashes**, over loopback HTTP through the real command line: ``grunndata invoice --yes``
   killed with SIGKILL ``kills`` times at a random point of its writes, then run to the end, then
   once more; every order must be in PowerOffice once and every line once.

Results go to ``benchmarks/RESULTS.md`` (the section between the invoice markers, among the notes
``benchmarks.run`` keeps). The suite runs the crash part small (tests/invoice/test_invoice_crash.py).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmarks import results_file
from grunndata.sandbox import Sandbox
from grunndata.sandbox.invoice_world import END, START, month_of_invoices
from grunndata.sandbox.server import serve_in_thread

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN_MARK = "<!-- invoice-month: start (written by python -m benchmarks.invoice_month) -->"
END_MARK = "<!-- invoice-month: end -->"
PERIOD = ["--from", START.isoformat(), "--to", END.isoformat()]
# The sandbox takes any non-empty credentials: each variable gets a placeholder made from its name.
SECRETS = {name: f"sandbox-{name.lower()}" for name in (
    "SMARTDOK_API_TOKEN", "POWEROFFICE_APPLICATION_KEY", "POWEROFFICE_CLIENT_KEY", "POWEROFFICE_SUBSCRIPTION_KEY")}
# What the invoice source maps against in PowerOffice (read once each).
MASTER_LISTS = ("GET /v2/Projects", "GET /v2/Customers", "GET /v2/Products", "GET /v2/TimeTracking/Activity")


def world(bases: int, lines: int) -> dict[str, Any]:
    return month_of_invoices(bases, lines, wrong_customer=1, missing_product=1)


def write_config(tmp: Path, sd: str, po: str, token: str) -> Path:
    path = tmp / "grunndata.yaml"
    path.write_text(yaml.safe_dump({"master": "smartdok", "standard_project": "4001", "smartdok": {"base_url": sd},
                                    "poweroffice": {"base_url": po, "token_url": token}}), encoding="utf-8")
    return path


def exactly_once(sb: Sandbox) -> dict[str, int]:
    """Orders and lines in PowerOffice against the bases: twice, missing and unexpected, counted."""
    w = sb.world()
    orders = w["poweroffice"].get("SalesOrders") or []
    refs = Counter(o.get("ExternalImportReference") for o in orders)
    lines = Counter(x.get("ExternalImportReference") for o in orders for x in o.get("SalesOrderLines") or [])
    want_orders, want_lines = set(), set()
    for basis in w["smartdok"]["Invoices"]:
        ref = f"smartdok-invoice-{basis['Id']}"
        if basis.get("IsDraft") or basis.get("Credited"):
            continue
        want_orders.add(ref)
        want_lines |= {f"{ref}-{x['Id']}" for x in basis["InvoiceLines"]}
    held = want_orders - set(refs)  # held back on purpose: checked by the caller
    want_lines = {x for x in want_lines if x.rsplit("-", 1)[0] not in held}
    return {"orders": len(refs), "lines": sum(lines.values()), "orders_twice": sum(n - 1 for n in refs.values() if n > 1),
            "lines_twice": sum(n - 1 for n in lines.values() if n > 1), "held": len(held),
            "lines_missing": len(want_lines - set(lines)), "unexpected": len(set(refs) - want_orders)}


# ---- 1. the figure -----------------------------------------------------------------------------
def figure(bases: int, lines: int) -> dict[str, Any]:
    from grunndata.engine import invoice as engine
    from grunndata.engine import runner
    from grunndata.journal import Journal
    from grunndata.secrets import Secrets
    from grunndata.session import open_session

    sb = Sandbox(world(bases, lines), rate_limit=True)
    out: dict[str, Any] = {"bases": bases, "lines": bases * lines}
    with tempfile.TemporaryDirectory() as tmp:
        cfg = write_config(Path(tmp), "http://smartdok.sandbox", "http://poweroffice.sandbox/v2",
                           "http://poweroffice.sandbox/OAuth/Token")
        session = open_session(str(cfg))
        secrets = Secrets(*SECRETS.values())

        def one(label: str) -> None:
            journal = Journal(Path(tmp) / "journal.sqlite")
            journal.lock()
            sb.reset(sb.world())  # the same state, fresh counters

            async def go():
                async with runner.connect(session, secrets, transports=sb.transports(), rate_per_second=10.0) as c:
                    return await engine.invoice(session, c, START, END, journal=journal)
            started, cpu = time.perf_counter(), time.process_time()
            try:
                report = asyncio.run(go())
            finally:
                journal.close()
            stats = sb.stats()
            out[label] = {"wall_s": time.perf_counter() - started, "cpu_s": time.process_time() - cpu,
                          "summary": report.summary(), "requests": stats,
                          "po_requests": sum(stats["poweroffice"].values()),
                          "sd_requests": sum(stats["smartdok"].values())}
        one("first")
        one("again")
    out["check"] = exactly_once(sb)
    sent = out["first"]["summary"]["ok"]
    # The fewest PowerOffice allows: a token, our orders' list, the four lists mapped against, one
    # request per order; SmartDok: sign-in, the bases, the five registers mapped against.
    out["fewest_po"] = 1 + 1 + len(MASTER_LISTS) + sent
    out["fewest_again_po"] = 1 + 1 + len(MASTER_LISTS)
    out["per_line_po"] = out["fewest_po"] + out["lines"] - out["check"]["held"] * lines  # if each line were a request
    return out


# ---- 2. the crashes ----------------------------------------------------------------------------
@dataclass
class CrashResult:
    bases: int
    lines: int
    kills: int
    seed: int
    planned_writes: int = 0
    moments: list[str] = field(default_factory=list)
    killed_while_running: int = 0
    killed_while_writing: int = 0
    exited_before_kill: int = 0
    final: dict[str, Any] = field(default_factory=dict)
    again: dict[str, Any] = field(default_factory=dict)
    check: dict[str, int] = field(default_factory=dict)
    statuses: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _env() -> dict[str, str]:
    return {**os.environ, **SECRETS, "GRUNNDATA_POWEROFFICE_RATE": "0", "PYTHONUNBUFFERED": "1"}


def _cmd(*extra: str) -> list[str]:
    return [sys.executable, "-m", "grunndata.cli.main", "invoice", *PERIOD, *extra]


def _killed_run(sb: Sandbox, workdir: Path, writes: int) -> tuple[str, str]:
    """One ``grunndata invoice --yes``, SIGKILLed once PowerOffice has taken ``writes`` more writes
    (or after a minute). How it ended: ``exited`` before the kill, ``killed``, or ``killed writing``
    (a write of this run had reached PowerOffice); and what it wrote to stderr."""
    before = sb.write_count("poweroffice")
    proc = subprocess.Popen(_cmd("--yes"), cwd=workdir, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while proc.poll() is None and sb.write_count("poweroffice") < before + writes and time.monotonic() < deadline:
        time.sleep(0.002)
    ended = "exited"
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ended = "killed writing" if sb.write_count("poweroffice") > before else "killed"
    _, err = proc.communicate()  # the rest of stderr, and the pipe closed
    return ended, err or ""


def run_crashes(bases: int, lines: int, kills: int, seed: int, workdir: Path, *, delay: float = 0.004) -> CrashResult:
    """SIGKILL ``grunndata invoice --yes`` ``kills`` times mid-write, then run it to the end and once more."""
    workdir.mkdir(parents=True, exist_ok=True)
    result = CrashResult(bases, lines, kills, seed)
    rng = random.Random(seed)
    sb = Sandbox(world(bases, lines), rate_limit=False)
    # Each order takes a moment, as over a real network: the kills land between and during writes.
    sb.add_fault("poweroffice", "POST", "/v2/SalesOrders/Complete", delay=delay, count=10 ** 6)
    started = time.monotonic()
    with serve_in_thread(sb) as urls:
        write_config(workdir, urls.smartdok, urls.poweroffice, urls.token)
        planned = bases - 2  # every basis but the two held back
        result.planned_writes = planned
        step = max(1, planned // max(1, kills))  # on average half of a share per kill: the last run has work left
        for _ in range(kills):
            after = rng.randint(1, step)
            result.moments.append(f"+{after} writes")
            ended, err = _killed_run(sb, workdir, after)
            result.exited_before_kill += ended == "exited"
            result.killed_while_running += ended != "exited"
            result.killed_while_writing += ended == "killed writing"
            if "internal error" in err or "Traceback" in err:
                result.stderr.append(err[-2000:])
        final = subprocess.run(_cmd("--yes", "--json"), cwd=workdir, env=_env(), capture_output=True, text=True,
                               timeout=600)
        if final.returncode != 0:
            raise RuntimeError(f"the final run failed ({final.returncode}): {final.stderr[-2000:]}")
        data = json.loads(final.stdout)
        result.final = {"summary": data["summary"], "outcome": data["outcome"]}
        again = subprocess.run(_cmd("--yes", "--json"), cwd=workdir, env=_env(), capture_output=True, text=True,
                               timeout=600)
        data = json.loads(again.stdout)
        result.again = {"summary": data["summary"], "outcome": data["outcome"], "exit": again.returncode}
        result.check = exactly_once(sb)
        from grunndata.journal import Journal

        journal = Journal(workdir / "grunndata-journal.sqlite")  # what «grunndata history» shows, read here
        try:
            result.statuses = [r["status"] for r in reversed(journal.runs(limit=1000))]
        finally:
            journal.close()
    result.seconds = time.monotonic() - started
    return result


# ---- the section in RESULTS.md -----------------------------------------------------------------
def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ") if isinstance(value, int) else f"{value:,.1f}".replace(",", " ")


def section(fig: dict[str, Any], crash: CrashResult | None) -> str:
    first, again = fig["first"], fig["again"]
    po = first["requests"]["poweroffice"]
    out = [BEGIN_MARK, "", "## invoice: a month of invoice bases to PowerOffice sales order drafts", "",
           f"`python -m benchmarks.invoice_month`: {fig['bases']} invoice bases with {fig['lines']} lines "
           f"(`grunndata.sandbox.invoice_world`, one held back for its customer and one for a product), in process; "
           "the sandbox enforces PowerOffice's 10 requests per second and the client paces itself to it.", "",
           "| run | PowerOffice requests | fewest possible | SmartDok requests | orders sent | wall s at 10/s | CPU s |",
           "|---|---:|---:|---:|---:|---:|---:|",
           f"| first | {first['po_requests']} | {fig['fewest_po']} | {first['sd_requests']} | "
           f"{first['summary']['ok']} | {first['wall_s']:.1f} | {first['cpu_s']:.1f} |",
           f"| same period again | {again['po_requests']} | {fig['fewest_again_po']} | {again['sd_requests']} | "
           f"{again['summary']['ok']} | {again['wall_s']:.1f} | {again['cpu_s']:.1f} |", "",
           "PowerOffice requests of the first run: " + ", ".join(f"`{k}` {v}" for k, v in sorted(po.items())) + ".",
           "",
           f"One `POST /SalesOrders/Complete` carries an order and all its lines, so {fig['lines']} lines cost "
           f"{first['summary']['ok']} writes; an empty order and then each line on its own "
           f"(`POST /SalesOrders/{{id}}/Lines`) would be {fig['per_line_po']} requests, about {fig['per_line_po'] / 10:.0f} s at 10 requests per second "
           f"against {fig['fewest_po'] / 10:.0f} s. The time is the rate limit's: "
           f"{first['po_requests']} requests / 10 per second = {first['po_requests'] / 10:.1f} s. Exactly once: "
           f"{fig['check']['orders_twice']} orders and {fig['check']['lines_twice']} lines twice, "
           f"{fig['check']['lines_missing']} lines missing."]
    if crash is not None:
        c = crash.check
        out += ["", f"**SIGKILL mid-run**: {crash.bases} bases ({crash.bases * crash.lines} lines) over loopback HTTP "
                f"through `grunndata invoice --yes`, killed {crash.kills} times (seed {crash.seed}; "
                f"{crash.killed_while_writing} kills landed after a write of that run had reached PowerOffice, "
                f"{crash.exited_before_kill} runs ended before their kill), then run to the end and once more: "
                f"{c['orders']} orders ({c['held']} held back), {c['lines']} lines; "
                f"{c['orders_twice']} orders and {c['lines_twice']} lines twice, {c['lines_missing']} lines missing; "
                f"the run after sent {crash.again['outcome']['planned_writes']} writes. Journal: "
                f"{crash.statuses.count('interrupted')} runs interrupted, {crash.statuses.count('ok')} ok "
                f"({crash.seconds:.0f} s in all)."]
    return "\n".join([*out, "", END_MARK])


def write_section(text: str, path: Path = RESULTS) -> None:
    """In place of the old section, else at the top of the hand-written notes (which ``benchmarks.run`` keeps)."""
    results_file.write_section(path, text, BEGIN_MARK, END_MARK, below_notes_marker=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.invoice_month", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bases", type=int, default=500)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--no-crash", action="store_true", help="the figure only")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    fig = figure(args.bases, args.lines)
    print(json.dumps({k: v for k, v in fig.items() if k not in ("first", "again")}), flush=True)
    crash = None
    if not args.no_crash:
        with tempfile.TemporaryDirectory() as tmp:
            crash = run_crashes(args.bases, args.lines, args.kills, args.seed, Path(tmp))
        print(json.dumps(crash.__dict__, default=str)[:2000], flush=True)
    write_section(section(fig, crash), args.out)
    ok = fig["check"]["orders_twice"] == fig["check"]["lines_twice"] == fig["check"]["lines_missing"] == 0
    if crash is not None:
        ok = ok and crash.check["orders_twice"] == crash.check["lines_twice"] == crash.check["lines_missing"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
