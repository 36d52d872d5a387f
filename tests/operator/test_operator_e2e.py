"""Done when (issue 14): migrate, three tenants on one subscription key, two workers — after each
tenant's first sync (approved, as a person does) SmartDok's changes reach PowerOffice by
themselves, every tenant is healthy, and PowerOffice never saw more than 10 requests a second."""
from __future__ import annotations

import socket

import httpx
import pytest
from operator_env import Operator, wait_for

from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.sandbox.tenants_world import tenants_world


@pytest.fixture
def operator_env(pg_empty, tmp_path):
    world = tenants_world(3, projects=[6, 9, 12], subscription_keys=1, seed=3)
    sb = Sandbox(world)
    with serve_in_thread(sb) as urls:
        env = Operator(sb, urls, pg_empty, tmp_path, sorted(world["tenants"]))
        try:
            yield env
        finally:
            env.stop_workers()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def onboard(env: Operator) -> None:
    assert env.cli("operator", "migrate").exit_code == 0
    again = env.cli("operator", "migrate")
    assert again.exit_code == 0 and "ingenting å gjøre" in again.output
    for name in env.names:
        result = env.cli("tenant", "add", name, "--config", str(env.write_config(name)))
        assert result.exit_code == 0, result.output


def first_sync(env: Operator) -> None:
    """The first cycle of an integration nobody applied waits; the operator approves it."""
    for name in env.names:
        [run] = wait_for(lambda n=name: env.waiting(n), f"{name}'s first plan to wait", procs=env.workers)
        result = env.cli("tenant", "approve", name, str(run))
        assert result.exit_code == 0, result.output
    for name in env.names:
        wait_for(lambda n=name: env.converged(n), f"{name} in step", procs=env.workers)


def test_three_tenants_two_workers_one_key(operator_env):
    env = operator_env
    onboard(env)
    listed = env.cli("tenant", "list", "--json")
    assert [t["name"] for t in __import__("json").loads(listed.output)] == env.names
    port = free_port()
    env.start_worker("--metrics-port", str(port))
    env.start_worker("--concurrency", "2")
    first_sync(env)
    # Changes in SmartDok now reach PowerOffice by themselves.
    for i, name in enumerate(env.names):
        env.new_smartdok_project(name, f"77{i}01", f"Ny hall {i}")
    for i, name in enumerate(env.names):
        wait_for(lambda n=name, c=f"77{i}01": c in env.codes(n), f"{name}'s new project in PowerOffice",
                 procs=env.workers)
    def healthy():
        code, data = env.status()
        return code == 0 and data if all(t["healthy"] for t in data["tenants"].values()) else None
    data = wait_for(healthy, "every tenant healthy", procs=env.workers)
    assert sorted(data["tenants"]) == env.names
    for name in env.names:
        tenant = data["tenants"][name]
        assert tenant["waiting"] == [] and tenant["cycles"]["sync"]["error"] is None
        assert tenant["cycles"]["sync"]["next"] is not None  # a worker serves it
        assert env.converged(name)
    rate = env.rate()
    assert rate["max_per_second"] <= 10 and rate["429"] == 0, rate
    scraped = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    for metric in ("grunndata_cycles_total", "grunndata_actions_total", "grunndata_requests_total",
                   "grunndata_rate_limit_wait_seconds_count", "grunndata_jobs", "grunndata_tenant_lag_seconds",
                   "grunndata_po_budget_used"):
        assert metric in scraped, metric
    assert 'grunndata_requests_total{system="poweroffice"}' in scraped
    outputs = env.stop_workers()  # SIGTERM: both end cleanly
    assert all("stoppet" in out for out in outputs), outputs
