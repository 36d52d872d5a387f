"""A saved plan is applied exactly as it was made, or not at all.

``plan --out`` records a digest of the actions (and one per action, so a refusal can name the
action that differs). ``apply --plan`` checks, before its first request: the digest, the shape
(known operations, entities, systems and fields: in ``Plan.load``), the master and the rules
against the config; and, after reading both systems but before its first write, that the world
is the one the plan was made from and gives the very same writes. Every refusal is one line
(exit 3) naming what differs.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from grunndata.engine.model import Action
from grunndata.engine.plan import Plan, PlanFileError, action_digests, plan_digest

AGAIN = "lag en ny plan med «grunndata plan --out FIL»"


class PlanRefused(PlanFileError):
    """The saved plan is not the one that was made, or does not fit this integration."""


class StalePlan(PlanRefused):
    """The world or the rules changed since the plan was made."""


def label(number: int, action: Action) -> str:
    """An action as a consultant finds it in the plan: its number (from 1) and what it does."""
    return f"handling {number} ({action.op} {action.entity} {action.key})"


def _what_differs(saved: Plan) -> str:
    have = action_digests(saved.actions)
    made = list(saved.action_digests)
    if not made:
        return "planfilen har ingen kontrollsum per handling"
    for tag, i1, i2, j1, _j2 in difflib.SequenceMatcher(a=made, b=have, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace":
            return f"{label(j1 + 1, saved.actions[j1])} er endret etter at planen ble laget"
        if tag == "delete":
            which = f"handling {i1 + 1}" if i2 - i1 == 1 else f"handling {i1 + 1}–{i2}"
            where = f", etter {label(j1, saved.actions[j1 - 1])}" if j1 > 0 else ""
            return (
                f"{which} er fjernet fra planen{where} (planen ble laget med {len(made)} handlinger, "
                f"filen har {len(have)})"
            )
        return f"{label(j1 + 1, saved.actions[j1])} er lagt til etter at planen ble laget"
    return "kontrollsummen i planfilen stemmer ikke med handlingene"


def _difference(mine: Action, theirs: Action) -> str:
    ours, now = mine.to_json(), theirs.to_json()
    name = next(k for k in ours if ours[k] != now[k])
    if name == "fields":
        field = next(
            f
            for f in sorted(set(mine.fields) | set(theirs.fields), key=str)
            if mine.fields.get(f) != theirs.fields.get(f)
        )
        return (
            f"feltet «{field}» er {json.dumps(mine.fields.get(field), ensure_ascii=False)} i planfilen, "
            f"men {json.dumps(theirs.fields.get(field), ensure_ascii=False)} nå"
        )
    return f"«{name}» er «{ours[name]}» i planfilen, men «{now[name]}» nå"


def check_offline(saved: Plan, session: Any) -> None:
    """What can be checked before any request: digest, entities, master, rules (the shape of each
    action, fields included, was checked as the file was read)."""
    from grunndata.engine.planner import config_hash

    where = f"{saved.source}: " if saved.source else ""
    if saved.digest != plan_digest(saved.actions):
        raise PlanRefused(f"{where}planen er ikke slik den ble laget: {_what_differs(saved)}; {AGAIN}")
    entities: Mapping[str, Any] = session.host.entities
    for number, action in enumerate(saved.actions, 1):
        if action.entity not in entities:
            raise PlanRefused(
                f"{where}{label(number, action)}: ingen tillegg håndterer entiteten "
                f"«{action.entity}» (kjente: {', '.join(sorted(entities))}); {AGAIN}"
            )
    master = session.config.master
    if saved.master != master:
        raise PlanRefused(
            f"{where}planen ble laget med «{saved.master}» som master, men oppsettet sier «{master}»; {AGAIN}"
        )
    if saved.config_hash and saved.config_hash != config_hash(session):
        raise StalePlan(f"{where}planen ble laget med andre regler eller et annet oppsett; {AGAIN}")


def check_current(saved: Plan, fresh: Plan) -> Plan:
    """After reading: the plan is current (same world) and gives the same writes as planning now."""
    where = f"{saved.source}: " if saved.source else ""
    if saved.fingerprint != fresh.fingerprint:
        raise StalePlan(f"{where}planen er utdatert: SmartDok eller PowerOffice er endret siden den ble laget; {AGAIN}")
    made = [a for a in saved.actions if a.writes] if not saved.blocked else []
    now = fresh.writes
    if saved.blocked != fresh.blocked or [a.to_json() for a in made] != [a.to_json() for a in now]:
        numbers = {id(a): n for n, a in enumerate(saved.actions, 1)}
        for mine, theirs in zip(made, now, strict=False):
            if mine.to_json() != theirs.to_json():
                raise PlanRefused(
                    f"{where}{label(numbers[id(mine)], mine)} er ikke det samme som planlegging "
                    f"gir nå: {_difference(mine, theirs)}; {AGAIN}"
                )
        raise PlanRefused(f"{where}planen har {len(made)} endringer, men planlegging gir nå {len(now)}; {AGAIN}")
    return Plan(
        master=saved.master,
        actions=saved.actions,
        fingerprint=saved.fingerprint,
        config_hash=saved.config_hash,
        blocked=fresh.blocked,
        entity_order=fresh.entity_order,
    )
