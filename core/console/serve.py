"""Serving the console: bind first (so the address printed is one that answers), then uvicorn."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette

from grunndata.errors import GrunndataError

# How uvicorn serves the console: warnings only and no request log (the console announces its own
# address), no lifespan events (the app has none), h11, and two seconds' grace when stopped.
SERVING: dict[str, Any] = {
    "log_config": None,
    "log_level": "warning",
    "access_log": False,
    "lifespan": "off",
    "http": "h11",
    "timeout_graceful_shutdown": 2,
}


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise GrunndataError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def address(host: str, sock: socket.socket) -> str:
    """The address to open: a wildcard bind is opened on the loopback address."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{sock.getsockname()[1]}"


def run(make_app: Callable[[int], Starlette], host: str, port: int, announce: Callable[[str, Starlette], None]) -> None:
    """Bind, build the app for the port actually bound (0 picks a free one), announce, serve."""
    sock = bind(host, port)
    bound = sock.getsockname()[1]
    app = make_app(bound)
    announce(address(host, sock), app)
    server = uvicorn.Server(uvicorn.Config(app, **SERVING))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
