"""The walk-through in a real browser: headless Chromium (Debian's) driven by Playwright against
the sandbox and ``grunndata console`` as a consultant starts it.

Set up the integration (master, standard project, save: the YAML's comments kept), run the
doctor and download the customer's report, make a plan, filter it, read a rule's lines,
approve it and watch it written, see the run in Historikk; preview and send hours.
With GRUNNDATA_CONSOLE_SHOTS=DIR each page is also saved as DIR/<page>.png (docs/console/shoot.py).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_env import FIXED_PRICE, HOSTILE, HOSTILE_SD_NUMBER, demo_world, invoice_world
from console_stack import console_env, stack

from grunndata.sandbox.hours_world import month_of_hours

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = os.environ.get("GRUNNDATA_CONSOLE_SHOTS")
WAIT_MS = 60_000


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (bash .ci/browser installs Debian's)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    return None


def unavailable(reason: str) -> None:
    """Under CI a missing browser is a failure (the walk-through must run there); elsewhere a
    skip that says why."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        unavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page that records dialogs (an escaped script never opens one) and console errors
    (a blocked inline script or style would log one)."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nb-NO",
                                           accept_downloads=True)
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def shoot(self, name: str, full: bool = True) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)

    def close(self) -> None:
        assert self.dialogs == [], f"a page opened a dialog: {self.dialogs}"
        assert self.errors == [], f"the browser logged errors: {self.errors}"
        self.context.close()


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    w = Watched(browser)
    yield w
    w.close()


def nav(page, label: str) -> None:
    with page.expect_navigation():
        page.click(f"header nav >> text={label}")


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_walk_through_setup_doctor_plan_approve_history(tmp_path, watched):
    page = watched.page
    with stack(tmp_path, demo_world()) as s:
        page.goto(s.url)
        assert page.url.endswith("/") and "token=" not in page.url
        assert page.locator("h1").inner_text() == "Grunndata mellom SmartDok og PowerOffice"
        watched.shoot("oversikt")

        # Oppsett: SmartDok as master; a project on «Fastpris» cannot be picked (R7); save
        nav(page, "Oppsett")
        assert page.is_checked("input[name=master][value=poweroffice]")
        assert not page.locator(f'option[value="{FIXED_PRICE}"]').is_disabled()
        page.check("input[name=master][value=smartdok]")
        assert page.locator(f'option[value="{FIXED_PRICE}"]').is_disabled()
        page.fill("#project-filter", "malprosjekt")
        assert page.locator("#standard_project option:not([hidden])").count() == 2  # (ingen) and 9000
        page.select_option("#standard_project", "9000")
        submit(page, "text=Lagre oppsettet")
        assert "Lagret." in page.inner_text(".saved")
        saved = page.inner_text("#saved-yaml")
        assert "# Kunde: Fjordbygg AS. Satt opp sammen med kunden." in saved and "master: smartdok" in saved
        assert re.search(r"^master: smartdok +# endres i konsollen$", s.config.read_text(encoding="utf-8"), re.M)
        watched.shoot("oppsett")

        # Samsvar: run the doctor, findings grouped by check, the customer's report as a download
        nav(page, "Samsvar")
        submit(page, "text=Kjør samsvarssjekk")
        assert page.locator("section.check").count() >= 4
        assert page.locator("tr.finding").count() > 0
        with page.expect_download() as download:
            page.click("text=Last ned rapporten til kunden (HTML)")
        assert download.value.suggested_filename == "samsvarsrapport.html"
        assert "Samsvarsrapport" in Path(download.value.path()).read_text(encoding="utf-8")
        watched.shoot("samsvar")

        # Plan: make it, filter by operation (the select submits itself) and by text
        nav(page, "Plan")
        submit(page, "text=Lag plan")
        assert page.locator("table.summary").is_visible()
        total = page.locator("tr.action").count()
        with page.expect_navigation():
            page.select_option("select[name=op]", "create")
        assert "op=create" in page.url
        assert page.locator("tr.action").count() == page.locator("tr.op-create").count() > 0
        page.fill("input[name=q]", "fase 2")
        with page.expect_navigation():
            page.press("input[name=q]", "Enter")
        row = page.locator("tr.action")
        assert row.count() == 1
        assert row.locator("td.key").inner_text() == HOSTILE_SD_NUMBER
        assert HOSTILE in row.inner_text()  # shown as the text it is, never run
        row.locator("td.rule summary").click()
        hit = row.locator("pre.rule-lines .hit")
        assert hit.is_visible() and hit.locator(".ln").inner_text() == row.locator("td.rule code").inner_text().rsplit(":", 1)[1]
        watched.shoot("plan-filter")
        submit(page, "text=Vis alle")
        assert page.locator("tr.action").count() == total
        watched.shoot("plan", full=False)

        # Godkjenn: progress, then each action's outcome
        writes = int(re.search(r"skriv (\d+) endringer", page.inner_text("#godkjenn")).group(1))
        submit(page, "#godkjenn")
        assert "/jobb/" in page.url
        page.wait_for_selector(".done", timeout=WAIT_MS)  # the page polls and reloads itself
        assert f"{writes} skrevet, 0 funnet igjen, 0 feilet" in page.inner_text(".done")
        assert page.locator("tr.outcome.ok").count() == min(writes, 50)
        watched.shoot("plan-resultat", full=False)
        assert s.sb.write_count("poweroffice") >= writes

        # Historikk: the run and each action's remote id
        nav(page, "Historikk")
        assert "fullført" in page.locator("tr.run").first.inner_text()
        watched.shoot("historikk")
        submit(page, "tr.run >> nth=0 >> a")
        assert page.locator("tr.outcome.ok").count() == min(writes, 50)
        assert page.locator("tr.outcome.ok td.key").nth(1).inner_text() not in ("", "–")
        watched.shoot("historikk-kjoring", full=False)

        # A fresh plan has nothing left to write
        nav(page, "Plan")
        submit(page, "text=Lag ny plan")
        assert "Ingenting å skrive" in page.inner_text("main")


