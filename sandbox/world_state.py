"""One world's live state: a company's records in both systems, its credentials, stamps,
tokens, faults and stats.

:class:`grunndata.sandbox.state.State` holds one :class:`World` per tenant (or one for a
world file without tenants) and sends each request's record calls to the world the
request is served from. A world knows nothing of requests or tenants: it stores, stamps
and dumps.

Stamps. Every record of a resource with a change stamp (SmartDok ``Updated``,
``LastUpdated``; PowerOffice ``LastChangedDateTimeOffset``) is stamped from the
sandbox clock whenever it changes: when a world is loaded, when the API writes it,
and when ``/_sandbox/reset`` puts a different record in its place. A record that a
reset leaves as it was keeps its stamp, and so does a stamp the world file sets
itself. Stamps never go backwards and never repeat within a system of a world, so a
client that reads "changed after the newest stamp I saw" misses nothing.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable
from typing import Any, Protocol

from grunndata.sandbox.faults import ServerControl
from grunndata.sandbox.resources import ID_BASE, PO, RESOURCES, SD, SYSTEMS, Resource, resource, uuid_for

# The smallest step the vendor's stamp format shows: SmartDok milliseconds, PowerOffice microseconds.
_RESOLUTION = {"smartdok": dt.timedelta(milliseconds=1), "poweroffice": dt.timedelta(microseconds=1)}


def _id_order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int) else (1, str(value))


def format_stamp(system: str, when: dt.datetime) -> str:
    """A stamp as the vendor writes it (SmartDok: milliseconds, ``Z``; PowerOffice: microseconds, ``+00:00``)."""
    if system == PO:
        return when.isoformat(timespec="microseconds")
    return when.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class Home(Protocol):
    """What a world uses of the sandbox it lives in (:class:`grunndata.sandbox.state.State`)."""

    lock: Any  # a threading.RLock
    po_owners: dict[str, World]
    sd_owners: dict[str, World]

    def utcnow(self) -> dt.datetime: ...


class _Book(dict[str, float]):
    """A world's tokens (or sessions) → expiry; each one also noted in the sandbox's owner index."""

    def __init__(self, owners: dict[str, World], world: World):
        super().__init__()
        self._owners = owners
        self._world = world

    def __setitem__(self, key: str, value: float) -> None:
        super().__setitem__(key, value)
        self._owners[key] = self._world


class World:
    """One company's two systems: records, credentials, stamps, tokens, faults and stats."""

    def __init__(self, home: Home, name: str | None, normalised: dict[str, Any]):
        self.home = home
        self.name = name
        self.controls = {system: ServerControl() for system in SYSTEMS}
        self.po_tokens: dict[str, float] = _Book(home.po_owners, self)
        self.sd_sessions: dict[str, float] = _Book(home.sd_owners, self)
        self._last_stamp: dict[str, dt.datetime] = {}
        self.credentials: dict[str, dict[str, str]] = {}
        self.tables: dict[str, dict[str, dict[Any, dict[str, Any]]]] = {s: {} for s in SYSTEMS}
        self._counters: dict[tuple[str, str], int] = {}
        self.install(normalised)

    def selector(self, system: str) -> str | None:
        """The credential that picks this world: SmartDok's API token, PowerOffice's client key."""
        return self.credentials.get(system, {}).get("api_token" if system == SD else "client_key")

    def stamp(self, system: str) -> str:
        """A fresh change stamp for ``system``: now, and later than any stamp handed out before."""
        with self.home.lock:
            step = _RESOLUTION[system]
            when = self.home.utcnow()
            if system != PO:
                when = when.replace(microsecond=when.microsecond // 1000 * 1000)
            last = self._last_stamp.get(system)
            if last is not None and when <= last:
                when = last + step
            self._last_stamp[system] = when
            return format_stamp(system, when)

    # --- records ----------------------------------------------------------------------------
    def insert(self, system: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
        """Store a new record under a fresh id (put first in the record) and return it."""
        res = resource(system, key)
        table = self.tables[system][key]
        self._counters[(system, key)] += 1
        new_id: Any = self._counters[(system, key)]
        if res.id_kind == "uuid":
            while uuid_for(new_id) in table:
                new_id += 1
            self._counters[(system, key)] = new_id
            new_id = uuid_for(new_id)
        stored = {res.id_field: new_id, **{k: v for k, v in record.items() if k != res.id_field}}
        table[new_id] = stored
        return stored

    def touch(self, system: str, key: str, record: dict[str, Any], *, created: bool = False) -> str:
        """Stamp a record the API just changed (or made, with ``created``); returns the stamp."""
        res = resource(system, key)
        now = self.stamp(system)
        for name in res.changed + (res.created if created else ()):
            record[name] = now
        return now

    def dump(self) -> dict[str, Any]:
        """This world in world-file format (only non-empty resources)."""
        with self.home.lock:
            # a pickle round trip is a deep copy at C speed
            out: dict[str, Any] = {
                system: pickle.loads(
                    pickle.dumps({key: list(rows.values()) for key, rows in self.tables[system].items() if rows})
                )
                for system in SYSTEMS
            }
            if self.credentials:
                out["credentials"] = pickle.loads(pickle.dumps(self.credentials))
            return out

    def stats(self, system: str) -> dict[str, Any]:
        """What ``/_sandbox/stats`` reports of this world on ``system``'s server."""
        with self.home.lock:
            control = self.controls[system]
            return {"requests": dict(control.requests), "writes": control.writes}

    # --- loading ----------------------------------------------------------------------------
    def reset(self, normalised: dict[str, Any]) -> None:
        """Records from ``normalised`` (owned from now on); faults and stats cleared, tokens kept."""
        with self.home.lock:
            self.install(normalised)
            for control in self.controls.values():
                control.faults.clear()
                control.clear_stats()

    def install(self, data: dict[str, Any]) -> None:
        previous = self.tables
        # One stamp per system for the whole load: it is one change, nobody can read in between.
        load_stamps: dict[str, str] = {}

        def load_stamp(system: str) -> str:
            if system not in load_stamps:
                load_stamps[system] = self.stamp(system)
            return load_stamps[system]

        self.credentials = data.get("credentials", {})
        self.tables = {}
        for system in SYSTEMS:
            self.tables[system] = {}
            for key, res in RESOURCES[system].items():
                id_field = res.id_field
                rows = sorted(data.get(system, {}).get(key, []), key=lambda r: _id_order(r[id_field]))
                old = previous.get(system, {}).get(key, {})
                if res.stamps:
                    for row in rows:
                        _stamp_loaded(res, row, old.get(row[res.id_field]), load_stamp)
                self.tables[system][key] = {row[res.id_field]: row for row in rows}
                ints = [i for i in self.tables[system][key] if isinstance(i, int)]
                self._counters[(system, key)] = (
                    max([ID_BASE[system], *ints]) if res.id_kind == "int" else len(self.tables[system][key])
                )


def _stamp_loaded(
    res: Resource, row: dict[str, Any], old: dict[str, Any] | None, load_stamp: Callable[[str], str]
) -> None:
    """Stamps of a loaded record: kept when the record did not change or the world sets them."""
    same = old is not None and _without(row, res.stamps) == _without(old, res.stamps)
    fresh: str | None = None
    for name in res.changed:
        given = row.get(name)
        if given is None:
            row[name] = old[name] if same and old and old.get(name) is not None else None
        elif old is not None and not same and given == old.get(name):
            row[name] = None  # a changed record whose stamp came back as it was: a new change
        if row[name] is None:
            fresh = fresh or load_stamp(res.system)
            row[name] = fresh
    first_change = next((row[n] for n in res.changed if row.get(n) is not None), None)
    for name in res.created:
        if row.get(name) is None:
            kept = old.get(name) if old is not None else None
            row[name] = kept or first_change or load_stamp(res.system)


def _without(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in names}
