"""Overføring, the invoice half: the period's invoice bases that become PowerOffice sales order
drafts, those held back grouped by reason, *Send* (token, CSRF, only what was previewed) with
each basis' outcome, and the run in Historikk."""
from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from console_env import BASE, HOSTILE, PORT, form_post, invoice_world, write_config
from starlette.testclient import TestClient

from grunndata.console.app import create_app
from grunndata.console.integration import Integration
from grunndata.sandbox import Sandbox

NOVEMBER = "fra=01.11.2026&til=2026-11-30"
FORM = {"fra": "2026-11-01", "til": "2026-11-30"}
ORDERS = "SalesOrders"


@pytest.fixture
def isb() -> Sandbox:
    return Sandbox(invoice_world(), rate_limit=False)


@pytest.fixture
def iclient(tmp_path, isb, secrets_env) -> Iterator[TestClient]:
    integration = Integration(write_config(tmp_path), transports=isb.transports())
    app = create_app(integration, port=PORT)
    with TestClient(app, base_url=BASE) as c:
        c.get(f"/?token={app.state.console.auth.token}")
        c.integration = integration  # type: ignore[attr-defined]
        c.app_ = app  # type: ignore[attr-defined]
        yield c
    integration.close()


def digest_of(page: str) -> str:
    form = page.split('action="/overforing/faktura/send"', 1)[1]
    return form.split('name="digest" value="', 1)[1].split('"', 1)[0]


def orders(sb: Sandbox) -> list[dict]:
    return sb.world()["poweroffice"].get(ORDERS, [])


def test_the_preview_shows_orders_to_be_and_holds_grouped_by_reason_escaped(iclient, isb):
    r = iclient.get(f"/overforing?{NOVEMBER}")
    assert r.status_code == 200, r.text
    page = r.text
    section = page.split('id="fakturagrunnlag"', 1)[1]
    assert section.count('<tr class="invoice-send">') == 4
    for basis in (5001, 5002, 5003, 5005):
        assert f'<td class="key">smartdok-invoice-{basis}</td>' in section
    assert "smartdok-invoice-5006" not in section  # a draft in SmartDok is not sent (R24)
    # two kinds of problem, two groups: the customer (5004) and the missing project (5007)
    assert section.count('<tbody class="invoice-held-group">') == 2
    assert section.count('<tr class="invoice-held">') == 2
    assert "Kunden i SmartDok (10005) er ikke kunden på prosjekt 2303" in html.unescape(section)
    assert "Send 4 fakturagrunnlag til PowerOffice (4 forespørsler)" in section
    # API values are text, never markup
    assert HOSTILE not in page and html.escape(HOSTILE) in section
    assert isb.write_count("poweroffice") == 0


def test_send_makes_exactly_the_previewed_orders_with_each_basis_outcome(iclient, isb):
    page = iclient.get(f"/overforing?{NOVEMBER}").text
    r = form_post(iclient, f"/overforing?{NOVEMBER}", "/overforing/faktura/send", {**FORM, "digest": digest_of(page)})
    assert r.url.path.startswith("/jobb/")
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert iclient.integration.jobs.wait(job_id, 120)
    job = iclient.integration.jobs.get(job_id)
    assert job.status == "done", job.refusal
    assert job.kind == "invoice" and job.total == job.done == 4
    made = orders(isb)
    assert sorted(o["ExternalImportReference"] for o in made) == [f"smartdok-invoice-{n}" for n in (5001, 5002, 5003, 5005)]
    done = iclient.get(f"/jobb/{job_id}").text
    assert "Ferdig:</strong> 4 forespørsler skrevet" in done and "2 fakturagrunnlag holdt tilbake" in done
    ids = {o["ExternalImportReference"]: o["Id"] for o in made}
    for ref, order_id in ids.items():  # each basis with the order it became
        assert f'<td class="key">{ref}</td><td class="key">{order_id}</td>' in done
    assert done.count('<tr class="outcome held">') == 2
    assert HOSTILE not in done
    history = iclient.get("/historikk").text
    assert "Fakturagrunnlag" in history
    detail = iclient.get(f"/historikk/{job.report.run_id}").text
    assert detail.count('<tr class="outcome ok">') == 4 and "ny ordre" in detail
    # sent once: a fresh preview has nothing left, and sending the old preview again sends nothing
    again = iclient.get(f"/overforing?{NOVEMBER}").text
    assert 'id="send-invoices"' not in again and "4 allerede overført" in again
    r = form_post(iclient, "/overforing", "/overforing/faktura/send", {**FORM, "digest": digest_of(page)})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert iclient.integration.jobs.wait(job_id, 60)
    assert iclient.integration.jobs.get(job_id).report.summary()["planned_writes"] == 0
    assert "Ingenting å sende." in iclient.get(f"/jobb/{job_id}").text
    assert len(orders(isb)) == 4


def test_send_is_refused_when_a_basis_changed_since_the_preview(iclient, isb):
    page = iclient.get(f"/overforing?{NOVEMBER}").text
    world = isb.world()
    world["smartdok"]["Invoices"][0]["InvoiceLines"][0]["Quantity"] = 40
    isb.reset(world)
    r = form_post(iclient, "/overforing", "/overforing/faktura/send", {**FORM, "digest": digest_of(page)})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert iclient.integration.jobs.wait(job_id, 60)
    assert iclient.integration.jobs.get(job_id).refusal.code == "stale_invoice"
    shown = iclient.get(f"/jobb/{job_id}").text
    assert "Forhåndsvisningen av fakturagrunnlagene er utdatert, og ingenting er sendt." in shown
    assert orders(isb) == [] and isb.write_count("poweroffice") == 0


def test_send_needs_the_session_and_its_csrf_token(iclient, isb):
    page = iclient.get(f"/overforing?{NOVEMBER}").text
    data = {**FORM, "digest": digest_of(page)}
    for csrf in ({}, {"csrf": ""}, {"csrf": "wrong"}):
        r = iclient.post("/overforing/faktura/send", data={**data, **csrf})
        assert r.status_code == 403 and "Avvist" in r.text
    with TestClient(iclient.app_, base_url=BASE, follow_redirects=False) as anonymous:
        assert anonymous.post("/overforing/faktura/send", data=data).status_code == 401
    assert iclient.integration.jobs.running() is None and isb.write_count("poweroffice") == 0


def test_a_bad_period_on_send_is_one_norwegian_line(iclient, isb):
    r = form_post(iclient, "/overforing", "/overforing/faktura/send", {"fra": "i går", "til": "2026-11-30",
                                                                       "digest": "x"})
    assert r.status_code == 400 and "«i går»" in r.text
    assert isb.write_count("poweroffice") == 0
