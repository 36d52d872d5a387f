"""Historikk: runs and transfers from the journal, each action's outcome and remote ids.

Plans waiting for approval (made by an unattended run) will be listed here with *Godkjenn* /
*Avvis*, once the scheduler saves them; the page already has the section for them.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grunndata.console import backend
from grunndata.console.backend import Refusal
from grunndata.console.web import in_thread, int_arg, integration_of, outcome_page, page, render


def _runs(integration: Any) -> list[dict[str, Any]] | None:
    return backend.runs(integration.session(), reach=integration.reach)


async def show(request: Request) -> Response:
    return await show_with(request)


async def show_with(request: Request, refusal: Refusal | None = None, status: int = 200) -> Response:
    """The runs and the plans waiting for approval (with a refusal of *Avvis* when there is one)."""
    from grunndata.console.pages import waiting

    integration = integration_of(request)
    context: dict[str, Any] = {
        "runs": None,
        "refusal": refusal,
        "waiting": [],
        "waiting_refusal": None,
        "rejected": int_arg(request.query_params.get("forkastet"), 0),
    }
    try:
        context["waiting"] = await in_thread(waiting.rows, integration)
    except Refusal as exc:
        context["waiting_refusal"] = exc
    try:
        context["runs"] = await in_thread(_runs, integration)
    except Refusal as exc:
        return render(request, "historikk.html", {**context, "refusal": exc}, status=500)
    return render(request, "historikk.html", context, status=status)


def _run(integration: Any, run_id: int) -> dict[str, Any] | None:
    return backend.run(integration.session(), run_id, reach=integration.reach)


async def detail(request: Request) -> Response:
    integration = integration_of(request)
    try:
        run = await in_thread(_run, integration, int(request.path_params["run_id"]))
    except Refusal as exc:
        return render(
            request,
            "historikk.html",
            {"runs": None, "refusal": exc, "waiting": [], "waiting_refusal": None, "rejected": 0},
            status=500,
        )
    if run is None:
        return page("404.html", 404)
    rows = run.get("lines") if run.get("kind") in ("transfer", "invoice") else run.get("actions")
    return render(request, "historikk_run.html", {"run": run, **outcome_page(request, rows or [])})
