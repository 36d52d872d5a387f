"""Sentinel secrets never appear in any output, log, journal or plan file, at any verbosity,
not even when a misbehaving API echoes them back in an error; TLS verification is always on.
"""
from __future__ import annotations

import ast
import json
import logging
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from _rel_worlds import big_world, config_for
from grunndata.cli.main import cli
from grunndata.clients import PowerOfficeClient, SmartDokClient
from grunndata.engine import runner
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.secrets import Secrets
from grunndata.session import open_session

SENTINELS = {
    "SMARTDOK_API_TOKEN": "SENTINEL-sd-token-7f3a9c",
    "POWEROFFICE_APPLICATION_KEY": "SENTINEL-app-key-51be0d",
    "POWEROFFICE_CLIENT_KEY": "SENTINEL-client-key-c0ffee",
    "POWEROFFICE_SUBSCRIPTION_KEY": "SENTINEL-sub-key-d15ea5e",
}
ROOT = Path(__file__).resolve().parents[2]


def _echo(value: str) -> str:
    """An error body that repeats a secret, as a careless gateway might."""
    return json.dumps({"title": "Unauthorized", "status": 401, "detail": f"bad key {value} (Bearer {value})"})


@pytest.fixture
def served(tmp_path):
    sb = Sandbox(big_world(30, seed=11), rate_limit=False)
    with serve_in_thread(sb) as urls:
        config = tmp_path / "grunndata.yaml"
        config.write_text(yaml.safe_dump(config_for(urls)), encoding="utf-8")
        yield sb, config, tmp_path


def _faults(sb: Sandbox) -> None:
    sb.add_fault("poweroffice", "GET", "/v2/Products", count=1, status=503,
                 body=_echo(SENTINELS["POWEROFFICE_SUBSCRIPTION_KEY"]))
    sb.add_fault("poweroffice", "POST", "/v2/Projects", count=2, status=400,
                 body=_echo(SENTINELS["POWEROFFICE_CLIENT_KEY"] + " " + SENTINELS["POWEROFFICE_APPLICATION_KEY"]))
    sb.add_fault("smartdok", "GET", "/Machines", count=1, status=502, body=_echo(SENTINELS["SMARTDOK_API_TOKEN"]))


def _assert_clean(text: str, where: str) -> None:
    for name, value in SENTINELS.items():
        assert value not in text, f"{name} leaked into {where}"
        for part in (value[:12], value[-12:]):
            assert part not in text, f"part of {name} leaked into {where}"


@pytest.mark.parametrize("debug", [False, True])
def test_sentinel_secrets_reach_no_output_log_journal_or_plan(served, debug, caplog):
    sb, config, tmp = served
    env = {**SENTINELS, "GRUNNDATA_POWEROFFICE_RATE": "0"}
    if debug:
        env["GRUNNDATA_DEBUG"] = "1"
    caplog.set_level(logging.DEBUG)  # every logger at its most talkative
    _faults(sb)
    texts = {}
    commands = [["check"], ["plan"], ["plan", "--json", "--out", str(tmp / "plan.json")],
                ["apply", "--yes"], ["apply", "--yes", "--json"], ["history"], ["history", "--json"],
                ["history", "1"], ["doctor", "--json"], ["doctor", "--html", str(tmp / "doctor.html")],
                ["snapshot", "-o", str(tmp / "world.yaml")]]
    for args in commands:
        result = CliRunner().invoke(cli, [*args, "-c", str(config)], env=env, catch_exceptions=True)
        texts[" ".join(args)] = result.output + (repr(result.exception) if result.exception else "")
        if args[:2] == ["apply", "--yes"]:
            _faults(sb)
    texts["log"] = caplog.text
    assert "PowerOffice POST" in caplog.text and "SmartDok GET" in caplog.text  # clients logged every request
    assert any("HTTP 400" in t or "HTTP 50" in t for t in texts.values())  # the echoing errors were met
    for where, text in texts.items():
        _assert_clean(text, where)
    files = [p for p in tmp.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".sqlite") for p in files) and (tmp / "plan.json").exists()
    for path in files:
        _assert_clean(path.read_bytes().decode("utf-8", "replace"), path.name)


def test_sentinel_secrets_stay_out_of_a_crashed_apply_and_its_journal(served):
    """A subprocess with tracebacks on (GRUNNDATA_DEBUG=1), killed mid-write, then history."""
    sb, config, tmp = served
    env = {**os.environ, **SENTINELS, "GRUNNDATA_DEBUG": "1", "GRUNNDATA_POWEROFFICE_RATE": "0"}
    sb.add_fault("poweroffice", "POST", "/v2/Projects", count=1, delay=5)
    proc = subprocess.Popen([sys.executable, "-m", "grunndata.cli.main", "apply", "--yes", "-c", str(config)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=1.5)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    history = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "history", "--json", "-c", str(config)],
                             env=env, capture_output=True, timeout=60)
    for text in (out, err, history.stdout, history.stderr):
        _assert_clean(text.decode("utf-8", "replace"), "subprocess output")
    for path in tmp.rglob("*"):
        if path.is_file():
            _assert_clean(path.read_bytes().decode("utf-8", "replace"), path.name)


def test_secrets_do_not_show_in_reprs():
    secrets = Secrets(*SENTINELS.values())
    _assert_clean(repr(secrets) + str(secrets), "Secrets repr")
    po = PowerOfficeClient("https://x/v2", "https://x/OAuth/Token", *list(SENTINELS.values())[1:])
    sd = SmartDokClient("https://x", SENTINELS["SMARTDOK_API_TOKEN"])
    _assert_clean(repr(po) + repr(sd), "client reprs")


# ---- TLS ----------------------------------------------------------------------------------------

def test_clients_verify_tls_certificates_and_hostnames(tmp_path):
    path = tmp_path / "grunndata.yaml"
    path.write_text("master: poweroffice\n", encoding="utf-8")
    session = open_session(str(path))
    conn = runner.connect(session, Secrets(*SENTINELS.values()))
    for client in (conn.smartdok, conn.poweroffice):
        context = client._http._transport._pool._ssl_context
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_no_code_turns_tls_verification_off():
    """No ``verify=`` (nor a custom SSL context) is passed anywhere in the shipped code: httpx's
    default, full verification, is what every client uses. Checked on the syntax tree."""
    offenders = []
    for folder in ("core", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.keyword) and node.arg in ("verify", "cert", "trust_env"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.value.lineno}")
                if isinstance(node, ast.Attribute) and node.attr in ("CERT_NONE", "_create_unverified_context",
                                                                    "check_hostname"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
