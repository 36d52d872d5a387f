"""History and interrupts tell the truth (issue 11, item 7): a transfer stopped by Ctrl-C finishes
and journals the lines in flight and exits 130; a killed one shows in ``history`` what reached
PowerOffice, not 0; a line is ``started`` in the journal when its request is sent, not while queued."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from transfer_env import ENTRY, Env, assert_exactly_once, write_config

from grunndata.cli.main import cli
from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours
from grunndata.sandbox.server import serve_in_thread

SECRET_VALUES = {
    "SMARTDOK_API_TOKEN": "interrupt-sd-9f8e7d6c5b4a",
    "POWEROFFICE_APPLICATION_KEY": "interrupt-app-1a2b3c4d5e",
    "POWEROFFICE_CLIENT_KEY": "interrupt-client-6f7a8b9c0d",
    "POWEROFFICE_SUBSCRIPTION_KEY": "interrupt-sub-0e1d2c3b4a",
    "GRUNNDATA_POWEROFFICE_RATE": "0",
}
PERIOD = ["--from", "2026-01-01", "--to", "2026-01-31"]
REACHED = 21  # lines in PowerOffice when the run is stopped
CONCURRENCY = 4  # the write engine's bound: at most this many lines in flight


@pytest.fixture
def served(tmp_path, monkeypatch):
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    sb = Sandbox(month_of_hours(8, broken_employees=1, goods_rows=10), rate_limit=False)
    with serve_in_thread(sb) as urls:
        write_config(tmp_path, urls.smartdok, urls.poweroffice, urls.token)
        monkeypatch.chdir(tmp_path)
        # Slow PowerOffice down so the stop lands while lines are being sent.
        sb.add_fault("poweroffice", "POST", "/v2/TimeTracking/TimeTrackingEntry", delay=0.05, count=100000)
        yield Env(sb, tmp_path)


def in_poweroffice(env: Env) -> int:
    with env.sb.lock:
        return len(env.sb.state.tables["poweroffice"].get(ENTRY) or {})


def start(env: Env) -> subprocess.Popen:
    # Ctrl-C as a terminal sends it: SIGINT with Python's own handler (whatever the test runner set).
    return subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "transfer", *PERIOD, "--yes", "--json"],
                            cwd=env.tmp, env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_until_reached(env: Env, proc: subprocess.Popen, n: int = REACHED) -> None:
    deadline = time.monotonic() + 60
    while in_poweroffice(env) < n:
        assert proc.poll() is None, "the transfer ended before it was stopped"
        assert time.monotonic() < deadline, "no lines reached PowerOffice"
        time.sleep(0.01)


def history(*args: str):
    result = CliRunner().invoke(cli, ["history", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ctrl_c_finishes_the_lines_in_flight_journals_them_and_exits_130(served: Env):
    proc = start(served)
    wait_until_reached(served, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "avbrutt" in err and "Traceback" not in err
    sent = in_poweroffice(served)
    report = json.loads(out)
    assert REACHED <= sent < report["outcome"]["planned_writes"]  # it stopped before the end
    assert report["outcome"]["ok"] + report["outcome"]["recovered"] == sent
    [run] = history()
    assert run["kind"] == "transfer" and run["status"] == "interrupted"
    assert run["summary"]["ok"] + run["summary"]["recovered"] == sent
    assert run["summary"]["marked"] == sent
    lines = history(str(run["id"]))["lines"]
    # Every line whose request went out was finished, both steps, and journaled; none left 'started'.
    assert not [line for line in lines if line["outcome"] == "started"]
    assert len(lines) == sent and all(line["po_accepted_at"] and line["sd_marked_at"] for line in lines)
    served.sb.clear_faults()
    again = CliRunner().invoke(cli, ["transfer", *PERIOD, "--yes", "--json"])
    assert again.exit_code == 0, again.output
    assert_exactly_once(served, {line["key"] for line in json.loads(again.output)["lines"] if line["op"] == "hold"})


def test_a_killed_transfer_shows_what_reached_poweroffice_and_started_only_what_was_sent(served: Env):
    proc = start(served)
    wait_until_reached(served, proc)
    proc.kill()
    proc.communicate(timeout=60)
    sent = in_poweroffice(served)
    [run] = history()
    assert run["kind"] == "transfer" and run["status"] == "interrupted"
    accepted = run["summary"]["ok"] + run["summary"]["recovered"]
    # What PowerOffice accepted and the journal recorded, less at most the lines in flight at the kill.
    assert sent - CONCURRENCY <= accepted <= sent and accepted >= REACHED - CONCURRENCY
    lines = history(str(run["id"]))["lines"]
    started = [line for line in lines if line["outcome"] == "started"]
    assert len(started) <= CONCURRENCY < run["summary"]["planned_writes"] - len(lines)
