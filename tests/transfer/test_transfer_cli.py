"""grunndata transfer through the command line over real loopback HTTP, killed mid-run with SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from transfer_env import Env, assert_exactly_once, write_config

from grunndata.cli.main import cli
from grunndata.journal import Journal
from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours
from grunndata.sandbox.server import serve_in_thread

SECRET_VALUES = {
    "SMARTDOK_API_TOKEN": "sentinel-sd-9f8e7d6c5b4a",
    "POWEROFFICE_APPLICATION_KEY": "sentinel-app-1a2b3c4d5e",
    "POWEROFFICE_CLIENT_KEY": "sentinel-client-6f7a8b9c0d",
    "POWEROFFICE_SUBSCRIPTION_KEY": "sentinel-sub-0e1d2c3b4a",
    "GRUNNDATA_POWEROFFICE_RATE": "0",  # a local sandbox: no need to pace at 10 requests/second
}
PERIOD = ["--from", "2026-01-01", "--to", "2026-01-31"]


def _serve(tmp_path, monkeypatch, employees: int):
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    sb = Sandbox(month_of_hours(employees, broken_employees=1, goods_rows=20), rate_limit=False)
    with serve_in_thread(sb) as urls:
        write_config(tmp_path, urls.smartdok, urls.poweroffice, urls.token)
        monkeypatch.chdir(tmp_path)
        yield Env(sb, tmp_path)


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Six employees (about 150 rows) served on loopback."""
    yield from _serve(tmp_path, monkeypatch, 6)


@pytest.fixture
def served_big(tmp_path, monkeypatch):
    """Twenty employees (about 480 rows) served on loopback."""
    yield from _serve(tmp_path, monkeypatch, 20)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["transfer", *args], input=input, catch_exceptions=False)


def held(data: dict) -> set[str]:
    return {line["key"] for line in data["lines"] if line["op"] == "hold"}


def test_preview_json_has_the_documented_shape_and_declining_sends_nothing(served: Env):
    result = run(*PERIOD, "--json", input="n\n")
    assert result.exit_code == 3, result.output
    data, _ = json.JSONDecoder().raw_decode(result.output, result.output.index("{"))
    assert {"period", "lines", "summary"} <= set(data)
    assert data["period"] == {"from": "2026-01-01", "to": "2026-01-31"}
    for line in data["lines"]:
        assert set(line) == {"op", "kind", "key", "fields", "reason", "rule"}
        assert line["op"] in {"send", "update", "new_line", "mark", "hold", "report"}
        assert line["kind"] in {"hours", "machine_hours", "goods"}
        assert line["rule"].startswith("rules/transfer.yaml:")
    assert data["summary"]["send"] > 100 and data["summary"]["hold"] > 0
    assert served.sb.write_count("poweroffice") == 0 and served.sb.write_count("smartdok") == 0


def test_text_preview_lists_what_is_held_back_and_why(served: Env):
    result = run(*PERIOD, input="n\n")
    assert result.exit_code == 3
    assert "holdes tilbake" in result.output and "(R3)" in result.output
    assert "Overføre" in result.output and "Oppsummert:" in result.output


def test_yes_sends_marks_and_exits_0_with_held_rows(served: Env):
    result = run(*PERIOD, "--yes", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["outcome"]["failed"] == 0 and data["outcome"]["held"] > 0
    assert_exactly_once(served, held(data))
    again = json.loads(run(*PERIOD, "--yes", "--json").output)
    assert [line for line in again["lines"] if line["op"] != "hold"] == []


def test_a_failed_line_exits_1_and_the_rest_goes_on(served: Env):
    served.sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", status=400, count=1)
    result = run(*PERIOD, "--yes")
    assert result.exit_code == 1
    assert "FEILET" in result.output
    data = json.loads(run(*PERIOD, "--yes", "--json").output)
    assert data["summary"]["send"] == 1
    assert_exactly_once(served, held(data))


def test_transfer_takes_the_same_lock_as_apply(served: Env):
    holder = Journal(served.tmp / "grunndata-journal.sqlite")
    holder.lock()
    try:
        result = CliRunner().invoke(cli, ["transfer", *PERIOD, "--yes"])
    finally:
        holder.close()
    assert result.exit_code == 3 and "pågår allerede" in result.output
    assert served.sb.write_count("poweroffice") == 0


def test_history_shows_the_transfer_with_both_steps(served: Env):
    run(*PERIOD, "--yes")
    runs = json.loads(CliRunner().invoke(cli, ["history", "--json"]).output)
    assert runs[0]["kind"] == "transfer"
    shown = json.loads(CliRunner().invoke(cli, ["history", str(runs[0]["id"]), "--json"]).output)
    assert shown["lines"] and all(line["po_accepted_at"] and line["sd_marked_at"] for line in shown["lines"])
    text = CliRunner().invoke(cli, ["history", str(runs[0]["id"])]).output.splitlines()
    assert text[0].startswith(f"Kjøring {runs[0]['id']}: ok (transfer)")
    assert f"Linjer ({len(shown['lines'])}):" in text and not any(t.startswith("Handlinger") for t in text)
    sent = [t for t in text if "smartdok-workhour-" in t]  # one line per row, both steps' times on it
    assert sent and all("PowerOffice: 20" in t and "SmartDok merket: 20" in t for t in sent)


def test_secrets_never_reach_output_or_journal(served: Env):
    out = run(*PERIOD, "--yes", "--json").output
    files = [p.read_bytes().decode("utf-8", "replace") for p in served.tmp.iterdir() if p.is_file()]
    for text in [out] + files:
        for name, value in SECRET_VALUES.items():
            if name.startswith(("SMARTDOK", "POWEROFFICE")):
                assert value not in text


def test_killed_mid_run_then_rerun_gives_every_row_exactly_once(served_big: Env):
    served = served_big
    sb = served.sb
    # Slow PowerOffice down so the kill lands mid-run, in the middle of sending and marking.
    sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", delay=0.01, count=100000)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for kill_after in (60, 200):
        proc = subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "transfer", *PERIOD, "--yes"],
                                cwd=served.tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(served.entries()) < kill_after and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 0 < len(served.entries()) < 500, "the kill should land mid-run"
    sb.clear_faults()
    # The rerun meets a few more faults: a lost answer and a refused request.
    sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", drop_after_commit=True, count=2)
    sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", status=503, count=2)
    rerun = run(*PERIOD, "--yes", "--json")
    assert rerun.exit_code in (0, 1), rerun.output  # a line the faults failed for good is healed next
    result = run(*PERIOD, "--yes", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert_exactly_once(served, held(data))
    journal = Journal(served.tmp / "grunndata-journal.sqlite")
    try:
        runs = journal.runs()
    finally:
        journal.close()
    statuses = [r["status"] for r in runs]
    assert statuses[0] == "ok"
    assert sum(s in ("running", "interrupted") for s in statuses) == 2  # the two killed runs stay visible
