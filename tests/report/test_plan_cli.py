"""``plan`` text, ``--limit``, ``--full`` and ``--html`` (and ``doctor --limit/--full``) through the
command line, against the demo world served over loopback."""
from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from grunndata.cli.main import cli
from grunndata.sandbox import Sandbox
from grunndata.sandbox.demo import demo_world_path
from grunndata.sandbox.server import serve_in_thread

ENV = {"SMARTDOK_API_TOKEN": "t", "POWEROFFICE_APPLICATION_KEY": "a", "POWEROFFICE_CLIENT_KEY": "c",
       "POWEROFFICE_SUBSCRIPTION_KEY": "s", "GRUNNDATA_POWEROFFICE_RATE": "0"}
DEMO_CREATES = 14  # projects the demo world has in SmartDok only


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    sb = Sandbox.from_file(demo_world_path(), rate_limit=False)
    with serve_in_thread(sb) as urls:
        path = tmp_path_factory.mktemp("plan-cli") / "grunndata.yaml"
        path.write_text(yaml.safe_dump({
            "master": "smartdok", "standard_project": "9000", "smartdok": {"base_url": urls.smartdok},
            "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token}}), encoding="utf-8")
        yield str(path)


def run(*args: str, columns: int = 80):
    return CliRunner().invoke(cli, list(args), env={**ENV, "COLUMNS": str(columns)}, catch_exceptions=False)


def creates(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("    + prosjekt ")]


def test_the_default_plan_is_the_same_at_any_width_and_every_action_has_its_reason_and_rule(config):
    narrow, wide = run("plan", "-c", config, columns=40), run("plan", "-c", config, columns=300)
    assert narrow.exit_code == 0, narrow.output
    assert narrow.output == wide.output  # nothing is laid out to the terminal's width
    lines = narrow.output.splitlines()
    assert lines[0] == "Plan med SmartDok som master: 38 handlinger, 35 av dem skriver til et system."
    assert len(creates(narrow.output)) == DEMO_CREATES
    # Every action line sits under a reason line that names the rule (FILE:LINE).
    reason = None
    for line in lines:
        if line.startswith("  Grunn ["):
            reason = line
        elif re.match(r"    [-+~×?!] ", line):
            assert reason is not None and re.match(r"  Grunn \[rules/\w+\.yaml:\d+\]: ", reason), line
    assert "    + prosjekt 2305 «Kontorbygg Brattøra» → PowerOffice" in lines


def test_limit_and_full(config):
    limited = run("plan", "-c", config, "--limit", "3")
    assert limited.exit_code == 0, limited.output
    assert len(creates(limited.output)) == 3
    assert f"    … og {DEMO_CREATES - 3} til; bruk --full for å se alle" in limited.output.splitlines()
    full = run("plan", "-c", config, "--limit", "3", "--full")
    assert len(creates(full.output)) == DEMO_CREATES and "bruk --full" not in full.output
    bad = run("plan", "-c", config, "--limit", "-1")
    assert bad.exit_code == 2


def test_html_is_one_self_contained_page_with_every_action(config, tmp_path):
    page_file = tmp_path / "plan.html"
    result = run("plan", "-c", config, "--html", str(page_file))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"Planen er skrevet til {page_file}."
    page = page_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nb">' in page and "<style>" in page
    for external in ("http://", "https://", "<script", "<link", "<img", "src=", "@import", "url("):
        assert external not in page, external
    data = json.loads(run("plan", "-c", config, "--json").output)
    for action in data["actions"]:
        assert f'<td class="key">{action["key"]}</td>' in page, action["key"]
    assert "<h2>Oversikt</h2>" in page
    for action in data["actions"]:
        assert action["rule"] in page, action["rule"]
    assert '<p class="reason">prosjekt … finnes i SmartDok, men ikke i PowerOffice' in page


def test_json_with_html_keeps_the_documented_shape(config, tmp_path):
    result = run("plan", "-c", config, "--json", "--html", str(tmp_path / "p.html"))
    assert set(json.loads(result.output)) == {"master", "actions", "summary"}
    assert (tmp_path / "p.html").exists()


def test_an_unwritable_html_file_is_one_clear_line(config, tmp_path):
    result = CliRunner().invoke(cli, ["plan", "-c", config, "--html", str(tmp_path / "no" / "such" / "p.html")],
                                env=ENV)
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "kan ikke skrive" in result.output


def test_doctor_limit_and_full(config):
    limited = run("doctor", "-c", config, "--limit", "0")
    assert limited.exit_code == 1  # the demo world has errors
    lines = limited.output.splitlines()
    assert lines[-1].startswith("Samsvar: ")
    assert not any(line.startswith("    · ") for line in lines)  # only reasons and counts
    full = run("doctor", "-c", config, "--full")
    assert sum(1 for line in full.output.splitlines() if line.startswith("    · ")) == 6  # the demo's findings
