"""grunndata invoice through the command line over real loopback HTTP: JSON shape, text, exit codes, lock."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from invoice_env import Env, assert_exactly_once, write_config

from grunndata.cli.main import cli
from grunndata.journal import Journal
from grunndata.sandbox import Sandbox
from grunndata.sandbox.invoice_world import month_of_invoices
from grunndata.sandbox.server import serve_in_thread

SECRET_VALUES = {
    "SMARTDOK_API_TOKEN": "sentinel-sd-9f8e7d6c5b4a",
    "POWEROFFICE_APPLICATION_KEY": "sentinel-app-1a2b3c4d5e",
    "POWEROFFICE_CLIENT_KEY": "sentinel-client-6f7a8b9c0d",
    "POWEROFFICE_SUBSCRIPTION_KEY": "sentinel-sub-0e1d2c3b4a",
    "GRUNNDATA_POWEROFFICE_RATE": "0",  # a local sandbox: no need to pace at 10 requests/second
}
PERIOD = ["--from", "2026-11-01", "--to", "2026-11-30"]


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Twelve invoice bases of four lines served on loopback: one held back for its customer, one for a product."""
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    sb = Sandbox(month_of_invoices(12, 4, projects=4, wrong_customer=1, missing_product=1), rate_limit=False)
    with serve_in_thread(sb) as urls:
        write_config(tmp_path, urls.smartdok, urls.poweroffice, urls.token)
        monkeypatch.chdir(tmp_path)
        yield Env(sb, tmp_path)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["invoice", *args], input=input, catch_exceptions=False)


def held(data: dict) -> set[str]:
    return {line["key"] for line in data["lines"] if line["op"] == "hold"}


def test_preview_json_has_the_documented_shape_and_declining_sends_nothing(served: Env):
    result = run(*PERIOD, "--json", input="n\n")
    assert result.exit_code == 3, result.output  # not confirmed
    data = json.loads(result.stdout)
    assert set(data) == {"period", "lines", "summary", "run", "results", "outcome"}
    assert data["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    for line in data["lines"]:
        assert set(line) == {"op", "kind", "key", "fields", "reason", "rule"}
        assert line["kind"] == "invoice" and line["key"].startswith("smartdok-invoice-")
        assert {"order", "lines"} <= set(line["fields"]) and line["rule"].startswith("rules/")
    send = next(line for line in data["lines"] if line["op"] == "send")
    assert set(send["fields"]["order"]) == {"CustomerNo", "ProjectCode", "SalesOrderDate", "SalesOrderStatus",
                                            "ExternalImportReference"}
    assert all(x["ExternalImportReference"].startswith(send["key"] + "-") for x in send["fields"]["lines"])
    assert data["summary"]["send"] == 10 and data["summary"]["hold"] == 2 and data["summary"]["total"] == 12
    assert set(data["summary"]) == {"send", "correct", "hold", "report", "already_transferred", "total", "writes"}
    assert data["outcome"]["declined"] is True and data["results"] == [] and served.orders() == []


def test_text_preview_says_what_becomes_an_order_and_what_is_held_back_and_why(served: Env):
    result = run(*PERIOD, input="n\n")
    assert result.exit_code == 3
    out = result.output
    assert "Fakturagrunnlag: blir ordreutkast (10)" in out and "Fakturagrunnlag: holdes tilbake (2)" in out
    assert "Holdes tilbake: Produkt M99 (maskin) finnes ikke i PowerOffice" in out
    assert "Customer connected to project is not the same as the customer stated in the API" in out
    assert "Oppsummert: 10 blir ordreutkast, 2 holdes tilbake" in out


def test_yes_sends_exits_0_with_bases_held_back_and_again_sends_nothing(served: Env):
    result = run(*PERIOD, "--yes", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"]["ok"] == 10 and data["outcome"]["held"] == 2 and data["run"] == 1
    assert all(set(r) == {"op", "kind", "key", "reference", "fields", "reason", "rule", "outcome", "remote_id",
                          "detail"} for r in data["results"])
    assert assert_exactly_once(served, held(data)) == 10
    again = run(*PERIOD, "--yes", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["summary"]["already_transferred"] == 10
    assert served.sb.stats()["poweroffice"]["POST /v2/SalesOrders/Complete"] == 10


def test_a_failed_order_exits_1_and_the_rest_goes_on(served: Env):
    served.sb.add_fault("poweroffice", "POST", "/v2/SalesOrders/Complete", status=400, count=1)
    result = run(*PERIOD, "--yes")
    assert result.exit_code == 1, result.output
    assert "FEILET: ordre opprettet smartdok-invoice-" in result.output
    assert len(served.orders()) == 9
    assert run(*PERIOD, "--yes").exit_code == 0 and len(served.orders()) == 10  # the next run heals it


def test_invoice_takes_the_same_lock_as_apply_and_transfer(served: Env):
    journal = Journal(served.tmp / "grunndata-journal.sqlite")
    journal.lock()
    try:
        result = run(*PERIOD, "--yes")
    finally:
        journal.close()
    assert result.exit_code == 3 and served.orders() == []


def test_history_shows_the_invoice_run_and_each_write(served: Env):
    run(*PERIOD, "--yes")
    result = CliRunner().invoke(cli, ["history", "1", "--json"])
    data = json.loads(result.stdout)
    assert data["kind"] == "invoice" and data["status"] == "ok" and len(data["lines"]) == 10
    assert {line["op"] for line in data["lines"]} == {"create"} and all(line["digest"] for line in data["lines"])
    text = CliRunner().invoke(cli, ["history", "1"]).output
    assert "(fakturagrunnlag, ordre opprettet)" in text and "SmartDok merket" not in text


def test_a_period_ending_before_it_starts_is_one_line(served: Env):
    result = run("--from", "2026-11-30", "--to", "2026-11-01")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "perioden slutter (2026-11-01) før den begynner (2026-11-30)" in lines[0]
    assert served.sb.stats()["poweroffice"] == {}  # refused before any request


def test_secrets_never_reach_output_or_journal(served: Env):
    out = run(*PERIOD, "--yes", "--json").output
    files = [p.read_bytes().decode("utf-8", "replace") for p in served.tmp.iterdir() if p.is_file()]
    for text in [out] + files:
        for name, value in SECRET_VALUES.items():
            if name.startswith(("SMARTDOK", "POWEROFFICE")):
                assert value not in text
