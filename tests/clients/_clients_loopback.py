"""A scripted loopback HTTP server (Starlette on uvicorn, in a thread) for the client tests.

Tests script answers per ``(method, path)``: each request consumes the next step, and the
last step repeats. A step is a ``Reply`` (status, body, headers, optional delay, or a dropped
connection) or a callable taking the ``Seen`` request and returning a Reply.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from grunndata.clients import RetryPolicy

APP_KEY = "appkey-5b1e0c7d-1111-4a2b-9c3d-SECRET"
CLIENT_KEY = "clientkey-8f2a6e4b-2222-4c1d-8e7f-SECRET"
SUB_KEY = "subkey-3c9d7a1f-3333-4e5f-a6b7-SECRET"
SD_TOKEN = "sd-api-token-4d2c8b6a-4444-SECRET"
ALL_SECRETS = (APP_KEY, CLIENT_KEY, SUB_KEY, SD_TOKEN)

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=2.0, jitter=True)


@dataclass
class Reply:
    status: int = 200
    body: Any = None                 # JSON-encoded unless raw is given
    raw: str | bytes | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False               # close the connection without any response


DROP = Reply(drop=True)


def reply(status: int = 200, body: Any = None, **kw: Any) -> Reply:
    return Reply(status, body, **kw)


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class Loopback:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Any]] = {}
        self.seen: list[Seen] = []
        self.url = ""
        self.in_flight = 0
        self.max_in_flight = 0
        self.generation = 0
        self._tokens = itertools.count(1)
        self._sessions = itertools.count(1)
        self.token_lifetime = 1200

    # -- scripting ----------------------------------------------------------------------
    def reset(self) -> None:
        self.routes = {}
        self.seen = []
        self.in_flight = self.max_in_flight = 0
        self.generation += 1   # handlers of an earlier test may still be sleeping
        self._tokens = itertools.count(1)
        self._sessions = itertools.count(1)
        self.token_lifetime = 1200
        self.on("POST", "/OAuth/Token", self.issue_token)
        self.on("POST", "/Authorize/ApiToken", self.issue_session)

    def on(self, method: str, path: str, *steps: Any) -> None:
        self.routes[(method, path)] = list(steps)

    def hits(self, method: str | None = None, path: str | None = None) -> list[Seen]:
        return [s for s in self.seen
                if (method is None or s.method == method) and (path is None or s.path == path)]

    def issue_token(self, seen: Seen) -> Reply:
        return reply(200, {"access_token": f"po-token-{next(self._tokens)}", "token_type": "bearer",
                           "expires_in": self.token_lifetime})

    def issue_session(self, seen: Seen) -> Reply:
        return Reply(200, raw=json.dumps(f"sd-session-{next(self._sessions)}"))

    # -- serving ------------------------------------------------------------------------
    async def handle(self, request: Request) -> Response:
        seen = Seen(request.method, request.url.path, dict(request.query_params),
                    {k.lower(): v for k, v in request.headers.items()}, await request.body(),
                    time.monotonic())
        self.seen.append(seen)
        generation = self.generation
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            steps = self.routes.get((request.method, request.url.path))
            if not steps:
                return Response(json.dumps({"title": "no scripted route", "status": 404}), 404,
                                media_type="application/json")
            step = steps.pop(0) if len(steps) > 1 else steps[0]
            if callable(step):
                step = step(seen)
            if step.delay:
                await asyncio.sleep(step.delay)
            if step.drop:
                # Close the socket under uvicorn's feet: the client gets no response at all.
                request.receive.__self__.transport.close()  # type: ignore[attr-defined]
                await asyncio.sleep(0.01)
                return Response(b"", 500)
            if step.raw is not None:
                content = step.raw.encode() if isinstance(step.raw, str) else step.raw
            elif step.body is None:
                content = b""
            else:
                content = json.dumps(step.body).encode()
            media = step.content_type if content else None
            return Response(content, step.status, headers=step.headers, media_type=media)
        finally:
            if generation == self.generation:
                self.in_flight -= 1


class _Server:
    def __init__(self, app: Starlette) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this: no Nagle stalls between response head and body.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="critical", lifespan="off", access_log=False,
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("loopback server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)
