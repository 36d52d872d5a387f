"""The Sandbox: both emulators over one shared, resettable state, as one Python object."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Unpack

import httpx

from grunndata.sandbox import poweroffice, smartdok
from grunndata.sandbox.faults import FaultOptions, ServerControl, make_fault
from grunndata.sandbox.resources import SYSTEMS
from grunndata.sandbox.state import State
from grunndata.sandbox.world_state import World


class Sandbox:
    """SmartDok and PowerOffice Go emulators sharing one world, or one world per tenant.

    ``smartdok_app`` and ``poweroffice_app`` are ASGI apps; use them in process
    with ``httpx.ASGITransport`` (see :meth:`transports`) or serve them with
    :func:`grunndata.sandbox.serve_in_thread` / ``grunndata sandbox``.

    ``clock`` drives token/session expiry and the rate-limit window;
    :meth:`advance_clock` adds an offset to it (also to the timestamps the
    emulators write), so expiry can be tested without waiting. Everything the
    emulators keep lives in :attr:`state` (:class:`grunndata.sandbox.state.State`).

    With a world of ``tenants:`` (see ``docs/SANDBOX.md``) each company has its own
    records, stats and faults: the per-world methods below take ``tenant=NAME``, and
    without it answer for the whole sandbox (``world``, ``loaded_world``, ``reset``) or
    raise :class:`grunndata.sandbox.state.TenantNeeded` naming the tenants.
    """

    def __init__(
        self,
        world: dict[str, Any] | str | Path | None = None,
        *,
        rate_limit: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.state = State(world, rate_limit=rate_limit, clock=clock)
        self.smartdok_app = smartdok.build(self.state)
        self.poweroffice_app = poweroffice.build(self.state)

    @classmethod
    def from_file(
        cls, path: str | Path, rate_limit: bool = True, clock: Callable[[], float] = time.monotonic
    ) -> Sandbox:
        """A sandbox over a YAML or JSON world file (GrunndataError if the file is bad)."""
        return cls(Path(path), rate_limit=rate_limit, clock=clock)

    # --- the state's parts, by their old names ----------------------------------------------
    @property
    def lock(self) -> threading.RLock:
        return self.state.lock

    @property
    def controls(self) -> dict[str, ServerControl]:
        return self.state.controls

    @property
    def rate_windows(self) -> dict[str, deque[float]]:
        return self.state.rate_windows

    @property
    def rate_limit(self) -> bool:
        return self.state.rate_limit

    @rate_limit.setter
    def rate_limit(self, value: bool) -> None:
        self.state.rate_limit = value

    @property
    def clock_offset(self) -> float:
        return self.state.clock_offset

    # --- time -------------------------------------------------------------------------------
    def now(self) -> float:
        """Sandbox clock, in seconds (the given clock plus any advance)."""
        return self.state.now()

    def utcnow(self) -> dt.datetime:
        """Wall time as the emulators stamp records, moved by advance_clock too."""
        return self.state.utcnow()

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward (e.g. 1201 s to expire PowerOffice tokens)."""
        self.state.advance_clock(seconds)

    # --- worlds -----------------------------------------------------------------------------
    def tenants(self) -> list[str]:
        """The tenants' names ([] for a world without tenants)."""
        return self.state.tenant_names()

    def world(self, tenant: str | None = None) -> dict[str, Any]:
        """Current state in world-file format: a tenant's, or the whole sandbox's."""
        return self.state.dump(self._world(tenant).name if tenant is not None else None)

    def reset(self, world: dict[str, Any] | str | Path | None = None, *, tenant: str | None = None) -> None:
        """Back to the world the sandbox (or ``tenant``) started with, or to ``world``.

        Clears stats and faults (the whole sandbox's reset clears the rate-limit windows
        too); issued tokens stay valid. Records that come back different are stamped as
        changed (see :mod:`grunndata.sandbox.world_state`).
        """
        if tenant is None:
            self.state.reset(world)
        else:
            self.state.reset_tenant(self._world(tenant).name or "", world)

    def loaded_world(self, tenant: str | None = None) -> dict[str, Any]:
        """The world a reset without a world returns to (a tenant's, or the whole sandbox's)."""
        return self.state.loaded_world(self._world(tenant).name if tenant is not None else None)

    # --- stats ------------------------------------------------------------------------------
    def stats(self, tenant: str | None = None) -> dict[str, dict[str, int]]:
        """Requests per system, by ``METHOD /path/template`` (control calls excluded)."""
        world = self._world(tenant)
        with self.lock:
            return {system: dict(world.controls[system].requests) for system in SYSTEMS}

    def rates(self) -> dict[str, dict[str, int]]:
        """PowerOffice's requests per subscription key (by label): ``max_per_second``, ``requests``, ``429``."""
        with self.lock:
            return self.state.rates.report()

    def write_count(self, system: str, tenant: str | None = None) -> int:
        """POST/PUT/PATCH/DELETE requests received by a system, auth and control calls excluded."""
        with self.lock:
            return self._world(tenant).controls[_system(system)].writes

    def delayed(self, system: str, tenant: str | None = None) -> tuple[int, int]:
        """(held now, held in all) by delay faults: wait on these, not on a clock."""
        with self.lock:
            control = self._world(tenant).controls[_system(system)]
            return control.held, control.delayed

    # --- faults -----------------------------------------------------------------------------
    def add_fault(
        self,
        system: str,
        method: str,
        path: str,
        *,
        drop_after_commit: bool = False,
        tenant: str | None = None,
        **options: Unpack[FaultOptions],
    ) -> None:
        """Make the next ``count`` requests matching ``method`` (or ``*``) and ``path`` misbehave.

        ``path`` is an exact path or a route template (``/v2/Projects/{id}``).
        See :mod:`grunndata.sandbox.faults` for what each option does.
        """
        fault = make_fault(method, path, drop=drop_after_commit, **options)
        world = self._world(tenant)
        with self.lock:
            world.controls[_system(system)].faults.append(fault)

    def faults(self, system: str, tenant: str | None = None) -> list[dict[str, Any]]:
        world = self._world(tenant)
        with self.lock:
            return [f.as_dict() for f in world.controls[_system(system)].faults]

    def clear_faults(self, system: str | None = None, tenant: str | None = None) -> None:
        world = self._world(tenant)
        with self.lock:
            for name in [_system(system)] if system else SYSTEMS:
                world.controls[name].faults.clear()

    def _world(self, tenant: str | None) -> World:
        return self.state.world(tenant)

    # --- clients ----------------------------------------------------------------------------
    def transports(self) -> dict[str, httpx.ASGITransport]:
        """In-process transports; use with base URLs SMARTDOK_URL and POWEROFFICE_URL."""
        return {
            "smartdok": httpx.ASGITransport(app=self.smartdok_app),
            "poweroffice": httpx.ASGITransport(app=self.poweroffice_app),
        }


def _system(name: str) -> str:
    if name not in SYSTEMS:
        raise ValueError(f"system must be 'smartdok' or 'poweroffice', not {name!r}")
    return name
