"""Plan: summary, filters, pages, rule lines; Godkjenn applies exactly the saved plan, refuses a
stale one in plain words, and shows each action's outcome; Historikk shows the run."""
from __future__ import annotations

import html
import json
import re

from console_env import HOSTILE, HOSTILE_SD_NUMBER, demo_world, form_post

from grunndata.console.plan_view import PAGE_SIZE
from grunndata.engine.plan import Plan


def make_plan(client, integration):
    r = form_post(client, "/plan", "/plan", {})
    assert r.status_code == 200, r.text
    return integration.plan(integration.current_plan)


def approve(client, integration, plan_id):
    r = form_post(client, f"/plan?id={plan_id}", "/plan/godkjenn", {"id": plan_id})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert r.url.path == f"/jobb/{job_id}"
    assert integration.jobs.wait(job_id, 60)
    return job_id


def use_smartdok_as_master(client):
    r = form_post(client, "/oppsett", "/oppsett", {"master": "smartdok", "standard_project": "9000"})
    assert r.status_code == 200, r.text


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="action op-(\w+)">', page)


def test_the_plan_is_saved_as_plan_out_writes_it(client, integration):
    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    on_disk = Plan.load(saved.path)
    data = json.loads(saved.path.read_text(encoding="utf-8"))
    assert {"format", "fingerprint", "config_hash", "entity_order", "actions", "summary"} <= set(data)
    assert len(on_disk.actions) == len(saved.view.plan.actions) > 0
    assert (saved.path.parent.stat().st_mode & 0o777) == 0o700


def test_summary_filters_and_rule_lines(client, integration):
    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    page = client.get(f"/plan?id={saved.id}").text
    creates = saved.view.summary["create"]
    assert creates > 0
    assert f'&amp;entity=projects&amp;op=create">{saved.view.by_entity["projects"]["create"]}</a>' in page
    only = client.get(f"/plan?id={saved.id}&op=create").text
    assert set(rows(only)) == {"create"} and len(rows(only)) == min(creates, PAGE_SIZE)
    machines = client.get(f"/plan?id={saved.id}&entity=machines").text
    assert len(rows(machines)) == sum(1 for a in saved.view.plan.actions if a.entity == "machines")
    found = client.get(f"/plan?id={saved.id}&op=create&q=fase+2").text
    assert len(rows(found)) == 1 and f'<td class="key">{HOSTILE_SD_NUMBER}</td>' in found
    assert "Ingen handlinger passer filteret" in client.get(f"/plan?id={saved.id}&q=finnes-ikke-noe-sted").text
    # the rule each action cites, with the rule file's own lines around it
    action = next(a for a in saved.view.plan.actions if a.key == HOSTILE_SD_NUMBER)
    file, line = action.rule.rsplit(":", 1)
    text = saved.rule_lines.files[file].read_text(encoding="utf-8").splitlines()
    cited = html.escape(text[int(line) - 1], quote=False)
    assert f'<span class="hit"><span class="ln">{line}</span> {cited}</span>' in found
    assert f'<span class="ln">{int(line) - 1}</span>' in found


def test_a_name_like_a_script_is_text_on_every_page(client, integration):
    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    job_id = approve(client, integration, saved.id)
    pages = [client.get(f"/plan?id={saved.id}&q=script").text, client.get(f"/jobb/{job_id}?utfall=ok").text,
             client.get("/historikk/1").text, client.get("/oppsett").text]
    for page in pages:
        assert "<script>alert(1)</script>" not in page
    assert html.escape(HOSTILE) in pages[0]


