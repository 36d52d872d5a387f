"""Incremental reads, the pure part: merging what changed into the kept snapshot, and watermarks.

A cycle between full reconciliations reads each resource that has a change filter (the rules'
``incremental.resources``) from its watermark, minus ``incremental.overlap``, and every other
resource whole. The watermark of a resource is the newest change stamp the server itself returned,
kept as the server wrote it, never a time from our clock: the two clocks need not agree. The
overlap re-reads a little, so a change stamped in the same instant as the last read, or by a
server whose stamps are not quite in order, is not lost; a record read twice is merged by id, and
the newest copy wins.

Stamps are compared as instants; a stamp without an offset is read as UTC (the specs say
``date-time``, which RFC 3339 gives an offset; the sandbox writes SmartDok's stamps so, in UTC).
A filter value is written back in the server's own form: a stamp without an offset stays without.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grunndata.engine.model import SYSTEMS, Snapshot
from grunndata.unattended.schedule import parse_duration

if TYPE_CHECKING:
    from grunndata.rulebook.ruleset import Rules

SECTION = "incremental"
_UTC = dt.UTC
_ZERO = re.compile(r"^0+[smh]$")


@dataclass(frozen=True)
class ChangeFilter:
    """One resource with a change filter: ``system/Resource``, its id field, and its filters
    (query parameter -> the record field holding the stamp that parameter filters on)."""

    system: str
    resource: str
    id_field: str
    filters: Mapping[str, str]

    @property
    def name(self) -> str:
        return f"{self.system}/{self.resource}"


@dataclass(frozen=True)
class IncrementalRules:
    overlap: dt.timedelta
    max_stamp_ahead: dt.timedelta
    resources: Mapping[str, ChangeFilter]

    def filter_of(self, system: str, resource: str) -> ChangeFilter | None:
        """The change filter of a resource; None: it has none and is read whole."""
        return self.resources.get(f"{system}/{resource}")


def _duration(text: Any) -> dt.timedelta:
    return dt.timedelta(0) if isinstance(text, str) and _ZERO.match(text.strip()) else parse_duration(text)


def incremental_rules(rules: Rules) -> IncrementalRules:
    """The ``incremental:`` rules in force (shipped ``rules/unattended.yaml`` plus the customer's)."""
    resources = {}
    for name, spec in (rules.get(SECTION, "resources", default={}) or {}).items():
        system, _, resource = name.partition("/")
        resources[name] = ChangeFilter(system, resource, spec["id"], dict(spec["filters"]))
    return IncrementalRules(
        overlap=_duration(rules.get(SECTION, "overlap")),
        max_stamp_ahead=_duration(rules.get(SECTION, "max_stamp_ahead")),
        resources=resources,
    )


def parse_stamp(value: Any) -> dt.datetime | None:
    """A change stamp as an aware instant (no offset: UTC); None when absent or not a time."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=_UTC) if parsed.tzinfo is None else parsed


def record_stamp(record: Mapping[str, Any], cf: ChangeFilter) -> tuple[dt.datetime, str] | None:
    """The newest of a record's stamps (parsed, and as the server wrote it); None if it has none."""
    best: tuple[dt.datetime, str] | None = None
    for field_name in dict.fromkeys(cf.filters.values()):
        raw = record.get(field_name)
        parsed = parse_stamp(raw)
        if parsed is not None and (best is None or parsed > best[0]):
            best = (parsed, str(raw).strip())
    return best


def _id(record: Any, cf: ChangeFilter) -> Any:
    if not isinstance(record, dict):
        return None
    rid = record.get(cf.id_field)
    return rid if isinstance(rid, (str, int)) and not isinstance(rid, bool) else None


def _newer_or_same(candidate: Mapping[str, Any], current: Mapping[str, Any], cf: ChangeFilter) -> bool:
    """Whether ``candidate`` (read later) replaces ``current``: unless its stamp is older."""
    new, old = record_stamp(candidate, cf), record_stamp(current, cf)
    return new is None or old is None or new[0] >= old[0]


@dataclass
class MergeResult:
    records: list[dict[str, Any]]
    added: int = 0
    replaced: int = 0  # records read again that replaced the kept copy, equal ones included
    kept_newer: int = 0  # a copy in the change set older than the one already kept
    without_id: int = 0  # records in the change set without a usable id: left to the full read
    changed_at: list[int] = field(default_factory=list)  # positions whose record differs from the kept


def id_positions(records: list[dict[str, Any]], cf: ChangeFilter) -> dict[Any, int]:
    """Id -> the position of the first record with that id (records without a usable id: none).

    Built with C-level maps for the common case (every record a dict, every id text or a number);
    a running ``run`` keeps it between cycles, and :func:`merge_changes` keeps it up to date."""
    ids = [r.get(cf.id_field) if type(r) is dict else None for r in records]
    if set(map(type, ids)) <= {str, int}:
        return dict(zip(reversed(ids), range(len(ids) - 1, -1, -1), strict=True))  # the first one wins
    where: dict[Any, int] = {}  # some record without a usable id (none, a truth value, a list)
    for i, rec in enumerate(records):
        rid = _id(rec, cf)
        if rid is not None and rid not in where:
            where[rid] = i
    return where


def merge_changes(
    kept: list[dict[str, Any]],
    changes: Iterable[dict[str, Any]],
    cf: ChangeFilter,
    where: dict[Any, int] | None = None,
) -> MergeResult:
    """``kept`` with ``changes`` merged in by id (a new list; ``kept`` is not changed).

    A record seen twice (kept and changed, or twice in the change set) is kept once, the newest by
    its stamp; on equal or missing stamps the later read wins. New ids are appended in read order.
    A record read again equal to the kept copy leaves the kept object in place, so what was
    worked out from it last cycle still holds (:mod:`grunndata.engine.incremental` goes by
    identity). ``where``: :func:`id_positions` of ``kept``, kept by the caller; updated in place.
    """
    out = list(kept)
    if where is None:
        where = id_positions(kept, cf)
    result = MergeResult(out)
    changed = result.changed_at
    for rec in changes:
        rid = _id(rec, cf)
        if rid is None:
            result.without_id += 1
            continue
        i = where.get(rid)
        if i is None:
            where[rid] = len(out)
            changed.append(len(out))
            out.append(rec)
            result.added += 1
        elif rec == out[i]:
            result.replaced += 1
        elif _newer_or_same(rec, out[i], cf):
            out[i] = rec
            changed.append(i)
            result.replaced += 1
        else:
            result.kept_newer += 1
    return result


def merge_snapshot(
    kept: Snapshot,
    read: Mapping[tuple[str, str], list[dict[str, Any]]],
    inc: IncrementalRules,
    positions: dict[str, dict[Any, int]] | None = None,
) -> tuple[Snapshot, dict[str, MergeResult]]:
    """The snapshot after one incremental cycle's reads: per ``(system, resource)`` read, records
    read with a change filter are merged into the kept ones; a resource without one was read whole
    and replaces the kept copy. Resources not read this cycle are kept as they were.
    ``positions``: per resource, :func:`id_positions` of the kept records, kept by the caller
    between cycles (filled and updated in place)."""
    systems: dict[str, dict[str, list[dict[str, Any]]]] = {s: dict(getattr(kept, s)) for s in SYSTEMS}
    results: dict[str, MergeResult] = {}
    positions = {} if positions is None else positions
    for (system, resource), records in read.items():
        cf = inc.filter_of(system, resource)
        if cf is None:
            systems[system][resource] = list(records)
            continue
        where = positions.get(cf.name)
        if where is None:
            where = positions[cf.name] = id_positions(kept.records(system, resource), cf)
        merged = merge_changes(kept.records(system, resource), records, cf, where)
        systems[system][resource] = merged.records
        results[cf.name] = merged
    return Snapshot(**systems), results


def next_watermark(
    previous: str | None,
    records: Iterable[Mapping[str, Any]],
    cf: ChangeFilter,
    *,
    not_after: dt.datetime | None = None,
) -> str | None:
    """The newest change stamp among ``records`` as the server wrote it, or ``previous`` when none
    is newer: a watermark never goes back. Stamps later than ``not_after`` (our clock plus
    ``incremental.max_stamp_ahead``) are left out, so one record with a wrong date cannot stop
    every later read; such a record is simply read again each cycle."""
    prev = parse_stamp(previous)
    best: tuple[dt.datetime, str] | None = (prev, str(previous)) if prev is not None else None
    for rec in records:
        stamp = record_stamp(rec, cf)
        if stamp is None or (not_after is not None and stamp[0] > not_after):
            continue
        if best is None or stamp[0] > best[0]:
            best = stamp
    return best[1] if best is not None else previous


def next_watermarks(
    previous: Mapping[str, str],
    read: Mapping[tuple[str, str], list[dict[str, Any]]],
    inc: IncrementalRules,
    *,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Every watermark after a cycle's reads (full or incremental): ``previous`` updated by what
    each filtered resource returned. Store it only once the cycle's writes are journaled."""
    out = dict(previous)
    not_after = None if now is None else now.astimezone(_UTC) + inc.max_stamp_ahead
    for (system, resource), records in read.items():
        cf = inc.filter_of(system, resource)
        if cf is None:
            continue
        mark = next_watermark(previous.get(cf.name), records, cf, not_after=not_after)
        if mark is not None:
            out[cf.name] = mark
    return out


def filter_value(watermark: str, overlap: dt.timedelta) -> str | None:
    """The value a change filter gets: the watermark minus the overlap, in the server's own form."""
    try:
        parsed = dt.datetime.fromisoformat(watermark.strip())
    except (AttributeError, ValueError):
        return None
    return (parsed - overlap).isoformat()


def read_params(
    system: str, resource: str, watermarks: Mapping[str, str], inc: IncrementalRules
) -> list[dict[str, str]] | None:
    """The query parameters of an incremental read of one resource: one request per filter, since
    two filters in one request would both have to hold (SmartDok projects: ``updatedSince`` and
    ``createdSince``, read separately and merged). None: read the resource whole (it has no
    filter, or no watermark yet, or the stored one is unreadable)."""
    cf = inc.filter_of(system, resource)
    if cf is None or cf.name not in watermarks:
        return None
    value = filter_value(watermarks[cf.name], inc.overlap)
    if value is None:
        return None
    return [{param: value} for param in cf.filters]
