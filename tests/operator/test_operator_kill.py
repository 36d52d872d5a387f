"""A worker killed (SIGKILL) mid-cycle: its job is picked up again after its heartbeat stops,
and lookup-before-resend keeps every write exactly once — nothing lost, nothing duplicated."""
from __future__ import annotations

import signal

import pytest
from operator_env import Operator, wait_for
from test_operator_e2e import first_sync, onboard

from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.sandbox.tenants_world import tenants_world

NEW = 60


@pytest.fixture
def one_tenant(pg_empty, tmp_path):
    world = tenants_world(1, projects=[5], subscription_keys=1, seed=11)
    sb = Sandbox(world)
    with serve_in_thread(sb) as urls:
        env = Operator(sb, urls, pg_empty, tmp_path, sorted(world["tenants"]))
        try:
            yield env
        finally:
            env.stop_workers()


def test_sigkill_mid_cycle_loses_and_duplicates_nothing(one_tenant):
    env = one_tenant
    [name] = env.names
    onboard(env)
    env.start_worker()
    first_sync(env)
    # The worker stops (SIGTERM) while the projects are made, so that one cycle reads them all.
    env.stop_workers()
    wanted = [f"88{i:03d}" for i in range(NEW)]
    for number in wanted:
        env.new_smartdok_project(name, number, f"Bygg {number}")
    first = env.start_worker()
    # mid-cycle: some of the new projects are in PowerOffice, not all
    wait_for(lambda: sum(c in wanted for c in env.codes(name)) >= 8, "the cycle's first writes", procs=[first])
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert sum(c in wanted for c in env.codes(name)) < NEW, "the cycle ended before the kill"
    env.workers.remove(first)
    env.start_worker()
    wait_for(lambda: all(c in env.codes(name) for c in wanted), "every new project in PowerOffice",
             timeout=180, procs=env.workers)
    codes = env.codes(name)
    assert [c for c in wanted if codes.count(c) != 1] == []
    assert env.converged(name)
    # the killed cycle is on record as failed (interrupted), the next one succeeded
    rows = env.query("SELECT ok, error->>'message' FROM grunndata.state_cycles WHERE tenant=%s AND kind='sync' "
                     "ORDER BY id", name)
    assert (False, "interrupted") in rows
    rate = env.rate()
    assert rate["max_per_second"] <= 10 and rate["429"] == 0, rate
