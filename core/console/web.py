"""What every page shares: templates (autoescaped), rendering, the CSRF check, small helpers."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import anyio
import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from grunndata.console.auth import CSRF_FIELD, CSRF_HEADER, csrf_ok
from grunndata.console.integration import Integration
from grunndata.console.plan_view import paginate
from grunndata.report.history_text import parse_stamp

NAV = [
    ("/oppsett", "Oppsett"),
    ("/samsvar", "Samsvar"),
    ("/plan", "Plan"),
    ("/historikk", "Historikk"),
    ("/overforing", "Overføring"),
]

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("grunndata.console", "templates"),
    autoescape=True,  # every template, whatever its name: values from the APIs are data, never markup
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def when(value: Any) -> str:
    """A journal timestamp (ISO 8601, UTC) as a consultant reads it: local, day first."""
    moment = parse_stamp(value)
    if moment is None:
        return str(value) if value else "–"
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d.%m.%Y %H:%M:%S")


_env.filters["when"] = when
templates = Jinja2Templates(env=_env)


class NoTenant(LookupError):
    """No such tenant (or a page of a tenant asked for without one): the app answers 404."""


def integration_of(request: Request) -> Integration:
    """The integration this request is about: the one, or the tenant named in the address."""
    found = optional_integration(request)
    if found is None:
        raise NoTenant(request.path_params.get("tenant"))
    return found


def optional_integration(request: Request) -> Integration | None:
    source = request.app.state.console.source
    if not source.operator:
        return source.integration("")
    name = request.path_params.get("tenant")
    return source.integration(str(name)) if name else None


def csrf_token(request: Request) -> str:
    session = getattr(request.state, "console_session", None)
    return session.csrf if session is not None else ""


def render(request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> Response:
    integration = optional_integration(request)
    operator = request.app.state.console.source.operator
    base = {
        "nav": NAV,
        "path": request.url.path,
        "root": root_of(request),
        "csrf": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "operator": operator,
        "tenant": request.path_params.get("tenant") if operator else None,
        "config_path": str(integration.config_path) if integration and not operator else "",
        "busy": integration.jobs.running() if integration else None,
        "password_login": getattr(request.app.state.console.auth, "login_form", False),
    }
    base.update(context or {})
    return templates.TemplateResponse(request, name, base, status_code=status)


def page(name: str, status: int, **context: Any) -> HTMLResponse:
    """A page outside the console's frame (401, 403): no nav, no data."""
    return HTMLResponse(_env.get_template(name).render(**context), status_code=status)


Handler = Callable[[Request], Awaitable[Response]]


def post(handler: Handler) -> Handler:
    """Every POST carries the session's CSRF token (form field or header), or gets 403."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        given = request.headers.get(CSRF_HEADER)
        if not given:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
        if not csrf_ok(getattr(request.state, "console_session", None), given):
            return page("403.html", 403)
        return await handler(request)

    guarded.csrf_protected = True  # type: ignore[attr-defined]
    return guarded


def root_of(request: Request) -> str:
    """Where this integration's pages start: "" for the one integration, ``/kunder/NAME`` for a
    tenant in operator mode (the mount's ``root_path``)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def url_of(request: Request, path: str) -> str:
    return root_of(request) + path


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """Engine work off the server's loop, so other requests (progress polls) are still answered."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args))


def int_arg(value: Any, default: int = 1) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def outcome_page(request: Request, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A run's or a job's writes as their pages show them: how many of each outcome, and a page of
    those with the outcome the address asks for (``utfall``; all when none)."""
    wanted = request.query_params.get("utfall", "")
    outcomes: dict[str, int] = {}
    for r in rows:
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    shown = [r for r in rows if not wanted or r["outcome"] == wanted]
    return {
        "page": paginate(shown, int_arg(request.query_params.get("side"), 1)),
        "outcomes": outcomes,
        "wanted": wanted,
        "query": urlencode({"utfall": wanted} if wanted else {}),
    }
