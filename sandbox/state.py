"""The sandbox's state: worlds, the lock, the clock, tokens, rate windows, faults and stamps.

One :class:`State` is shared by both emulators and the control surface. It is the
only thing they share: the emulators read and write records through it, check
tokens and sessions in it, and stamp changes with its clock.

Stamps. Every record of a resource with a change stamp (SmartDok ``Updated``,
``LastUpdated``; PowerOffice ``LastChangedDateTimeOffset``) is stamped from the
sandbox clock whenever it changes: when a world is loaded, when the API writes it,
and when ``/_sandbox/reset`` puts a different record in its place. A record that a
reset leaves as it was keeps its stamp, and so does a stamp the world file sets
itself. Stamps never go backwards and never repeat within a system, so a client
that reads "changed after the newest stamp I saw" misses nothing.
"""
from __future__ import annotations

import copy
import datetime as dt
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable

from grunndata.sandbox.faults import ServerControl
from grunndata.sandbox.resources import ID_BASE, PO, RESOURCES, SYSTEMS, Resource, resource, uuid_for
from grunndata.sandbox.world import load_world

WorldSource = dict[str, Any] | str | Path | None
# The smallest step the vendor's stamp format shows: SmartDok milliseconds, PowerOffice microseconds.
_RESOLUTION = {"smartdok": dt.timedelta(milliseconds=1), "poweroffice": dt.timedelta(microseconds=1)}


def _id_order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int) else (1, str(value))


def format_stamp(system: str, when: dt.datetime) -> str:
    """A stamp as the vendor writes it (SmartDok: milliseconds, ``Z``; PowerOffice: microseconds, ``+00:00``)."""
    if system == PO:
        return when.isoformat(timespec="microseconds")
    return when.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class State:
    """Both systems' records plus everything the emulators keep between requests."""

    def __init__(self, world: WorldSource = None, *, rate_limit: bool = True,
                 clock: Callable[[], float] = time.monotonic):
        self.lock = threading.RLock()
        self.rate_limit = rate_limit
        self._clock = clock
        self.clock_offset = 0.0
        self.controls = {system: ServerControl() for system in SYSTEMS}
        self.po_tokens: dict[str, float] = {}
        self.sd_sessions: dict[str, float] = {}
        self.rate_windows: dict[str, deque[float]] = {}
        self._last_stamp: dict[str, dt.datetime] = {}
        self.start_world = load_world(world)
        self.credentials: dict[str, dict[str, str]] = {}
        self.tables: dict[str, dict[str, dict[Any, dict[str, Any]]]] = {s: {} for s in SYSTEMS}
        self._counters: dict[tuple[str, str], int] = {}
        self._install(self.start_world)

    # --- clock ------------------------------------------------------------------------------
    def now(self) -> float:
        """Sandbox clock in seconds for expiry and rate windows (the given clock plus any advance)."""
        return self._clock() + self.clock_offset

    def utcnow(self) -> dt.datetime:
        """Wall time as the emulators stamp records, moved by advance_clock too."""
        return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=self.clock_offset)

    def advance_clock(self, seconds: float) -> None:
        with self.lock:
            self.clock_offset += float(seconds)

    def stamp(self, system: str) -> str:
        """A fresh change stamp for ``system``: now, and later than any stamp handed out before."""
        with self.lock:
            step = _RESOLUTION[system]
            when = self.utcnow()
            if system != PO:
                when = when.replace(microsecond=when.microsecond // 1000 * 1000)
            last = self._last_stamp.get(system)
            if last is not None and when <= last:
                when = last + step
            self._last_stamp[system] = when
            return format_stamp(system, when)

    # --- records ----------------------------------------------------------------------------
    def table(self, system: str, key: str) -> dict[Any, dict[str, Any]]:
        return self.tables[system][key]

    def rows(self, system: str, key: str) -> list[dict[str, Any]]:
        return list(self.tables[system][key].values())

    def get(self, system: str, key: str, record_id: Any) -> dict[str, Any] | None:
        return self.tables[system][key].get(record_id)

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
        """The current state in world-file format (only non-empty resources)."""
        with self.lock:
            out: dict[str, Any] = {}
            for system in SYSTEMS:
                out[system] = {key: copy.deepcopy(list(rows.values()))
                               for key, rows in self.tables[system].items() if rows}
            if self.credentials:
                out["credentials"] = copy.deepcopy(self.credentials)
            return out

    # --- worlds -----------------------------------------------------------------------------
    def reset(self, world: WorldSource = None, *, name: str = "world") -> None:
        """Back to the start world, or to ``world``; stats, faults and rate windows cleared.

        Issued tokens and sessions stay valid. The start world (the ``--world`` file) stays
        what a reset without a world returns to, whatever worlds were loaded since.
        """
        loaded = load_world(world, name) if world is not None else self.start_world
        with self.lock:
            self._install(loaded)
            for control in self.controls.values():
                control.faults.clear()
                control.clear_stats()
            self.rate_windows.clear()

    def _install(self, normalised: dict[str, Any]) -> None:
        data = copy.deepcopy(normalised)
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
                rows = sorted(data.get(system, {}).get(key, []), key=lambda r, f=res.id_field: _id_order(r[f]))
                old = previous.get(system, {}).get(key, {})
                if res.stamps:
                    for row in rows:
                        self._stamp_loaded(res, row, old.get(row[res.id_field]), load_stamp)
                self.tables[system][key] = {row[res.id_field]: row for row in rows}
                ints = [i for i in self.tables[system][key] if isinstance(i, int)]
                self._counters[(system, key)] = max([ID_BASE[system]] + ints) if res.id_kind == "int" \
                    else len(self.tables[system][key])

    @staticmethod
    def _stamp_loaded(res: Resource, row: dict[str, Any], old: dict[str, Any] | None,
                      load_stamp: Callable[[str], str]) -> None:
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
