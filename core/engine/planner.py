"""Rules decide a plan: run each entity of the chosen direction over the snapshot."""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Iterator
from typing import Any, cast

from grunndata.engine.incremental import PlanMemo
from grunndata.engine.model import PlanContext, Snapshot
from grunndata.engine.plan import Plan
from grunndata.session import Session


def config_hash(session: Session) -> str:
    """A hash of the config and the merged rules: recorded with every plan and run."""
    blob = repr((session.config.master, session.config.standard_project, session.rules.data)).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def direction_entities(session: Session) -> list[tuple[Any, Any]]:
    """(entity, flow) pairs of the chosen direction, in apply order: the entities the direction
    names, and any other entity that says how it flows under this direction (its ``flows``, by
    direction name), so a plugin adds an entity without touching the direction plugins."""
    direction = session.direction
    pairs = []
    for name, entity in session.host.entities.items():
        flow = direction.flows.get(name) or (getattr(entity, "flows", None) or {}).get(direction.name)
        if flow is not None:
            pairs.append((entity, flow))
    return sorted(pairs, key=lambda p: (p[0].order, p[0].name))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No full garbage collections while reading and planning.

    Both build millions of plain dicts, lists and strings that hold no reference cycles: a full
    collection cannot free any of them, yet walks all of them again each time they grow by a
    quarter — at 100k projects a quarter of the plan's time, and the reason it grew faster than
    the world. Young collections go on, so short-lived cycles (a response and its stream) are
    still freed while the pages are read."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, 2**31 - 1)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def make_plan(session: Session, snapshot: Snapshot, memo: PlanMemo | None = None, *, incremental: bool = False) -> Plan:
    """The plan for ``snapshot``. With a ``memo`` (a running ``run``) and ``incremental``, only
    the keys that changed since the memo's plan, or had an action in it, are planned again
    (:mod:`grunndata.engine.incremental`); the plan is the same as a full one."""
    with paused_gc():
        return _make_plan(session, snapshot, memo, incremental)


def _make_plan(session: Session, snapshot: Snapshot, memo: PlanMemo | None, incremental: bool) -> Plan:
    ctx = PlanContext(
        snapshot=snapshot, rules=session.rules, config=session.config, direction=session.direction, memo=memo
    )
    pairs = direction_entities(session)
    chash, order = config_hash(session), [e.name for e, _ in pairs]
    chained = memo is not None and memo.begin(chash, order, incremental=incremental)
    # Without a memo the fingerprint is worked out on first use (see Plan): plan --json never
    # needs it; a memo chains it from the last plan's.
    fingerprint: Any = snapshot.fingerprint
    if memo is not None:
        fingerprint = memo.chained_fingerprint(snapshot) if chained else snapshot.fingerprint()
    base: dict[str, Any] = dict(
        master=session.config.master, fingerprint=cast(str, fingerprint), config_hash=chash, entity_order=order
    )
    blockers = []
    for entity, flow in pairs:
        preflight = getattr(entity, "preflight", None)
        if preflight is not None:
            blockers.extend(preflight(ctx, flow))
    if blockers:
        if memo is not None:
            memo.finish(snapshot, fingerprint, blockers, blocked=True)
        return Plan(actions=blockers, blocked=True, **base)
    actions = []
    for entity, flow in pairs:
        actions.extend(entity.plan(ctx, flow))
    if memo is not None:
        memo.finish(snapshot, fingerprint, actions, blocked=False)
    return Plan(actions=actions, **base)
