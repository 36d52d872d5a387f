"""A cycle's reads: whole (a full reconciliation) or only what changed since the watermarks.

Only the reads of the entities the direction syncs are made; what only the doctor, a transfer or
the invoice source needs is not read by a sync cycle. A resource with a change filter is read
once per filter from its watermark minus ``incremental.overlap`` and merged into the kept snapshot
by id; one without a filter (or without a watermark yet) is read whole and replaces the kept copy.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from grunndata.engine.model import SYSTEMS, Read, Snapshot
from grunndata.engine.planner import direction_entities, paused_gc
from grunndata.state.protocol import KeptSnapshot
from grunndata.unattended.kept_fields import KeptFields, cut
from grunndata.unattended.watermarks import IncrementalRules, MergeResult, merge_snapshot, read_params


def sync_reads(session: Any) -> list[Read]:
    """The reads a sync cycle makes: those of the entities the direction syncs, each once."""
    reads: list[Read] = []
    for entity, _ in direction_entities(session):
        reads.extend(getattr(entity, "reads", ()) or ())
    return list(dict.fromkeys(reads))


def kept_to_snapshot(kept: KeptSnapshot) -> Snapshot:
    systems: dict[str, dict[str, list[dict[str, Any]]]] = {s: {} for s in SYSTEMS}
    for name, records in kept.items():
        system, _, resource = name.partition("/")
        if system in systems:
            systems[system][resource] = records
    return Snapshot(**systems)


def snapshot_to_kept(snapshot: Snapshot, names: set[str] | None = None) -> KeptSnapshot:
    out: KeptSnapshot = {}
    for system in SYSTEMS:
        for resource, records in getattr(snapshot, system).items():
            name = f"{system}/{resource}"
            if names is None or name in names:
                out[name] = records
    return out


@dataclass
class CycleRead:
    """What a cycle read: the snapshot to plan from, what each resource returned (for the
    watermarks), which resources differ from the kept copy, and the merge counts."""

    snapshot: Snapshot
    read: dict[tuple[str, str], list[dict[str, Any]]]
    mode: str
    changed: set[str] = field(default_factory=set)  # "system/Resource" whose records differ from the kept
    merged: dict[str, MergeResult] = field(default_factory=dict)
    records_read: int = 0


async def _read_lists(
    conn: Any, share: dict[str, list[tuple[str, dict[str, Any]]]]
) -> dict[str, list[list[dict[str, Any]]]]:
    """Each (resource, params) read separately (not unioned), both systems concurrently."""

    async def one_system(client: Any, items: list[tuple[str, dict[str, Any]]]) -> list[list[dict[str, Any]]]:
        return list(await asyncio.gather(*(client.list(res, params) for res, params in items)))

    with paused_gc():
        sd, po = await asyncio.gather(
            one_system(conn.smartdok, share["smartdok"]), one_system(conn.poweroffice, share["poweroffice"])
        )
    return {"smartdok": sd, "poweroffice": po}


def _union(lists: list[list[dict[str, Any]]], id_field: str) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    loose: list[dict[str, Any]] = []
    for records in lists:
        for rec in records:
            rid = rec.get(id_field) if isinstance(rec, dict) else None
            if rid is None:
                loose.append(rec)
            else:
                seen[rid] = rec  # the later read wins; merge_changes decides by stamp against the kept
    return list(seen.values()) + loose


async def read_cycle(
    conn: Any,
    reads: list[Read],
    kept: Snapshot | None,
    watermarks: dict[str, str],
    inc: IncrementalRules,
    *,
    full: bool,
    fields: KeptFields | None = None,
    positions: dict[str, dict[Any, int]] | None = None,
) -> CycleRead:
    """Read for one cycle: everything when ``full`` (or nothing is kept), else only what changed.
    Every record is cut to what a cycle keeps (``fields``, :mod:`grunndata.unattended.kept_fields`).
    ``positions``: where each id stands in the kept records, per resource with a change filter,
    kept by a running ``run`` with its snapshot (:func:`merge_snapshot` fills and updates it)."""
    fields = fields or {}
    if full or kept is None:
        return await _read_full(conn, reads, fields)
    share: dict[str, list[tuple[str, dict[str, Any]]]] = {s: [] for s in SYSTEMS}
    plan: list[tuple[str, str, bool]] = []  # (system, resource, filtered) per request, in order
    filtered_names: set[str] = set()
    for read in reads:
        name = f"{read.system}/{read.resource}"
        has_kept = read.resource in getattr(kept, read.system)
        params = read_params(read.system, read.resource, watermarks, inc) if has_kept else None
        if params is None:
            share[read.system].append((read.resource, dict(read.params)))
            plan.append((read.system, read.resource, False))
        else:
            filtered_names.add(name)
            for p in params:
                share[read.system].append((read.resource, {**dict(read.params), **p}))
                plan.append((read.system, read.resource, True))
    answers = await _read_lists(conn, share)
    per: dict[tuple[str, str], list[list[dict[str, Any]]]] = {}
    counters = {s: 0 for s in SYSTEMS}
    records_read = 0
    for system, resource, _ in plan:
        records = answers[system][counters[system]]
        counters[system] += 1
        records_read += len(records)
        per.setdefault((system, resource), []).append(records)
    filtered: dict[tuple[str, str], list[dict[str, Any]]] = {}
    whole: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for (system, resource), lists in per.items():
        lists[:] = [cut(records, fields.get(f"{system}/{resource}")) for records in lists]
    for (system, resource), lists in per.items():
        name = f"{system}/{resource}"
        if name in filtered_names:
            cf = inc.filter_of(system, resource)
            assert cf is not None
            filtered[(system, resource)] = _union(lists, cf.id_field)
        else:
            whole[(system, resource)] = _union(lists, "Id") if len(lists) > 1 else lists[0]
    merged_snapshot, results = merge_snapshot(kept, filtered, inc, positions)
    changed = {name for name, merged in results.items() if merged.changed_at}
    for (system, resource), records in whole.items():
        before = kept.records(system, resource)
        if resource in getattr(kept, system) and before == records:
            records = before  # the same records: the kept objects stay, as for a merge
        else:
            changed.add(f"{system}/{resource}")
        getattr(merged_snapshot, system)[resource] = records
    return CycleRead(merged_snapshot, {**filtered, **whole}, "incremental", changed, results, records_read)


async def _read_full(conn: Any, reads: list[Read], fields: KeptFields) -> CycleRead:
    share: dict[str, list[tuple[str, dict[str, Any]]]] = {s: [] for s in SYSTEMS}
    for read in reads:
        share[read.system].append((read.resource, dict(read.params)))
    with paused_gc():
        sd, po = await asyncio.gather(
            conn.smartdok.read_all(share["smartdok"]), conn.poweroffice.read_all(share["poweroffice"])
        )
    for system, part in (("smartdok", sd), ("poweroffice", po)):
        for resource, records in part.items():
            part[resource] = cut(records, fields.get(f"{system}/{resource}"))
    snapshot = Snapshot(smartdok=sd, poweroffice=po)
    by_resource = {
        (system, resource): records for system in SYSTEMS for resource, records in getattr(snapshot, system).items()
    }
    names = {f"{s}/{r}" for s, r in by_resource}
    return CycleRead(snapshot, by_resource, "full", names, {}, sum(len(v) for v in by_resource.values()))
