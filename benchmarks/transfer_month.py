"""The "Done when" of issue 8: a month of hours for 200 employees through the sandbox, killed and faulted.

``python -m benchmarks.transfer_month`` (``--employees N`` for another size) runs, on the
generated world of :mod:`grunndata.sandbox.hours_world` (about 4,600 hour rows with additions
and machine hours, 100 goods rows, and rows that break R3, R4 and R5 on purpose):

1. in process: one clean ``transfer`` (preview, send, mark, journal) and a second one that must
   send nothing;
2. over loopback HTTP, through the real command line: ``grunndata transfer --yes`` killed with
   SIGKILL twice mid-run, then rerun with lost answers (dropped connections after the write),
   refused requests (503) and failed SmartDok marks, then once more;

then checks that every qualifying row is in PowerOffice exactly once and marked in SmartDok,
and that every held-back row was reported with its reason. Results go to
``benchmarks/RESULTS-transfer.md``.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from grunndata.clients import RetryPolicy
from grunndata.engine import runner
from grunndata.engine import transfer as engine
from grunndata.journal import Journal
from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours
from grunndata.sandbox.server import serve_in_thread
from grunndata.secrets import Secrets
from grunndata.session import open_session

ENTRY = "TimeTracking/TimeTrackingEntry"
JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
PERIOD = ["--from", "2026-01-01", "--to", "2026-01-31"]
RESULTS = Path(__file__).with_name("RESULTS-transfer.md")
SECRETS = {"SMARTDOK_API_TOKEN": "bench-sd", "POWEROFFICE_APPLICATION_KEY": "bench-app",
           "POWEROFFICE_CLIENT_KEY": "bench-client", "POWEROFFICE_SUBSCRIPTION_KEY": "bench-sub",
           "GRUNNDATA_POWEROFFICE_RATE": "0"}


def config(tmp: Path, sd: str, po: str, token: str) -> Path:
    path = tmp / "grunndata.yaml"
    path.write_text(yaml.safe_dump({"smartdok": {"base_url": sd}, "poweroffice": {"base_url": po, "token_url": token}}),
                    encoding="utf-8")
    return path


def verify(sb: Sandbox, held: set[str]) -> dict[str, int]:
    """Every attested row not held back: in PowerOffice exactly once, marked in SmartDok."""
    world = sb.world()
    refs = Counter(e.get("externalImportReference") for e in world["poweroffice"].get(ENTRY) or [])
    doubles = [r for r, n in refs.items() if n > 1]
    missing, unmarked, sent_held = [], [], [r for r in held if r in refs]
    ok = 0
    # Each source's rows, the reference a row is sent with, and whether SmartDok shows it marked.
    sources = [
        (world["smartdok"]["WorkHours"],
         lambda row: f"smartdok-{'machinehour' if row.get('MachineHourId') else 'workhour'}-{row['WorkHourID']}",
         lambda row, ref: row.get("ExportedExternalId") == ref),
        (world["smartdok"]["GoodsConsumption"], lambda row: f"smartdok-goods-{row['Id']}",
         lambda row, ref: bool(row.get("Exported"))),
    ]
    for rows, reference, marked in sources:
        for row in rows:
            ref = reference(row)
            if not row.get("AdminAttested") or ref in held:
                continue
            ok += 1
            if refs.get(ref) != 1:
                missing.append(ref)
            elif not marked(row, ref):
                unmarked.append(ref)
    result = {"qualifying": ok, "held": len(held), "doubles": len(doubles), "missing": len(missing),
              "unmarked": len(unmarked), "held_but_sent": len(sent_held), "entries": sum(refs.values())}
    assert not (doubles or missing or unmarked or sent_held), result
    return result


def in_process(employees: int) -> dict[str, object]:
    sb = Sandbox(month_of_hours(employees), rate_limit=False)
    rows = len(sb.world()["smartdok"]["WorkHours"]) + len(sb.world()["smartdok"]["GoodsConsumption"])
    tmp = Path(tempfile.mkdtemp())
    session = open_session(str(config(tmp, "http://smartdok.sandbox", "http://poweroffice.sandbox/v2",
                                      "http://poweroffice.sandbox/OAuth/Token")))

    def once():
        journal = Journal(tmp / "grunndata-journal.sqlite")
        journal.lock()

        async def go():
            async with runner.connect(session, Secrets("a", "b", "c", "d"), transports=sb.transports(),
                                      rate_per_second=None, retry=RetryPolicy(base_delay=0.01)) as conn:
                return await engine.transfer(session, conn, *JANUARY, journal=journal)
        try:
            started = time.perf_counter()
            report = asyncio.run(go())
            return report, time.perf_counter() - started
        finally:
            journal.close()

    first, t1 = once()
    second, t2 = once()
    held = {line.key for line in first.plan.lines if line.op == "hold"}
    result = verify(sb, held)
    assert not second.plan.writes
    stats = sb.stats()
    return {"rows": rows, "first_s": round(t1, 2), "second_s": round(t2, 2), "sent": first.summary()["ok"],
            "held": len(held), "po_requests": sum(stats["poweroffice"].values()),
            "sd_requests": sum(stats["smartdok"].values()), **result}


def killed_and_faulted(employees: int) -> dict[str, object]:
    sb = Sandbox(month_of_hours(employees), rate_limit=False)
    tmp = Path(tempfile.mkdtemp())
    env = {**os.environ, **SECRETS, "PYTHONUNBUFFERED": "1"}
    timeline: list[str] = []
    started = time.perf_counter()
    with serve_in_thread(sb) as urls:
        config(tmp, urls.smartdok, urls.poweroffice, urls.token)
        cmd = [sys.executable, "-m", "grunndata.cli.main", "transfer", *PERIOD, "--yes"]
        # Faults along the way of the first run: lost answers and refused requests.
        sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", drop_after_commit=True, count=3)
        sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", status=503, count=3)
        kills = (max(1, employees * 5), max(2, employees * 12))
        for kill_at in kills:
            proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while proc.poll() is None:
                count = len(sb.world()["poweroffice"].get(ENTRY) or [])
                if count >= kill_at:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    timeline.append(f"SIGKILL at {count} entries in PowerOffice")
                    break
                time.sleep(0.05)
            else:
                timeline.append(f"run ended by itself (exit {proc.returncode}) before {kill_at} entries")
        # The rerun meets more faults: lost answers, refusals, and SmartDok marks that fail.
        sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", drop_after_commit=True, count=5)
        sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", status=503, count=5)
        sb.add_fault("smartdok", "POST", "/WorkHours/SetExportedExternal", status=400, count=5)
        rerun = subprocess.run(cmd + ["--json"], cwd=tmp, env=env, capture_output=True, text=True)
        data = json.loads(rerun.stdout)
        timeline.append(f"rerun exit {rerun.returncode}: {data['outcome']['ok']} sent, "
                        f"{data['outcome']['recovered']} recovered, {data['outcome']['failed']} failed, "
                        f"{data['summary']['mark']} only marked (half-done by the kills)")
        final = subprocess.run(cmd + ["--json"], cwd=tmp, env=env, capture_output=True, text=True)
        last = json.loads(final.stdout)
        timeline.append(f"final run exit {final.returncode}: {last['summary']['mark']} marked, "
                        f"{last['summary']['send']} sent, {last['summary']['hold']} held back with reasons")
        held = {line["key"] for line in last["lines"] if line["op"] == "hold"}
        assert all(line["reason"].startswith("Holdes tilbake:") for line in last["lines"] if line["op"] == "hold")
        result = verify(sb, held)
    return {"seconds": round(time.perf_counter() - started, 1), "timeline": timeline, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=200)
    args = parser.parse_args()
    a = in_process(args.employees)
    print("in process:", a)
    b = killed_and_faulted(args.employees)
    print("killed and faulted:", b)
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    text = f"""# Transfer benchmark (issue 8): a month of hours, exactly once