def test_a_long_plan_is_paginated(client, integration):
    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    total = saved.view.summary["total"]
    pages = -(-total // PAGE_SIZE)
    first = client.get(f"/plan?id={saved.id}").text
    assert len(rows(first)) == min(total, PAGE_SIZE)
    if pages > 1:
        assert f"side 1 av {pages}" in first
        last = client.get(f"/plan?id={saved.id}&side={pages}").text
        assert len(rows(last)) == total - (pages - 1) * PAGE_SIZE
    assert len(rows(client.get(f"/plan?id={saved.id}&side=999").text)) == len(
        rows(client.get(f"/plan?id={saved.id}&side={pages}").text))


def test_godkjenn_applies_exactly_the_saved_plan_and_shows_each_outcome(client, integration, sb):
    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    writes = saved.view.writes
    assert writes > 0
    job_id = approve(client, integration, saved.id)
    job = integration.jobs.get(job_id)
    assert job.status == "done" and job.total == writes == job.done
    state = client.get(f"/jobb/{job_id}.json").json()
    assert state == {"id": job_id, "kind": "apply", "status": "done", "total": writes, "done": writes,
                     "outcomes": {"ok": writes}, "refusal": None}
    page = client.get(f"/jobb/{job_id}").text
    assert f"Ferdig:</strong> {writes} skrevet, 0 funnet igjen, 0 feilet" in page
    outcomes = [o for o in job.report.outcomes]
    assert [(o.action.op, o.action.entity, o.action.key) for o in outcomes] == \
        [(a.op, a.entity, a.key) for a in saved.view.plan.writes]
    assert sb.write_count("poweroffice") >= writes
    assert str(outcomes[0].remote_id) in page
    # approving again shows the same run and writes nothing more
    count = sb.write_count("poweroffice") + sb.write_count("smartdok")
    r = form_post(client, "/plan", "/plan/godkjenn", {"id": saved.id})
    assert r.url.path == f"/jobb/{job_id}"
    assert sb.write_count("poweroffice") + sb.write_count("smartdok") == count
    # a fresh plan has nothing left to write
    assert make_plan(client, integration).view.writes == 0


def test_history_shows_the_run_with_outcomes_and_remote_ids(client, integration):
    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    job_id = approve(client, integration, saved.id)
    report = integration.jobs.get(job_id).report
    runs = client.get("/historikk").text
    assert '<a href="/historikk/1">1</a>' in runs and "fullført" in runs
    detail = client.get("/historikk/1").text
    assert detail.count('<tr class="outcome ok">') == min(len(report.outcomes), 50)
    assert f'<td class="key">{report.outcomes[0].remote_id}</td>' in detail
    assert client.get("/historikk/99").status_code == 404


def test_a_stale_plan_is_refused_in_plain_words_and_nothing_is_written(client, integration, sb):
    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    world = demo_world()
    world["smartdok"]["Projects"].append({"Id": 9950, "ProjectNumber": "2950", "ProjectName": "Ny siden planen",
                                          "IsActive": True})
    sb.reset(world)
    job_id = approve(client, integration, saved.id)
    assert integration.jobs.get(job_id).status == "refused"
    page = client.get(f"/jobb/{job_id}").text
    assert "Planen er utdatert, og ingenting er skrevet." in page
    assert "Lag en ny plan" in page
    assert sb.write_count("poweroffice") + sb.write_count("smartdok") == 0
    assert client.get(f"/jobb/{job_id}.json").json()["refusal"] == "stale"


def test_a_blocked_plan_cannot_be_approved(client, integration, sb):
    use_smartdok_as_master(client)
    world = demo_world()
    for p in world["poweroffice"]["Projects"]:
        if p.get("Code") == "9000":
            p["ProjectBillingMethod"] = "FixedPrice"
    sb.reset(world)
    saved = make_plan(client, integration)
    assert saved.view.plan.blocked
    page = client.get("/plan").text
    assert "planen kan ikke godkjennes" in page and 'id="godkjenn"' not in page
    r = form_post(client, "/plan", "/plan/godkjenn", {"id": saved.id})
    assert r.status_code == 409 and "Oppsettet stopper synken" in r.text
    assert sb.write_count("poweroffice") + sb.write_count("smartdok") == 0


def test_samsvar_groups_findings_by_check_and_offers_the_customers_report(client, integration):
    r = form_post(client, "/samsvar", "/samsvar", {})
    assert r.status_code == 200
    report = integration.doctor.report
    for check in report.checks:
        assert f'id="sjekk-{check.name}"' in r.text
    assert r.text.count('<tr class="finding">') == len(report.findings)
    assert any(f.suggestion for f in report.findings)
    first = next(f for f in report.findings if f.suggestion)
    assert html.escape(first.suggestion, quote=False) in r.text
    download = client.get("/samsvar/rapport.html")
    assert download.headers["content-disposition"] == 'attachment; filename="samsvarsrapport.html"'
    assert download.text.startswith("<!DOCTYPE html>") and "Samsvarsrapport" in download.text


def test_an_apply_running_elsewhere_refuses_godkjenn_in_plain_words(client, integration, sb):
    from grunndata.journal import Journal

    use_smartdok_as_master(client)
    saved = make_plan(client, integration)
    other = Journal(integration.config_path.parent / "grunndata-journal.sqlite")
    other.lock()  # as `grunndata apply` in a terminal holds it
    try:
        job_id = approve(client, integration, saved.id)
    finally:
        other.close()
    assert integration.jobs.get(job_id).refusal.code == "locked"
    assert "En annen kjøring pågår allerede" in client.get(f"/jobb/{job_id}").text
    assert sb.write_count("poweroffice") + sb.write_count("smartdok") == 0
