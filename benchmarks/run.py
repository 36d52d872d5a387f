"""The benchmarks, in one command: ``python -m benchmarks.run`` (``--quick`` for a short run).

Measures, on worlds from :mod:`benchmarks.worldgen` served by the in-process sandbox:

* ``plan`` (read both systems, then plan) at 1k, 10k, 50k and 100k projects: wall time,
  split into reading and the engine, and peak memory; each size in its own process;
* HTTP requests per resource against the fewest the APIs allow, and per-record GETs;
* ``apply`` throughput to PowerOffice through a sandbox that enforces 10 requests/second,
  alone and with injected 429s (no write may be lost);

and writes the tables to ``benchmarks/RESULTS.md``, keeping its hand-written notes.

Memory is measured with :mod:`tracemalloc`, started just before the plan (so the sandbox's
world, loaded earlier in the same process, is not counted) in a run of its own, since
tracing slows allocation down; the timed runs are untraced. The process's peak RSS
(``resource.getrusage``, sandbox included) is shown beside it.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import yaml

from benchmarks.results_file import NOTES_MARKER
from benchmarks.worldgen import STANDARD_PROJECT, generate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"

FULL_SIZES = (1_000, 10_000, 50_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
APPLY_PROJECTS = 1_200     # about 200 writes pending to PowerOffice (SmartDok as master)
QUICK_APPLY_PROJECTS = 400  # about 70
PO_MAX_PAGE = 20_000       # the PowerOffice v2 spec's MaxPageSize
WRITE_PATHS = ("/v2/Projects", "/v2/Projects/{id}", "/v2/Products", "/v2/Products/{id}",
               "/v2/TimeTracking/Activity", "/v2/TimeTracking/Activity/{id}")

TARGETS = {"plan_10k_s": 3.0, "plan_10k_mb": 250.0, "plan_100k_s": 30.0, "plan_100k_mb": 1024.0,
           "ratio_100k_10k": 12.0, "reads_over_min": 1.01, "apply_writes_per_s": 9.0}


# --- a session and clients on the sandbox --------------------------------------------------------
def open_bench_session(master: str = "smartdok"):
    """A session on the shipped rules, with the sandbox's URLs; SmartDok as master by default."""
    from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL
    from grunndata.session import open_session

    folder = Path(tempfile.mkdtemp(prefix="grunndata-bench-"))
    path = folder / "grunndata.yaml"
    path.write_text(yaml.safe_dump({
        "master": master, "standard_project": STANDARD_PROJECT,
        "smartdok": {"base_url": SMARTDOK_URL},
        "poweroffice": {"base_url": POWEROFFICE_URL, "token_url": POWEROFFICE_TOKEN_URL},
    }), encoding="utf-8")
    return open_session(str(path))


