"""Plan: what the sync would do and why, filtered and paginated; *Godkjenn* applies exactly it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from grunndata.console import backend
from grunndata.console.backend import Refusal
from grunndata.console.jobs import Busy, Job
from grunndata.console.plan_view import excerpts, paginate
from grunndata.console.web import in_thread, int_arg, integration_of, post, render, see_other, url_of


def plan_context(integration: Any, query: dict[str, str]) -> dict[str, Any]:
    """Everything the Plan page shows for one request (also what the benchmark measures)."""
    saved = integration.plan(query.get("id")) or integration.plan(integration.current_plan)
    if saved is None:
        return {"saved": None}
    view = saved.view
    op, entity, text = query.get("op", ""), query.get("entity", ""), query.get("q", "")
    matching = view.filtered(op, entity, text)
    page = paginate(matching, int_arg(query.get("side"), 1))
    actions = [view.plan.actions[i] for i in page.items]
    filters = {k: v for k, v in (("id", saved.id), ("op", op), ("entity", entity), ("q", text)) if v}
    return {
        "saved": saved,
        "view": view,
        "plan": view.plan,
        "actions": actions,
        "page": page,
        "filters": {"op": op, "entity": entity, "q": text},
        "query": urlencode(filters),
        "rule_lines": excerpts(saved.rule_lines, (a.rule for a in actions)),
        "job": integration.jobs.get(saved.job_id) if saved.job_id else None,
    }


async def show(request: Request) -> Response:
    integration = integration_of(request)
    query = dict(request.query_params)
    context = await in_thread(plan_context, integration, query)
    return render(request, "plan.html", {**context, "refusal": None})


def _make(integration: Any) -> str:
    return integration.new_plan(integration.session()).id


@post
async def make(request: Request) -> Response:
    integration = integration_of(request)
    try:
        plan_id = await in_thread(_make, integration)
    except Refusal as exc:
        return render(request, "plan.html", {"saved": None, "refusal": exc}, status=502)
    return see_other(url_of(request, f"/plan?id={plan_id}"))


@post
async def approve(request: Request) -> Response:
    integration = integration_of(request)
    form = await request.form()
    saved = integration.plan(str(form.get("id") or ""))
    if saved is None:
        return render(request, "plan.html", {"saved": None, "refusal": Refusal("no_plan")}, status=404)
    if saved.job_id:  # approved once already: show that run, never write twice
        return see_other(url_of(request, f"/jobb/{saved.job_id}"))
    if saved.view.plan.blocked or not saved.view.writes:
        context = await in_thread(plan_context, integration, {"id": saved.id})
        code = "blocked" if saved.view.plan.blocked else "nothing"
        return render(request, "plan.html", {**context, "refusal": Refusal(code)}, status=409)

    def work(job: Job) -> Any:
        session = integration.session()
        return backend.apply_plan(session, integration.reach, saved.path, job.set_total, job.progress)

    try:
        job = integration.jobs.start("apply", {"plan": saved.id, "writes": saved.view.writes}, work)
    except Busy as busy:
        return see_other(url_of(request, f"/jobb/{busy.job.id}"))
    saved.job_id = job.id
    return see_other(url_of(request, f"/jobb/{job.id}"))
