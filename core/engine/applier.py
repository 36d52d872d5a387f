"""Apply writes a plan's create, update and finish actions, entity by entity.

Parents go before children (entities run in their ``order``); within an
entity, writes run concurrently up to a bound, the clients pacing them.
A create whose response was lost may still have happened: it is looked up
by its key before it is sent again, so nothing is created twice.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable

from grunndata.engine.model import Action, ApplyContext
from grunndata.engine.plan import Plan
from grunndata.errors import GrunndataError


@dataclass
class Outcome:
    action: Action
    status: str  # "ok" | "recovered" | "failed"
    remote_id: Any = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.action.to_json(), "outcome": self.status, "remote_id": self.remote_id, "detail": self.detail}


def _is_conflict(exc: Exception) -> bool:
    return getattr(exc, "status", None) == 409 or getattr(exc, "status_code", None) == 409


# A create that stays ambiguous (a storm of 5xx or lost answers) is looked up and tried again
# this many times in all, pausing a little longer each time, before it is reported as failed.
CREATE_ROUNDS = 4
CREATE_PAUSE = 0.2


async def _create_once(entity: Any, action: Action, actx: ApplyContext) -> tuple[str, Any, str]:
    """Create, or find the record a lost response already created. Never sends a create
    again without first looking the record up by its key."""
    resent = False
    for round_ in range(1, CREATE_ROUNDS + 1):
        try:
            result = await entity.apply(action, actx)
            if result.get("id") is None:
                # Created, but the answer names no id (children need it): find it by its key.
                found = await entity.lookup(action, actx)
                result = found or result
            return "ok", result.get("id"), "sendt på nytt etter tapt svar" if resent else ""
        except Exception as exc:
            # A 2xx whose body is garbage (HTML, cut-off JSON): the create happened, its answer is lost.
            status = getattr(exc, "status", None)
            ambiguous = bool(getattr(exc, "ambiguous", False)) or (isinstance(status, int) and 200 <= status < 300)
            # A refusal of a resent create may be the first attempt's record being there after all.
            refused_resend = resent and getattr(exc, "status", None) in (400, 409)
            if not (ambiguous or _is_conflict(exc) or refused_resend):
                raise
            found = await entity.lookup(action, actx)
            if found is not None:
                return "recovered", found.get("id"), "fantes allerede (svaret på en tidligere forespørsel gikk tapt)"
            if not ambiguous or round_ == CREATE_ROUNDS:
                raise
            resent = True
            await asyncio.sleep(CREATE_PAUSE * round_)
    raise AssertionError("unreachable")


async def apply_plan(plan: Plan, entities: dict[str, Any], actx: ApplyContext, *,
                     journal: Any = None, run_id: int | None = None, concurrency: int = 4,
                     progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Carry out ``plan``'s writes; one failed write does not stop the others."""
    writes = plan.writes
    order = {name: i for i, name in enumerate(plan.entity_order)}
    groups: dict[int, list[tuple[int, Action]]] = {}
    for seq, action in enumerate(writes):
        rank = order.get(action.entity, getattr(entities.get(action.entity), "order", 999))
        groups.setdefault(rank, []).append((seq, action))
    outcomes: list[Outcome] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(seq: int, action: Action) -> Outcome:
        entity = entities.get(action.entity)
        async with gate:
            # 'started' means the request may have gone out: written when it is about to, not queued.
            row = journal.action_started(run_id, seq, action) if journal is not None else None
            try:
                if entity is None:
                    raise GrunndataError(f"no plugin handles the entity '{action.entity}'")
                if action.op == "create":
                    status, remote_id, detail = await _create_once(entity, action, actx)
                else:
                    result = await entity.apply(action, actx)
                    status, remote_id, detail = "ok", result.get("id"), ""
                outcome = Outcome(action, status, remote_id, detail)
            except Exception as exc:  # reported per action; the run goes on with the rest
                outcome = Outcome(action, "failed", None, f"{type(exc).__name__}: {exc}"
                                  if not isinstance(exc, (GrunndataError, LookupError)) else str(exc))
            if journal is not None:
                journal.action_done(row, outcome.status, outcome.remote_id, outcome.detail)
        if progress is not None:
            progress(outcome)
        return outcome

    for rank in sorted(groups):
        results = await asyncio.gather(*(one(seq, a) for seq, a in groups[rank]))
        outcomes.extend(results)
    return outcomes
