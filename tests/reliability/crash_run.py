"""SIGKILL ``grunndata apply`` at random moments, run it again, compare with a clean run.

    python tests/reliability/crash_run.py --projects 2000 --kills 20 --seed 1

How: one sandbox (``_rel_worlds.big_world``) is served once on loopback
(``serve_in_thread``, ``rate_limit=False``; the client's PowerOffice pacing is lifted with
``GRUNNDATA_POWEROFFICE_RATE=0``). First a clean ``apply --yes`` runs to the end and the final
state of both systems is kept. The sandbox is reset to the same world; then ``kills`` times
``python -m grunndata.cli.main apply --yes -c cfg`` starts as a subprocess and gets SIGKILL
at a moment drawn from ``random.Random(seed)``: a fifth of the kills after a random time before
the clean run's first write (uniform in [``min_delay``, ``max_delay``], by default 0.05 s to
0.9 × that time: starting, reading, planning), the others once a random number of further writes
(1 to 2 × planned writes / kills) has reached the server (so at a random point of the write
sequence, racing the server's commit and its answer); then
one last apply runs to the end. Its final state must equal the clean run's, with no record
twice, and the journal must show every killed run as not finished.

The test suite runs a smaller world (tests/reliability/test_crash.py); this script, with the
defaults, is the full 2,000-project, 20-kill run whose figures are in docs/RELIABILITY.md.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _rel_worlds import big_world, config_for  # noqa: E402
from grunndata.sandbox import Sandbox  # noqa: E402
from grunndata.sandbox.server import serve_in_thread  # noqa: E402

SECRETS = {
    "SMARTDOK_API_TOKEN": "crash-sd-token-0123456789",
    "POWEROFFICE_APPLICATION_KEY": "crash-app-key-0123456789",
    "POWEROFFICE_CLIENT_KEY": "crash-client-key-0123456789",
    "POWEROFFICE_SUBSCRIPTION_KEY": "crash-sub-key-0123456789",
}
# Fields the systems stamp themselves (ids, times): not part of "the same state".
VOLATILE = {"Id", "id", "Created", "Updated", "CreatedDateTimeOffset", "LastChangedDateTimeOffset",
            "lastChangedDateTimeOffset", "ProjectId", "ParentProjectId"}
# The natural key of each resource: a key seen twice is a duplicate.
KEYS = {
    ("smartdok", "Projects"): lambda r, w: str(r.get("ProjectNumber", "")).strip(),
    ("smartdok", "SubProjects"): lambda r, w: (w.get(r.get("ProjectId")), str(r.get("SubProjectNumber", "")).strip()),
    ("smartdok", "WorkDescriptions"): lambda r, w: str(r.get("Number", "")).strip(),
    ("smartdok", "Machines"): lambda r, w: str(r.get("InternalNumber", "")).strip(),
    ("poweroffice", "Projects"): lambda r, w: str(r.get("Code", "")).strip(),
    ("poweroffice", "Products"): lambda r, w: str(r.get("Code", "")).strip(),
    ("poweroffice", "TimeTracking/Activity"): lambda r, w: str(r.get("code", "")).strip(),
}


def writes(sb: Sandbox) -> int:
    return sb.write_count("smartdok") + sb.write_count("poweroffice")


def env() -> dict[str, str]:
    return {**os.environ, **SECRETS, "GRUNNDATA_POWEROFFICE_RATE": "0"}


def apply_cmd(config: Path) -> list[str]:
    return [sys.executable, "-m", "grunndata.cli.main", "apply", "--yes", "--json", "-c", str(config)]


def duplicates(world: dict[str, Any]) -> dict[str, int]:
    """Records whose natural key another record of the same kind already has, per resource."""
    sd_numbers = {p.get("Id"): str(p.get("ProjectNumber", "")).strip()
                  for p in world.get("smartdok", {}).get("Projects", [])}
    found: dict[str, int] = {}
    for (system, resource), key in KEYS.items():
        counts = Counter(key(r, sd_numbers) for r in world.get(system, {}).get(resource, []))
        extra = sum(n - 1 for n in counts.values() if n > 1)
        found[f"{system} {resource}"] = extra
    return found


def comparable(world: dict[str, Any]) -> dict[str, list[str]]:
    """Both systems without ids and timestamps, parents named by number, records sorted."""
    sd_numbers = {p.get("Id"): str(p.get("ProjectNumber", "")).strip()
                  for p in world.get("smartdok", {}).get("Projects", [])}
    out: dict[str, list[str]] = {}
    for system, resources in world.items():
        if system not in ("smartdok", "poweroffice"):
            continue
        for resource, rows in resources.items():
            items = []
            for r in rows:
                clean = {k: v for k, v in r.items() if k not in VOLATILE}
                if system == "smartdok" and resource == "SubProjects":
                    clean["_parent"] = sd_numbers.get(r.get("ProjectId"))
                items.append(json.dumps(clean, sort_keys=True, ensure_ascii=False, default=str))
            out[f"{system} {resource}"] = sorted(items)
    return out


def record_count(world: dict[str, Any]) -> int:
    return sum(len(rows) for system in ("smartdok", "poweroffice") for rows in world.get(system, {}).values())


@dataclass
class CrashResult:
    projects: int
    kills: int
    seed: int
    planned_writes: int = 0
    records: int = 0
    delays: list[Any] = field(default_factory=list)
    killed_while_running: int = 0
    killed_while_writing: int = 0
    first_write_seconds: float = 0.0
    window: tuple[float, float] = (0.0, 0.0)
    exited_before_kill: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    unexpected: int = 0
    equal: bool = False
    clean_seconds: float = 0.0
    crash_seconds: float = 0.0
    final_summary: dict[str, Any] = field(default_factory=dict)
    journal_statuses: list[str] = field(default_factory=list)
    journal_integrity: str = ""
    stderr: list[str] = field(default_factory=list)

    @property
    def duplicate_total(self) -> int:
        return sum(self.duplicates.values())


def run_crashes(projects: int, kills: int, seed: int, workdir: Path, *, min_delay: float | None = None,
                max_delay: float | None = None) -> CrashResult:
    """The whole experiment; see the module docstring."""
    workdir.mkdir(parents=True, exist_ok=True)
    result = CrashResult(projects, kills, seed)
    rng = random.Random(seed)
    sb = Sandbox(big_world(projects, seed), rate_limit=False)
    with serve_in_thread(sb) as urls:
        config = workdir / "grunndata.yaml"
        config.write_text(yaml.safe_dump(config_for(urls)), encoding="utf-8")
        # 1. the clean run
        clean_state = workdir / "clean-journal.sqlite"
        started = time.monotonic()
        first_write = None
        with subprocess.Popen(apply_cmd(config) + ["--state", str(clean_state)], env=env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
            while proc.poll() is None and first_write is None:
                if sb.write_count("smartdok") + sb.write_count("poweroffice"):
                    first_write = time.monotonic() - started
                time.sleep(0.01)
            out, err = proc.communicate(timeout=600)
            done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        result.clean_seconds = time.monotonic() - started
        result.first_write_seconds = first_write or result.clean_seconds
        if done.returncode != 0:
            raise RuntimeError(f"the clean run failed ({done.returncode}): {done.stderr[-2000:]}")
        result.planned_writes = json.loads(done.stdout)["summary"]["planned_writes"]
        # Kill moments: a fifth of the kills at a random time before the first write (starting,
        # reading, planning); the rest after a random number of further writes has reached the
        # server (1 .. 2 * planned / kills), i.e. at a random point of the write sequence.
        early = min_delay if min_delay is not None else 0.05
        late = max_delay if max_delay is not None else 0.9 * result.first_write_seconds
        step = max(1, 2 * result.planned_writes // max(1, kills))
        result.window = (round(early, 3), round(late, 3))
        clean = sb.world()
        result.records = record_count(clean)
        # 2. the same world again, killed over and over
        sb.reset()
        journal = workdir / "grunndata-journal.sqlite"
        started = time.monotonic()
        for _ in range(kills):
            writes_before = writes(sb)
            if rng.random() < 0.2:
                delay, after_writes = round(rng.uniform(early, late), 3), None
            else:
                delay, after_writes = None, rng.randint(1, step)
            result.delays.append(delay if delay is not None else f"+{after_writes} writes")
            proc = subprocess.Popen(apply_cmd(config), env=env(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, text=True)
            if delay is not None:
                try:
                    proc.wait(delay)
                except subprocess.TimeoutExpired:
                    pass
            else:
                deadline = time.monotonic() + 60
                while proc.poll() is None and writes(sb) < writes_before + after_writes \
                        and time.monotonic() < deadline:
                    time.sleep(0.002)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                result.killed_while_running += 1
                if writes(sb) > writes_before:
                    result.killed_while_writing += 1
            else:
                result.exited_before_kill += 1
            err = proc.stderr.read() if proc.stderr else ""
            if proc.stderr:
                proc.stderr.close()
            if "internal error" in err or "Traceback" in err:
                result.stderr.append(err[-2000:])
        # 3. one last run to the end
        final = subprocess.run(apply_cmd(config), env=env(), capture_output=True, text=True, timeout=600)
        result.crash_seconds = time.monotonic() - started
        if final.returncode != 0:
            raise RuntimeError(f"the final run failed ({final.returncode}): {final.stderr[-2000:]}")
        result.final_summary = json.loads(final.stdout)["summary"]
        after = sb.world()
    want, have = comparable(clean), comparable(after)
    result.equal = want == have
    for name in set(want) | set(have):
        w, h = Counter(want.get(name, [])), Counter(have.get(name, []))
        result.lost += sum((w - h).values())
        result.unexpected += sum((h - w).values())
    result.duplicates = duplicates(after)
    db = sqlite3.connect(journal)
    try:
        result.journal_integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()
    history = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "history", "--json", "-c", str(config)],
                             env=env(), capture_output=True, text=True, timeout=60)
    result.journal_statuses = [r["status"] for r in reversed(json.loads(history.stdout))] if history.returncode == 0 \
        else [f"history failed: {history.stderr.strip()}"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--min-delay", type=float, default=None)
    parser.add_argument("--max-delay", type=float, default=None)
    args = parser.parse_args(argv)
    import tempfile

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="grunndata-crash-"))
    r = run_crashes(args.projects, args.kills, args.seed, workdir, min_delay=args.min_delay, max_delay=args.max_delay)
    print(json.dumps({
        "projects": r.projects, "kills": r.kills, "seed": r.seed, "records": r.records,
        "planned_writes": r.planned_writes, "killed_while_running": r.killed_while_running,
        "killed_while_writing": r.killed_while_writing, "kill_window_seconds": r.window,
        "first_write_seconds": round(r.first_write_seconds, 2),
        "exited_before_kill": r.exited_before_kill, "delays": r.delays,
        "clean_seconds": round(r.clean_seconds, 1), "crash_seconds": round(r.crash_seconds, 1),
        "final_summary": r.final_summary, "equal_to_clean_run": r.equal, "lost": r.lost,
        "unexpected": r.unexpected, "duplicates": r.duplicate_total, "duplicates_by_kind": r.duplicates,
        "journal_integrity": r.journal_integrity, "journal_statuses": Counter(r.journal_statuses),
        "internal_errors": len(r.stderr)}, indent=2, ensure_ascii=False, default=str))
    return 0 if r.equal and r.duplicate_total == 0 and r.lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
