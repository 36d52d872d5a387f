"""Operator mode with ``--auth``: the password form, starting and ending a session.

Before a session there is no session CSRF token, so the form carries its own: a random value
in a short-lived cookie and in a hidden field (double submit), checked before the password.
A form shown again (a second tab, the browser's own /favicon.ico asking without a session) keeps
the cookie's value, so the form already on screen stays valid.
The password is compared in constant time and never rendered; the cookie rules are the
session cookie's (HttpOnly, SameSite=Strict).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from grunndata.console.web import page, post

LOGIN = "/logg-inn"
OPEN_PATHS = {LOGIN, "/static/console.css", "/static/favicon.svg"}
FIELD = "login"


def _cookie(request: Request) -> str:
    return request.app.state.console.sessions.cookie_name + "_login"


def _safe_next(target: Any) -> str:
    """Only a path on this console (never another site: no scheme, no ``//host``)."""
    text = str(target or "/")
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


def _form(request: Request, target: str, status: int, wrong: bool = False) -> Response:
    token = request.cookies.get(_cookie(request)) or secrets.token_urlsafe(24)
    response = page("login.html", status, login_field=FIELD, login_token=token, target=target, wrong=wrong)
    # Path=/: sent with every request before login, so whichever request shows the form reuses it
    response.set_cookie(_cookie(request), token, httponly=True, samesite="strict", path="/")
    return response


def ask(request: Request) -> Response:
    """No session: a page asks for the password (401, so scripts see they are out); anything
    else is refused as before."""
    if request.method != "GET":
        return page("401.html", 401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _form(request, _safe_next(target), 401)


async def show(request: Request) -> Response:
    return _form(request, _safe_next(request.query_params.get("neste")), 200)


async def submit(request: Request) -> Response:
    console = request.app.state.console
    form = await request.form()
    given, expected = str(form.get(FIELD) or ""), request.cookies.get(_cookie(request), "")
    if not (given and expected and hmac.compare_digest(given.encode(), expected.encode())):
        return page("403.html", 403)
    target = _safe_next(form.get("neste"))
    password = form.get("passord")
    if not console.auth.check(password if isinstance(password, str) else None):
        return _form(request, target, 401, wrong=True)
    session = console.sessions.start()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(console.sessions.cookie_name, session.id, httponly=True, samesite="strict", path="/")
    response.delete_cookie(_cookie(request), path="/")
    return response


@post
async def logout(request: Request) -> Response:
    console = request.app.state.console
    session = getattr(request.state, "console_session", None)
    if session is not None:
        console.sessions.end(session.id)
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(console.sessions.cookie_name, path="/")
    return response


def routes() -> list[Route]:
    return [
        Route(LOGIN, show, methods=["GET"]),
        Route(LOGIN, submit, methods=["POST"]),
        Route("/logg-ut", logout, methods=["POST"]),
    ]
