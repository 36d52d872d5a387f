"""Samsvar: the doctor's findings grouped by check, and the customer's HTML report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from grunndata.console import backend
from grunndata.console.backend import Refusal
from grunndata.console.integration import DoctorRun
from grunndata.console.web import in_thread, integration_of, post, render, see_other, url_of

REPORT_NAME = "samsvarsrapport.html"


def _groups(report: backend.DoctorReport) -> list[dict[str, Any]]:
    """One group per check that ran (in the checks' order), each with its findings."""
    by_check: dict[str, list] = {}
    for f in report.findings:
        by_check.setdefault(f.check, []).append(f)
    checks = sorted(report.checks, key=lambda c: backend.check_order(c.name, c.description))
    groups = [{"name": c.name, "description": c.description, "findings": by_check.pop(c.name, [])} for c in checks]
    groups += [{"name": name, "description": name, "findings": found} for name, found in by_check.items()]
    return groups


async def show(request: Request) -> Response:
    run = integration_of(request).doctor
    context: dict[str, Any] = {
        "run": run,
        "groups": _groups(run.report) if run else [],
        "summary": run.report.summary() if run else None,
        "refusal": None,
    }
    return render(request, "samsvar.html", context)


def _check(integration: Any) -> DoctorRun:
    session = integration.session()
    report = backend.doctor(session, integration.reach)
    integration.doctor = DoctorRun(report, dt.datetime.now().astimezone())
    return integration.doctor


@post
async def run(request: Request) -> Response:
    integration = integration_of(request)
    try:
        await in_thread(_check, integration)
    except Refusal as exc:
        return render(
            request,
            "samsvar.html",
            {"run": integration.doctor, "groups": [], "summary": None, "refusal": exc},
            status=502,
        )
    return see_other(url_of(request, "/samsvar"))


async def report(request: Request) -> Response:
    run = integration_of(request).doctor
    if run is None:
        return see_other(url_of(request, "/samsvar"))
    page = backend.doctor_html(run.report)
    # The report styles itself inline and runs no script: allow exactly that.
    return HTMLResponse(
        page,
        headers={
            "Content-Disposition": f'attachment; filename="{REPORT_NAME}"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
