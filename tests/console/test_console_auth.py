"""Login token, session cookie, CSRF on every POST, headers, and nothing secret on any page."""
from __future__ import annotations

import re

from console_env import BASE, SECRET_VALUES, csrf_of, form_post
from starlette.routing import Route
from starlette.testclient import TestClient

PAGES = ["/", "/oppsett", "/samsvar", "/samsvar/rapport.html", "/plan", "/historikk", "/historikk/1",
         "/overforing", "/jobb/x", "/jobb/x.json", "/static/console.css", "/finnes-ikke"]


def post_routes(app) -> list[str]:
    """Every POST path, a path parameter filled in (``/historikk/venter/1/godkjenn``)."""
    return sorted({re.sub(r"\{[^}]*\}", "1", r.path) for r in app.routes
                   if isinstance(r, Route) and "POST" in (r.methods or set())})


def test_without_a_session_every_page_answers_401_in_norwegian(anonymous, app):
    for path in PAGES:
        r = anonymous.get(path)
        assert r.status_code == 401, path
        assert "Ikke innlogget" in r.text
        assert app.state.console.auth.token not in r.text
    for path in post_routes(app):
        assert anonymous.post(path, data={"csrf": "x"}).status_code == 401


def test_a_wrong_token_is_401_and_starts_no_session(anonymous):
    r = anonymous.get("/?token=not-the-token")
    assert r.status_code == 401
    assert "set-cookie" not in r.headers
    assert anonymous.get("/oppsett").status_code == 401


def test_the_token_starts_a_session_cookie_httponly_strict_and_leaves_the_address(anonymous, app):
    token = app.state.console.auth.token
    r = anonymous.get(f"/plan?token={token}&op=create")
    assert r.status_code == 303
    assert r.headers["location"] == "/plan?op=create"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{app.state.console.sessions.cookie_name}=")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert token not in cookie
    assert anonymous.get("/oppsett").status_code == 200
    assert anonymous.get(f"/?token={token}").status_code == 303  # valid while the process runs


def test_a_cookie_made_up_by_someone_else_is_401(app):
    with TestClient(app, base_url=BASE, cookies={app.state.console.sessions.cookie_name: "guess"}) as c:
        assert c.get("/oppsett").status_code == 401


def test_a_foreign_host_name_is_refused_even_with_the_token(app):
    # A web page elsewhere pointing its own DNS name at 127.0.0.1 must not reach the console.
    with TestClient(app, base_url="http://evil.example:8765", follow_redirects=False) as c:
        assert c.get(f"/?token={app.state.console.auth.token}").status_code == 401


def test_every_post_without_the_csrf_token_is_403_and_does_nothing(client, app, integration, sb):
    before = integration.config_path.read_bytes()
    routes = post_routes(app)
    assert set(routes) >= {"/oppsett", "/samsvar", "/plan", "/plan/godkjenn", "/overforing/send"}
    for path in routes:
        for data in ({}, {"csrf": ""}, {"csrf": "wrong"}):
            r = client.post(path, data={"master": "smartdok", "standard_project": "9000", **data})
            assert r.status_code == 403, (path, data)
            assert "Avvist" in r.text
        assert client.post(path, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert integration.config_path.read_bytes() == before
    assert integration.plans == {} and integration.doctor is None
    assert sb.write_count("smartdok") + sb.write_count("poweroffice") == 0


def test_another_sessions_csrf_token_is_refused(app, client):
    with TestClient(app, base_url=BASE) as other:
        other.get(f"/?token={app.state.console.auth.token}")
        their_token = csrf_of(other.get("/plan").text)
    assert client.post("/plan", data={"csrf": their_token}).status_code == 403


def test_the_csrf_header_is_accepted_for_scripts(client):
    token = csrf_of(client.get("/samsvar").text)
    r = client.post("/samsvar", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and "Samsvar" in r.text


def test_pages_forbid_inline_script_and_framing(client):
    r = client.get("/plan")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"  # the token never leaves in a Referer
    assert "<script>" not in r.text  # the only script is the static file


def test_no_secret_on_any_page_after_a_whole_walk(client, integration):
    bodies = []
    bodies.append(form_post(client, "/oppsett", "/oppsett", {"master": "smartdok", "standard_project": "9000"}).text)
    bodies.append(form_post(client, "/samsvar", "/samsvar", {}).text)
    bodies.append(client.get("/samsvar/rapport.html").text)
    r = form_post(client, "/plan", "/plan", {})
    bodies.append(r.text)
    plan_id = integration.current_plan
    r = form_post(client, "/plan", "/plan/godkjenn", {"id": plan_id})
    job_id = r.url.path.rsplit("/", 1)[-1]
    assert integration.jobs.wait(job_id, 60)
    for path in ("/", "/oppsett", "/plan", f"/jobb/{job_id}", f"/jobb/{job_id}.json", "/historikk",
                 "/historikk/1", "/overforing?fra=01.01.2026&til=31.01.2026"):
        bodies.append(client.get(path).text)
    for body in bodies:
        for value in SECRET_VALUES.values():
            assert value not in body


def test_missing_secrets_are_named_in_norwegian_not_shown(client, monkeypatch):
    monkeypatch.delenv("POWEROFFICE_CLIENT_KEY")
    r = form_post(client, "/plan", "/plan", {})
    assert r.status_code == 502
    assert "Nøklene til SmartDok og PowerOffice mangler i miljøet" in r.text
    for value in SECRET_VALUES.values():
        assert value not in r.text
