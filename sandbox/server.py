"""Serve both emulators over real HTTP (uvicorn): two servers on one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import NamedTuple

import uvicorn

from grunndata.errors import GrunndataError
from grunndata.sandbox.app import Sandbox


class Urls(NamedTuple):
    smartdok: str
    poweroffice: str
    token: str


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Two servers share one loop: the caller owns the signals, not each server.
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family in (socket.AF_INET, socket.AF_INET6):
        # Accepted sockets inherit it: without, h11 writes headers and body apart and Nagle
        # plus delayed ACK stall every request for ~40 ms (2,000 writes took 27 s instead of 2).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # listening now makes a port clash show here, not deep inside uvicorn
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise GrunndataError(f"cannot listen on {host}:{port}: {reason}") from None
    return sock


def _base(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


async def serve(
    sb: Sandbox,
    host: str = "127.0.0.1",
    smartdok_port: int = 8081,
    poweroffice_port: int = 8082,
    *,
    on_ready: Callable[[Urls], None] | None = None,
    stop: asyncio.Event | None = None,
    access_log: bool = False,
) -> None:
    """Serve until ``stop`` is set (or the task is cancelled). Port 0 picks a free port."""
    if smartdok_port and smartdok_port == poweroffice_port:
        raise GrunndataError(f"SmartDok and PowerOffice cannot share port {smartdok_port}")
    sockets: list[socket.socket] = []
    try:
        sockets.append(_bind(host, smartdok_port))
        sockets.append(_bind(host, poweroffice_port))
    except GrunndataError:
        for sock in sockets:
            sock.close()
        raise
    servers = [
        _Server(
            uvicorn.Config(
                app,
                log_config=None,
                log_level="warning",
                access_log=access_log,
                lifespan="off",
                http="h11",
                timeout_graceful_shutdown=1,
            )
        )
        for app in (sb.smartdok_app, sb.poweroffice_app)
    ]
    tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in zip(servers, sockets, strict=True)]
    try:
        while not all(server.started for server in servers):
            for task in tasks:
                if task.done():
                    task.result()
                    raise GrunndataError("the sandbox server stopped while starting")
            await asyncio.sleep(0.01)
        sd_base, po_base = (_base(host, sock) for sock in sockets)
        if on_ready is not None:
            on_ready(Urls(sd_base, f"{po_base}/v2", f"{po_base}/OAuth/Token"))
        waiters: list[asyncio.Future] = list(tasks)
        if stop is not None:
            waiters.append(asyncio.ensure_future(stop.wait()))
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in sockets:
            sock.close()


@contextlib.contextmanager
def serve_in_thread(sb: Sandbox, host: str = "127.0.0.1") -> Iterator[Urls]:
    """Serve both emulators on free loopback ports in a background thread.

    Yields ``(smartdok_url, poweroffice_url, token_url)`` (also as attributes
    ``.smartdok``, ``.poweroffice``, ``.token``); stops the servers on exit.
    """
    ready = threading.Event()
    box: dict[str, object] = {}

    def run() -> None:
        async def main() -> None:
            stop = asyncio.Event()
            box["loop"], box["stop"] = asyncio.get_running_loop(), stop

            def announce(urls: Urls) -> None:
                box["urls"] = urls
                ready.set()

            await serve(sb, host, 0, 0, on_ready=announce, stop=stop)

        try:
            asyncio.run(main())
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            ready.set()

    thread = threading.Thread(target=run, name="grunndata-sandbox", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise GrunndataError("the sandbox did not start within 10 s")
    if "urls" not in box:
        error = box.get("error")
        raise error if isinstance(error, BaseException) else GrunndataError("the sandbox did not start")
    try:
        yield box["urls"]  # type: ignore[misc]
    finally:
        loop, stop = box["loop"], box["stop"]
        with contextlib.suppress(RuntimeError):  # the loop may already be gone
            loop.call_soon_threadsafe(stop.set)  # type: ignore[attr-defined]
        thread.join(5)
