"""How a synced entity's planned action is written, and how a create whose answer was lost is found.

The writing half of :class:`grunndata.engine.sync.SyncedEntity` (its base class): one action,
through the client of the target system, building on what this run wrote before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from grunndata.engine.mapping import FieldMap, match_key
from grunndata.engine.model import Action, ApplyContext, PlanContext


@dataclass(frozen=True)
class Side:
    """Where an entity lives in one system."""

    resource: str
    id_field: str


class EntityWrites:
    """Writing one action of an entity (create, update, finish) and looking a create up again."""

    name: str = ""
    section: str = ""  # top-level rule key
    label: str = ""  # Norwegian noun used in plan reasons («prosjekt»)
    sides: ClassVar[dict[str, Side]] = {}

    def field_map(self, ctx: PlanContext | ApplyContext) -> FieldMap:
        raise NotImplementedError

    def index(self, ctx: PlanContext | ApplyContext, system: str) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def client(self, actx: ApplyContext, system: str) -> Any:
        return getattr(actx, system)

    def create_body(self, action: Action, actx: ApplyContext) -> tuple[dict[str, Any], dict[str, Any]]:
        """The API body of a create, and extra keyword arguments for the client."""
        values = dict(action.fields)
        return self.field_map(actx).to_api(action.target, values), {}

    def target_id(self, action: Action, actx: ApplyContext) -> Any:
        created = actx.created.get((action.target, self.name, action.key))
        if created is not None:
            return created.get("id")
        rec = self.index(actx, action.target).get(action.key)
        return rec["_id"] if rec else None

    async def apply(self, action: Action, actx: ApplyContext) -> dict[str, Any]:
        client = self.client(actx, action.target)
        side = self.sides[action.target]
        if action.op == "create":
            body, extra = self.create_body(action, actx)
            record = await client.create(side.resource, body, key=action.key, **extra)
            result = {"id": record.get(side.id_field)}
            actx.created[(action.target, self.name, action.key)] = result
            return result
        rid = self.target_id(action, actx)
        if rid is None:
            raise LookupError(f"{self.label} {action.key} finnes ikke lenger i {actx.rules.system_name(action.target)}")
        changes = self.field_map(actx).to_api(action.target, {f: v["after"] for f, v in action.fields.items()})
        # The record as last written in this run (a second update of the same record, finish
        # then overwrite, builds on the first without a GET); else the client GETs it fresh. Not
        # the copy read for the plan: a full-replace PUT of that would silently revert whatever a
        # person changed in SmartDok since (tests/reliability/test_hostile_data.py).
        written = actx.cache.setdefault(("written",), {})
        current = written.get((action.target, side.resource, rid))
        updated = await client.update(side.resource, rid, changes, key=action.key, current=current)
        if isinstance(updated, dict):
            written[(action.target, side.resource, rid)] = updated
        return {"id": rid}

    async def lookup(self, action: Action, actx: ApplyContext) -> dict[str, Any] | None:
        """Find a record by its key in the target, fresh from the API (after a lost response)."""
        client = self.client(actx, action.target)
        side = self.sides[action.target]
        fmap = self.field_map(actx)
        number_field = fmap.api_field(action.target, "number")
        for raw in await client.list(side.resource):
            if match_key(actx.rules, self.section, raw.get(number_field)) == self.lookup_number(action):
                result = {"id": raw.get(side.id_field)}
                actx.created[(action.target, self.name, action.key)] = result
                return result
        return None

    def lookup_number(self, action: Action) -> str:
        return action.key
