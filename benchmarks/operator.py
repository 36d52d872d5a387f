"""Many companies on one PowerOffice subscription key: ``grunndata worker`` processes on PostgreSQL.

``python -m benchmarks.operator --tenants 200 --projects 50-5000 --workers 1,2,4`` runs, per worker
count, on a fresh database and one multi-tenant sandbox (in this process, on loopback, enforcing
PowerOffice's 10 requests a second per subscription key; every tenant on the same key):

1. **onboarding**: ``operator migrate``, every tenant added (``in_step`` of its projects already
   in PowerOffice, the rest to create), each tenant's first plan approved as an operator does
   (here by marking the person's approval in the state, which is what ``tenant approve`` records);
   then the workers start. Time until every tenant's SmartDok projects are each in PowerOffice
   once and every tenant has had a successful cycle.
2. **steady state** for ``--steady`` seconds: a new project in a random tenant's SmartDok every
   ``--change-every`` seconds, and ``--kills`` SIGKILLs of a random worker (restarted at once),
   spread over the period. Cycles per hour, achieved interval per tenant (min, median, max),
   PowerOffice requests per quiet cycle.
3. **the end**: wait until every change is in PowerOffice; duplicates and lost projects (must be
   0), the most PowerOffice requests the sandbox saw in any one second (must be ≤ 10) and its 429s
   (must be 0).

Results go to ``benchmarks/RESULTS.md`` between the operator markers (after each worker count; ``--render LOG``
writes them again from the rows a run printed), with the arithmetic for
10,000 tenants on one key from the measured requests per quiet cycle.
"""
from __future__ import annotations

import argparse
import ast
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
import yaml

