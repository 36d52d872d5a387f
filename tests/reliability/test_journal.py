"""The journal: every apply is recorded (when, the config's hash, each action, its outcome, remote
ids), ``--state FILE`` moves it, a killed run shows as interrupted, and two applies on one
integration never interleave: the second is refused at once with a clear message (exit 3)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from _rel_worlds import big_world, config_for
from crash_run import SECRETS
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread

ENV = {**os.environ, **SECRETS, "GRUNNDATA_POWEROFFICE_RATE": "0"}


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grunndata.cli.main", *args], env=ENV, capture_output=True,
                          text=True, timeout=timeout)


def start_apply(config, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "apply", "--yes", "--json", "-c",
                             str(config), *extra], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_writes(sb: Sandbox, n: int = 1, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while sb.write_count("poweroffice") + sb.write_count("smartdok") < n:
        assert time.monotonic() < deadline, "no write started"
        time.sleep(0.01)


@pytest.fixture
def served(tmp_path):
    sb = Sandbox(big_world(40, seed=5), rate_limit=False)
    with serve_in_thread(sb) as urls:
        config = tmp_path / "grunndata.yaml"
        config.write_text(yaml.safe_dump(config_for(urls)), encoding="utf-8")
        yield sb, config, tmp_path


def test_every_apply_is_recorded_with_its_actions_outcomes_and_remote_ids(served):
    sb, config, tmp = served
    state = tmp / "elsewhere" / "journal.sqlite"
    done = cli("apply", "--yes", "--json", "-c", str(config), "--state", str(state))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert state.exists() and not (tmp / "grunndata-journal.sqlite").exists()
    runs = json.loads(cli("history", "--json", "-c", str(config), "--state", str(state)).stdout)
    assert len(runs) == 1
    run = runs[0]
    assert run["status"] == "ok" and run["kind"] == "apply" and run["started_at"] and run["finished_at"] and len(run["config_hash"]) == 16
    shown = json.loads(cli("history", str(run["id"]), "--json", "-c", str(config), "--state", str(state)).stdout)
    assert len(shown["actions"]) == report["summary"]["planned_writes"]
    created = [a for a in shown["actions"] if a["op"] == "create"]
    assert created and all(a["outcome"] == "ok" and a["remote_id"] for a in created)
    po_ids = {str(p["Id"]) for p in sb.world()["poweroffice"]["Projects"]}
    assert {a["remote_id"] for a in created if a["entity"] == "projects"} <= po_ids
    text = cli("history", str(run["id"]), "-c", str(config), "--state", str(state))
    assert text.returncode == 0 and f"Kjøring {run['id']}: ok" in text.stdout


def test_a_killed_apply_shows_as_interrupted_not_ok_nor_running(served):
    sb, config, _ = served
    sb.add_fault("poweroffice", "POST", "/v2/Projects", count=1, delay=30)
    proc = start_apply(config)
    # Well into the run: had 'started' been written at queueing, far more than 4 would show.
    wait_for_writes(sb, 10)
    proc.kill()
    proc.communicate()
    runs = json.loads(cli("history", "--json", "-c", str(config)).stdout)
    assert [r["status"] for r in runs] == ["interrupted"]
    assert runs[0]["finished_at"] is None
    shown = json.loads(cli("history", str(runs[0]["id"]), "--json", "-c", str(config)).stdout)
    started = [a for a in shown["actions"] if a["outcome"] == "started"]
    assert started  # may have happened: re-read next time
    # 'started' is written when a request is about to go out, not while queued: at most the
    # applier's concurrency (4) are open at a kill, not the whole plan.
    assert len(started) <= 4 < len(json.loads(cli("plan", "--json", "-c", str(config)).stdout)["actions"])
    sb.clear_faults()
    assert cli("apply", "--yes", "-c", str(config)).returncode == 0
    assert [r["status"] for r in json.loads(cli("history", "--json", "-c", str(config)).stdout)] == \
        ["ok", "interrupted"]


def test_a_run_in_progress_shows_as_running(served):
    sb, config, _ = served
    sb.add_fault("poweroffice", "POST", "/v2/Projects", count=1, delay=5)  # ample for a loaded machine
    proc = start_apply(config)
    try:
        wait_for_writes(sb)
        runs = json.loads(cli("history", "--json", "-c", str(config)).stdout)
        assert [r["status"] for r in runs] == ["running"]
    finally:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_two_applies_at_once_never_interleave_the_second_is_refused(served):
    sb, config, _ = served
    sb.add_fault("poweroffice", "POST", "/v2/Projects", count=1, delay=5)  # ample for a loaded machine
    first = start_apply(config)
    wait_for_writes(sb)
    writes_before = sb.write_count("poweroffice") + sb.write_count("smartdok")
    second = cli("apply", "--yes", "-c", str(config))
    assert second.returncode == 3
    message = second.stderr.strip().splitlines()
    assert len(message) == 1 and "pågår allerede" in message[0]
    assert f"pid {first.pid}" in message[0]
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    # The refused apply wrote nothing and recorded no run: one run, all of it the first's.
    runs = json.loads(cli("history", "--json", "-c", str(config)).stdout)
    assert len(runs) == 1 and runs[0]["status"] == "ok"
    assert json.loads(out)["summary"]["ok"] == sb.write_count("poweroffice") + sb.write_count("smartdok")
    assert writes_before >= 1


@pytest.mark.parametrize("value", ["abc", "-1", "nan"])
def test_a_bad_pacing_setting_is_one_clear_line(served, value):
    _, config, _ = served
    done = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "plan", "-c", str(config)],
                          env={**ENV, "GRUNNDATA_POWEROFFICE_RATE": value}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "GRUNNDATA_POWEROFFICE_RATE" in done.stderr


def test_ctrl_c_during_apply_finishes_the_writes_in_flight_and_exits_130(served):
    """Ctrl-C while writing: no new write starts, those in flight finish and are journaled, the run
    shows as interrupted with what it wrote, and the command exits 130."""
    sb, config, _ = served
    sb.add_fault("poweroffice", "POST", "/v2/Projects", count=1000, delay=0.05)
    proc = subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "apply", "--yes", "--json", "-c",
                             str(config)], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for_writes(sb, 8)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "avbrutt" in err and "Traceback" not in err
    written = sb.write_count("poweroffice") + sb.write_count("smartdok")
    report = json.loads(out)
    assert 8 <= written < report["summary"]["planned_writes"]
    assert report["summary"]["ok"] == written == len(report["results"])
    [run] = json.loads(cli("history", "--json", "-c", str(config)).stdout)
    assert run["kind"] == "apply" and run["status"] == "interrupted" and run["summary"]["ok"] == written
    actions = json.loads(cli("history", str(run["id"]), "--json", "-c", str(config)).stdout)["actions"]
    assert len(actions) == written and all(a["outcome"] == "ok" for a in actions)  # none left 'started'
    sb.clear_faults()
    assert cli("apply", "--yes", "-c", str(config)).returncode == 0
    assert [r["status"] for r in json.loads(cli("history", "--json", "-c", str(config)).stdout)] == \
        ["ok", "interrupted"]
