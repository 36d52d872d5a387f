"""Oppsett's part of the console's door to the engine: PowerOffice's projects as choices for the
standard project (R7, from the rules) and what would block the sync with a config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grunndata.console.backend import Reach, _connection, run_sync
from grunndata.engine.model import PlanContext, Snapshot
from grunndata.engine.planner import direction_entities
from grunndata.session import Session

# The entity that holds the standard project (R7) and whose PowerOffice records Oppsett lists.
PROJECTS = "projects"


@dataclass
class ProjectChoice:
    number: str
    name: str
    billing_method: str | None  # the consultant's word (vocabulary ``billing_method``)
    status: str | None
    allowed: dict[str, bool]  # master -> may be the standard project under that master (R7)


def standard_project_rules(session: Session) -> dict[str, tuple[list[str] | None, str]]:
    """Per master whose direction requires a standard project: the allowed billing words
    (empty: any set value) and the rule's ``FILE:LINE``. Masters without the rule are absent."""
    out: dict[str, tuple[list[str] | None, str]] = {}
    entity = session.host.entities.get(PROJECTS)
    section = getattr(entity, "section", PROJECTS)
    for direction in session.host.directions.values():
        rule = session.rules.get(section, direction.name, "standard_project")
        if rule is None:
            continue
        allowed = rule.get("billing_method") if isinstance(rule, dict) else None
        out[direction.master] = (list(allowed or []), session.rules.where(section, direction.name, "standard_project"))
    return out


def _project_context(session: Session, raw_projects: list[dict]) -> PlanContext:
    entity = session.host.entities[PROJECTS]
    snapshot = Snapshot(poweroffice={entity.sides["poweroffice"].resource: raw_projects})
    return PlanContext(snapshot=snapshot, rules=session.rules, config=session.config, direction=session.direction)


async def _read_projects(session: Session, transports: Reach | dict[str, Any] | None) -> list[dict]:
    entity = session.host.entities[PROJECTS]
    async with _connection(session, transports) as conn:
        return await conn.poweroffice.list(entity.sides["poweroffice"].resource)


def poweroffice_projects(session: Session, transports: Reach | dict[str, Any] | None) -> list[dict]:
    """PowerOffice's projects as read through the client (raw API records, sub-projects too)."""
    return run_sync(lambda: _read_projects(session, transports))


def project_choices(session: Session, raw_projects: list[dict]) -> list[ProjectChoice]:
    """Top-level PowerOffice projects in the consultant's words, each marked allowed or not as
    standard project under each master (R7, from the rules)."""
    entity = session.host.entities[PROJECTS]
    ctx = _project_context(session, raw_projects)
    rules = standard_project_rules(session)
    choices = []
    for rec in entity.records(ctx, "poweroffice"):
        if rec.get("_key") is None:
            continue
        billing = rec.get("billing_method")
        allowed = {m: (billing in words if words else billing is not None) for m, (words, _) in rules.items()}
        choices.append(ProjectChoice(rec["_key"], str(rec.get("name") or ""), billing, rec.get("status"), allowed))
    return sorted(choices, key=lambda c: (len(c.number), c.number))


def setup_blockers(session: Session, raw_projects: list[dict]) -> list[dict[str, str]]:
    """The engine's own preflight (R7) over PowerOffice's projects: what would block the sync
    with this config, as ``{"reason", "rule"}`` (empty when the setup is valid)."""
    ctx = _project_context(session, raw_projects)
    found: list[dict[str, str]] = []
    for entity, flow in direction_entities(session):
        preflight = getattr(entity, "preflight", None)
        if preflight is not None:
            found.extend({"reason": a.reason, "rule": a.rule} for a in preflight(ctx, flow))
    return found