from grunndata.operator import db, tenants
from grunndata.operator.tenant_secrets import env_prefix
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.sandbox.tenants_world import tenant_credentials, tenants_world

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN_MARK = "<!-- operator: start (written by python -m benchmarks.operator) -->"
END_MARK = "<!-- operator: end -->"
NOTES_MARKER = "<!-- Notes below this line are written by hand and kept when the results are regenerated. -->"
ADMIN = os.environ.get("GRUNNDATA_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def secrets_env(names: list[str]) -> dict[str, str]:
    out = {}
    for name in names:
        c = tenant_credentials(name, 1)
        for var, value in (("SMARTDOK_API_TOKEN", c["smartdok"]["api_token"]),
                           ("POWEROFFICE_APPLICATION_KEY", c["poweroffice"]["application_key"]),
                           ("POWEROFFICE_CLIENT_KEY", c["poweroffice"]["client_key"]),
                           ("POWEROFFICE_SUBSCRIPTION_KEY", c["poweroffice"]["subscription_key"])):
            out[env_prefix(name) + var] = value
    return out


class Bench:
    def __init__(self, args: argparse.Namespace, workers: int) -> None:
        self.args, self.n_workers = args, workers
        lo, hi = (int(x) for x in args.projects.split("-"))
        self.world = tenants_world(args.tenants, projects=(lo, hi), subscription_keys=1, in_step=args.in_step,
                                   seed=args.seed)
        self.names = sorted(self.world["tenants"])
        self.sb = Sandbox(self.world)
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-operator-"))
        self.dbname = f"gd_bench_{uuid.uuid4().hex[:8]}"
        self.url = ADMIN.rsplit("/", 1)[0] + "/" + self.dbname
        self.procs: list[subprocess.Popen] = []
        self.changes: dict[str, list[str]] = {}

    # ---- set-up ----
    def setup(self, urls: Any) -> None:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        db.migrate(self.url)
        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.names:
                folder = self.tmp / name
                folder.mkdir()
                cfg = {"master": "smartdok", "standard_project": "9000",
                       "smartdok": {"base_url": urls.smartdok},
                       "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token},
                       "schedule": {"sync": self.args.sync, "alert_after": "1h"}, "rules": ["kunde.yaml"]}
                # onboarding writes the projects still missing in PowerOffice and their sub-projects:
                # for a large tenant more than the default guardrail, which the operator lifted after
                # reviewing the first plan
                (folder / "kunde.yaml").write_text("unattended:\n  max_writes: 100000\n", encoding="utf-8")
                (folder / "grunndata.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
                tenants.add(conn, name, tenants.read_setup(str(folder / "grunndata.yaml")), None)
                # the operator approved the first plan: what `tenant approve` records
                conn.execute("INSERT INTO grunndata.state_meta (tenant, key, value) VALUES (%s, 'person_applied', "
                             "'true')", (name,))

    def env(self) -> dict[str, str]:
        return {**os.environ, "GRUNNDATA_DATABASE_URL": self.url, "GRUNNDATA_DISPATCH_SECONDS": "2",
                "GRUNNDATA_WORKER_STALLED_SECONDS": "6", **secrets_env(self.names)}

    def start_worker(self, slot: int | None = None) -> None:
        log = open(self.tmp / f"worker-{len(self.procs)}-{time.monotonic_ns()}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "worker", "--concurrency",
                                 str(self.args.concurrency)], env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        if slot is None:
            self.procs.append(proc)
        else:
            self.procs[slot] = proc

    def teardown(self) -> dict[str, float]:
        rss = {}
        for proc in self.procs:
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM"):
                            rss[str(proc.pid)] = int(line.split()[1]) / 1024
            except OSError:
                pass
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        return rss

    # ---- the systems ----
    def missing_or_double(self) -> tuple[int, int]:
        lost = double = 0
        for name in self.names:
            world = self.sb.world(name)
            codes: dict[str, int] = {}
            for p in world["poweroffice"].get("Projects") or []:
                codes[str(p.get("Code"))] = codes.get(str(p.get("Code")), 0) + 1
            for p in world["smartdok"].get("Projects") or []:
                n = codes.get(str(p["ProjectNumber"]), 0)
                lost += n == 0
                double += n > 1
        return lost, double

    def all_ran(self) -> bool:
        with psycopg.connect(self.url) as conn:
            n = conn.execute("SELECT count(DISTINCT tenant) FROM grunndata.state_cycles WHERE ok").fetchone()[0]
        return n >= len(self.names)

    def change(self, urls: Any, rng: random.Random, i: int) -> None:
        name = rng.choice(self.names)
        token = httpx.post(f"{urls.smartdok}/Authorize/ApiToken",
                           json={"Token": tenant_credentials(name, 1)["smartdok"]["api_token"]}).json()
        number = f"9{i:05d}"
        httpx.post(f"{urls.smartdok}/Projects", headers={"Authorization": f"Bearer {token}"},
                   json={"ProjectNumber": number, "ProjectName": f"Endring {i}", "IsActive": True}).raise_for_status()
        self.changes.setdefault(name, []).append(number)

    def wait(self, check: Any, limit: float) -> float | None:
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            began = time.monotonic()
            if check():
                return time.monotonic() - t0
            # reading every tenant's world back holds the sandbox's lock (seconds at 200 tenants of
            # up to 5,000 projects): look at most a third of the time, so the sandbox serves the rest
            time.sleep(max(1.0, 2 * (time.monotonic() - began)))
        return None

    def progress(self, what: str) -> None:
        print(f"{time.strftime('%H:%M:%S', time.gmtime())} {self.n_workers} worker(s): {what}", flush=True)

    # ---- the run ----
    def run(self) -> dict[str, Any]:
        a = self.args
        with serve_in_thread(self.sb) as urls:
            self.setup(urls)
            self.progress(f"{len(self.names)} tenants added, starting the workers")
            t0 = time.monotonic()
            for _ in range(self.n_workers):
                self.start_worker()
            converge = self.wait(lambda: self.all_ran() and self.missing_or_double() == (0, 0), a.converge_limit)
            onboard_s = time.monotonic() - t0
            self.progress(f"onboarding: converged after {_fmt(converge)} s")
            rng = random.Random(a.seed)
            with psycopg.connect(self.url) as conn:
                start_id = conn.execute("SELECT coalesce(max(id), 0) FROM grunndata.state_cycles").fetchone()[0]
            steady0 = time.monotonic()
            kill_at = sorted(rng.uniform(0.1, 0.9) * a.steady for _ in range(a.kills))
            i = 0
            loads: list[float] = []
            while time.monotonic() - steady0 < a.steady:
                elapsed = time.monotonic() - steady0
                if kill_at and elapsed >= kill_at[0]:
                    kill_at.pop(0)
                    slot = rng.randrange(len(self.procs))
                    self.procs[slot].send_signal(signal.SIGKILL)
                    self.procs[slot].wait()
                    self.start_worker(slot)
                    self.progress(f"killed worker {slot} at {elapsed:.0f} s of steady state, restarted it")
                self.change(urls, rng, i)
                loads.append(os.getloadavg()[0])
                i += 1
                time.sleep(a.change_every)
            steady_s = time.monotonic() - steady0
            self.progress(f"steady state over ({i} changes), waiting for every change in PowerOffice")
            settle = self.wait(lambda: self.missing_or_double() == (0, 0), a.converge_limit)
            self.progress(f"settled after {_fmt(settle)} s; load average {os.getloadavg()}")
            lost, double = self.missing_or_double()
            with psycopg.connect(self.url) as conn:
                cycles = conn.execute("SELECT count(*) FROM grunndata.state_cycles WHERE kind='sync' AND id > %s "
                                      "AND finished IS NOT NULL AND started < now()", (start_id,)).fetchone()[0]
                quiet = [r[0] for r in conn.execute(
                    "SELECT (counts->'requests'->>'poweroffice')::int FROM grunndata.state_cycles WHERE kind='sync' "
                    "AND mode='incremental' AND ok AND coalesce((counts->>'planned_writes')::int, 0) = 0 AND id > %s",
                    (start_id,)).fetchall() if r[0] is not None]
                from grunndata.operator.dispatch import achieved_intervals

                intervals = [v for v in achieved_intervals(conn, self.names).values() if v is not None]
            rss = self.teardown()
            [rate] = self.sb.rates().values()
        return {"workers": self.n_workers, "converge_s": converge, "onboard_s": onboard_s,
                "cycles_per_hour": cycles / steady_s * 3600 if steady_s else 0, "steady_s": steady_s,
                "changes": i, "settle_s": settle, "intervals": intervals, "quiet_requests": quiet,
                "max_per_second": rate["max_per_second"], "throttled": rate["429"], "requests": rate["requests"],
                "lost": lost, "double": double, "kills": a.kills, "rss_mb": max(rss.values(), default=0.0),
                "load": statistics.mean(loads) if loads else None}


def _fmt(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def section(args: argparse.Namespace, rows: list[dict[str, Any]], when: float | None = None) -> str:
    quiet = [q for r in rows for q in r["quiet_requests"]]
    reads = min(quiet) if quiet else None
    signed = sum(q > reads for q in quiet) if reads is not None else 0
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))
    lines = [BEGIN_MARK, "## operator: many companies on one subscription key", "",
             f"`python -m benchmarks.operator --tenants {args.tenants} --projects {args.projects} --workers "
             f"{args.workers} --steady {args.steady:.0f} --kills {args.kills} --in-step {args.in_step} --sync {args.sync} "
             f"--concurrency {args.concurrency}` on {stamp}; "
             f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL on the same "
             f"machine. One sandbox (in the benchmark's process) serves every tenant, all on one subscription key, "
             f"enforcing 10 requests a second; {args.in_step:.1%} of each tenant's projects were already in PowerOffice "
             f"at onboarding; sync schedule `{args.sync}`; a new SmartDok project every {args.change_every} s in a "
             f"random tenant; `--concurrency {args.concurrency}` per worker.", "",
             "| workers | converged after onboarding | steady cycles/hour | achieved interval min / median / max | "
             "most PO requests in a second | 429s | kills | lost / duplicated | worker peak RSS MB | "
             "load average in steady state | quiet cycles: PO requests (with a sign-in) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        iv = sorted(r["intervals"])
        interval = (f"{iv[0]:.0f} / {statistics.median(iv):.0f} / {iv[-1]:.0f} s" if iv else "—")
        q = r["quiet_requests"]
        share = f"{min(q)} ({sum(x > min(q) for x in q) / len(q):.0%} of {len(q)})" if q else "—"
        lines.append(f"| {r['workers']} | {_fmt(r['converge_s'])} s | {_fmt(r['cycles_per_hour'])} | {interval} | "
                     f"**{r['max_per_second']}** | **{r['throttled']}** | {r['kills']} | **{r['lost']} / {r['double']}** | "
                     f"{r['rss_mb']:.0f} | {_fmt(r.get('load'), 1)} | {share} |")
    lines += ["", f"PowerOffice requests per quiet incremental cycle: **{_fmt(reads)}** reads, plus the sign-in in "
              f"{signed} of {len(quiet)} quiet cycles ({signed / len(quiet) if quiet else 0:.0%}): a worker keeps each "
              f"tenant's token between its jobs, so a tenant signs in at its first job in a worker process (every "
              f"worker SIGKILLed here starts without tokens) and once its token is {TOKEN_LIFE_S // 60 - 1} minutes "
              "old.", ""]
    lines += arithmetic(reads)
    lines.append(END_MARK)
    return "\n".join(lines) + "\n"


# PowerOffice's access tokens live 20 minutes (the token answer's expires_in; the sandbox's too),
# renewed a minute early.
TOKEN_LIFE_S = 1200


def arithmetic(reads: int | None) -> list[str]:
    q = reads or 4
    budget = 9 * 3600  # our capacity: 9 a second of PowerOffice's 10, one kept as margin
    fastest = 10_000 * q / budget * 60  # minutes between a tenant's cycles, if no cycle signed in
    fresh = TOKEN_LIFE_S / 60 - 1  # minutes a kept token is reused
    per_cycle = q if fastest < fresh else q + 1
    minutes = 10_000 * per_cycle / budget * 60
    keys = 5
    return [
        "**10,000 tenants on one key.** PowerOffice allows 10 requests a second per subscription key: 36,000 an "
        f"hour; the shared limiter uses 9 a second (one of margin): {budget:,} an hour. A quiet incremental cycle "
        f"reads {q} times (one change-filtered read per resource with a filter, the lists without one). A worker "
        f"keeps each tenant's token for {fresh:.0f} minutes, but 10,000 tenants at {q} requests a cycle come round "
        f"only every {fastest:.0f} minutes, so each cycle finds its token expired and signs in: **{per_cycle} "
        f"requests a quiet cycle, one round of all 10,000 tenants {10_000 * per_cycle:,} requests = "
        f"{minutes / 60:.2f} hours: each tenant can be synced about every {minutes:.0f} minutes** when nothing "
        "changes, longer by one request per write when something does (and a daily full reconciliation per tenant "
        "costs its pages on top). The kept token saves the sign-in only where a tenant's cycles come more often "
        f"than every {fresh:.0f} minutes on the same worker: a few hundred tenants on one key, or "
        "10,000 on enough keys. Each further subscription key adds another 32,400 requests an hour: *k* keys "
        f"divide the interval by *k* (10,000 tenants on {keys} keys: every {minutes / keys:.0f} minutes, "
        f"{10_000 * q / (keys * budget) * 60:.0f} where the cycle finds its token kept). The next bounds: "
        "PostgreSQL connections (each running job holds one for its state and its tenant's job lock and one for "
        "the limiter at a time; a worker's pool is 8: 20 workers × 8 is within a default max_connections of 100 "
        "only with a pooler such as PgBouncer), worker memory (a job holds one tenant's snapshot, times "
        "`--concurrency`: see the peak RSS above), and the limiter's table (one row per request, kept one window: "
        "it stays small).",
        "",
    ]


def write_section(text: str, path: Path = RESULTS) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if BEGIN_MARK in old and END_MARK in old:
        head, rest = old.split(BEGIN_MARK, 1)
        new = head + text + rest.split(END_MARK, 1)[1].lstrip("\n")
    elif NOTES_MARKER in old:
        head, tail = old.split(NOTES_MARKER, 1)
        new = head + text + "\n" + NOTES_MARKER + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--projects", default="50-5000", help="LOW-HIGH per tenant (log-uniform)")
    parser.add_argument("--in-step", dest="in_step", type=float, default=0.98)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--sync", default="5m", help="every tenant's sync schedule")
    parser.add_argument("--steady", type=float, default=600.0, help="seconds of steady state")
    parser.add_argument("--change-every", dest="change_every", type=float, default=2.0)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--converge-limit", dest="converge_limit", type=float, default=3600.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--render", type=Path, metavar="LOG",
                        help="write the section from the rows a run printed to LOG (same flags), measuring nothing")
    args = parser.parse_args()
    if args.render is not None:
        rows = [ast.literal_eval(line) for line in args.render.read_text(encoding="utf-8").splitlines()
                if line.startswith("{'workers'")]
        write_section(section(args, rows, when=args.render.stat().st_mtime), args.out)
        print(f"{len(rows)} worker count(s) written to {args.out}")
        return
    rows = []
    for w in (int(x) for x in args.workers.split(",")):
        row = Bench(args, w).run()
        print(row, flush=True)
        rows.append(row)
        # after each worker count: a long run stopped part-way still leaves the counts it measured
        write_section(section(args, rows), args.out)
        print(f"written to {args.out}", flush=True)


if __name__ == "__main__":
    main()
