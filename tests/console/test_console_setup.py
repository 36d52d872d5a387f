"""Oppsett: the config saved with its comments kept, validated by the project's own loader
before it replaces the file, R7 refused with the rules' own words, errors at their line."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from console_env import FIXED_PRICE, HOSTILE, HOSTILE_PO_NUMBER, form_post

from grunndata.config import read_config
from grunndata.session import open_session

ROOT = Path(__file__).resolve().parents[2]

COMMENTS = ["# Kunde: Fjordbygg AS. Satt opp sammen med kunden.", "# endres i konsollen", "# SmartDok-sandkassen",
            "# ingen egne regler ennå"]


def save(client, **data):
    return form_post(client, "/oppsett", "/oppsett", data)


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_the_page_lists_poweroffice_projects_with_their_billing_method(client):
    r = client.get("/oppsett")
    assert r.status_code == 200
    assert "9000 Malprosjekt Fjordbygg · Timer" in r.text
    assert f"{FIXED_PRICE} Kaianlegg Pirterminalen (fastpris) · Fastpris" in r.text
    # R7's allowed words come from the rules, with the rule's position
    assert "«Timer» eller «Timer og kostnader»" in r.text
    lines = (ROOT / "rules" / "projects.yaml").read_text(encoding="utf-8").splitlines()
    assert f"rules/projects.yaml:{lines.index('    standard_project:') + 1}" in r.text
    # the option says which masters allow it; the page's script disables the others
    assert f'<option value="{FIXED_PRICE}" data-allowed=""' in r.text


def test_saving_keeps_every_comment_and_loads_back_with_the_projects_loader(client, integration):
    r = save(client, master="smartdok", standard_project="9000")
    assert r.status_code == 200, r.text
    assert "Lagret." in r.text
    text = integration.config_path.read_text(encoding="utf-8")
    for comment in COMMENTS:
        assert comment in text
    assert re.search(r"^master: smartdok +# endres i konsollen$", text, re.M)  # the comment stays in its column
    assert 'standard_project: "9000"' in text
    assert html.escape(COMMENTS[0]) in r.text  # the saved file is shown, comments and all
    config, problems = read_config(str(integration.config_path), ["poweroffice", "smartdok"])
    assert problems == [] and config.master == "smartdok" and config.standard_project == "9000"
    open_session(str(integration.config_path))
    assert leftovers(integration.config_path.parent) == []


def test_clearing_the_standard_project_under_poweroffice_removes_the_key(client, integration):
    assert save(client, master="poweroffice", standard_project="").status_code == 200
    text = integration.config_path.read_text(encoding="utf-8")
    assert "standard_project" not in text and COMMENTS[0] in text


@pytest.mark.R7
def test_a_standard_project_on_fixed_price_is_refused_and_the_file_is_untouched(client, integration):
    before = integration.config_path.read_bytes()
    r = save(client, master="smartdok", standard_project=FIXED_PRICE)
    assert r.status_code == 400
    assert "Ikke lagret." in r.text
    # the engine's own R7 reason, at the standard_project line of the config
    assert f"{integration.config_path}:3:1" in r.text
    assert "Fastpris" in r.text and "R7" in r.text
    assert integration.config_path.read_bytes() == before
    assert leftovers(integration.config_path.parent) == []


@pytest.mark.R7
def test_a_standard_project_missing_in_poweroffice_is_refused(client, integration):
    before = integration.config_path.read_bytes()
    r = save(client, master="smartdok", standard_project="7777")
    assert r.status_code == 400 and "7777" in r.text and "finnes ikke i PowerOffice" in r.text
    assert integration.config_path.read_bytes() == before


def test_an_unknown_master_is_refused_by_the_schema_at_its_line(client, integration):
    before = integration.config_path.read_bytes()
    r = save(client, master="visma", standard_project="9000")
    assert r.status_code == 400
    assert f"{integration.config_path}:2:9" in r.text
    assert integration.config_path.read_bytes() == before
    assert leftovers(integration.config_path.parent) == []


def test_a_broken_config_is_shown_with_its_positions(client, integration):
    integration.config_path.write_text("master: smartdok\nstandard_projekt: 9000\n", encoding="utf-8")
    r = client.get("/oppsett")
    assert "Oppsettet eller reglene har feil" in r.text
    assert f"{integration.config_path}:2:1" in r.text
    r = save(client, master="smartdok", standard_project="9000")
    assert r.status_code == 400
    assert integration.config_path.read_text(encoding="utf-8") == "master: smartdok\nstandard_projekt: 9000\n"


def test_a_project_named_like_a_script_is_shown_as_text(client):
    r = client.get("/oppsett")
    assert HOSTILE not in r.text
    assert f"{HOSTILE_PO_NUMBER} {html.escape(HOSTILE)}" in r.text


def test_schedule_fields_are_shown_and_saved_with_the_comments_kept(client, integration):
    page = client.get("/oppsett").text
    for key in ("sync", "transfer", "full", "alert_after"):
        assert f'name="schedule.{key}"' in page
    r = save(client, master="smartdok", standard_project="9000", **{"schedule.sync": "*/15 * * * *"})
    assert r.status_code == 200, r.text
    text = integration.config_path.read_text(encoding="utf-8")
    assert "schedule:\n  sync: '*/15 * * * *'" in text or 'sync: "*/15 * * * *"' in text
    assert COMMENTS[0] in text


def test_without_a_config_the_first_save_creates_it(client, integration):
    integration.config_path.unlink()
    page = client.get("/oppsett")
    assert page.status_code == 200 and 'value="poweroffice" checked' in page.text  # the defaults
    r = save(client, master="smartdok", standard_project="9000")
    assert r.status_code == 200, r.text
    config, problems = read_config(str(integration.config_path), ["poweroffice", "smartdok"])
    assert problems == [] and config.master == "smartdok" and config.standard_project == "9000"