def test_hours_preview_held_back_and_send(tmp_path, watched):
    page = watched.page
    with stack(tmp_path, month_of_hours(employees=6, goods_rows=6)) as s:
        page.goto(s.url)
        nav(page, "Overføring")
        page.fill("input[name=fra]", "01.01.2026")
        page.fill("input[name=til]", "2026-01-31")
        submit(page, "text=Vis hva som sendes")
        assert "Periode 01.01.2026 – 31.01.2026" in page.inner_text("main")
        assert page.locator("tr.held-group").count() >= 3
        watched.shoot("overforing", full=False)
        lines = int(re.search(r"Send (\d+) linjer", page.inner_text("#send")).group(1))
        submit(page, "#send")
        page.wait_for_selector(".done", timeout=WAIT_MS)
        assert f"{lines} sendt eller endret" in page.inner_text(".done")
        watched.shoot("overforing-resultat", full=False)
        entries = s.sb.world()["poweroffice"].get("TimeTracking/TimeTrackingEntry", [])
        assert len(entries) == lines


def test_invoice_preview_held_back_and_send(tmp_path, watched):
    page = watched.page
    with stack(tmp_path, invoice_world()) as s:
        page.goto(s.url)
        nav(page, "Overføring")
        page.fill("input[name=fra]", "01.11.2026")
        page.fill("input[name=til]", "30.11.2026")
        submit(page, "text=Vis hva som sendes")
        section = page.locator("#fakturagrunnlag")
        assert section.locator("tr.invoice-send").count() == 4
        assert section.locator("tbody.invoice-held-group").count() == 2
        section.locator("tr.invoice-send >> nth=0 >> details summary").click()
        assert HOSTILE in section.locator("table.invoice-lines").first.inner_text()  # text, never run
        watched.shoot("overforing-faktura")
        assert "Send 4 fakturagrunnlag" in page.inner_text("#send-invoices")
        submit(page, "#send-invoices")
        assert "/jobb/" in page.url
        page.wait_for_selector(".done", timeout=WAIT_MS)
        assert "4 forespørsler skrevet" in page.inner_text(".done")
        assert page.locator("tr.outcome.ok").count() == 4 and page.locator("tr.outcome.held").count() == 2
        watched.shoot("overforing-faktura-resultat", full=False)
        orders = s.sb.world()["poweroffice"].get("SalesOrders", [])
        assert sorted(o["ExternalImportReference"] for o in orders) == [
            f"smartdok-invoice-{n}" for n in (5001, 5002, 5003, 5005)]


def test_waiting_plan_godkjenn(tmp_path, watched):
    page = watched.page
    with stack(tmp_path, demo_world()) as s:
        # an unattended cycle, as the scheduler runs it: no person has applied yet, so its plan waits
        once = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "run", "--once", "-c", str(s.config)],
                              cwd=tmp_path, env=console_env(), capture_output=True, text=True, timeout=120)
        assert once.returncode == 4, once.stdout + once.stderr
        writes_before = s.sb.write_count("smartdok") + s.sb.write_count("poweroffice")
        page.goto(s.url)
        nav(page, "Historikk")
        row = page.locator("tr.waiting-plan")
        assert row.count() == 1 and "ingen person har kjørt apply" in row.inner_text()
        row.locator("details summary").click()
        assert HOSTILE in row.locator("ul.waiting-actions").inner_text()
        watched.shoot("historikk-venter")
        submit(page, "tr.waiting-plan button.primary")
        assert "/jobb/" in page.url
        page.wait_for_selector(".done", timeout=WAIT_MS)
        done = page.inner_text(".done")
        assert "skrevet" in done and "0 feilet" in done
        assert s.sb.write_count("smartdok") + s.sb.write_count("poweroffice") > writes_before
        nav(page, "Historikk")
        assert page.locator("tr.waiting-plan").count() == 0


def test_a_missing_browser_fails_under_ci_and_skips_with_its_reason_elsewhere(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", "/nonexistent/chromium")
    reason = _missing()
    assert reason and "/nonexistent/chromium" in reason and ".ci/browser" in reason
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI"):
        unavailable(reason)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="nonexistent"):
        unavailable(reason)
