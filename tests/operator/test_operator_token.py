"""A worker keeps each tenant's PowerOffice token between jobs (in memory): consecutive cycles of a
tenant sign in once, a quiet incremental cycle costs 4 PowerOffice requests (no sign-in among
them), and a token PowerOffice no longer accepts is dropped, fetched again once, and the cycle
still succeeds. A tenant whose client key changed never gets the token of its old key."""
from __future__ import annotations

import asyncio

import psycopg
import pytest
import yaml
from operator_env import secret_env

from grunndata.operator import tenants
from grunndata.operator.runtime import Runtime
from grunndata.operator.worker import run_job
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.sandbox.tenants_world import tenants_world

SIGN_IN = "POST /OAuth/Token"


def po_requests(sb: Sandbox, name: str) -> dict[str, int]:
    return sb.stats(name)["poweroffice"]


def cycles(url: str, name: str) -> list[tuple[str, bool]]:
    """The tenant's sync cycles: (mode, ok)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT mode, ok FROM grunndata.state_cycles WHERE tenant=%s AND kind='sync' ORDER BY id", (name,)).fetchall()]


@pytest.fixture
def one_tenant(pg_url, tmp_path, monkeypatch):
    """One tenant already in step (nothing to write), added to a fresh database, its secrets in
    the environment as a worker reads them."""
    world = tenants_world(1, projects=[12], in_step=1.0, seed=5)
    [name] = world["tenants"]
    sb = Sandbox(world)
    with serve_in_thread(sb) as urls:
        (tmp_path / "kunde.yaml").write_text("unattended:\n  max_writes: 500\n", encoding="utf-8")
        cfg = {"master": "smartdok", "standard_project": "9000", "smartdok": {"base_url": urls.smartdok},
               "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token},
               "schedule": {"sync": "1h", "alert_after": "24h"}, "rules": ["kunde.yaml"]}
        (tmp_path / "grunndata.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
        with psycopg.connect(pg_url, autocommit=True) as conn:
            tenants.add(conn, name, tenants.read_setup(str(tmp_path / "grunndata.yaml")), None)
            # a tenant past its first approved plan (what `tenant approve` records)
            conn.execute("INSERT INTO grunndata.state_meta (tenant, key, value) VALUES (%s, 'person_applied', "
                         "'true')", (name,))
        for var, value in secret_env(name).items():
            monkeypatch.setenv(var, value)
        yield sb, urls, pg_url, name


def run_cycles(url: str, name: str, steps: list) -> None:  # type: ignore[type-arg]
    """Each step (a callable, or None for a cycle) in one worker process's runtime, in order."""
    async def go() -> None:
        runtime = Runtime(url)
        try:
            for step in steps:
                if step is None:
                    await run_job(runtime, name, "sync", True)
                else:
                    step()
        finally:
            await runtime.aclose()
    asyncio.run(go())


def test_consecutive_cycles_sign_in_once_and_a_quiet_cycle_costs_four_requests(one_tenant):
    sb, _, url, name = one_tenant
    seen: list[dict[str, int]] = []
    run_cycles(url, name, [None, lambda: seen.append(po_requests(sb, name)), None])
    after = po_requests(sb, name)
    assert after[SIGN_IN] == 1, after
    assert cycles(url, name) == [("full", True), ("incremental", True)]
    second = sum(after.values()) - sum(seen[0].values())
    assert second == 4, (seen[0], after)


def test_a_token_poweroffice_no_longer_accepts_is_fetched_again_once(one_tenant):
    sb, _, url, name = one_tenant
    # the sandbox's clock moves past the token's 1200 s: PowerOffice answers 401, the worker's
    # clock still finds it fresh
    run_cycles(url, name, [None, lambda: sb.advance_clock(1300), None, None])
    assert po_requests(sb, name)[SIGN_IN] == 2
    assert [ok for _, ok in cycles(url, name)] == [True, True, True]


def test_a_tenant_whose_client_key_changed_signs_in_afresh(one_tenant, monkeypatch):
    sb, _, url, name = one_tenant
    [var] = [v for v in secret_env(name) if v.endswith("POWEROFFICE_CLIENT_KEY")]
    good = secret_env(name)[var]
    # a different client key (here one PowerOffice refuses): the kept token of the old key is not sent
    run_cycles(url, name, [None, lambda: monkeypatch.setenv(var, "another-client-key"), None,
                           lambda: monkeypatch.setenv(var, good), None])
    requests = po_requests(sb, name)
    # the other key's cycle fails at its sign-in (the sandbox refuses that key, counted for no
    # tenant): had the kept token been sent, it would have succeeded; the good key signs in again
    assert [ok for _, ok in cycles(url, name)] == [True, False, True]
    assert requests[SIGN_IN] == 2, requests
