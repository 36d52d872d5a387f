"""The sandbox's state: the worlds (one per tenant), the lock, the clock, tokens, rate windows,
faults, stats and stamps.

One :class:`State` is shared by both emulators and the control surface. It is the
only thing they share: the emulators read and write records through it, check
tokens and sessions in it, and stamp changes with its clock.

Worlds. A world file without ``tenants:`` gives one :class:`World` (named ``None``); one
with ``tenants:`` gives a world per tenant, each with its own records, credentials,
stamps, tokens, faults and stats. Each request is served from one world: its entry
(:mod:`grunndata.sandbox.tenancy`) picks it by the request's credentials and sets it for
the request with :meth:`State.serving`. ``state.rows``, ``state.get``, ``state.insert``,
``state.credentials``, ``state.po_tokens``, ``state.controls`` and the rest reach that
world, so no emulator handler knows about tenants. The lock, the clock and PowerOffice's
rate windows (per subscription key, shared by the tenants that use it, as the live
gateway counts: :mod:`grunndata.sandbox.rates`) belong to the whole sandbox.

Stamps: :mod:`grunndata.sandbox.world_state`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import pickle
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from grunndata.sandbox.faults import ServerControl
from grunndata.sandbox.rates import Rates
from grunndata.sandbox.resources import PO, SD, SYSTEMS
from grunndata.sandbox.world import load_world
from grunndata.sandbox.world_state import World
from grunndata.sandbox.world_tenants import check_selectors_unique, check_tenant_world

WorldSource = dict[str, Any] | str | Path | None
# The world the request being served reads and writes (set by State.serving at the request's entry).
_SERVING: contextvars.ContextVar[World | None] = contextvars.ContextVar("grunndata_sandbox_world", default=None)


class TenantNeeded(ValueError):
    """A call that must name a tenant did not (the sandbox serves several)."""

    def __init__(self, message: str, tenants: list[str]):
        super().__init__(message)
        self.tenants = tenants


class UnknownTenant(TenantNeeded):
    """A call named a tenant the sandbox does not serve."""


class State:
    """Every world the sandbox serves plus everything the emulators keep between requests."""

    def __init__(
        self, world: WorldSource = None, *, rate_limit: bool = True, clock: Callable[[], float] = time.monotonic
    ):
        self.lock = threading.RLock()
        self.rate_limit = rate_limit
        self._clock = clock
        self.clock_offset = 0.0
        self.po_owners: dict[str, World] = {}  # PowerOffice token → the world it was issued in
        self.sd_owners: dict[str, World] = {}  # SmartDok session → the world it was issued in
        self.rates = Rates()
        self.rate_windows = self.rates.windows
        self.worlds: dict[str | None, World] = {}
        self._by_selector: dict[tuple[str, str], World] = {}
        self._subscriptions: frozenset[str] | None = None
        # The start worlds, pickled (compact, and a bare reset unpickles instead of deep-copying).
        self._starts: dict[str | None, bytes] = {}
        # Serves requests that name no tenant: no credentials match it, so they are answered
        # exactly as the vendor answers bad credentials.
        self.nobody = World(
            self,
            None,
            {
                "credentials": {
                    SD: {"api_token": secrets.token_urlsafe(32)},
                    PO: {"application_key": secrets.token_urlsafe(32), "client_key": secrets.token_urlsafe(32)},
                }
            },
        )
        loaded = load_world(world)
        parts = _parts(loaded)
        self._start_names = list(parts)
        self._starts = {name: pickle.dumps(part, pickle.HIGHEST_PROTOCOL) for name, part in parts.items()}
        self._install_all(parts)

    # --- clock ------------------------------------------------------------------------------
    def now(self) -> float:
        """Sandbox clock in seconds for expiry and rate windows (the given clock plus any advance)."""
        return self._clock() + self.clock_offset

    def utcnow(self) -> dt.datetime:
        """Wall time as the emulators stamp records, moved by advance_clock too."""
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.clock_offset)

    def advance_clock(self, seconds: float) -> None:
        with self.lock:
            self.clock_offset += float(seconds)

    # --- tenants ----------------------------------------------------------------------------
    @property
    def multi(self) -> bool:
        """Whether the sandbox serves tenants (a world file with ``tenants:``)."""
        return None not in self.worlds

    def tenant_names(self) -> list[str]:
        return [name for name in self.worlds if name is not None]

    def target(self, name: str | None) -> World | None:
        """The world a control call names: ``None`` for the whole sandbox (``*``).

        Without a name a single world is itself and several tenants are refused
        (:class:`TenantNeeded`); a name the sandbox does not serve is :class:`UnknownTenant`.
        """
        names = self.tenant_names()
        if name == "*":
            return None
        if name is None:
            if not self.multi:
                return self.worlds[None]
            raise TenantNeeded("this sandbox serves several tenants: name one with ?tenant=NAME", names)
        world = self.worlds.get(name) if self.multi else None
        if world is None:
            raise UnknownTenant(
                f"unknown tenant {name!r}"
                if names
                else "this sandbox serves one world without tenants: leave out ?tenant",
                names,
            )
        return world

    def world(self, name: str | None) -> World:
        """One world by tenant name (``None``: the single world); TenantNeeded or UnknownTenant else."""
        world = self.target(name)
        if world is None:
            raise TenantNeeded("name one tenant, not *", self.tenant_names())
        return world

    def here(self) -> World:
        """The world of the request being served (the single world outside a request)."""
        world = _SERVING.get()
        if world is not None and world.home is self:
            return world
        single = self.worlds.get(None)
        if single is None:
            raise TenantNeeded("no tenant selected: use State.serving(state.world(NAME))", self.tenant_names())
        return single

    @contextlib.contextmanager
    def serving(self, world: World) -> Iterator[World]:
        """Serve what runs inside from ``world`` (the request's entry does this for each request)."""
        token = _SERVING.set(world)
        try:
            yield world
        finally:
            _SERVING.reset(token)

    def by_selector(self, system: str, value: str) -> World | None:
        """The tenant whose SmartDok API token (or PowerOffice client key) is ``value``."""
        return self._by_selector.get((system, value))

    def owner(self, system: str, token: str) -> World | None:
        """The world a live-or-expired PowerOffice token (or SmartDok session) was issued in."""
        world = (self.po_owners if system == PO else self.sd_owners).get(token)
        if world is None or self.worlds.get(world.name) is not world:
            return None  # unknown, or its tenant is gone
        return world

    def subscription_known(self, key: str) -> bool:
        """Whether PowerOffice's gateway accepts ``key``: any tenant's key (any key if one sets none)."""
        return self._subscriptions is None or key in self._subscriptions

    # --- the serving world's parts, for the emulators ---------------------------------------
    @property
    def tables(self) -> dict[str, dict[str, dict[Any, dict[str, Any]]]]:
        return self.here().tables

    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        return self.here().credentials

    @property
    def controls(self) -> dict[str, ServerControl]:
        return self.here().controls

    @property
    def po_tokens(self) -> dict[str, float]:
        return self.here().po_tokens

    @property
    def sd_sessions(self) -> dict[str, float]:
        return self.here().sd_sessions

    def stamp(self, system: str) -> str:
        return self.here().stamp(system)

    def table(self, system: str, key: str) -> dict[Any, dict[str, Any]]:
        return self.here().tables[system][key]

    def rows(self, system: str, key: str) -> list[dict[str, Any]]:
        return list(self.here().tables[system][key].values())

    def get(self, system: str, key: str, record_id: Any) -> dict[str, Any] | None:
        return self.here().tables[system][key].get(record_id)

    def insert(self, system: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
        return self.here().insert(system, key, record)

    def touch(self, system: str, key: str, record: dict[str, Any], *, created: bool = False) -> str:
        return self.here().touch(system, key, record, created=created)

    # --- PowerOffice's gateway --------------------------------------------------------------
    def arrive(self, key: str) -> None:
        """Count a request that arrived with subscription key ``key`` (``/_sandbox/stats`` "rate")."""
        if key and self.subscription_known(key):
            with self.lock:
                self.rates.arrive(key, self.now())

    def admit(self, key: str) -> bool:
        """Whether the rate limit lets a request with ``key`` through now (always, with it off)."""
        if not self.rate_limit:
            return True
        with self.lock:
            return self.rates.admit(key, self.now())

    # --- worlds -----------------------------------------------------------------------------
    def dump(self, name: str | None = None) -> dict[str, Any]:
        """A world in world-file format: the tenant's, or (no name) the whole sandbox's."""
        if name is not None or not self.multi:
            return self.worlds[name].dump()
        with self.lock:
            return {"tenants": {world.name: world.dump() for world in self.worlds.values()}}

    def loaded_world(self, name: str | None = None) -> dict[str, Any]:
        """The start world: a tenant's, or (no name) the whole sandbox's."""
        if name is not None or not self.multi:
            return pickle.loads(self._starts[name])
        return {"tenants": {n: pickle.loads(self._starts[n]) for n in self._start_names}}

    def reset(self, world: WorldSource = None, *, name: str = "world") -> None:
        """The whole sandbox back to its start world, or to ``world``; stats, faults and rate windows cleared.

        Issued tokens and sessions stay valid (in the tenants that are still there). The
        start world (the ``--world`` file) stays what a reset without a world returns to,
        whatever worlds were loaded since.
        """
        if world is None:
            parts = {n: pickle.loads(self._starts[n]) for n in self._start_names}
        else:
            parts = _parts(load_world(world, name))
            for tenant, part in parts.items():  # a tenant new to the sandbox starts from where it came in
                if tenant not in self._starts:
                    self._starts[tenant] = pickle.dumps(part, pickle.HIGHEST_PROTOCOL)
        with self.lock:
            self._install_all(parts)
            self.nobody.reset({"credentials": self.nobody.credentials})
            self.rates.clear()

    def reset_tenant(self, tenant: str, world: WorldSource = None, *, name: str = "world") -> None:
        """One tenant back to its start world, or to ``world``; its stats and faults cleared.

        The rate windows are the sandbox's (shared by the tenants of a subscription key)
        and stay as they are.
        """
        target = self.world(tenant)
        if world is None:
            loaded = pickle.loads(self._starts[tenant])
        else:
            loaded = load_world(world, name)
            check_tenant_world(loaded, name, tenant)
        with self.lock:
            selectors = {n: w.credentials for n, w in self.worlds.items() if n != tenant}
            selectors[tenant] = loaded.get("credentials", {})
            check_selectors_unique(selectors, name)
            target.reset(loaded)
            self._index()

    def _install_all(self, parts: dict[str | None, dict[str, Any]]) -> None:
        with self.lock:
            worlds: dict[str | None, World] = {}
            for tenant, part in parts.items():
                world = self.worlds.get(tenant)
                if world is None:
                    world = World(self, tenant, part)
                else:
                    world.reset(part)
                worlds[tenant] = world
            self.worlds = worlds
            self._index()

    def _index(self) -> None:
        """Which world each selecting credential picks, and the subscription keys the gateway knows."""
        self._by_selector = {}
        keys: set[str] | None = set()
        for world in self.worlds.values():
            if world.name is not None:
                for system in SYSTEMS:
                    value = world.selector(system)
                    if value is not None:
                        self._by_selector[(system, value)] = world
            key = world.credentials.get(PO, {}).get("subscription_key")
            if key is None:
                keys = None
            elif keys is not None:
                keys.add(key)
        self._subscriptions = None if keys is None else frozenset(keys)


def _parts(loaded: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    """A loaded world as {tenant: world}: ``{None: world}`` without tenants."""
    if "tenants" in loaded:
        return dict(loaded["tenants"])
    return {None: loaded}
