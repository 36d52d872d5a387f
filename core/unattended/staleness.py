"""When a waiting plan has gone stale: only if a record it writes or depends on changed since.

When a plan starts waiting, :func:`plan_dependencies` notes, for each write, the records its
decision read, each with a fingerprint: the record it writes (in the receiving system), the
master's record it follows, and for a create also the parent it goes under and the standard
project it inherits from (R9). When the plan is approved, :func:`stale_records` compares those
fingerprints with a fresh snapshot and names every record that changed, appeared or vanished.
Changes anywhere else leave the plan as good as it was.

Records are found by the entity's own key matching (``SyncedEntity.index``), and a fingerprint
covers the record as the rules read it (its mapped fields, id, key and parent), not the raw API
record: a change to a field no rule reads, or a new change stamp, does not make a plan stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from grunndata.engine.mapping import match_key
from grunndata.engine.model import Action, PlanContext, Snapshot
from grunndata.engine.plan import Plan

if TYPE_CHECKING:
    from grunndata.session import Session

DEPS_FORMAT = 1
# A create under a parent (fields["parent"]) also depends on the parent record, of this entity.
PARENT_ENTITY = {"subprojects": "projects"}
# The standard project (R7, R9) is a PowerOffice project; creates inherit from it.
STANDARD = ("poweroffice", "projects")
WHOLE = "*"  # the key of a dependency on everything read, for an entity without key matching


@dataclass(frozen=True, order=True)
class RecordRef:
    """One record a plan depends on: which system, which entity kind, which key."""

    system: str
    entity: str
    key: str


@dataclass
class PlanDependencies:
    """The records a waiting plan's writes depend on, with their fingerprints then (None: absent).

    ``actions`` maps the index of each write in ``plan.actions`` to the records it depends on.
    """

    records: dict[RecordRef, str | None] = field(default_factory=dict)
    actions: dict[int, list[RecordRef]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        refs = list(self.records)
        index = {ref: i for i, ref in enumerate(refs)}
        return {
            "format": DEPS_FORMAT,
            "records": [[r.system, r.entity, r.key, self.records[r]] for r in refs],
            "actions": {str(i): [index[r] for r in deps] for i, deps in self.actions.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PlanDependencies:
        if not isinstance(data, dict) or data.get("format") != DEPS_FORMAT:
            raise ValueError("not a plan's dependencies (format 1)")
        try:
            rows = [
                (RecordRef(str(s), str(e), str(k)), None if h is None else str(h)) for s, e, k, h in data["records"]
            ]
            refs = [ref for ref, _ in rows]
            actions = {int(i): [refs[j] for j in deps] for i, deps in data["actions"].items()}
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ValueError(f"not a plan's dependencies ({exc})") from None
        return cls(dict(rows), actions)


class _Reader:
    """Fingerprints of records in one snapshot, through the entities' own key matching."""

    def __init__(self, snapshot: Snapshot, session: Session):
        self.snapshot, self.session = snapshot, session
        self.ctx = PlanContext(
            snapshot=snapshot, rules=session.rules, config=session.config, direction=session.direction
        )

    def fingerprint(self, ref: RecordRef) -> str | None:
        if ref.key == WHOLE:
            everything: str = self.snapshot.fingerprint()
            return everything
        entity = self.session.host.entities.get(ref.entity)
        index = getattr(entity, "index", None)
        if index is None or ref.system not in (getattr(entity, "sides", None) or {}):
            whole: str = self.snapshot.fingerprint()
            return whole
        rec = index(self.ctx, ref.system).get(ref.key)
        if not isinstance(rec, dict):
            return None
        # As the rules read it: without the raw API record (change stamps, fields no rule maps).
        seen = {k: v for k, v in rec.items() if k != "_raw"}
        blob = json.dumps(seen, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


def _depends_on(action: Action, session: Session, ctx: PlanContext) -> list[RecordRef]:
    entity = session.host.entities.get(action.entity)
    flow = session.direction.flows.get(action.entity)
    if entity is None or flow is None or getattr(entity, "index", None) is None:
        return [RecordRef(action.target, action.entity, WHOLE)]
    refs = [RecordRef(action.target, action.entity, action.key)]
    if flow.source != action.target:
        refs.insert(0, RecordRef(flow.source, action.entity, action.key))
    if action.op == "create":
        parent = action.fields.get("parent")
        if parent is not None and action.entity in PARENT_ENTITY:
            refs.append(RecordRef(action.target, PARENT_ENTITY[action.entity], str(parent)))
        inherits = getattr(entity, "dir_rules", None) and entity.dir_rules(ctx, "create", "inherit")
        number = session.config.standard_project
        if inherits and number and hasattr(entity, "standard_project"):
            key = match_key(session.rules, STANDARD[1], number)
            if key is not None:
                refs.append(RecordRef(STANDARD[0], STANDARD[1], key))
    return refs


def plan_dependencies(plan: Plan, snapshot: Snapshot, session: Session) -> PlanDependencies:
    """The records each write of ``plan`` depends on, fingerprinted in ``snapshot`` (the world the
    plan was made from). Store it with the waiting plan (:meth:`PlanDependencies.to_json`)."""
    reader = _Reader(snapshot, session)
    deps = PlanDependencies()
    if plan.blocked:
        return deps
    for i, action in enumerate(plan.actions):
        if not action.writes:
            continue
        refs = _depends_on(action, session, reader.ctx)
        deps.actions[i] = refs
        for ref in refs:
            if ref not in deps.records:
                deps.records[ref] = reader.fingerprint(ref)
    return deps


def _label(session: Session, ref: RecordRef) -> str:
    if ref.key == WHOLE:
        return f"det som ble lest av «{ref.entity}» i {session.rules.system_name(ref.system)}"
    entity = session.host.entities.get(ref.entity)
    return f"{getattr(entity, 'label', '') or ref.entity} {ref.key} i {session.rules.system_name(ref.system)}"


def changed_refs(deps: PlanDependencies, fresh: Snapshot, session: Session) -> list[tuple[RecordRef, str]]:
    """Every record the plan depends on that differs in ``fresh``, with what happened to it
    (``changed``, ``appeared``, ``vanished``), in the order the plan first depended on them."""
    reader = _Reader(fresh, session)
    out = []
    for ref, then in deps.records.items():
        now = reader.fingerprint(ref)
        if now == then:
            continue
        out.append((ref, "appeared" if then is None else "vanished" if now is None else "changed"))
    return out


_WHAT = {
    "changed": "er endret",
    "appeared": "finnes nå, men fantes ikke da planen ble laget",
    "vanished": "finnes ikke lenger",
}


def stale_records(deps: PlanDependencies, fresh: Snapshot, session: Session) -> list[str]:
    """What makes a waiting plan stale, one Norwegian line per record (empty: still good), e.g.
    ``prosjekt 2301 i SmartDok er endret``. ``approve`` refuses a plan for which this is not empty."""
    return [f"{_label(session, ref)} {_WHAT[what]}" for ref, what in changed_refs(deps, fresh, session)]


def stale_actions(deps: PlanDependencies, changed: Iterable[RecordRef]) -> list[int]:
    """The indexes (in ``plan.actions``) of the writes that depend on any of ``changed``."""
    hit = set(changed)
    return [i for i, refs in sorted(deps.actions.items()) if hit.intersection(refs)]
