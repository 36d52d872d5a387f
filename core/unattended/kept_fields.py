"""Which fields of each record a sync cycle keeps: those the synced entities and the rules read.

A cycle reads whole API records and keeps them between cycles (in memory in a running ``run``,
and in the state store). Most of their fields are never read by a sync: of a SmartDok project's
29 fields the rules map eight; a PowerOffice customer is read only so the snapshot is whole. A
cycle keeps, per ``system/Resource``, only:

* the id field and every API field the entity's field maps name (``fields`` and, for an entity
  that has them, ``subproject_fields``: whatever ``fields_key`` the entity reads), for the
  resources the entity syncs (its ``sides``);
* the fields of the conditions that read those records: ``records.<system>.<Resource>.active_when``
  and the direction's ``filter`` and ``finished_when``;
* the id and change-stamp fields of the resource's change filter (``incremental.resources``);
* what the plugin itself reads beyond its field maps, as it declares it (``raw_fields``: a
  sub-project's parent link, for instance).

All of it is collected from the loaded rules and plugins, never listed here. An entity that does
not declare ``raw_fields`` keeps every field of everything it reads, and so does any resource read
by an entity that neither syncs it nor declares it. Both the kept records and each cycle's reads
are cut the same way, so comparing them still finds exactly the records that changed in a field
the sync reads. The cut is recorded with each cycle (:func:`kept_fields_digest`): a cycle whose
rules or plugins read other fields than the kept snapshot was cut for reads everything again.

``plan``, ``apply`` and ``grunndata snapshot`` read whole records as before; only what a cycle
keeps is cut.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from grunndata.engine.mapping import FieldMap
from grunndata.engine.planner import direction_entities
from grunndata.unattended.watermarks import IncrementalRules

# "system/Resource" -> the fields kept of its records, in a fixed order. A resource absent from
# the mapping is kept whole.
KeptFields = Mapping[str, tuple[str, ...]]


def _top(path: str) -> str:
    """A condition's field path (``Project.Name``) reads the top-level field it starts with."""
    return str(path).split(".", 1)[0]


def kept_fields(session: Any, inc: IncrementalRules) -> dict[str, tuple[str, ...]]:
    """Per ``system/Resource`` a sync cycle reads, the fields it keeps (absent: all of them)."""
    rules, direction = session.rules, session.direction.name
    fields: dict[str, set[str]] = {}
    whole: set[str] = set()
    read: set[str] = set()
    for entity, _ in direction_entities(session):
        read.update(f"{r.system}/{r.resource}" for r in getattr(entity, "reads", ()) or ())
        declared: Mapping[str, Any] | None = getattr(entity, "raw_fields", None)
        sides: Mapping[str, Any] = getattr(entity, "sides", None) or {}
        if declared is None or not sides:
            whole.update(f"{read.system}/{read.resource}" for read in getattr(entity, "reads", ()) or ())
            continue
        fmap = FieldMap(rules, entity.fields, entity.section, entity.fields_key)
        conditions = [rules.condition(entity.section, direction, step).fields for step in ("filter", "finished_when")]
        for system, side in sides.items():
            kept = fields.setdefault(f"{system}/{side.resource}", set())
            kept.add(side.id_field)
            kept.update(spec.api[system] for spec in fmap.specs.values() if system in spec.api)
            kept.update(_top(f) for f in rules.active(system, side.resource).fields)
            kept.update(_top(f) for names in conditions for f in names)
        for name, names in declared.items():
            fields.setdefault(name, set()).update(names)
    whole.update(read - fields.keys())  # read, yet neither synced nor declared by any entity that reads it
    for name, cf in inc.resources.items():
        if name in fields:
            fields[name].update((cf.id_field, *cf.filters.values()))
    return {name: tuple(sorted(kept)) for name, kept in sorted(fields.items()) if name not in whole}


def kept_fields_digest(fields: KeptFields) -> str:
    """A short name for a cut: stored with each cycle, compared by the next."""
    blob = json.dumps({name: list(kept) for name, kept in sorted(fields.items())}, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def cut(records: list[dict[str, Any]], kept: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """The records as a cycle keeps them: without their null fields, and, when ``kept`` names the
    fields to keep, without any other.

    Null fields go for every resource: PowerOffice answers every field of its DTOs, most of them
    null (42 of a project's 54), and every reader goes through ``.get``, which gives None for a
    field that is absent just as for one that is null. Updates send only their changes (the
    clients GET the record they change), so neither cut changes a write."""
    if kept is None:
        return [{k: v for k, v in r.items() if v is not None} if isinstance(r, dict) else r for r in records]
    out: list[dict[str, Any]] = []
    for r in records:
        if isinstance(r, dict):
            get = r.get
            out.append({k: v for k in kept if (v := get(k)) is not None})
        else:
            out.append(r)
    return out
