"""Keeps the 1k plan from regressing, without an absolute time that fails on a slow machine.

The engine's time to plan a generated 1,000-project world is compared with the time to merely
read that world from the in-process sandbox, both measured here, in this run, as CPU time of
this process (the sandbox runs in it too), best of several tries: a slow or busy machine slows
both. On a 2-core machine the engine takes about as long as the read (ratio ~0.7); the bound
is generous, so only a real regression — a step that is quadratic in the records, a per-record
rules lookup gone slow — fails it. The full measurements are ``python -m benchmarks.run``.
"""
from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for benchmarks/

from benchmarks.run import bench_secrets, fewest_requests, open_bench_session  # noqa: E402
from benchmarks.worldgen import generate  # noqa: E402
from grunndata.engine import runner  # noqa: E402
from grunndata.engine.planner import make_plan  # noqa: E402
from grunndata.sandbox import Sandbox  # noqa: E402

PROJECTS = 1_000
TRIES = 5
BOUND = 4.0  # engine time / read time


@pytest.fixture(scope="module")
def measured():
    sb = Sandbox(generate(PROJECTS, seed=1), rate_limit=False)
    session = open_bench_session("smartdok")

    async def read():
        async with runner.connect(session, bench_secrets(), transports=sb.transports(),
                                  rate_per_second=None) as conn:
            return await runner.read_snapshot(conn)

    reads, engines, stats = [], [], None
    for _ in range(TRIES):
        with sb.lock:
            for control in sb.controls.values():
                control.clear_stats()
        gc.collect()
        t0 = time.process_time()
        snapshot = asyncio.run(read())
        t1 = time.process_time()
        plan = make_plan(session, snapshot)
        t2 = time.process_time()
        reads.append(t1 - t0)
        engines.append(t2 - t1)
        stats = stats or sb.stats()
    return {"read": min(reads), "engine": min(engines), "stats": stats, "snapshot": snapshot, "plan": plan}


def test_planning_1k_projects_costs_at_most_a_few_reads_of_the_same_world(measured):
    ratio = measured["engine"] / measured["read"]
    assert ratio <= BOUND, (
        f"planning took {measured['engine']:.3f} s of CPU, {ratio:.1f}× the {measured['read']:.3f} s it takes to "
        f"read the same {PROJECTS}-project world (bound {BOUND}×): profile with "
        "'python -m benchmarks.run --quick' and pyinstrument")


def test_reading_takes_the_fewest_requests_and_no_per_record_get(measured):
    sent, fewest = measured["stats"], fewest_requests(measured["snapshot"])
    assert sent == fewest
    assert not [k for system in sent.values() for k in system if k.startswith("GET ") and "{" in k]


def test_the_plan_stays_in_proportion_to_the_drift(measured):
    # The generated world drifts in about one record in six; a plan many times that size means
    # a check that compares every record with every other (sub-project names once did: 1,949
    # warnings for 13 new sub-projects).
    summary = measured["plan"].summary()
    assert summary["total"] < PROJECTS // 2, summary


def test_a_smartdok_update_is_one_put_and_a_second_update_builds_on_the_first():
    # PowerOffice as master: a completed and renamed project is finished and renamed in SmartDok.
    world = {"smartdok": {"Projects": [{"Id": 1, "ProjectNumber": "100", "ProjectName": "Gammelt",
                                        "IsActive": True, "Finished": False}]},
             "poweroffice": {"Projects": [{"Id": 1, "Code": "100", "Name": "Nytt", "ProjectStatus": "Complete",
                                           "ProjectBillingMethod": "Time"}]}}
    sb = Sandbox(world, rate_limit=False)
    session = open_bench_session("poweroffice")

    async def go():
        async with runner.connect(session, bench_secrets(), transports=sb.transports(),
                                  rate_per_second=None) as conn:
            report = await runner.apply(session, conn)
            again, _ = await runner.plan(session, conn)
            return report, again

    report, again = asyncio.run(go())
    assert sorted(o.action.op for o in report.outcomes) == ["finish", "update"]
    assert {o.status for o in report.outcomes} == {"ok"}
    assert again.writes == []
    project = sb.world()["smartdok"]["Projects"][0]
    assert (project["ProjectName"], project["Finished"], project["IsActive"]) == ("Nytt", True, False)
    sent = sb.stats()["smartdok"]
    # One GET (fresh, so a person's change since the plan's read is not reverted), then the
    # second PUT builds on the first.
    assert sent.get("PUT /Projects/{id}") == 2 and sent.get("GET /Projects/{id}") == 1
