"""Historikk, plans waiting for approval: a plan an unattended cycle kept (R23) is listed with
why it waits and what it would do; *Godkjenn* writes exactly it (as ``grunndata approve``),
refused naming the records when they changed; *Avvis* drops it (as ``grunndata reject``)."""
from __future__ import annotations

import asyncio
import datetime as dt
import html

from console_env import HOSTILE, HOSTILE_PO_NUMBER, csrf_of, form_post

from grunndata.console import backend
from grunndata.state import SqliteStateStore
from grunndata.unattended.cycle import Cycles


def make_waiting(integration) -> int:
    """One unattended sync cycle, as ``grunndata run --once`` runs it: no person has applied yet,
    so its plan waits for approval. Returns its run number."""
    session = integration.session()
    store = SqliteStateStore(backend.journal_file(session))

    async def go():
        async with backend._connection(session, integration.transports) as conn:
            return await Cycles(session, store, conn).sync(dt.datetime.now(dt.UTC))
    try:
        store.lock()
        result = asyncio.run(go())
    finally:
        store.close()
    assert result.outcome == "waiting", result
    return int(result.run_id)


def test_a_waiting_plan_is_listed_with_its_reason_and_actions_escaped(client, integration, sb):
    run_id = make_waiting(integration)
    page = client.get("/historikk").text
    assert f'<tr class="waiting-plan" id="venter-{run_id}">' in page
    assert "ingen person har kjørt apply" in page
    assert f'action="/historikk/venter/{run_id}/godkjenn"' in page and f'id="avvis-{run_id}"' in page
    assert html.escape(HOSTILE, quote=False) in page and HOSTILE not in page
    assert "venter på godkjenning" in page.split('<table class="runs">', 1)[1]  # the run itself, in its words
    assert sb.write_count("smartdok") + sb.write_count("poweroffice") == 0


def test_godkjenn_writes_exactly_the_waiting_plan(client, integration, sb):
    run_id = make_waiting(integration)
    r = form_post(client, "/historikk", f"/historikk/venter/{run_id}/godkjenn", {})
    assert r.url.path.startswith("/jobb/")
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert integration.jobs.wait(job_id, 120)
    job = integration.jobs.get(job_id)
    assert job.status == "done", job.refusal
    summary = job.report.summary()
    assert summary["failed"] == 0 and summary["ok"] == summary["planned_writes"] == job.total > 0
    assert any(p.get("ProjectName") == HOSTILE for p in sb.world()["smartdok"]["Projects"]
               if p.get("ProjectNumber") == HOSTILE_PO_NUMBER)
    done = client.get(f"/jobb/{job_id}").text
    assert f"Godkjent plan fra kjøring {run_id}" in done and f"{summary['ok']} skrevet" in done
    after = client.get("/historikk").text
    assert 'class="waiting-plan"' not in after
    # approved once: a second Godkjenn is refused, nothing more written
    writes = sb.write_count("smartdok") + sb.write_count("poweroffice")
    r = client.post(f"/historikk/venter/{run_id}/godkjenn", data={"csrf": csrf_of(after)})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert integration.jobs.wait(job_id, 60)
    assert integration.jobs.get(job_id).refusal.code == "not_waiting"
    assert "Planen venter ikke lenger på godkjenning." in client.get(f"/jobb/{job_id}").text
    assert sb.write_count("smartdok") + sb.write_count("poweroffice") == writes


def test_a_stale_waiting_plan_is_refused_naming_the_record(client, integration, sb):
    run_id = make_waiting(integration)
    world = sb.world()
    hostile = next(p for p in world["poweroffice"]["Projects"] if p["Code"] == HOSTILE_PO_NUMBER)
    hostile["Name"] = "Endret etter planen"
    sb.reset(world)
    writes = sb.write_count("smartdok") + sb.write_count("poweroffice")
    r = form_post(client, "/historikk", f"/historikk/venter/{run_id}/godkjenn", {})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert integration.jobs.wait(job_id, 120)
    job = integration.jobs.get(job_id)
    assert job.refusal.code == "stale_waiting"
    page = client.get(f"/jobb/{job_id}").text
    assert "Planen som ventet er utdatert, og ingenting er skrevet." in page
    assert f"prosjekt {HOSTILE_PO_NUMBER} i PowerOffice er endret" in page
    assert sb.write_count("smartdok") + sb.write_count("poweroffice") == writes
    assert f'id="venter-{run_id}"' in client.get("/historikk").text  # still waiting, for Avvis


def test_avvis_drops_the_plan_and_writes_nothing(client, integration, sb):
    run_id = make_waiting(integration)
    r = form_post(client, "/historikk", f"/historikk/venter/{run_id}/avvis", {})
    assert r.status_code == 200 and r.url.path == "/historikk"
    assert f"Kjøring {run_id} er forkastet; ingenting ble skrevet." in r.text
    assert 'class="waiting-plan"' not in r.text
    again = client.post(f"/historikk/venter/{run_id}/avvis", data={"csrf": csrf_of(r.text)})
    assert again.status_code == 409 and "Planen venter ikke lenger på godkjenning." in again.text
    assert sb.write_count("smartdok") + sb.write_count("poweroffice") == 0


def test_godkjenn_and_avvis_need_the_csrf_token(client, integration, sb, anonymous):
    run_id = make_waiting(integration)
    for action in ("godkjenn", "avvis"):
        assert client.post(f"/historikk/venter/{run_id}/{action}", data={"csrf": "wrong"}).status_code == 403
        assert anonymous.post(f"/historikk/venter/{run_id}/{action}", data={"csrf": "x"}).status_code == 401
    assert f'id="venter-{run_id}"' in client.get("/historikk").text
    assert sb.write_count("smartdok") + sb.write_count("poweroffice") == 0
