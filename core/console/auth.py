"""Who may use the console, and proof that a POST came from its own pages.

Single-company mode (this module's :class:`TokenAuth`) works as Jupyter does: a random token,
printed once in the address the consultant opens, valid while the process runs. Opening that
address starts a session: a random session id in an HttpOnly, SameSite=Strict cookie. Each
session has its own CSRF token, which every form carries in a hidden field (and every script
request in the ``X-CSRF-Token`` header); a POST without it is refused with 403.

Operator mode (``--auth`` with ``GRUNNDATA_CONSOLE_PASSWORD``) plugs in here as another
:class:`Authenticator`: it decides how a session is started (a password form instead of a
token in the address); sessions, cookies and CSRF stay as they are.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from starlette.requests import Request

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
TOKEN_PARAM = "token"


@dataclass
class ConsoleSession:
    id: str
    csrf: str
    started: float = field(default_factory=time.time)


class Authenticator(Protocol):
    """How a browser proves it may start a session."""

    def login_from_request(self, request: Request) -> bool:
        """True when this request itself proves access (e.g. a valid ``?token=``)."""


class TokenAuth:
    """A random token made at start-up; whoever opens the printed address gets a session."""

    login_form = False

    def __init__(self, token: str | None = None):
        self.token = token or secrets.token_urlsafe(32)

    def login_from_request(self, request: Request) -> bool:
        given = request.query_params.get(TOKEN_PARAM)
        return given is not None and bool(given) and hmac.compare_digest(given.encode(), self.token.encode())


class PasswordAuth:
    """Operator mode with ``--auth``: a password (``GRUNNDATA_CONSOLE_PASSWORD``) typed into the
    login form starts a session; the address carries no token. Never rendered, never logged."""

    login_form = True
    token = None  # nothing to print in the address

    def __init__(self, password: str):
        if not password:
            raise ValueError("an empty password")
        self._password = password.encode()

    def login_from_request(self, request: Request) -> bool:
        return False  # only the form (POST /logg-inn) starts a session

    def check(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(str(given).encode(), self._password)


class Sessions:
    """Live sessions of this process (gone when it stops, like the token)."""

    def __init__(self, cookie_name: str):
        self.cookie_name = cookie_name
        self._by_id: dict[str, ConsoleSession] = {}
        self._lock = threading.Lock()

    def start(self) -> ConsoleSession:
        session = ConsoleSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        with self._lock:
            self._by_id[session.id] = session
        return session

    def end(self, session_id: str) -> None:
        with self._lock:
            self._by_id.pop(session_id, None)

    def of(self, request: Request) -> ConsoleSession | None:
        sid = request.cookies.get(self.cookie_name)
        if not sid:
            return None
        with self._lock:
            return self._by_id.get(sid)


def csrf_ok(session: ConsoleSession | None, given: str | None) -> bool:
    return session is not None and bool(given) and hmac.compare_digest(str(given).encode(), session.csrf.encode())


def cookie_name(port: int) -> str:
    # Cookies do not tell ports apart: two consoles on one machine must not share one.
    return f"grunndata_console_{port}"
