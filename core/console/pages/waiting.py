"""Historikk, plans waiting for approval: each with why it waits and what it would do, and
*Godkjenn* (``grunndata approve RUN``, a writing job) and *Avvis* (``grunndata reject RUN``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grunndata.console import backend_waiting
from grunndata.console.backend import Refusal
from grunndata.console.jobs import Busy, Job
from grunndata.console.web import in_thread, integration_of, post, render, see_other, url_of

SHOWN_ACTIONS = 50  # of a waiting plan's actions, listed under its row


def rows(integration: Any) -> list[dict[str, Any]]:
    found = backend_waiting.waiting(integration.session(), integration.reach)
    out = []
    for w in found:
        actions = [a for a in (w.plan.get("actions") or []) if isinstance(a, dict)]
        writes = [a for a in actions if a.get("op") in ("create", "update", "finish")]
        out.append(
            {
                "run": w.run_id,
                "reason": w.reason,
                "summary": w.summary,
                "created": w.created,
                "actions": writes[:SHOWN_ACTIONS],
                "more": max(0, len(writes) - SHOWN_ACTIONS),
                "writes": len(writes),
            }
        )
    return out


def _run_id(request: Request) -> int:
    return int(request.path_params["run_id"])


@post
async def approve(request: Request) -> Response:
    integration = integration_of(request)
    run_id = _run_id(request)

    def work(job: Job) -> Any:
        return backend_waiting.approve_waiting(integration.session(), integration.reach, run_id, job.set_total)

    try:
        job = integration.jobs.start("apply", {"waiting": run_id}, work)
    except Busy as busy:
        return see_other(url_of(request, f"/jobb/{busy.job.id}"))
    return see_other(url_of(request, f"/jobb/{job.id}"))


@post
async def reject(request: Request) -> Response:
    from grunndata.console.pages.history import show_with

    integration = integration_of(request)
    run_id = _run_id(request)
    try:
        await in_thread(backend_waiting.reject_waiting, integration.session(), integration.reach, run_id)
    except Refusal as exc:
        return await show_with(request, refusal=exc, status=409)
    return see_other(url_of(request, f"/historikk?forkastet={run_id}"))


__all__ = ["approve", "reject", "render", "rows"]
