"""The console in operator mode over a real PostgreSQL: /kunder lists the operator's tenants with
the health, lag, last error and waiting plans their state stores hold; each tenant's pages read
its own store; a save in Oppsett stores a new version of the tenant's config."""
from __future__ import annotations

import copy
import datetime as dt
import html
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from starlette.testclient import TestClient

from grunndata.console.app import create_app
from grunndata.console.operator_source import OperatorTenants
from grunndata.operator import tenants
from grunndata.operator.tenant_secrets import env_prefix
from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL, Sandbox
from grunndata.sandbox.demo import demo_world_path
from grunndata.state.postgres import PostgresStateStore

HOSTILE = "<script>alert(1)</script> [fase 2]"
BASE = "http://127.0.0.1:8765"
SECRETS = {"SMARTDOK_API_TOKEN": "op-sd-1a2b", "POWEROFFICE_APPLICATION_KEY": "op-app-3c4d",
           "POWEROFFICE_CLIENT_KEY": "op-client-5e6f", "POWEROFFICE_SUBSCRIPTION_KEY": "op-sub-7a8b"}


def add_tenant(url: str, folder: Path, name: str) -> None:
    folder.mkdir()
    config = folder / "grunndata.yaml"
    config.write_text(yaml.safe_dump({"master": "poweroffice", "standard_project": "9000",
                                      "smartdok": {"base_url": SMARTDOK_URL},
                                      "poweroffice": {"base_url": POWEROFFICE_URL, "token_url": POWEROFFICE_TOKEN_URL}}),
                      encoding="utf-8")
    with psycopg.connect(url, autocommit=True) as conn:
        tenants.add(conn, name, tenants.read_setup(str(config)), None)


@pytest.fixture
def operator(pg_url, tmp_path, monkeypatch) -> Iterator[tuple[TestClient, OperatorTenants]]:
    for name in ("acme-bygg", "fjord"):
        for key, value in SECRETS.items():
            monkeypatch.setenv(env_prefix(name) + key, value)
        add_tenant(pg_url, tmp_path / name, name)
    monkeypatch.setenv("GRUNNDATA_POWEROFFICE_RATE", "0")
    store = PostgresStateStore(psycopg.connect(pg_url, autocommit=True), "acme-bygg")
    try:
        now = dt.datetime.now(dt.UTC)
        cycle = store.cycle_started("sync", "incremental", now - dt.timedelta(minutes=3))
        store.cycle_finished(cycle, now - dt.timedelta(minutes=2), ok=False,
                             error={"message": "503", "explanation": f"PowerOffice svarte 503 for {HOSTILE}"})
        store.add_waiting(41, "6 av 12 prosjekter avsluttes; grensen er 5 %", {"create": 0, "update": 0, "finish": 6},
                          {"master": "smartdok", "actions": [{"op": "finish", "entity": "projects", "key": "2303",
                                                              "fields": {"name": HOSTILE}, "reason": "avsluttet"}]},
                          {})
    finally:
        store.close()
    world = copy.deepcopy(yaml.safe_load(demo_world_path().read_text(encoding="utf-8")))
    source = OperatorTenants(pg_url, transports=Sandbox(world, rate_limit=False).transports())
    app = create_app(source, port=8765)
    with TestClient(app, base_url=BASE) as c:
        c.get(f"/?token={app.state.console.auth.token}")
        yield c, source
    source.close()


def test_kunder_shows_each_tenants_stored_health(operator):
    client, _ = operator
    page = client.get("/kunder").text
    assert page.count('<tr class="tenant ') == 2
    assert '<tr class="tenant failed">' in page and '<tr class="tenant ok">' in page
    assert html.escape(f"PowerOffice svarte 503 for {HOSTILE}", quote=False) in page and HOSTILE not in page
    assert 'href="/kunder/acme-bygg/historikk">1 plan</a>' in page
    assert client.get("/kunder?q=503").text.count('<tr class="tenant ') == 1


def test_a_tenants_historikk_reads_its_own_store(operator):
    client, _ = operator
    page = client.get("/kunder/acme-bygg/historikk").text
    assert 'id="venter-41"' in page and "grensen er 5 %" in page
    assert html.escape(HOSTILE, quote=False) in page and HOSTILE not in page
    assert 'id="venter-41"' not in client.get("/kunder/fjord/historikk").text
    assert client.get("/kunder/finnes-ikke/historikk").status_code == 404


def test_saving_oppsett_stores_a_new_version_of_the_tenants_config(operator, pg_url):
    client, _ = operator
    page = client.get("/kunder/fjord/oppsett")
    assert page.status_code == 200, page.text[:500]
    token = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    with psycopg.connect(pg_url) as conn:
        before = tenants.require(conn, "fjord").version
    saved = client.post("/kunder/fjord/oppsett", data={"csrf": token, "master": "poweroffice",
                                                       "standard_project": "9000"})
    assert saved.status_code == 200, saved.text[:500]
    with psycopg.connect(pg_url) as conn:
        after = tenants.require(conn, "fjord")
    assert after.version > before and "standard_project" in after.config_text