`python -m benchmarks.transfer_month` — {dt.date.today()}, {machine}.
World: `month_of_hours({args.employees})` — {a['rows']} SmartDok rows (hours with additions, machine
hours, goods) for January 2026; {a['held']} rows break R3/R4/R5 on purpose.

## In process (ASGI transport, no pacing)

| | |
|---|---|
| first run: preview, send, mark, journal | {a['first_s']} s ({a['sent']} lines sent and marked) |
| second run (sends nothing) | {a['second_s']} s |
| PowerOffice requests / SmartDok requests | {a['po_requests']} / {a['sd_requests']} |
| qualifying rows in PowerOffice exactly once and marked | {a['qualifying']} of {a['qualifying']} |
| held back, reported with the doctor's reason | {a['held']} |

## Real command line over loopback HTTP, SIGKILLed twice, faults injected

{chr(10).join('- ' + t for t in b['timeline'])}

The rerun's failed lines are the injected faults: SmartDok refusing five marks (400), and creates
PowerOffice refused (503) more often than the client retries. "Recovered" lines are creates whose
answer was lost (connection dropped after the write): found by their reference, not sent again.
The final run heals the rest: it only marks the rows PowerOffice already has, and sends the
lines that never reached it.

Afterwards: {b['qualifying']} qualifying rows, each in PowerOffice exactly once and marked in SmartDok
(doubles {b['doubles']}, missing {b['missing']}, unmarked {b['unmarked']}); {b['held']} held back,
none sent. Total wall time {b['seconds']} s.

At PowerOffice's real limit of 10 requests/second the same month needs about
{a['po_requests'] // 10 // 60 + 1} minutes: the client paces itself, and a run that is stopped
part-way resumes where it was.
"""
    RESULTS.write_text(text, encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
