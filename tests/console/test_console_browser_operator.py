"""Operator mode in a real browser: headless Chromium (Debian's) driven by Playwright against the
console serving an in-memory :class:`TenantSource` with ``--auth``'s password login.

Log in through the form (a wrong password refused in Norwegian), see every tenant with its health
on /kunder, search, open a tenant whose name looks like markup and stay under its own
/kunder/{name}/ while moving between its pages, log out. With GRUNNDATA_CONSOLE_SHOTS=DIR the
login form and /kunder are also saved as DIR/logg-inn.png and DIR/kunder.png (docs/console/shoot.py).
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

import pytest
import uvicorn
from console_env import HOSTILE, demo_world, operator_rows, write_config
from test_console_browser import Watched, browser, nav, submit  # noqa: F401 (browser: a fixture)

from grunndata.console.app import create_app
from grunndata.console.auth import PasswordAuth
from grunndata.console.integration import Integration
from grunndata.console.serve import address, bind
from grunndata.console.tenants import InMemoryTenants, TenantRow
from grunndata.sandbox import Sandbox

PASSWORD = "sentinel-browser-password-3f2e1d"
ODD = "<script>bygg [fase 2]"  # a tenant named like markup: shown as the text it is, never run
START_POLLS = 2000  # x 5 ms: the server thread's start, bounded


@contextlib.contextmanager
def serving(app_for_port) -> Iterator[str]:
    """The console app on a free loopback port, served by uvicorn in a thread (the in-memory
    tenants live in this process, so no subprocess)."""
    sock = bind("127.0.0.1", 0)
    app = app_for_port(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", access_log=False,
                                           lifespan="off", http="h11", timeout_graceful_shutdown=1))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(START_POLLS):
        if server.started or not thread.is_alive():
            break
        started.wait(0.005)
    assert server.started, "the console did not start"
    try:
        yield address("127.0.0.1", sock)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        app.state.console.source.close()


@pytest.fixture
def console_url(tmp_path, secrets_env) -> Iterator[str]:
    rows = {**operator_rows(), ODD: TenantRow(ODD, master="poweroffice")}
    made = {}
    for i, (name, row) in enumerate(rows.items()):
        folder = tmp_path / f"t{i}"
        folder.mkdir()
        sb = Sandbox(demo_world(), rate_limit=False)
        made[name] = (Integration(write_config(folder), transports=sb.transports(), name=name), (lambda r=row: r))
    with serving(lambda port: create_app(InMemoryTenants(made), port=port, auth=PasswordAuth(PASSWORD))) as url:
        yield url


@pytest.fixture
def watched(browser) -> Iterator[Watched]:  # noqa: F811 (browser: the imported fixture)
    w = Watched(browser)
    yield w
    w.close()


def expected_401s(watched: Watched) -> None:
    """The login form answers 401 (so scripts see they are out): Chromium logs that as a failed
    resource; nothing else may have been logged."""
    assert all("401" in e for e in watched.errors), watched.errors
    watched.errors.clear()


def paths_of_links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    return [unquote(urlsplit(h).path) for h in hrefs]


def test_operator_logs_in_lists_searches_opens_a_tenant_and_logs_out(console_url, watched):
    page = watched.page
    page.goto(console_url + "/kunder")
    assert page.locator("h1").inner_text() == "Logg inn i grunndata-konsollen"
    watched.shoot("logg-inn", full=False)

    # a wrong password: refused in Norwegian, still the form
    page.fill("input[name=passord]", "feil-passord")
    submit(page, "#logg-inn")
    assert "Feil passord." in page.inner_text("[role=alert]")
    assert page.locator("h1").inner_text() == "Logg inn i grunndata-konsollen"
    assert PASSWORD not in page.content()
    expected_401s(watched)

    # the right one: on to /kunder, where the form was asked for
    page.fill("input[name=passord]", PASSWORD)
    submit(page, "#logg-inn")
    assert urlsplit(page.url).path == "/kunder"
    rows = page.locator("tr.tenant")
    assert rows.count() == 3
    assert page.locator("tr.tenant a.key").all_inner_texts() == sorted(["fjordbygg", "nordbygg", ODD])
    assert page.locator("tr.tenant.ok").inner_text().startswith("fjordbygg")
    failed = page.locator("tr.tenant.failed")
    assert "trenger tilsyn" in failed.inner_text() and "PowerOffice svarte 503" in failed.inner_text()
    assert f"prosjekt {HOSTILE} avvist" in failed.inner_text()  # the error's markup shown as text
    assert "ukjent" in page.locator("tr.tenant.unknown").inner_text()
    assert "3 kunder, 1 trenger tilsyn" in page.inner_text("form.filters")
    watched.shoot("kunder", full=False)

    # search: by a part of the odd name, by error text, then all again
    page.fill("input[name=q]", "<script>bygg")  # "fase 2" alone would also find nordbygg's error
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert page.locator("tr.tenant a.key").all_inner_texts() == [ODD]
    page.fill("input[name=q]", "503")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    assert page.locator("tr.tenant a.key").all_inner_texts() == ["nordbygg"]
    submit(page, "text=Vis alle")
    assert page.locator("tr.tenant").count() == 3

    # the odd tenant: its own pages under /kunder/{name}/, every link staying there
    prefix = f"/kunder/{ODD}"
    submit(page, f"tr.tenant a.key >> text={ODD}")
    assert unquote(urlsplit(page.url).path) == prefix + "/"
    assert page.locator("span.tenant-name").inner_text() == ODD
    for label, path in (("Plan", "/plan"), ("Historikk", "/historikk")):
        nav(page, label)
        assert unquote(urlsplit(page.url).path) == prefix + path
        assert page.locator("span.tenant-name").inner_text() == ODD
        assert page.locator("header nav a[aria-current=page]").inner_text() == label
        tenant_links = [p for p in paths_of_links(page, "a[href]") if p != "/kunder"]
        assert tenant_links and all(p.startswith(prefix + "/") for p in tenant_links), tenant_links
    nav(page, "Plan")
    submit(page, "text=Lag plan")
    assert unquote(urlsplit(page.url).path) == prefix + "/plan"
    assert page.locator("tr.action").count() > 0 and HOSTILE in page.inner_text("table.actions")
    forms = page.eval_on_selector_all("main form[method=post]", "fs => fs.map(f => f.action)")
    assert forms and all(unquote(urlsplit(f).path).startswith(prefix + "/") for f in forms), forms
    assert all(p.startswith(prefix + "/") for p in paths_of_links(page, "main a[href]"))
    nav(page, "Kunder")
    assert urlsplit(page.url).path == "/kunder"

    # Logg ut: the session is over, every page asks for the password again
    submit(page, "text=Logg ut")
    assert urlsplit(page.url).path == "/logg-inn"
    page.goto(console_url + f"{prefix}/plan")
    assert page.locator("h1").inner_text() == "Logg inn i grunndata-konsollen"
    assert page.locator("tr.tenant").count() == 0
    expected_401s(watched)
