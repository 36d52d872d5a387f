"""``grunndata run`` at scale, through the command line against the sandbox over loopback.

``python -m benchmarks.unattended --sizes 10000,100000`` measures, per size (a worldgen world,
converged first with ``grunndata apply --yes``):

1. a cold ``grunndata run --once`` that reads everything (the first cycle: full), and one after
   it (incremental, nothing changed): the child's CPU (``getrusage`` of the child: start-up,
   imports and loading the kept snapshot included) and its requests by system;
2. a running ``grunndata run`` on a 2-second schedule (``--log-format json``): the quiet cycles'
   requests (target ≤ 12, ≤ 4 to PowerOffice: no sign-in while the token is valid) and CPU
   (target < 1 s), the process' resident memory;
3. 1 % of the SmartDok projects renamed through the sandbox, and the cycle that carries them:
   its planning CPU against the full cycle's (target < 10 %), writes not counted;
4. the memory the kept snapshot holds (tracemalloc of the snapshot loaded from the store, target
   < 300 MB).

Results go to ``benchmarks/RESULTS.md`` (the section between the unattended markers, among the
notes ``benchmarks.run`` keeps). The suite runs the same paths small (tests/unattended/).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

from benchmarks import results_file
from benchmarks.worldgen import STANDARD_PROJECT, generate
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN_MARK = "<!-- unattended: start (written by python -m benchmarks.unattended) -->"
END_MARK = "<!-- unattended: end -->"
# The sandbox takes any non-empty credentials: each variable gets a placeholder made from its name.
ENV = {**{name: f"sandbox-{name.lower()}" for name in (
    "SMARTDOK_API_TOKEN", "POWEROFFICE_APPLICATION_KEY", "POWEROFFICE_CLIENT_KEY", "POWEROFFICE_SUBSCRIPTION_KEY")},
       "GRUNNDATA_POWEROFFICE_RATE": "0", "PYTHONUNBUFFERED": "1"}
RULES = "unattended:\n  max_writes: 100000\n  max_finish: 100000\n  max_finish_share: 1.0\n"


def _cli(tmp: Path, *args: str, timeout: float = 3600) -> tuple[int, str, float]:
    """Run the command line as a child: exit code, stdout, the child's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "grunndata.cli.main", *args], cwd=tmp,
                          env={**os.environ, **ENV}, capture_output=True, text=True, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 4):
        raise RuntimeError(f"grunndata {' '.join(args)}: exit {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.returncode, proc.stdout, cpu


def _last_json(out: str) -> dict[str, Any]:
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def _rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    found = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, value = line.split(":", 1)
                found[name] = int(value.split()[0]) / 1024
    return found.get("VmRSS", float("nan")), found.get("VmHWM", float("nan"))


class Running:
    """``grunndata run --log-format json`` as a child, its log lines collected as they come."""

    def __init__(self, tmp: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "run", "--log-format", "json"],
                                     cwd=tmp, env={**os.environ, **ENV}, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.lines.append(json.loads(line))

    def wait_lines(self, n: int, timeout: float = 3600) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.lines) < n:
            if self.proc.poll() is not None:
                raise RuntimeError(f"run ended: {self.proc.stderr.read() if self.proc.stderr else ''}")
            if time.monotonic() > deadline:
                raise RuntimeError("timed out waiting for run's cycles")
            time.sleep(0.05)
        return self.lines

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=600)


def _kept_mb(tmp: Path) -> float:
    from grunndata.state import SqliteStateStore
    from grunndata.unattended.reading import kept_to_snapshot

    store = SqliteStateStore(tmp / "grunndata-journal.sqlite")
    tracemalloc.start()
    try:
        kept = store.kept_snapshot()
        snapshot = kept_to_snapshot(kept or {})
        size = tracemalloc.get_traced_memory()[0] / 2**20
        del snapshot, kept
    finally:
        tracemalloc.stop()
        store.close()
    return size


