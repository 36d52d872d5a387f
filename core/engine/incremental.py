"""Incremental planning: a plan made from what changed since the last plan, equal to a full one.

A running ``grunndata run`` keeps a :class:`PlanMemo` between cycles. For each synced entity and
system it remembers, per raw record *object* of the snapshot last planned, the record's match key
(and what else its key was derived from, ``neutral_inputs``: a sub-project's parent number), and
the keys the last plan had any action for. A cycle's merged snapshot shares every unchanged
record object with the one before (``merge_changes`` replaces only what was read again), so:

* a record whose object (or, at the same place in its list, an equal one) was planned last time
  keeps its key without being turned into a neutral record again; every other record, and every
  record that is gone, makes its key (old and new) *dirty*;
* only the dirty keys and the keys with an action last time are planned again (``records`` then
  holds only their records, in snapshot order, plus those without a key); every other key had no
  action last time and nothing it is decided from has changed, so it has none now either.

Why that is the full plan: an entity decides a key from that key's records in both systems
(match, update, finish, orphan, duplicate numbers within the master), except for creates, which
also read the receiving system's other records (R13/R18 namesakes), the standard project (R9)
and the parent (sub-projects). A create is an action, so its key is planned again every cycle
until it is written, with the complete indexes (``index`` covers every key; the namesake tables
are built over every record when a create needs them). The standard-project check (R7,
``preflight``) runs whole every time. Nothing about this is assumed by the test: it compares the
incremental plan with a full one for random changes (``tests/unattended/test_incremental_plan.py``).

The plan's fingerprint of an incremental plan is chained: the last plan's fingerprint, then per
resource its length and the records that differ from the one planned at their place (a record
read again, equal, is not encoded again). It names the snapshot as exactly, without encoding the
unchanged records again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from itertools import compress, count, repeat
from operator import is_, is_not, itemgetter
from typing import Any

from grunndata.engine.model import SYSTEMS, Snapshot

_CHUNK = 1000
Entry = tuple[dict, Any, Any]  # (raw record, its match key, its neutral inputs)
_RAW, _KEY, _INPUTS = itemgetter(0), itemgetter(1), itemgetter(2)


def _where_none(values: list[Any]) -> list[int]:
    """The positions holding None, found at C speed (hundreds of thousands of values, a few None)."""
    return list(compress(count(), map(is_, values, repeat(None))))


def _released(raw: dict) -> dict[str, Any]:
    raise RuntimeError("an incremental plan's index was used after its plan was made")


class LazyIndex(Mapping[str, dict[str, Any]]):
    """Match key -> neutral record over every record, each made only when looked up."""

    def __init__(self, firsts: dict[str, dict], make: Callable[[dict], dict[str, Any]]) -> None:
        self._firsts, self._make = firsts, make
        self._made: dict[str, dict[str, Any]] = {}

    def release(self) -> None:
        """Drop the maker once its plan is made: it holds the plan's context, whose cache holds
        this index, a reference cycle that only a full collection would free (at 100k projects,
        half a million objects, and a third of a second of some later quiet cycle)."""
        self._make = _released

    def __getitem__(self, key: str) -> dict[str, Any]:
        rec = self._made.get(key)
        if rec is None:
            rec = self._made[key] = self._make(self._firsts[key])
        return rec

    def __contains__(self, key: object) -> bool:
        return key in self._firsts

    def __iter__(self) -> Iterator[str]:
        return iter(self._firsts)

    def __len__(self) -> int:
        return len(self._firsts)


class PlanMemo:
    """What one plan leaves for the next (kept by a running ``grunndata run``)."""

    def __init__(self) -> None:
        self.ready = False
        self.config_hash = ""
        self.entity_order: list[str] = []
        self.fingerprint = ""
        self.lists: dict[tuple[str, str], list[dict]] = {}  # every resource as planned
        self.entries: dict[tuple[str, str], dict[int, Entry]] = {}  # (entity, system) -> id(raw) -> entry
        self.raws: dict[tuple[str, str], list[dict]] = {}  # (entity, system) -> its raw records, in order
        self.derived: dict[str, dict[int, tuple[dict, Any]]] = {}  # name -> id(raw) -> (raw, value)
        self.derived_lists: dict[str, tuple[list[dict], list[Any]]] = {}  # name -> (its raws, their values)
        self.action_keys: dict[str, set[Any]] = {}
        self.last_made = 0
        self.unchanged: dict[str, bool] = {}  # derive name -> no record differs from last time
        self.kept_values: dict[str, Any] = {}  # what callers built from a derive, for reuse
        # this plan's round
        self.incremental = False
        self._new_entries: dict[tuple[str, str], dict[int, Entry]] = {}
        self._new_raws: dict[tuple[str, str], list[dict]] = {}
        self._new_derived: dict[str, dict[int, tuple[dict, Any]]] = {}
        self._new_derived_lists: dict[str, tuple[list[dict], list[Any]]] = {}
        self._made: dict[int, dict[str, Any]] = {}  # id(raw) -> neutral record made this round
        self._dirty: dict[str, set[Any]] = {}
        self._scanned: set[tuple[str, str]] = set()
        self._indexes: list[LazyIndex] = []  # made this round; released when it ends
        self._firsts: dict[tuple[str, str], tuple[dict, dict]] = {}  # slot -> (its entries, key -> first raw)

    # ---- a round ------------------------------------------------------------------------------
    def begin(self, config_hash: str, entity_order: list[str], *, incremental: bool) -> bool:
        """Start a plan; returns whether it may be incremental (else every key is planned)."""
        self.incremental = bool(
            incremental and self.ready and config_hash == self.config_hash and entity_order == self.entity_order
        )
        self.config_hash, self.entity_order = config_hash, list(entity_order)
        self._new_entries, self._new_raws, self._new_derived, self._new_derived_lists = {}, {}, {}, {}
        self._made, self._dirty, self._scanned = {}, {}, set()
        self._release()  # a plan that failed half-way left its indexes
        return self.incremental

    def finish(self, snapshot: Snapshot, fingerprint: str, actions: list[Any], *, blocked: bool) -> None:
        """Remember this plan for the next (a blocked plan leaves nothing: the next plans whole)."""
        self._release()
        if blocked:
            self.ready = False
            return
        self.entries.update(self._new_entries)
        self.raws.update(self._new_raws)
        self.derived.update(self._new_derived)
        self.derived_lists.update(self._new_derived_lists)
        self.lists = {(s, r): list(rows) for s in SYSTEMS for r, rows in getattr(snapshot, s).items()}
        self.fingerprint = fingerprint
        keys: dict[str, set[Any]] = {}
        for action in actions:
            keys.setdefault(action.entity, set()).add(action.key)
        self.action_keys = keys
        self.ready = True
        self.last_made = len(self._made)  # records turned neutral by this plan (tests look)
        self._made, self._dirty = {}, {}

    def _release(self) -> None:
        for index in self._indexes:
            index.release()
        self._indexes = []

    # ---- what changed -------------------------------------------------------------------------
    def derive(self, name: str, raws: list[dict], fn: Callable[[dict], Any]) -> list[Any]:
        """``fn`` of each record, worked out again only for records not seen last time (the list
        returned may be last time's: callers only read it)."""
        prev = self.derived.get(name, {}) if self.incremental else {}
        last = self.derived_lists.get(name) if self.incremental else None
        # The same records as last time (compared at C speed, by identity first): the same values.
        if last is not None and len(last[0]) == len(raws) and last[0] == raws:
            self.unchanged[name] = True
            self._new_derived[name], self._new_derived_lists[name] = prev, last
            return last[1]
        ids = list(map(id, raws))
        hits: list[Any] = list(map(prev.get, ids))  # a record seen last time is the same object: its id is kept
        misses = _where_none(hits)
        for i in misses:
            hits[i] = (raws[i], fn(raws[i]))
        # every record the same objects as last time, in the same order: the values are too
        self.unchanged[name] = not misses and len(ids) == len(prev) and ids == list(prev)
        self._new_derived[name] = prev if self.unchanged[name] else dict(zip(ids, hits, strict=True))
        values = list(map(_KEY, hits))
        self._new_derived_lists[name] = (raws, values)
        return values

    def scan(self, entity: Any, ctx: Any, system: str) -> dict[int, Entry]:
        """The entries of an entity's records in ``system``; notes the dirty keys.

        Written for 100,000s of records of which a few changed: the unchanged ones are found by
        identity with C-level maps, and only the others are looked at one by one."""
        slot = (entity.name, system)
        if slot in self._scanned:
            return self._new_entries[slot]
        raws = entity.raw_records(ctx, system)
        prev = self.entries.get(slot, {}) if self.incremental else {}
        prev_raws = self.raws.get(slot, []) if self.incremental else []
        reader = getattr(entity, "inputs_reader", None)
        inputs_of, stable = reader(ctx, system) if reader is not None else (None, True)
        dirty = self._dirty.setdefault(entity.name, set())
        if prev and (inputs_of is None or stable) and len(prev_raws) == len(raws) and prev_raws == raws:
            # the same records as last time (compared at C speed, by identity first), read the same way
            self._new_entries[slot], self._new_raws[slot] = prev, prev_raws
            self._scanned.add(slot)
            return prev
        ids = list(map(id, raws))
        hits: list[Any] = list(map(prev.get, ids))
        if inputs_of is not None and stable:  # what the inputs are read from has not changed
            misses = _where_none(hits)
            known = list(hits)
            for i in misses:
                known[i] = (None, None, inputs_of(raws[i]))
            inputs = list(map(_INPUTS, known))
        elif inputs_of is None:
            inputs = [None] * len(raws)
            misses = _where_none(hits)
        else:
            inputs = list(map(inputs_of, raws))
            misses = [i for i, (hit, inp) in enumerate(zip(hits, inputs, strict=True)) if hit is None or hit[2] != inp]
        if not misses and prev and len(ids) == len(prev) and ids == list(prev):  # not one record changed
            self._new_entries[slot], self._new_raws[slot] = prev, raws
            self._scanned.add(slot)
            return prev
        new: dict[int, Entry] = dict(zip(ids, hits, strict=True))  # misses are set below, in place (order kept)
        carried: set[int] = set()  # old objects whose record was read again, equal
        for i in misses:
            raw, hit = raws[i], hits[i]
            if hit is None and i < len(prev_raws) and prev_raws[i] == raw:  # read again, the same
                hit = prev.get(id(prev_raws[i]))
                if hit is not None:
                    carried.add(id(prev_raws[i]))
            if hit is not None and hit[2] == inputs[i]:
                new[ids[i]] = (raw, hit[1], inputs[i])
                continue
            rec = entity.neutral(ctx, system, raw)
            self._made[ids[i]] = rec
            new[ids[i]] = (raw, rec["_key"], inputs[i])
            dirty.add(rec["_key"])
            if hit is not None:
                dirty.add(hit[1])
        if prev:
            for rid in prev.keys() - new.keys() - carried:
                dirty.add(prev[rid][1])
        self._new_entries[slot], self._new_raws[slot] = new, raws
        self._scanned.add(slot)
        return new

    def replan(self, entity: Any, ctx: Any) -> set[Any] | None:
        """The keys an entity plans this round (None: every key)."""
        for system in entity.sides:
            self.scan(entity, ctx, system)
        if not self.incremental:
            return None
        return self._dirty.get(entity.name, set()) | self.action_keys.get(entity.name, set())

    def neutral(self, entity: Any, ctx: Any, system: str, raw: dict) -> dict[str, Any]:
        rec = self._made.get(id(raw))
        if rec is None:
            rec = self._made[id(raw)] = entity.neutral(ctx, system, raw)
        return rec

    def records(self, entity: Any, ctx: Any, system: str) -> list[dict[str, Any]]:
        """The neutral records of the keys planned again (every record when not incremental)."""
        only = self.replan(entity, ctx)
        entries = self._new_entries[(entity.name, system)]
        if only is None:
            return [self.neutral(entity, ctx, system, raw) for raw, _, _ in entries.values()]
        only = only | {None}  # records without a key are always planned
        chosen = compress(entries.values(), map(only.__contains__, map(_KEY, entries.values())))
        return [self.neutral(entity, ctx, system, raw) for raw, _, _ in chosen]

    def index(self, entity: Any, ctx: Any, system: str) -> LazyIndex:
        # the first record of each key wins, as in SyncedEntity.index: built backwards, later ones
        # are overwritten by earlier ones
        entries = self.scan(entity, ctx, system)
        slot = (entity.name, system)
        kept = self._firsts.get(slot)
        if kept is not None and kept[0] is entries:  # not one record changed: the same entries object
            firsts = kept[1]
        else:
            values = entries.values()
            firsts = dict(zip(map(_KEY, reversed(values)), map(_RAW, reversed(values)), strict=True))
            firsts.pop(None, None)
            self._firsts[slot] = (entries, firsts)
        index = LazyIndex(firsts, lambda raw: self.neutral(entity, ctx, system, raw))
        self._indexes.append(index)
        return index

    def namesakes(self, entity: Any, ctx: Any, system: str) -> tuple[dict[Any, list[str]], dict[str, list[str]]]:
        """``names`` and ``loose`` over every record of ``system`` (a create's R13/R18 checks);
        a record's name key is worked out again only when the record or its inputs changed."""
        from grunndata.engine.mapping import loose_key

        name = f"namesakes/{entity.name}/{system}"
        prev = self.derived.get(name, {}) if self.incremental else {}
        new: dict[int, tuple[dict, Any]] = {}
        names: dict[Any, list[str]] = {}
        loose: dict[Any, list[str]] = {}
        for rid, (raw, key, inputs) in self.scan(entity, ctx, system).items():
            hit = prev.get(rid)
            if hit is None or hit[1][0] != inputs or hit[1][1] != key:
                rec = self.neutral(entity, ctx, system, raw)
                hit = (
                    raw,
                    (
                        inputs,
                        key,
                        entity.name_key(rec) if key is not None else None,
                        loose_key(key) if key is not None else None,
                    ),
                )
            new[rid] = hit
            if key is not None:
                names.setdefault(hit[1][2], []).append(key)
                loose.setdefault(hit[1][3], []).append(key)
        self._new_derived[name] = new
        return names, loose

    # ---- the fingerprint ----------------------------------------------------------------------
    def chained_fingerprint(self, snapshot: Snapshot) -> str:
        digest = hashlib.sha256(self.fingerprint.encode("ascii"))
        encode = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False).encode
        for system in SYSTEMS:
            resources = getattr(snapshot, system)
            for name in sorted(resources):
                rows = resources[name] or []
                prev = self.lists.get((system, name), [])
                same = len(prev) if len(prev) <= len(rows) else len(rows)
                # the same objects are found at C speed; only the few others are compared
                moved = compress(count(), map(is_not, rows[:same], prev[:same]))
                changed = [(i, rows[i]) for i in moved if rows[i] != prev[i]]
                changed += [(i, rows[i]) for i in range(same, len(rows))]
                digest.update(encode([system, name, len(rows), len(changed)]).encode("utf-8"))
                for start in range(0, len(changed), _CHUNK):
                    digest.update(encode(changed[start : start + _CHUNK]).encode("utf-8"))
        return digest.hexdigest()


class NamesakeTables:
    """``names`` or ``loose`` of :meth:`SyncedEntity.plan` over every record, built at first use."""

    def __init__(self, entity: Any, ctx: Any, system: str, *, loose: bool = False) -> None:
        self.entity, self.ctx, self.system, self.loose = entity, ctx, system, loose

    def get(self, key: Any, default: Any = None) -> Any:
        tables = self.ctx.cache.get(("namesakes", self.entity.name, self.system))
        if tables is None:
            tables = self.ctx.cache[("namesakes", self.entity.name, self.system)] = self.ctx.memo.namesakes(
                self.entity, self.ctx, self.system
            )
        return tables[1 if self.loose else 0].get(key, default)
