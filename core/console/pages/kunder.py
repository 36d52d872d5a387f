"""Kunder (operator mode): every tenant with its health, lag, last error and next cycle; search;
each tenant's own pages under ``/kunder/{name}/``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from grunndata.console.backend import Refusal, refusal
from grunndata.console.plan_view import paginate
from grunndata.console.web import in_thread, int_arg, render, see_other


async def to_list(request: Request) -> Response:
    return see_other("/kunder")


async def show(request: Request) -> Response:
    source = request.app.state.console.source
    query = request.query_params.get("q", "").strip()
    failure: Refusal | None = None
    try:
        rows = await in_thread(source.rows)
    except Exception as exc:  # the operator's database is away: say so, never a traceback
        rows, failure = [], refusal(exc)
    shown = [r for r in rows if r.matches(query)]
    return render(
        request,
        "kunder.html",
        {
            "q": query,
            "total": len(rows),
            "refusal": failure,
            "page": paginate(shown, int_arg(request.query_params.get("side"), 1)),
            "unhealthy": sum(1 for r in rows if r.healthy is False),
        },
        status=502 if failure else 200,
    )
