"""plan, apply, history and snapshot through the command line, over real loopback HTTP."""
from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner

from grunndata.cli.main import cli
from grunndata.journal import Journal
from grunndata.sandbox import Sandbox
from grunndata.sandbox.demo import demo_world_path
from grunndata.sandbox.server import serve_in_thread

SECRET_VALUES = {
    "SMARTDOK_API_TOKEN": "sentinel-sd-9f8e7d6c5b4a",
    "POWEROFFICE_APPLICATION_KEY": "sentinel-app-1a2b3c4d5e",
    "POWEROFFICE_CLIENT_KEY": "sentinel-client-6f7a8b9c0d",
    "POWEROFFICE_SUBSCRIPTION_KEY": "sentinel-sub-0e1d2c3b4a",
}


@pytest.fixture
def served(tmp_path, monkeypatch):
    """The demo world served on loopback, a config pointing at it, secrets in the environment."""
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    sb = Sandbox.from_file(demo_world_path(), rate_limit=False)
    with serve_in_thread(sb) as urls:
        config = tmp_path / "grunndata.yaml"
        config.write_text(yaml.safe_dump({
            "master": "smartdok", "standard_project": "9000",
            "smartdok": {"base_url": urls.smartdok},
            "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token}}), encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        yield sb, config


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def writes(sb: Sandbox) -> int:
    return sb.write_count("smartdok") + sb.write_count("poweroffice")


def test_plan_json_has_the_documented_shape_and_writes_nothing(served):
    sb, _ = served
    result = run("plan", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"master", "actions", "summary"}
    assert data["master"] == "smartdok"
    assert data["actions"]
    for action in data["actions"]:
        assert set(action) == {"op", "entity", "target", "key", "fields", "reason", "rule"}
        assert action["op"] in {"create", "update", "finish", "skip", "manual", "warn"}
        assert action["rule"].split(":")[-1].isdigit()
    assert data["summary"]["total"] == len(data["actions"])
    assert writes(sb) == 0
    reads = sb.stats()
    assert any(k.startswith("GET /v2/Projects") for k in reads["poweroffice"])


def test_saved_plan_is_applied_exactly_and_the_next_plan_is_empty(served, tmp_path):
    sb, _ = served
    plan_file = tmp_path / "plan.json"
    assert run("plan", "--out", str(plan_file)).exit_code == 0
    saved = json.loads(plan_file.read_text(encoding="utf-8"))
    planned = [a for a in saved["actions"] if a["op"] in ("create", "update", "finish")]
    result = run("apply", "--plan", str(plan_file), "--yes", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["results"]) == len(planned)
    assert {r["outcome"] for r in report["results"]} == {"ok"}
    assert writes(sb) == len(planned)
    again = json.loads(run("plan", "--json").output)
    assert [a for a in again["actions"] if a["op"] in ("create", "update", "finish")] == []


def test_stale_plan_is_refused(served, tmp_path):
    sb, _ = served
    plan_file = tmp_path / "plan.json"
    run("plan", "--out", str(plan_file))
    world = sb.world()
    world["smartdok"]["Projects"][0]["ProjectName"] = "Endret etter planen"
    sb.reset(world)
    result = CliRunner().invoke(cli, ["apply", "--plan", str(plan_file), "--yes"])
    assert result.exit_code == 3
    assert "utdatert" in result.output
    assert writes(sb) == 0


def test_apply_asks_first_and_writes_nothing_when_declined(served):
    sb, _ = served
    result = CliRunner().invoke(cli, ["apply"], input="n\n")
    assert result.exit_code == 3
    assert "Gjennomføre" in result.output
    assert writes(sb) == 0


def test_missing_standard_project_stops_before_any_write(served, tmp_path):
    sb, config = served
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["standard_project"] = "4711"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(cli, ["apply", "--yes"])
    assert result.exit_code == 1
    assert "standardprosjektet 4711 finnes ikke i PowerOffice" in result.output
    assert writes(sb) == 0


def test_history_lists_runs_and_shows_one(served):
    run("apply", "--yes")
    listed = json.loads(run("history", "--json").output)
    assert len(listed) == 1 and listed[0]["status"] == "ok" and listed[0]["master"] == "smartdok"
    shown = json.loads(run("history", str(listed[0]["id"]), "--json").output)
    assert shown["actions"] and all(a["outcome"] == "ok" for a in shown["actions"])
    assert all(a["remote_id"] for a in shown["actions"] if a["op"] == "create")


def test_second_apply_on_a_locked_journal_is_refused(served, tmp_path):
    sb, _ = served
    holder = Journal(tmp_path / "grunndata-journal.sqlite")
    holder.lock()
    try:
        result = CliRunner().invoke(cli, ["apply", "--yes"])
    finally:
        holder.close()
    assert result.exit_code == 3
    assert "pågår allerede" in result.output
    assert writes(sb) == 0


def test_snapshot_writes_a_world_the_sandbox_loads(served, tmp_path):
    out = tmp_path / "world.yaml"
    result = run("snapshot", "-o", str(out))
    assert result.exit_code == 0, result.output
    again = Sandbox.from_file(out)
    assert len(again.world()["smartdok"]["Projects"]) == 20


def test_secrets_never_reach_output_or_files(served, tmp_path):
    outputs = [run("plan").output, run("plan", "--json", "--out", str(tmp_path / "p.json")).output,
               run("apply", "--yes", "--json").output, run("history", "--json").output]
    files = [p.read_bytes().decode("utf-8", "replace") for p in tmp_path.iterdir() if p.is_file()]
    for text in outputs + files:
        for value in SECRET_VALUES.values():
            assert value not in text


def test_missing_secrets_give_one_clear_line(served, monkeypatch):
    monkeypatch.delenv("POWEROFFICE_CLIENT_KEY")
    result = CliRunner().invoke(cli, ["plan"])
    assert result.exit_code == 1
    assert "POWEROFFICE_CLIENT_KEY" in result.output
    assert "Traceback" not in result.output


def test_demo_runs_from_the_installed_command_quickly(tmp_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "demo"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Ny plan etterpå: 0 endringer igjen; planleggingen skrev 0 ganger." in result.stdout
    assert result.stdout.count("Ny plan etterpå: 0 endringer igjen") == 2
    # The issue asks for 10 s. CPU time of the demo process (the sandbox runs inside it), not the
    # wall clock: a busy machine delays the demo but does not make it use more CPU (about 1 s here).
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 10, f"the demo used {cpu:.1f} s of CPU"


def test_a_connection_error_names_the_address_that_failed_in_norwegian(served):
    import socket

    _, config = served
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["smartdok"]["base_url"] = f"http://127.0.0.1:{port}/api"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert f"kunne ikke koble til SmartDok på http://127.0.0.1:{port}/api/" in line
    assert "Traceback" not in line and not any(v in line for v in SECRET_VALUES.values())
