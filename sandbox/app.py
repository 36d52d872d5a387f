"""The Sandbox: both emulators over one shared, resettable world."""
from __future__ import annotations

import copy
import datetime as dt
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable

import httpx

from grunndata.sandbox.control import ServerControl, make_fault
from grunndata.sandbox.world import World, load_world

SYSTEMS = ("smartdok", "poweroffice")


class Sandbox:
    """SmartDok and PowerOffice Go emulators sharing one world.

    ``smartdok_app`` and ``poweroffice_app`` are ASGI apps; use them in process
    with ``httpx.ASGITransport`` (see :meth:`transports`) or serve them with
    :func:`grunndata.sandbox.serve_in_thread` / ``grunndata sandbox``.

    ``clock`` drives token/session expiry and the rate-limit window;
    :meth:`advance_clock` adds an offset to it (also to the timestamps the
    emulators write), so expiry can be tested without waiting.
    """

    def __init__(self, world: dict[str, Any] | str | Path | None = None, *, rate_limit: bool = True,
                 clock: Callable[[], float] = time.monotonic):
        from grunndata.sandbox import poweroffice, smartdok

        self._loaded = load_world(world)
        self.rate_limit = rate_limit
        self._clock = clock
        self.clock_offset = 0.0
        self.lock = threading.RLock()
        self.state = World(self._loaded)
        self.controls = {system: ServerControl() for system in SYSTEMS}
        self.po_tokens: dict[str, float] = {}
        self.sd_sessions: dict[str, float] = {}
        self.rate_windows: dict[str, deque[float]] = {}
        self.smartdok_app = smartdok.build(self)
        self.poweroffice_app = poweroffice.build(self)

    @classmethod
    def from_file(cls, path: str | Path, rate_limit: bool = True,
                  clock: Callable[[], float] = time.monotonic) -> Sandbox:
        """A sandbox over a YAML or JSON world file (GrunndataError if the file is bad)."""
        return cls(Path(path), rate_limit=rate_limit, clock=clock)

    # --- time -------------------------------------------------------------------------------
    def now(self) -> float:
        """Sandbox clock, in seconds (the given clock plus any advance)."""
        return self._clock() + self.clock_offset

    def utcnow(self) -> dt.datetime:
        """Wall time as the emulators stamp records, moved by advance_clock too."""
        return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=self.clock_offset)

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward (e.g. 1201 s to expire PowerOffice tokens)."""
        with self.lock:
            self.clock_offset += float(seconds)

    # --- state ------------------------------------------------------------------------------
    def world(self) -> dict[str, Any]:
        """Current state of both systems in world-file format."""
        with self.lock:
            return self.state.dump()

    def reset(self, world: dict[str, Any] | str | Path | None = None) -> None:
        """Back to the loaded world, or to ``world`` (which then becomes the one reset returns to).

        Clears stats, faults and the rate-limit window; issued tokens stay valid.
        """
        loaded = load_world(world) if world is not None else self._loaded
        with self.lock:
            self._loaded = loaded
            self.state = World(loaded)
            for control in self.controls.values():
                control.faults.clear()
                control.clear_stats()
            self.rate_windows.clear()

    # --- stats ------------------------------------------------------------------------------
    def stats(self) -> dict[str, dict[str, int]]:
        """Requests per system, by ``METHOD /path/template`` (control calls excluded)."""
        with self.lock:
            return {system: dict(self.controls[system].requests) for system in SYSTEMS}

    def write_count(self, system: str) -> int:
        """POST/PUT/PATCH/DELETE requests received by a system, auth and control calls excluded."""
        with self.lock:
            return self.controls[_system(system)].writes

    # --- faults -----------------------------------------------------------------------------
    def add_fault(self, system: str, method: str, path: str, *, count: int = 1, status: int | None = None,
                  delay: float = 0.0, drop_after_commit: bool = False, body: str | None = None,
                  headers: dict[str, str] | None = None, after_commit: bool = False,
                  retry_after: float | int | None = None) -> None:
        """Make the next ``count`` requests matching ``method`` (or ``*``) and ``path`` misbehave.

        ``path`` is an exact path or a route template (``/v2/Projects/{id}``).
        See :mod:`grunndata.sandbox.control` for what each option does.
        """
        fault = make_fault(method, path, count=count, status=status, delay=delay, drop=drop_after_commit,
                           after_commit=after_commit, body=body, headers=headers, retry_after=retry_after)
        with self.lock:
            self.controls[_system(system)].faults.append(fault)

    def faults(self, system: str) -> list[dict[str, Any]]:
        with self.lock:
            return [f.as_dict() for f in self.controls[_system(system)].faults]

    def clear_faults(self, system: str | None = None) -> None:
        with self.lock:
            for name in ([_system(system)] if system else SYSTEMS):
                self.controls[name].faults.clear()

    # --- clients ----------------------------------------------------------------------------
    def transports(self) -> dict[str, httpx.ASGITransport]:
        """In-process transports; use with base URLs SMARTDOK_URL and POWEROFFICE_URL."""
        return {"smartdok": httpx.ASGITransport(app=self.smartdok_app),
                "poweroffice": httpx.ASGITransport(app=self.poweroffice_app)}

    def loaded_world(self) -> dict[str, Any]:
        """The world reset() returns to."""
        return copy.deepcopy(self._loaded)


def _system(name: str) -> str:
    if name not in SYSTEMS:
        raise ValueError(f"system must be 'smartdok' or 'poweroffice', not {name!r}")
    return name
