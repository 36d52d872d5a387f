"""Overføring: the hours transfer for a period, rows held back grouped by reason, and *Send*;
beside it the invoice bases of the period (:mod:`grunndata.console.pages.invoice`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grunndata.console import backend
from grunndata.console.backend import Refusal
from grunndata.console.jobs import Busy, Job
from grunndata.console.pages import invoice
from grunndata.console.plan_view import window_preview
from grunndata.console.web import in_thread, int_arg, integration_of, post, render, see_other, url_of

ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
NORWEGIAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class BadDate(ValueError):
    pass


def parse_date(text: str) -> dt.date:
    """``2026-01-31`` or ``31.01.2026``."""
    value = text.strip()
    iso, nor = ISO.match(value), NORWEGIAN.match(value)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if nor:
            return dt.date(int(nor[3]), int(nor[2]), int(nor[1]))
    except ValueError:
        pass
    raise BadDate(value)


def period(fra: str, til: str) -> tuple[dt.date | None, dt.date | None, list[str]]:
    bad: list[str] = []
    dates: list[dt.date | None] = []
    for text in (fra, til):
        try:
            dates.append(parse_date(text))
        except BadDate:
            bad.append(text)
            dates.append(None)
    return dates[0], dates[1], bad


def preview_context(plan: backend.TransferPlan, page_number: int) -> dict[str, Any]:
    held: dict[tuple[str, str, str], dict[str, Any]] = {}
    others, sends = [], []
    for line in plan.lines:
        if line.op == "hold":
            group = held.setdefault(
                (line.kind, line.reason, line.rule),
                {
                    "kind": line.kind,
                    "reason": line.reason,
                    "rule": line.rule,
                    "keys": [],
                    "suggestion": (line.fields or {}).get("suggestion"),
                },
            )
            group["keys"].append(line.key)
        elif line.op == "send":
            sends.append(line)
        else:
            others.append(line)
    return window_preview(plan, held.values(), "keys", others, sends, page_number, backend.transfer_digest(plan))


def _preview(integration: Any, start: dt.date, end: dt.date) -> backend.TransferPlan:
    return backend.transfer_preview(integration.session(), integration.reach, start, end)


async def show(request: Request) -> Response:
    integration = integration_of(request)
    fra, til = request.query_params.get("fra", ""), request.query_params.get("til", "")
    context: dict[str, Any] = {
        "fra": fra,
        "til": til,
        "bad_dates": [],
        "preview": None,
        "invoices": None,
        "refusal": None,
    }
    if not (fra or til):
        return render(request, "overforing.html", context)
    start, end, bad = period(fra, til)
    if bad or start is None or end is None:
        return render(request, "overforing.html", {**context, "bad_dates": bad}, status=400)
    if end < start:
        return render(request, "overforing.html", {**context, "refusal": Refusal("period_order")}, status=400)
    # The invoice preview stands on its own: a refusal of one does not hide the other.
    context["invoices"] = await in_thread(
        invoice.load, integration, start, end, int_arg(request.query_params.get("fside"), 1)
    )
    try:
        plan = await in_thread(_preview, integration, start, end)
    except Refusal as exc:
        return render(request, "overforing.html", {**context, "refusal": exc}, status=502)
    context["preview"] = preview_context(plan, int_arg(request.query_params.get("side"), 1))
    return render(request, "overforing.html", context)


@post
async def send(request: Request) -> Response:
    return await start_send(request, "transfer", backend.transfer_send)


async def start_send(request: Request, kind: str, send_window: Callable[..., Any]) -> Response:
    """*Send* of a preview (hours or invoice bases): the period and the preview's digest from the
    form, then ``send_window`` as a job; the job page follows its progress."""
    integration = integration_of(request)
    form = await request.form()
    fra, til, digest = (str(form.get(k) or "") for k in ("fra", "til", "digest"))
    start, end, bad = period(fra, til)
    if bad or start is None or end is None or not digest:
        context = {"fra": fra, "til": til, "bad_dates": bad, "preview": None, "invoices": None, "refusal": None}
        return render(request, "overforing.html", context, status=400)

    def work(job: Job) -> Any:
        return send_window(integration.session(), integration.reach, start, end, digest, job.set_total, job.progress)

    try:
        job = integration.jobs.start(kind, {"fra": start.isoformat(), "til": end.isoformat()}, work)
    except Busy as busy:
        return see_other(url_of(request, f"/jobb/{busy.job.id}"))
    return see_other(url_of(request, f"/jobb/{job.id}"))