def bench_secrets():
    from grunndata.secrets import Secrets

    return Secrets("bench-sd-token", "bench-app-key", "bench-client-key", "bench-sub-key")


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts the statuses a client sees (the sandbox counts requests, not answers)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.statuses: dict[int, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# --- plan ----------------------------------------------------------------------------------------
def fewest_requests(snapshot) -> dict[str, dict[str, int]]:
    """The fewest requests that read this snapshot: PowerOffice lists carry no total, so n records
    take n // MaxPageSize + 1 pages (the last one short or a 204); SmartDok lists come whole in
    one answer (``TotalCount``), once per distinct read the plugins declare (Additions twice, one
    per kind); plus one sign-in per system."""
    from grunndata.plugin.manager import load_host

    sd = {"POST /Authorize/ApiToken": 1}
    po = {"POST /OAuth/Token": 1}
    for read in load_host().reads:
        if read.system == "smartdok":
            sd[f"GET /{read.resource}"] = sd.get(f"GET /{read.resource}", 0) + 1
        else:
            po[f"GET /v2/{read.resource}"] = len(snapshot.records("poweroffice", read.resource)) // PO_MAX_PAGE + 1
    return {"smartdok": sd, "poweroffice": po}


async def _timed_plan(session, sb, after_read=None) -> dict[str, Any]:
    from grunndata.engine import runner
    from grunndata.engine.planner import make_plan

    async with runner.connect(session, bench_secrets(), transports=sb.transports(), rate_per_second=10.0) as conn:
        c0, t0 = time.process_time(), time.perf_counter()
        snapshot = await runner.read_snapshot(conn)
        c1, t1 = time.process_time(), time.perf_counter()
        if after_read is not None:
            after_read()
        c1b, t1b = time.process_time(), time.perf_counter()
        plan = make_plan(session, snapshot)
        c2, t2 = time.process_time(), time.perf_counter()
    return {"read_s": t1 - t0, "engine_s": t2 - t1b, "total_s": (t1 - t0) + (t2 - t1b),
            "cpu_s": (c1 - c0) + (c2 - c1b), "plan": plan, "snapshot": snapshot}


def _fresh_counters(sb) -> None:
    with sb.lock:
        for control in sb.controls.values():
            control.clear_stats()
        sb.rate_windows.clear()


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def measure_plan(projects: int, master: str, repeats: int) -> dict[str, Any]:
    """One size, in this process: timed runs (best of ``repeats``), then one traced for memory."""
    from grunndata.sandbox import Sandbox

    t0 = time.perf_counter()
    world = generate(projects)
    gen_s = time.perf_counter() - t0
    sb = Sandbox(world, rate_limit=True)
    setup_s = time.perf_counter() - t0
    del world
    session = open_bench_session(master)
    runs = []
    stats = None
    for i in range(repeats):
        _fresh_counters(sb)
        gc.collect()
        result = asyncio.run(_timed_plan(session, sb))
        if stats is None:
            stats = sb.stats()
            snapshot, plan = result["snapshot"], result["plan"]
        runs.append({k: result[k] for k in ("read_s", "engine_s", "total_s", "cpu_s")})
        del result
    best = min(runs, key=lambda r: r["total_s"])
    minimum = fewest_requests(snapshot)
    record_counts = {system: {name: len(rows) for name, rows in getattr(snapshot, system).items()}
                     for system in ("smartdok", "poweroffice")}
    records = {system: sum(counts.values()) for system, counts in record_counts.items()}
    summary = plan.summary()
    del snapshot, plan
    # Memory: a run of its own, traced from just before the plan.
    _fresh_counters(sb)
    gc.collect()
    rss_before = _rss_mb()
    read_mem: dict[str, float] = {}

    def after_read() -> None:
        read_mem["held"], read_mem["peak"] = tracemalloc.get_traced_memory()

    tracemalloc.start()
    asyncio.run(_timed_plan(session, sb, after_read))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per_record_gets = {k: v for system in stats.values() for k, v in system.items()
                       if k.startswith("GET ") and "{" in k}
    return {
        "projects": projects, "master": master, "records": records, "record_counts": record_counts, "generate_s": gen_s, "setup_s": setup_s,
        "runs": runs, "best": best, "peak_mb": peak / 2**20,
        "snapshot_mb": read_mem["held"] / 2**20, "read_peak_mb": read_mem["peak"] / 2**20, "rss_before_mb": rss_before,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "requests": stats, "fewest": minimum, "per_record_gets": per_record_gets, "summary": summary,
    }


def plan_in_child(projects: int, master: str, repeats: int) -> dict[str, Any]:
    """Run :func:`measure_plan` in a fresh interpreter, so sizes do not share a heap."""
    cmd = [sys.executable, "-m", "benchmarks.run", "--child-plan", str(projects), "--master", master,
           "--repeats", str(repeats)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=HERE.parent, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- apply ---------------------------------------------------------------------------------------
async def _apply(session, sb, *, inject_429: bool) -> dict[str, Any]:
    from grunndata.engine import runner

    transports = {name: CountingTransport(t) for name, t in sb.transports().items()}
    marks: dict[str, float] = {}
    done: list[float] = []
    injected = 0
    stop = asyncio.Event()

    async def noise() -> None:
        # Another integration on the same subscription key, now and then taking the last
        # request of a second: every 3 s the next request to each PowerOffice write path
        # answers 429 "Try again in 1 seconds" (a fault not yet used is replaced, not piled up).
        nonlocal injected
        while not stop.is_set():
            await asyncio.sleep(3.0)
            sb.clear_faults("poweroffice")
            for path in WRITE_PATHS:
                sb.add_fault("poweroffice", "*", path, count=1, status=429, retry_after=1)
            injected += 1

    def on_plan(plan) -> None:
        marks["writes_from"] = time.perf_counter()

    def progress(outcome) -> None:
        done.append(time.perf_counter())

    async with runner.connect(session, bench_secrets(), transports=transports, rate_per_second=10.0) as conn:
        task = asyncio.create_task(noise()) if inject_429 else None
        t0 = time.perf_counter()
        report = await runner.apply(session, conn, on_plan=on_plan, progress=progress)
        t1 = time.perf_counter()
        stop.set()
        if task is not None:
            task.cancel()
        sb.clear_faults()
        again, _ = await runner.plan(session, conn)
    writes = len(report.plan.writes)
    window = (done[-1] - marks["writes_from"]) if done else 0.0
    po_stats = sb.stats()["poweroffice"]
    write_requests = sum(v for k, v in po_stats.items() if k.split()[0] in ("POST", "PATCH", "PUT", "DELETE")
                         and not k.endswith("/OAuth/Token"))
    return {
        "inject_429": inject_429, "writes": writes, "summary": report.summary(),
        "wall_s": t1 - t0, "write_window_s": window, "writes_per_s": writes / window if window else 0.0,
        "status_429": transports["poweroffice"].statuses.get(429, 0),
        "write_requests": write_requests, "sandbox_writes": sb.write_count("poweroffice"),
        "left_after": len(again.writes),
        "lost": writes - report.summary()["ok"] - report.summary()["recovered"],
    }


def measure_apply(projects: int) -> list[dict[str, Any]]:
    from grunndata.sandbox import Sandbox

    session = open_bench_session("smartdok")
    world = generate(projects)
    results = []
    for inject in (False, True):
        sb = Sandbox(world, rate_limit=True)
        results.append(asyncio.run(_apply(session, sb, inject_429=inject)))
    return results


# --- report --------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")) / 2**20
        memory = f"{mem:.0f} GB RAM"
    except (OSError, StopIteration):
        memory = "RAM unknown"
    return {"cpu": f"{cpu}, {os.cpu_count()} cores, {memory}", "os": platform.platform(),
            "python": platform.python_version(), "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def _total(counts: dict[str, dict[str, int]]) -> int:
    return sum(sum(v.values()) for v in counts.values())


def render(plans: list[dict[str, Any]], applies: list[dict[str, Any]], quick: bool) -> str:
    m = machine()
    out = ["# Benchmark results", "",
           f"Written by `python -m benchmarks.run{' --quick' if quick else ''}` on {m['date']}.  ",
           f"Machine: {m['cpu']}; {m['os']}; Python {m['python']}.", "",
           "## plan: read both systems, then plan (in-process sandbox)", "",
           "SmartDok as master; the PowerOffice client paced at 10 requests/s and the sandbox enforcing it. "
           "Time is the best of the timed runs; memory is the peak Python heap allocated during a separate "
           "plan run (tracemalloc, started after the sandbox had loaded its world); max RSS is the whole "
           "process, sandbox and its world included.", "",
           "| projects | records read (SD / PO) | read s | engine s | **plan s** | CPU s | **peak MB** "
           "| of which snapshot | max RSS MB | requests / fewest | per-record GETs | actions (writes) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in plans:
        b = p["best"]
        writes = sum(p["summary"].get(op, 0) for op in ("create", "update", "finish"))
        out.append(f"| {p['projects']:,} | {p['records']['smartdok']:,} / {p['records']['poweroffice']:,} "
                   f"| {b['read_s']:.2f} | {b['engine_s']:.2f} | **{b['total_s']:.2f}** | {b['cpu_s']:.2f} "
                   f"| **{p['peak_mb']:.0f}** | {p['snapshot_mb']:.0f} | {p['max_rss_mb']:.0f} | {_total(p['requests'])} / {_total(p['fewest'])} "
                   f"| {sum(p['per_record_gets'].values())} | {p['summary']['total']:,} ({writes:,}) |")
    by_size = {p["projects"]: p for p in plans}
    ratio = None
    if 10_000 in by_size and 100_000 in by_size:
        ratio = by_size[100_000]["best"]["total_s"] / by_size[10_000]["best"]["total_s"]
        cpu_ratio = by_size[100_000]["best"]["cpu_s"] / by_size[10_000]["best"]["cpu_s"]
        out += ["", f"Growth: plan at 100k / plan at 10k = **{ratio:.1f}** wall, {cpu_ratio:.1f} CPU "
                    "(linear would be 10; the world grows 10x, the PowerOffice requests do not)."]
    largest = plans[-1]
    out += ["", f"### Requests per resource at {largest['projects']:,} projects", "",
            "| system | request | records | sent | fewest possible |", "|---|---|---:|---:|---:|"]
    for system in ("smartdok", "poweroffice"):
        for key, fewest in largest["fewest"][system].items():
            resource_name = key.split(" ", 1)[1].removeprefix("/v2/").lstrip("/")
            count = largest.get("record_counts", {}).get(system, {}).get(resource_name, "")
            out.append(f"| {system} | `{key}` | {count} | {largest['requests'][system].get(key, 0)} | {fewest} |")
        extra = {k: v for k, v in largest["requests"][system].items() if k not in largest["fewest"][system]}
        for key, sent in extra.items():
            out.append(f"| {system} | `{key}` | | {sent} | 0 |")
    out += ["", "## apply: writes to PowerOffice at 10 requests/second", "",
            "The sandbox enforces PowerOffice's limit (10 requests in any sliding second per subscription key, "
            "429 beyond); the client is paced at `rate_per_second=10`. Writes/s is counted from the moment the "
            "plan is ready to the last outcome. With 429s: every 3 s the sandbox answers the next request "
            "to each PowerOffice write path with 429 \"Try again in 1 seconds\"; the client must pause (all its "
            "tasks) for that second and send the write again.", "",
            "| run | planned writes | ok | write requests | **writes/s** | 429 answers | lost writes | writes left after |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for a in applies:
        name = "with injected 429s" if a["inject_429"] else "alone"
        out.append(f"| {name} | {a['writes']} | {a['summary']['ok'] + a['summary']['recovered']} "
                   f"| {a['write_requests']} | **{a['writes_per_s']:.2f}** | {a['status_429']} | {a['lost']} "
                   f"| {a['left_after']} |")
    out += ["", "## Targets", "", "| target | measured | met |", "|---|---|:---:|"]

    def row(text: str, measured: str, ok: bool | None) -> None:
        out.append(f"| {text} | {measured} | {'yes' if ok else ('—' if ok is None else '**no**')} |")

    t = TARGETS
    if 10_000 in by_size:
        p = by_size[10_000]
        row("plan, 10k projects: under 3 s", f"{p['best']['total_s']:.2f} s", p["best"]["total_s"] < t["plan_10k_s"])
        row("plan, 10k projects: under 250 MB", f"{p['peak_mb']:.0f} MB", p["peak_mb"] < t["plan_10k_mb"])
    if 100_000 in by_size:
        p = by_size[100_000]
        row("plan, 100k projects: under 30 s", f"{p['best']['total_s']:.2f} s", p["best"]["total_s"] < t["plan_100k_s"])
        row("plan, 100k projects: under 1 GB", f"{p['peak_mb']:.0f} MB", p["peak_mb"] < t["plan_100k_mb"])
    if ratio is not None:
        row("linear growth: 100k / 10k at most 12", f"{ratio:.1f}", ratio <= t["ratio_100k_10k"])
    worst = max(_total(p["requests"]) / _total(p["fewest"]) for p in plans)
    row("reads within 1 % of the fewest possible", f"worst {100 * (worst - 1):.1f} % over",
        worst <= t["reads_over_min"])
    gets = sum(sum(p["per_record_gets"].values()) for p in plans)
    row("no per-record GET while planning", f"{gets}", gets == 0)
    alone = next((a for a in applies if not a["inject_429"]), None)
    if alone is not None:
        row("apply alone: at least 9 writes/s", f"{alone['writes_per_s']:.2f} writes/s",
            alone["writes_per_s"] >= t["apply_writes_per_s"])
        row("apply alone: no 429", f"{alone['status_429']}", alone["status_429"] == 0)
        row("apply alone: exactly one request per write", f"{alone['write_requests']} for {alone['writes']}",
            alone["write_requests"] == alone["writes"])
    noisy = next((a for a in applies if a["inject_429"]), None)
    if noisy is not None:
        row("apply with injected 429s: no write lost", f"{noisy['status_429']} × 429, {noisy['lost']} lost, "
            f"{noisy['left_after']} left", noisy["lost"] == 0 and noisy["left_after"] == 0)
    return "\n".join(out) + "\n"


def write_results(text: str, path: Path = RESULTS) -> None:
    from benchmarks.cli_output import kept_section

    notes = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = old.split(NOTES_MARKER, 1)[1]
    kept = kept_section(path)  # the command-line section has its own benchmark: carried over
    path.write_text(text + ("\n" + kept + "\n" if kept else "") + "\n" + NOTES_MARKER + (notes or "\n\n"),
                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, and a smaller apply (about a minute)")
    parser.add_argument("--sizes", help="comma-separated project counts (default 1000,10000,50000,100000)")
    parser.add_argument("--master", default="smartdok", choices=("smartdok", "poweroffice"))
    parser.add_argument("--no-apply", action="store_true", help="skip the apply benchmark")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the results go (default benchmarks/RESULTS.md)")
    parser.add_argument("--cli-output", action="store_true",
                        help="also time plan as text and as JSON through the command line (benchmarks.cli_output)")
    parser.add_argument("--child-plan", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_plan:
        result = measure_plan(args.child_plan, args.master, args.repeats or 1)
        print(json.dumps(result))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(QUICK_SIZES if args.quick else FULL_SIZES)
    plans = []
    for n in sizes:
        repeats = 3 if n <= 10_000 else 2
        print(f"plan at {n:,} projects ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        p = plan_in_child(n, args.master, repeats)
        print(f"  plan {p['best']['total_s']:.2f} s (read {p['best']['read_s']:.2f} + engine {p['best']['engine_s']:.2f}),"
              f" peak {p['peak_mb']:.0f} MB, requests {_total(p['requests'])}/{_total(p['fewest'])}"
              f" [{time.perf_counter() - t0:.0f} s with setup]", file=sys.stderr, flush=True)
        plans.append(p)
    applies = []
    if not args.no_apply:
        projects = QUICK_APPLY_PROJECTS if args.quick else APPLY_PROJECTS
        print(f"apply at {projects:,} projects, alone and with injected 429s ...", file=sys.stderr, flush=True)
        applies = measure_apply(projects)
        for a in applies:
            print(f"  {'429s' if a['inject_429'] else 'alone'}: {a['writes']} writes, {a['writes_per_s']:.2f}/s, "
                  f"{a['status_429']} × 429, lost {a['lost']}, left {a['left_after']}", file=sys.stderr, flush=True)
    write_results(render(plans, applies, args.quick), args.out)
    if args.cli_output:
        from benchmarks import cli_output

        cli_output.main(["--out", str(args.out)] + (["--quick"] if args.quick else []))
    print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