def _rename_share(sb: Sandbox, share: float) -> int:
    world = sb.world()
    projects = world["smartdok"]["Projects"]
    step = max(1, int(1 / share))
    changed = 0
    for i in range(0, len(projects), step):
        projects[i]["ProjectName"] = (str(projects[i].get("ProjectName") or "") + " (endret)")[:70]
        changed += 1
    sb.reset(world)  # records that come back different are stamped as changed
    return changed


def measure(projects: int) -> dict[str, Any]:
    sb = Sandbox(generate(projects), rate_limit=False)
    out: dict[str, Any] = {"projects": projects}
    with tempfile.TemporaryDirectory(prefix="grunndata-unattended-bench-") as tmp_name, serve_in_thread(sb) as urls:
        tmp = Path(tmp_name)
        (tmp / "kunde.yaml").write_text(RULES, encoding="utf-8")
        (tmp / "grunndata.yaml").write_text(yaml.safe_dump({
            "master": "smartdok", "standard_project": STANDARD_PROJECT, "rules": ["kunde.yaml"],
            "smartdok": {"base_url": urls.smartdok},
            "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token},
            "schedule": {"sync": "2s", "full": "off"}}), encoding="utf-8")
        # The world's records all carry the instant it was loaded, and apply's writes the instant they
        # were made: an hour apart each, as records are in a real company, so the overlap re-reads
        # only the last few minutes' changes, not the whole world (the sandbox's clock moves stamps).
        sb.advance_clock(3600)
        t0 = time.monotonic()
        _cli(tmp, "apply", "--yes", "--json")
        out["apply_s"] = time.monotonic() - t0
        _, text, cpu = _cli(tmp, "run", "--once", "--log-format", "json")
        full = _last_json(text)
        out["full"] = {"cpu_child": cpu, **full}
        sb.advance_clock(3600)
        world = sb.world()
        world["smartdok"]["Projects"][0]["ProjectName"] = "Endret en time senere"
        sb.reset(world)
        _cli(tmp, "run", "--once", "--log-format", "json")  # carries that one change
        _cli(tmp, "run", "--once", "--log-format", "json")  # reads its own write
        _, text, cpu = _cli(tmp, "run", "--once", "--log-format", "json")
        out["cold_quiet"] = {"cpu_child": cpu, **_last_json(text)}
        run = Running(tmp)
        try:
            lines = run.wait_lines(4)
            out["rss_after_quiet_mb"], out["hwm_mb"] = _rss_mb(run.proc.pid)
            out["quiet"] = lines[1:4]
            out["changed"] = _rename_share(sb, 0.01)
            seen = len(run.lines)
            while True:
                lines = run.wait_lines(seen + 1)
                seen = len(lines)
                if lines[-1]["counts"].get("planned_writes", 0) > 0:
                    break
            out["one_percent"] = lines[-1]
            run.wait_lines(seen + 2)
            out["after"] = run.lines[seen:seen + 2]
            out["rss_end_mb"], out["hwm_end_mb"] = _rss_mb(run.proc.pid)
        finally:
            run.stop()
        out["kept_mb"] = _kept_mb(tmp)
    return out


def _reqs(line: dict[str, Any]) -> str:
    r = line["requests"]
    return f"{r['smartdok'] + r['poweroffice']} ({r['poweroffice']} PO)"


