"""Operator mode: /kunder lists every tenant (health, lag, last error, next cycle; search), each
tenant's own pages under /kunder/{name}/, the password login of --auth, CSRF on every POST.

The tenants come from an in-memory TenantSource here (the seam the PostgreSQL source plugs into)."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from console_env import BASE, HOSTILE, PORT, csrf_of, demo_world, operator_rows, write_config
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from grunndata.console.app import create_app
from grunndata.console.auth import PasswordAuth
from grunndata.console.integration import Integration
from grunndata.console.tenants import InMemoryTenants
from grunndata.sandbox import Sandbox

PASSWORD = "sentinel-password-7c6b5a"
NOVEMBER = "fra=01.11.2026&til=2026-11-30"


@pytest.fixture
def tenants(tmp_path, secrets_env) -> Iterator[tuple[InMemoryTenants, dict[str, Sandbox]]]:
    boxes = {name: Sandbox(demo_world(), rate_limit=False) for name in ("fjordbygg", "nordbygg")}
    rows = operator_rows()
    made = {}
    for name, sb in boxes.items():
        folder = tmp_path / name
        folder.mkdir()
        made[name] = (Integration(write_config(folder), transports=sb.transports(), name=name),
                      (lambda r=rows[name]: r))
    source = InMemoryTenants(made)
    yield source, boxes
    source.close()


def logged_in(app) -> TestClient:
    c = TestClient(app, base_url=BASE)
    c.get(f"/?token={app.state.console.auth.token}")
    return c


@pytest.fixture
def op(tenants) -> Iterator[TestClient]:
    app = create_app(tenants[0], port=PORT)
    with logged_in(app) as c:
        c.app_ = app  # type: ignore[attr-defined]
        yield c


def test_kunder_lists_every_tenant_with_health_lag_error_and_next_cycle(op):
    r = op.get("/kunder")
    assert r.status_code == 200
    page = r.text
    assert page.count('<tr class="tenant ') == 2
    assert '<tr class="tenant ok">' in page and '<tr class="tenant failed">' in page
    assert 'href="/kunder/fjordbygg/"' in page and 'href="/kunder/nordbygg/"' in page
    assert "1 t 30 min" in page and "i rute" in page  # lag
    assert "29.11.2026" in page  # the next cycle, in the consultant's format
    assert "siste synk feilet: PowerOffice svarte 503" in page
    assert html.escape(f"prosjekt {HOSTILE} avvist", quote=False) in page and HOSTILE not in page
    assert "2 kunder, 1 trenger tilsyn" in page
    assert op.get("/", follow_redirects=False).headers["location"] == "/kunder"


def test_search_finds_by_name_and_by_error(op):
    assert op.get("/kunder?q=fjord").text.count('<tr class="tenant ') == 1
    page = op.get("/kunder?q=503").text
    assert page.count('<tr class="tenant ') == 1 and "nordbygg" in page
    page = op.get("/kunder?q=" + "%5Bfase+2%5D").text  # [fase 2] in the hostile error
    assert page.count('<tr class="tenant ') == 1
    nothing = op.get("/kunder?q=%3Cscript%3E+finnes-ikke").text
    assert "Ingen kunder passer «&lt;script&gt; finnes-ikke»." in nothing


def test_each_tenant_has_its_own_pages_and_links_stay_under_it(op):
    for path in ("/", "/oppsett", "/samsvar", "/plan", "/historikk", "/overforing"):
        r = op.get(f"/kunder/fjordbygg{path}")
        assert r.status_code == 200, (path, r.text[:300])
        assert 'href="/kunder/fjordbygg/plan"' in r.text and 'href="/plan"' not in r.text
        assert '<span class="tenant-name"' in r.text
    assert op.get("/kunder/finnes-ikke/plan").status_code == 404
    assert op.get("/plan").status_code == 404  # no pages without a tenant in operator mode


def test_a_tenants_plan_and_invoice_send_reach_only_that_tenant(op, tenants):
    _, boxes = tenants
    page = op.get("/kunder/nordbygg/plan")
    token = csrf_of(page.text)
    made = op.post("/kunder/nordbygg/plan", data={"csrf": token})
    assert made.status_code == 200 and made.url.path == "/kunder/nordbygg/plan"
    assert HOSTILE not in made.text and html.escape(HOSTILE) in made.text
    preview = op.get(f"/kunder/nordbygg/overforing?{NOVEMBER}").text
    assert 'action="/kunder/nordbygg/overforing/faktura/send"' in preview
    digest = preview.split('action="/kunder/nordbygg/overforing/faktura/send"', 1)[1]
    digest = digest.split('name="digest" value="', 1)[1].split('"', 1)[0]
    r = op.post("/kunder/nordbygg/overforing/faktura/send",
                data={"csrf": token, "fra": "2026-11-01", "til": "2026-11-30", "digest": digest})
    assert r.url.path.startswith("/kunder/nordbygg/jobb/")
    integration = op.app_.state.console.source.integration("nordbygg")
    assert integration.jobs.wait(r.url.path.rsplit("/", 1)[-1], 120)
    assert len(boxes["nordbygg"].world()["poweroffice"]["SalesOrders"]) == 4
    assert boxes["fjordbygg"].write_count("poweroffice") == 0
    done = op.get(r.url.path).text
    assert 'href="/kunder/nordbygg/historikk/1"' in done


def _post_paths(app) -> list[str]:
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            found += ["/kunder/fjordbygg" + r.path for r in route.routes
                      if isinstance(r, Route) and "POST" in (r.methods or set())]
        elif isinstance(route, Route) and "POST" in (route.methods or set()):
            found.append(route.path)
    return [re.sub(r"\{[^}]*\}", "1", path) for path in found]


def test_every_tenant_post_needs_the_session_and_its_csrf_token(op, tenants):
    paths = _post_paths(op.app_)
    assert "/kunder/fjordbygg/overforing/faktura/send" in paths and "/kunder/fjordbygg/plan/godkjenn" in paths
    for path in paths:
        assert op.post(path, data={"csrf": "wrong"}).status_code == 403, path
    with TestClient(op.app_, base_url=BASE, follow_redirects=False) as anonymous:
        for path in paths:
            assert anonymous.post(path, data={"csrf": "x"}).status_code == 401, path
        assert anonymous.get("/kunder").status_code == 401
    assert all(sb.write_count("poweroffice") == 0 for sb in tenants[1].values())


@pytest.fixture
def with_password(tenants) -> Iterator[TestClient]:
    app = create_app(tenants[0], port=PORT, auth=PasswordAuth(PASSWORD))
    with TestClient(app, base_url=BASE, follow_redirects=False) as c:
        c.app_ = app  # type: ignore[attr-defined]
        yield c


def login_token(page: str) -> str:
    return page.split('name="login" value="', 1)[1].split('"', 1)[0]


def test_auth_asks_for_the_password_and_starts_a_session(with_password):
    c = with_password
    ask = c.get("/kunder/nordbygg/plan")
    assert ask.status_code == 401 and "Logg inn i grunndata-konsollen" in ask.text
    assert PASSWORD not in ask.text and 'name="neste" value="/kunder/nordbygg/plan"' in ask.text
    assert c.get("/?token=anything").status_code == 401  # no token in operator mode with --auth
    wrong = c.post("/logg-inn", data={"login": login_token(ask.text), "passord": "feil", "neste": "/kunder"})
    assert wrong.status_code == 401 and "Feil passord." in wrong.text and "set-cookie" in wrong.headers
    assert c.app_.state.console.sessions.cookie_name + "=" not in wrong.headers["set-cookie"]
    ok = c.post("/logg-inn", data={"login": login_token(wrong.text), "passord": PASSWORD,
                                   "neste": "/kunder/nordbygg/plan"})
    assert ok.status_code == 303 and ok.headers["location"] == "/kunder/nordbygg/plan"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and PASSWORD not in cookie
    page = c.get("/kunder")
    assert page.status_code == 200 and PASSWORD not in page.text and "Logg ut" in page.text
    # logging out ends the session (a POST with the session's CSRF token)
    assert c.post("/logg-ut", data={"csrf": "wrong"}).status_code == 403
    out = c.post("/logg-ut", data={"csrf": csrf_of(page.text)})
    assert out.status_code == 303 and c.get("/kunder").status_code == 401


def test_the_login_form_refuses_a_post_from_elsewhere_and_never_leaves_the_console(with_password):
    c = with_password
    assert c.post("/logg-inn", data={"passord": PASSWORD}).status_code == 403  # no form token
    form = c.get("/logg-inn?neste=//evil.example/x")
    assert 'name="neste" value="/"' in form.text
    ok = c.post("/logg-inn", data={"login": login_token(form.text), "passord": PASSWORD,
                                   "neste": "https://evil.example/"})
    assert ok.headers["location"] == "/"


def test_password_auth_refuses_an_empty_password():
    with pytest.raises(ValueError):
        PasswordAuth("")


def test_single_company_has_no_kunder(client):
    assert client.get("/kunder").status_code == 404
    assert 'href="/kunder"' not in client.get("/plan").text




def test_a_second_request_without_a_session_keeps_the_login_form_on_screen_valid(with_password):
    # A browser fetches /favicon.ico (or a second tab opens the console) after the form is shown:
    # that must not void the form's token, or the right password is refused with 403.
    c = with_password
    form = c.get("/kunder")
    assert c.get("/favicon.ico").status_code == 401
    c.get("/logg-inn")
    ok = c.post("/logg-inn", data={"login": login_token(form.text), "passord": PASSWORD, "neste": "/kunder"})
    assert ok.status_code == 303 and ok.headers["location"] == "/kunder"
    login_cookie = c.app_.state.console.sessions.cookie_name + "_login"
    assert login_cookie not in c.cookies  # spent with the login
