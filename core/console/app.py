"""The console's web app: routes, the login and header guard, and serving it on a port."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from grunndata.console.auth import TOKEN_PARAM, Authenticator, Sessions, TokenAuth, cookie_name
from grunndata.console.integration import Integration
from grunndata.console.pages import doctor, history, invoice, jobs, kunder, login, plan, setup, transfer, waiting
from grunndata.console.tenants import SingleCompany, TenantSource
from grunndata.console.web import NoTenant, integration_of, page, render

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}

# Only the console's own files; no inline script, no frames, no address leaking in a Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class Console:
    """What the app serves and who may use it."""

    source: TenantSource
    auth: Authenticator
    sessions: Sessions
    allowed_hosts: set[str] | None = None  # None: any Host header (bound to a public address)

    @property
    def integration(self) -> Integration | None:
        """Single-company mode: the one integration."""
        return None if self.source.operator else self.source.integration("")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts_for(host: str) -> set[str] | None:
    """A console on loopback answers only to loopback names (a page elsewhere cannot reach it
    through a DNS name of its own); on a wildcard address, to any name."""
    if host in ("0.0.0.0", "::", ""):
        return None
    return LOOPBACK_NAMES | {host.strip("[]")}


def _host_name(request: Request) -> str:
    raw = request.headers.get("host", "")
    if raw.startswith("["):
        return raw[1:].split("]", 1)[0]
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


class Guard(BaseHTTPMiddleware):
    """Host check, login (token -> session cookie), 401 without a session, security headers."""

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        console: Console = request.app.state.console
        response = await self._route(request, call_next, console)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _route(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]], console: Console
    ) -> Response:
        if console.allowed_hosts is not None and _host_name(request) not in console.allowed_hosts:
            return page("401.html", 401)
        if getattr(console.auth, "login_form", False) and request.url.path in login.OPEN_PATHS:
            return await call_next(request)  # the password form and its style, before a session
        if TOKEN_PARAM in request.query_params:
            if not console.auth.login_from_request(request):
                return page("401.html", 401)
            started = console.sessions.start()
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAM]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(console.sessions.cookie_name, started.id, httponly=True, samesite="strict", path="/")
            return response
        current = console.sessions.of(request)
        if current is None:
            if getattr(console.auth, "login_form", False):
                return login.ask(request)
            return page("401.html", 401)
        request.state.console_session = current
        return await call_next(request)


async def index(request: Request) -> Response:
    integration = integration_of(request)
    return render(
        request,
        "index.html",
        {"current_plan": integration.plan(integration.current_plan), "doctor": integration.doctor},
    )


def page_routes() -> list[Any]:
    """One integration's pages: at the root for a single company, under ``/kunder/{tenant}`` for
    each of an operator's tenants."""
    return [
        Route("/", index),
        Route("/oppsett", setup.show, methods=["GET"]),
        Route("/oppsett", setup.save, methods=["POST"]),
        Route("/samsvar", doctor.show, methods=["GET"]),
        Route("/samsvar", doctor.run, methods=["POST"]),
        Route("/samsvar/rapport.html", doctor.report, methods=["GET"]),
        Route("/plan", plan.show, methods=["GET"]),
        Route("/plan", plan.make, methods=["POST"]),
        Route("/plan/godkjenn", plan.approve, methods=["POST"]),
        Route("/jobb/{job_id}.json", jobs.status, methods=["GET"]),
        Route("/jobb/{job_id}", jobs.show, methods=["GET"]),
        Route("/historikk", history.show, methods=["GET"]),
        Route("/historikk/{run_id:int}", history.detail, methods=["GET"]),
        Route("/historikk/venter/{run_id:int}/godkjenn", waiting.approve, methods=["POST"]),
        Route("/historikk/venter/{run_id:int}/avvis", waiting.reject, methods=["POST"]),
        Route("/overforing", transfer.show, methods=["GET"]),
        Route("/overforing/send", transfer.send, methods=["POST"]),
        Route("/overforing/faktura/send", invoice.send, methods=["POST"]),
    ]


def routes(operator: bool, password: bool) -> list[Any]:
    shared = [
        Mount("/static", StaticFiles(packages=[("grunndata.console", "static")]), name="static"),
        *(login.routes() if password else []),
    ]
    if not operator:
        return [*page_routes(), *shared]
    return [
        Route("/", kunder.to_list),
        Route("/kunder", kunder.show, methods=["GET"]),
        Mount("/kunder/{tenant}", routes=page_routes()),
        *shared,
    ]


async def not_found(request: Request, exc: Exception) -> Response:
    return page("404.html", 404)


def create_app(
    served: Integration | TenantSource, *, port: int, host: str = "127.0.0.1", auth: Authenticator | None = None
) -> Starlette:
    """The console for one integration, or for every tenant of a :class:`TenantSource` (operator
    mode, ``/kunder``). ``auth`` defaults to a fresh login token (``app.state.console.auth.token``)."""
    source: TenantSource = SingleCompany(served) if isinstance(served, Integration) else served
    auth = auth or TokenAuth()
    app = Starlette(
        routes=routes(source.operator, getattr(auth, "login_form", False)),
        middleware=[Middleware(Guard)],
        exception_handlers={NoTenant: not_found},
    )
    app.state.console = Console(source, auth, Sessions(cookie_name(port)), allowed_hosts_for(host))
    return app