def render(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        full, one = r["full"]["durations_s"], r["one_percent"]["durations_s"]
        full_plan = full.get("plan_cpu", 0.0)
        quiet_cpu = max(q["durations_s"]["cpu"] for q in r["quiet"])
        quiet_reqs = max(r["quiet"], key=lambda q: sum(q["requests"].values()))
        rows.append(
            f"| {r['projects']:,} | {_reqs(quiet_reqs)} | {quiet_cpu:.2f} | {r['cold_quiet']['cpu_child']:.2f} | "
            f"{r['full']['cpu_child']:.2f} | {full_plan:.2f} | {one.get('plan_cpu', 0.0):.2f} "
            f"({one.get('plan_cpu', 0.0) / full_plan * 100 if full_plan else 0:.0f} %) | "
            f"{one.get('read_cpu', 0.0) + one.get('plan_cpu', 0.0):.2f} vs "
            f"{full.get('read_cpu', 0.0) + full_plan:.2f} | {r['kept_mb']:.0f} | {r['rss_end_mb']:.0f} |")
    uname = platform.uname()
    return "\n".join([
        BEGIN_MARK, "",
        "## Unattended: `grunndata run` against the sandbox over loopback",
        "",
        f"Written by `python -m benchmarks.unattended` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"{uname.machine}, {os.cpu_count()} cores, Python {platform.python_version()}. SmartDok as master, a worldgen "
        "world converged first with `apply --yes`; PowerOffice unpaced (`GRUNNDATA_POWEROFFICE_RATE=0`), the sandbox in "
        "the benchmark's process. CPU of a quiet cycle in a running `run` is the cycle's own process time (from its "
        "JSON log line); a cold `run --once` is the whole child (start-up, imports, loading the kept snapshot). "
        "Planning CPU is `make_plan` alone; `read+plan` adds reading and merging. Kept snapshot: tracemalloc of the "
        "snapshot loaded from the store.",
        "",
        "| projects | requests, quiet cycle (target ≤ 12, ≤ 4 PO) | CPU quiet cycle in `run` s (< 1) | CPU cold "
        "`run --once` s (< 3) | CPU cold full `run --once` s | plan CPU full s | plan CPU 1 % changed s (< 10 %) | "
        "read+plan CPU 1 % vs full s | kept snapshot MB (< 300) | `run` RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows, "",
        "Requests are the most any of three quiet cycles made. The machine was shared with other sessions' test "
        "suites while this ran: wall times are not meaningful, CPU times are each process' own.",
        "",
        _verdict(results[-1]) if results else "",
        "",
        "A quiet cycle does not plan: nothing read differs from the kept snapshot and the last cycle had nothing to "
        "write, so its plan would be the same. A cycle with changes in a running `run` plans incrementally "
        "(`core/engine/incremental.py`): only the keys that changed, and those with an action last time, are planned "
        "again; the result equals the full plan (`tests/unattended/test_incremental_plan.py`). The kept snapshot holds "
        "only the fields the synced entities and the rules read, without null fields (`unattended/kept_fields.py`: "
        "field maps, id and change-stamp fields, the rules' conditions, each plugin's `raw_fields`), stored the same "
        "way; a plan from it equals the plan from whole records (`tests/unattended/test_kept_fields.py`).",
        "", END_MARK])


def _verdict(r: dict[str, Any]) -> str:
    """Which of the targets the largest world meets, in a sentence, from the figures."""
    full_plan = r["full"]["durations_s"].get("plan_cpu", 0.0)
    share = r["one_percent"]["durations_s"].get("plan_cpu", 0.0) / full_plan if full_plan else 0.0
    quiet = max(r["quiet"], key=lambda q: sum(q["requests"].values()))["requests"]
    checks = [
        ("requests of a quiet cycle ≤ 12, ≤ 4 to PowerOffice",
         sum(quiet.values()) <= 12 and quiet["poweroffice"] <= 4),
        ("CPU of a quiet cycle in `run` < 1 s", max(q["durations_s"]["cpu"] for q in r["quiet"]) < 1),
        ("CPU of a cold `run --once` < 3 s", r["cold_quiet"]["cpu_child"] < 3),
        ("planning CPU after 1 % changed < 10 % of a full cycle's", share < 0.10),
        ("kept snapshot < 300 MB", r["kept_mb"] < 300),
    ]
    met = [name for name, ok in checks if ok]
    missed = [name for name, ok in checks if not ok]
    text = f"Against the targets at {r['projects']:,} projects: met — " + "; ".join(met) + "."
    if missed:
        text += " **Missed** — " + "; ".join(missed) + "."
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.unattended", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated project counts")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--render", type=Path, help="only render figures written earlier with --json")
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = json.loads(args.render.read_text(encoding="utf-8")) if args.render else []
    for size in [] if args.render else (int(s) for s in args.sizes.split(",")):
        print(f"measuring {size} projects …", file=sys.stderr)
        results.append(measure(size))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    results_file.write_section(args.out, render(results), BEGIN_MARK, END_MARK, below_notes_marker=True)
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
