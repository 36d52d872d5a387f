"""Apply: a sync plan's create, update and finish actions, as one kind of write for the engine.

Parents go before children (entities rank by the plan's ``entity_order``); within an entity,
writes run concurrently up to a bound, the clients pacing them. A create whose response was
lost may still have happened: the engine looks it up by its key (the entity's ``lookup``)
before it is sent again, so nothing is created twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grunndata.engine.model import Action, ApplyContext, Entity
from grunndata.engine.plan import Plan
from grunndata.engine.writes import BaseWriter, Sent
from grunndata.engine.writes import Outcome as BaseOutcome
from grunndata.errors import GrunndataError


class Outcome(BaseOutcome[Action]):
    """What became of one action."""

    @property
    def action(self) -> Action:
        return self.item


class SyncWriter(BaseWriter[Action]):
    """A sync plan's writes: each action is sent by the plugin of its entity."""

    run_kind = "apply"
    journal_table = "actions"

    def __init__(self, plan: Plan, entities: Mapping[str, Entity], actx: ApplyContext, concurrency: int = 4):
        self.entities = entities
        self.actx = actx
        self.concurrency = concurrency
        self._order = {name: i for i, name in enumerate(plan.entity_order)}

    def _entity(self, action: Action) -> Entity:
        entity = self.entities.get(action.entity)
        if entity is None:
            raise GrunndataError(f"ingen tillegg håndterer entiteten «{action.entity}»")
        return entity

    def rank(self, action: Action) -> int:
        if action.entity in self._order:
            return self._order[action.entity]
        return int(getattr(self.entities.get(action.entity), "order", 999))

    async def send(self, action: Action) -> Sent:
        result = await self._entity(action).apply(action, self.actx)
        return Sent(result.get("id"))

    async def lookup(self, action: Action) -> dict[str, Any] | None:
        return await self._entity(action).lookup(action, self.actx)

    def journal_row(self, action: Action) -> dict[str, Any]:
        return action.to_json()

    def new_outcome(self, action: Action, seq: int) -> Outcome:
        return Outcome(action, seq)

    def target_name(self, action: Action) -> str:
        return str(self.actx.rules.system_name(action.target))
