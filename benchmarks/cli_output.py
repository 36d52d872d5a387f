"""What ``grunndata plan`` costs as text and as JSON, through the command line, at 10k projects.

    python -m benchmarks.cli_output              # about 2 minutes on 2 cores
    python -m benchmarks.cli_output --quick      # the worldgen world only, 2 runs each

Serves a world from :mod:`benchmarks.worldgen` with ``grunndata sandbox`` (its own process,
loopback HTTP, no rate limit) and runs, each in a fresh process with ``GRUNNDATA_POWEROFFICE_RATE=0``
and its output piped (not a terminal) at ``COLUMNS=80``:

* ``grunndata plan`` (default options), ``grunndata plan --full`` and ``grunndata plan --json``;
* a bare read (:mod:`benchmarks.bare_read`): the two clients reading the same resources, nothing else.

CPU time is the child's own (``os.wait4``), so the sandbox's work is not in it; wall time is
the whole command, sandbox answers included. Each figure is the best of the runs. Two worlds:
the worldgen world (drift between the systems) and a *first sync* (PowerOffice holds only the
standard project, so every project is created). The section in ``benchmarks/RESULTS.md``
between the markers below is replaced; the rest of the file is kept.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks import results_file
from benchmarks.bare_read import declared_reads
from benchmarks.worldgen import STANDARD_PROJECT, dump, generate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
START = "<!-- cli-output: start (written by python -m benchmarks.cli_output) -->"
END = "<!-- cli-output: end -->"
SECRETS = {"SMARTDOK_API_TOKEN": "bench", "POWEROFFICE_APPLICATION_KEY": "bench", "POWEROFFICE_CLIENT_KEY": "bench",
           "POWEROFFICE_SUBSCRIPTION_KEY": "bench"}
TEXT_OVER_JSON = 1.1   # issue 11, item 5: CPU of the default text plan over that of plan --json
JSON_OVER_BARE = 1.3   # issue 11, item 6: plan --json over a bare read of the same resources


def first_sync(world: dict[str, Any]) -> dict[str, Any]:
    """The world as a first sync meets it: PowerOffice has only the standard project."""
    po = world["poweroffice"]
    po["Projects"] = [p for p in po["Projects"] if str(p.get("Code")) == STANDARD_PROJECT]
    return world


class Served:
    """``grunndata sandbox`` on free loopback ports, in its own process (stopped by its pid)."""

    def __init__(self, world: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grunndata.cli.main", "sandbox", "--world", str(world), "--no-rate-limit",
             "--smartdok-port", "0", "--poweroffice-port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.urls: dict[str, str] = {}
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            for name in ("SmartDok", "PowerOffice", "Token"):
                if line.startswith(name + " "):
                    self.urls[name] = line.split()[-1]
            if line.startswith("Trykk Ctrl-C"):
                break
        if len(self.urls) != 3:
            self.stop()
            raise RuntimeError(f"the sandbox did not start: {self.urls}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_child(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd`` with its output piped; its own CPU time (user + system), wall time, output size."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=HERE.parent)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}")
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall, "bytes": len(out),
            "lines": out.count(b"\n"), "output": out}


def measure_world(world: dict[str, Any], label: str, repeats: int, tmp: Path) -> dict[str, Any]:
    world_file = tmp / f"{label}.json"
    dump(world, world_file)
    served = Served(world_file)
    try:
        config = tmp / f"{label}.yaml"
        config.write_text(yaml.safe_dump({
            "master": "smartdok", "standard_project": STANDARD_PROJECT,
            "smartdok": {"base_url": served.urls["SmartDok"]},
            "poweroffice": {"base_url": served.urls["PowerOffice"], "token_url": served.urls["Token"]}}),
            encoding="utf-8")
        env = {**os.environ, **SECRETS, "GRUNNDATA_POWEROFFICE_RATE": "0", "COLUMNS": "80"}
        # As installed: compiled modules are cached (the warm-up run writes them), not compiled every run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), env.get("PYTHONPATH")]))
        grunndata = [sys.executable, "-m", "grunndata.cli.main", "plan", "-c", str(config)]
        commands = {"text": grunndata, "full": grunndata + ["--full"], "json": grunndata + ["--json"],
                    "bare": [sys.executable, "-m", "benchmarks.bare_read", served.urls["SmartDok"],
                             served.urls["PowerOffice"], served.urls["Token"], json.dumps(declared_reads())]}
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}
        run_child(commands["json"], env)  # warm the sandbox and the file cache once
        for _ in range(repeats):  # interleaved, so a busy moment on the machine hits all alike
            for name, cmd in commands.items():
                runs[name].append(run_child(cmd, env))
        plan = json.loads(runs["json"][0]["output"])
        measured = [json.loads(subprocess.run([sys.executable, "-m", "benchmarks.cli_output", "--child-phases",
                                               str(config)], env=env, cwd=HERE.parent, capture_output=True,
                                              check=True).stdout) for _ in range(repeats)]
        inside = {k: min(m[k] for m in measured) for k in measured[0]}
        best = {name: {"cpu_s": min(r["cpu_s"] for r in rs), "wall_s": min(r["wall_s"] for r in rs),
                       "bytes": rs[0]["bytes"], "lines": rs[0]["lines"]} for name, rs in runs.items()}
        return {"label": label, "actions": plan["summary"]["total"], "summary": plan["summary"], "best": best,
                "encoding": encoding_costs(plan), "phases": inside}
    finally:
        served.stop()


def phases(config: str) -> dict[str, float]:
    """Where the CPU of ``plan --json`` goes, measured inside one fresh process (run as
    ``--child-phases CONFIG``): start-up, reading both systems, the snapshot's fingerprint,
    the rest of planning, encoding."""
    c0 = time.process_time()
    from grunndata import asyncrun, secrets
    from grunndata.cli import main as _cli  # noqa: F401  (the command's own imports)
    from grunndata.engine import runner
    from grunndata.engine.planner import make_plan, paused_gc
    from grunndata.report import jsontext
    from grunndata.session import open_session

    session = open_session(config)
    c1 = time.process_time()

    async def read() -> Any:
        async with runner.connect(session, secrets.from_environment(), rate_per_second=None) as conn:
            return await runner.read_snapshot(conn)

    snapshot = asyncrun.run(read())
    c2 = time.process_time()
    plan = make_plan(session, snapshot)  # the fingerprint is worked out on first use: not here
    c3 = time.process_time()
    with paused_gc():  # as plan --json encodes
        jsontext.dumps(plan.to_json(), "actions")
    c4 = time.process_time()
    snapshot.fingerprint()  # what --out and apply add
    c5 = time.process_time()
    return {"startup_s": c1 - c0, "read_s": c2 - c1, "fingerprint_s": c5 - c4,
            "plan_s": c3 - c2, "encode_s": c4 - c3}


def encoding_costs(data: dict[str, Any]) -> dict[str, float]:
    """In-process CPU of turning the plan into JSON text: through ``dataclasses.asdict`` (first),
    ``json.dumps(indent=2)`` (the pure-Python encoder; until issue 11), and now (one action per
    line, by the C encoder),
    and what orjson would give where it is installed (it is not a dependency)."""
    from dataclasses import asdict

    from grunndata.engine.model import Action
    from grunndata.engine.plan import Plan
    from grunndata.report import jsontext

    plan = Plan(master=data["master"], actions=[Action(**a) for a in data["actions"]], fingerprint="")

    def cpu(fn: Any) -> float:
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            fn()
            best = min(best, time.process_time() - t0)
        return best

    out = {
        "asdict_s": cpu(lambda: json.dumps({"master": plan.master, "actions": [asdict(a) for a in plan.actions],
                                            "summary": plan.summary()}, indent=2, ensure_ascii=False)),
        "indent_s": cpu(lambda: json.dumps(plan.to_json(), indent=2, ensure_ascii=False)),
        "now_s": cpu(lambda: jsontext.dumps(plan.to_json(), "actions")),
    }
    try:
        import orjson  # type: ignore[import-not-found]

        out["orjson_s"] = cpu(lambda: orjson.dumps(plan.to_json(), option=orjson.OPT_INDENT_2))
    except ImportError:
        pass
    return out


def render(results: list[dict[str, Any]], projects: int) -> str:
    out = [START, "", "## plan as text and as JSON, through the command line", "",
           f"`python -m benchmarks.cli_output`: {projects:,} projects (worldgen), served by `grunndata sandbox` over "
           "loopback; each command a fresh process, output piped at `COLUMNS=80`, "
           "`GRUNNDATA_POWEROFFICE_RATE=0`. CPU is the command's own (the sandbox runs in another process); "
           "best of the runs.", "",
           "| world | actions | command | CPU s | wall s | output |", "|---|---:|---|---:|---:|---:|"]
    names = {"text": "`grunndata plan`", "full": "`grunndata plan --full`", "json": "`grunndata plan --json`",
             "bare": "bare read (clients only)"}
    for r in results:
        for name in ("text", "full", "json", "bare"):
            b = r["best"][name]
            size = f"{b['bytes'] / 1024:,.0f} KB, {b['lines']:,} lines" if name != "bare" else "–"
            out.append(f"| {r['label']} | {r['actions']:,} | {names[name]} | {b['cpu_s']:.2f} | {b['wall_s']:.2f} "
                       f"| {size} |")
    out += ["", "| world | text / JSON (CPU) | JSON / bare read (wall) | JSON / bare read (CPU) "
                "| encode JSON: asdict | indent=2 | now | orjson |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        b, e = r["best"], r["encoding"]
        orj = f"{e['orjson_s'] * 1000:.0f} ms" if "orjson_s" in e else "not installed"
        out.append(f"| {r['label']} | **{b['text']['cpu_s'] / b['json']['cpu_s']:.2f}** "
                   f"| **{b['json']['wall_s'] / b['bare']['wall_s']:.2f}** | {b['json']['cpu_s'] / b['bare']['cpu_s']:.2f} "
                   f"| {e['asdict_s'] * 1000:.0f} ms | {e['indent_s'] * 1000:.0f} ms | {e['now_s'] * 1000:.0f} ms "
                   f"| {orj} |")
    out += ["", "Where the CPU of `plan --json` goes (measured inside a fresh process, best of the runs per phase; "
                "the fingerprint is the hash of everything read, worked out only for `--out` and `apply`, "
                "so not part of `plan --json`):", "",
            "| world | start-up s | read s | fingerprint s | plan s | encode s |", "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        ph = r["phases"]
        out.append(f"| {r['label']} | {ph['startup_s']:.2f} | {ph['read_s']:.2f} | {ph['fingerprint_s']:.2f} "
                   f"| {ph['plan_s']:.2f} | {ph['encode_s']:.3f} |")
    out += ["", "| target | measured | met |", "|---|---|:---:|"]
    for r in results:
        b = r["best"]
        ratio = b["text"]["cpu_s"] / b["json"]["cpu_s"]
        out.append(f"| {r['label']}: text plan CPU at most {TEXT_OVER_JSON}× `plan --json` | {ratio:.2f} "
                   f"| {'yes' if ratio <= TEXT_OVER_JSON else '**no**'} |")
        ratio = b["json"]["wall_s"] / b["bare"]["wall_s"]
        out.append(f"| {r['label']}: `plan --json` at most {JSON_OVER_BARE}× a bare read | {ratio:.2f} "
                   f"| {'yes' if ratio <= JSON_OVER_BARE else '**no**'} |")
    return "\n".join(out + ["", END])


def write_section(section: str, path: Path = RESULTS) -> None:
    """Put ``section`` in place of the old one, or above the hand-written notes."""
    results_file.write_section(path, section, START, END, below_notes_marker=False)


def kept_section(path: Path = RESULTS) -> str:
    """The current section, for ``benchmarks.run`` to carry over when it rewrites the file."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        return START + text.split(START, 1)[1].split(END, 1)[0] + END
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli_output", description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the worldgen world only, 2 runs of each command")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--child-phases", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_phases:
        print(json.dumps(phases(args.child_phases)))
        return 0
    repeats = 2 if args.quick else args.repeats
    results = []
    with tempfile.TemporaryDirectory(prefix="grunndata-cli-bench-") as tmp:
        worlds = [("worldgen", lambda: generate(args.projects))]
        if not args.quick:
            worlds.append(("first sync", lambda: first_sync(generate(args.projects))))
        for label, make in worlds:
            print(f"{label}: {args.projects:,} projects ...", file=sys.stderr, flush=True)
            r = measure_world(make(), label, repeats, Path(tmp))
            b = r["best"]
            print(f"  {r['actions']:,} actions; CPU text {b['text']['cpu_s']:.2f} s, json {b['json']['cpu_s']:.2f} s, "
                  f"bare {b['bare']['cpu_s']:.2f} s; wall json {b['json']['wall_s']:.2f} s, "
                  f"bare {b['bare']['wall_s']:.2f} s", file=sys.stderr, flush=True)
            results.append(r)
    write_section(render(results, args.projects), args.out)
    print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
