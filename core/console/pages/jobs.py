"""A writing run in progress (polled as JSON), then the outcome of each of its writes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from grunndata.console.pages import invoice
from grunndata.console.web import integration_of, outcome_page, page, render


def _rows(job: Any) -> list[dict[str, Any]]:
    """Each write and its outcome, in one shape for sync and transfer runs."""
    report = job.report
    if report is None:
        return []
    if job.kind == "invoice":
        return invoice.job_rows(job)
    if job.kind == "apply":
        return [
            {
                "op": o.action.op,
                "kind": o.action.entity,
                "target": o.action.target,
                "key": o.action.key,
                "reason": o.action.reason,
                "outcome": o.status,
                "remote_id": o.remote_id,
                "detail": o.detail,
                "marked": None,
            }
            for o in report.outcomes
        ]
    return [
        {
            "op": r.line.op,
            "kind": r.line.kind,
            "target": "poweroffice",
            "key": r.line.key,
            "reason": r.line.reason,
            "outcome": r.status,
            "remote_id": r.entry_id,
            "detail": r.detail,
            "marked": r.marked,
        }
        for r in report.results
    ]


async def show(request: Request) -> Response:
    job = integration_of(request).jobs.get(request.path_params["job_id"])
    if job is None:
        return page("404.html", 404)
    summary = job.report.summary() if job.report is not None else None
    return render(request, "jobb.html", {"job": job, **outcome_page(request, _rows(job)), "summary": summary})


async def status(request: Request) -> Response:
    job = integration_of(request).jobs.get(request.path_params["job_id"])
    if job is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    return JSONResponse(job.to_json(), headers={"Cache-Control": "no-store"})
