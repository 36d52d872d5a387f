"""Overføring: the preview for a period in either date format, rows held back grouped by reason,
*Send* only when nothing changed since the preview, and the transfer in Historikk."""
from __future__ import annotations

import datetime as dt
import html
from collections import Counter

import pytest
from console_env import BASE, form_post, write_config
from starlette.testclient import TestClient

from grunndata.console import backend
from grunndata.console.app import create_app
from grunndata.console.integration import Integration
from grunndata.console.pages.transfer import BadDate, parse_date
from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours

ENTRY = "TimeTracking/TimeTrackingEntry"
JANUARY = "fra=01.01.2026&til=2026-01-31"


@pytest.fixture
def hours():
    return Sandbox(month_of_hours(employees=6, goods_rows=6), rate_limit=False)


@pytest.fixture
def hclient(tmp_path, hours, secrets_env):
    integration = Integration(write_config(tmp_path), transports=hours.transports())
    app = create_app(integration, port=8765)
    with TestClient(app, base_url=BASE) as c:
        c.get(f"/?token={app.state.console.auth.token}")
        c.integration = integration  # type: ignore[attr-defined]
        yield c
    integration.close()


def test_dates_in_both_formats():
    assert parse_date("2026-01-31") == parse_date("31.01.2026") == parse_date(" 31.1.2026 ")
    for bad in ("31/01/2026", "2026-02-30", "i går", "", "31.01.26"):
        with pytest.raises(BadDate):
            parse_date(bad)


def test_a_bad_date_is_one_norwegian_line(hclient):
    r = hclient.get("/overforing?fra=31/01/2026&til=2026-01-31")
    assert r.status_code == 400
    assert "«31/01/2026»" in r.text
    assert "Skriv datoen som 31.01.2026 eller 2026-01-31" in r.text
    r = hclient.get("/overforing?fra=31.01.2026&til=01.01.2026")
    assert r.status_code == 400 and "Perioden slutter før den begynner" in r.text


def test_the_preview_groups_rows_held_back_by_reason(hclient, hours):
    r = hclient.get(f"/overforing?{JANUARY}")
    assert r.status_code == 200, r.text
    page = r.text
    assert "Periode 01.01.2026 – 31.01.2026" in page
    # the same grouping the engine's lines give: one table row per (kind, reason, rule)
    session = hclient.integration.session()
    preview = backend.transfer_preview(session, hours.transports(), dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    groups = Counter((line.kind, line.reason, line.rule) for line in preview.lines if line.op == "hold")
    assert len(groups) >= 3  # R3, R4 and R5 rows in this world
    assert page.count('<tr class="held-group">') == len(groups)
    for (_, reason, _), n in groups.items():
        assert html.escape(reason, quote=False) in page
        assert f'<tr class="held-group"><td><strong>{n}</strong>' in page
    assert f"Send {len(preview.writes)} linjer til PowerOffice" in page
    assert hours.write_count("poweroffice") == 0


def test_send_transfers_what_was_previewed_and_history_shows_both_steps(hclient, hours):
    page = hclient.get(f"/overforing?{JANUARY}").text
    writes = int(page.split("Send ", 1)[1].split(" linjer", 1)[0])
    r = form_post(hclient, f"/overforing?{JANUARY}", "/overforing/send",
                  {"fra": "2026-01-01", "til": "2026-01-31",
                   "digest": page.split('name="digest" value="', 1)[1].split('"', 1)[0]})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert hclient.integration.jobs.wait(job_id, 120)
    job = hclient.integration.jobs.get(job_id)
    assert job.status == "done", job.refusal
    assert job.total == writes == job.done
    assert len(hours.world()["poweroffice"][ENTRY]) == writes
    done = hclient.get(f"/jobb/{job_id}").text
    assert f"Ferdig:</strong> {writes} sendt eller endret" in done
    detail = hclient.get("/historikk/1").text
    assert "Overføring 1" in detail
    line = job.report.results[0]
    assert f'<td class="key">{line.entry_id}</td>' in detail
    # a second preview has nothing left to send
    again = hclient.get(f"/overforing?{JANUARY}").text
    assert 'id="send"' not in again and "allerede overført" in again


def test_send_is_refused_when_the_rows_changed_since_the_preview(hclient, hours):
    page = hclient.get(f"/overforing?{JANUARY}").text
    digest = page.split('name="digest" value="', 1)[1].split('"', 1)[0]
    world = hours.world()
    world["smartdok"]["WorkHours"][0]["NetHours"] = 9.0
    hours.reset(world)
    r = form_post(hclient, "/overforing", "/overforing/send", {"fra": "2026-01-01", "til": "2026-01-31",
                                                                "digest": digest})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert hclient.integration.jobs.wait(job_id, 60)
    assert hclient.integration.jobs.get(job_id).refusal.code == "stale_transfer"
    assert "Forhåndsvisningen er utdatert, og ingenting er sendt." in hclient.get(f"/jobb/{job_id}").text
    assert hours.world()["poweroffice"].get(ENTRY, []) == []
