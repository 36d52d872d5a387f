"""The shared way an entity is planned and written: match by key, then create,
update, finish, skip, report or warn, each decision citing its rule line.

Entity plugins configure a :class:`SyncedEntity` (which resource, which id
field, which fields exist) and override the few steps that differ, such as
how a sub-project finds its parent.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.incremental import NamesakeTables
from grunndata.engine.mapping import FieldMap, loose_key
from grunndata.engine.model import Action, Flow, PlanContext
from grunndata.engine.sync_records import EntityRecords, is_plain
from grunndata.engine.sync_writes import Side
from grunndata.rulebook.conditions import ANY, Test, has_no_value

__all__ = ["Side", "SyncedEntity", "is_plain"]


def wanted_words(test: Test) -> str:
    """What a failed condition test asks for, as a consultant reads it: «A» eller «B»."""
    words = [("satt" if v == ANY else "tom" if v is None else f"«{v}»") for v in test.wanted()]
    return " eller ".join(words)


class SyncedEntity(EntityRecords):
    """A record kind that flows from the master to the other system."""

    def create_values(self, ctx: PlanContext, src: dict[str, Any], target: str) -> dict[str, Any]:
        """The neutral values a new record gets: the master's own fields, then the rule
        sources (set, inherit, defaults) in the order ``precedence`` gives."""
        key = ("create_values", self.name, target)
        base = ctx.cache.get(key)
        if base is None:  # what the rules give is the same for every record: worked out once per run
            fmap = self.field_map(ctx)
            create = self.dir_rules(ctx, "create")
            sources = {
                "set": create["set"] or {},
                "inherit": self.inherited(ctx, create["inherit"] or []),
                "defaults": create["defaults"] or {},
            }
            ruled: dict[str, Any] = {}
            for source in reversed(create["precedence"]):
                for f, v in sources[source].items():
                    if v is not None and fmap.has(target, f):
                        ruled[f] = v
            # Explicit rule values win over the master's data; inherited values and defaults only fill gaps.
            own = tuple(f for f in fmap.specs if fmap.has(target, f) and f not in sources["set"])
            base = ctx.cache[key] = (ruled, own)
        ruled, own = base
        values = dict(ruled)
        get = src.get
        for f in own:
            v = get(f)
            if v is not None:
                values[f] = v
        head = {"number": get("number"), "name": values.pop("name", None)}
        return {**{k: v for k, v in head.items() if v is not None}, **values}

    def inherited(self, ctx: PlanContext, names: list[str]) -> dict[str, Any]:
        return {}

    # ---- planning ------------------------------------------------------
    def plan(self, ctx: PlanContext, flow: Flow) -> list[Action]:
        actions: list[Action] = []
        fmap = self.field_map(ctx)
        source, target = flow.source, flow.target
        src_name = ctx.rules.system_name(source)
        tgt_index = self.index(ctx, target)
        # by name and by loose number: dicts, or NamesakeTables (the same lookups) under a memo
        names: Any
        loose: Any
        if ctx.memo is not None:  # built over every record, and only when a create needs them
            names, loose = NamesakeTables(self, ctx, target), NamesakeTables(self, ctx, target, loose=True)
        else:
            names, loose = {}, {}
            self.namesakes(self.records(ctx, target), names, loose)
        seen: set[str] = set()
        for system in (source, target):
            for rec in self.records(ctx, system):
                if rec.get("_invalid"):
                    actions.append(self.invalid_warning(ctx, target, system, rec))
        for src in self.records(ctx, source):
            key = src["_key"]
            if key is None or key in seen:  # it cannot be matched: no number, or another's
                reason = (
                    f"{self.label} «{src.get('name')}» i {src_name} har ikke nummer og kan ikke matches"
                    if key is None
                    else f"nummeret {key} finnes flere ganger i {src_name}; bare det første brukes"
                ) + self.cite(ctx, "match")
                ident = "(uten nummer)" if key is None else key
                actions.append(
                    self.action(ctx, "warn", target, ident, {"name": src.get("name")}, reason, self.where_match(ctx))
                )
                continue
            seen.add(key)
            tgt = tgt_index.get(key)
            if tgt is None:
                actions.extend(self.plan_missing(ctx, flow, src, names, loose))
            else:
                actions.extend(self.plan_existing(ctx, flow, src, tgt, fmap))
        actions.extend(self.plan_orphans(ctx, flow, seen))
        return actions

    def namesakes(
        self, records: list[dict[str, Any]], names: dict[Any, list[str]], loose: dict[str, list[str]]
    ) -> None:
        """The receiving system's keys by name and by loose number (R13, R18)."""
        for rec in records:
            if rec["_key"] is not None:
                names.setdefault(self.name_key(rec), []).append(rec["_key"])
                loose.setdefault(loose_key(rec["_key"]), []).append(rec["_key"])

    def invalid_warning(self, ctx: PlanContext, target: str, system: str, rec: dict[str, Any]) -> Action:
        ident = rec["_key"] or (f"id {rec['_id']}" if rec.get("_id") is not None else "(uten nummer)")
        shown = ", ".join(rec["_invalid"])
        name = ctx.rules.system_name(system)
        return self.action(
            ctx,
            "warn",
            target,
            ident,
            {"invalid_fields": rec["_invalid"]},
            f"{self.label} {ident} i {name} har ugyldige verdier i {shown} (ikke en "
            f"enkel verdi); feltene regnes som tomme. Rett posten i {name}",
            ctx.rules.where(self.section, self.fields_key),
        )

    def action(
        self, ctx: PlanContext, op: str, target: str, key: str, fields: dict[str, Any], reason: str, rule: str
    ) -> Action:
        return Action(op=op, entity=self.name, target=target, key=key, fields=fields, reason=reason, rule=rule)

    def blocked(self, ctx: PlanContext, flow: Flow, src: dict[str, Any]) -> Action | None:
        """Why a master record missing in the target is not created, or None."""
        source, target = flow.source, flow.target
        key = src["_key"]
        fields: dict[str, Any] = {"name": src.get("name")}
        if self.is_finished(src, ctx, source):
            reason = f"{self.label} {key} er avsluttet i {ctx.rules.system_name(source)} og opprettes ikke"
            rule = self.where(ctx, "finished_when")
        elif self.dir_rules(ctx, "only_active") and not self.is_active(src, ctx, source):
            reason = f"{self.label} {key} er inaktiv i {ctx.rules.system_name(source)}; bare aktive opprettes"
            rule = self.where(ctx, "only_active")
        elif (failed := ctx.rules.condition(self.section, ctx.direction.name, "filter").failing(src)) is not None:
            f, have, test = failed
            shown = "ikke satt" if has_no_value(have) else have
            fields[f] = have
            reason = (
                f"{self.label} {key} opprettes ikke i {ctx.rules.system_name(target)}: "
                f"{self.field_label(f, ctx)} er «{shown}», må være {wanted_words(test)}{self.cite(ctx, 'filter')}"
            )
            rule = self.where(ctx, "filter", f)
        else:
            return None
        return self.action(ctx, "skip", target, key, fields, reason, rule)

    def plan_missing(
        self,
        ctx: PlanContext,
        flow: Flow,
        src: dict[str, Any],
        names: dict[Any, list[str]],
        loose: dict[str, list[str]],
    ) -> list[Action]:
        source, target = flow.source, flow.target
        key = src["_key"]
        skip = self.blocked(ctx, flow, src)
        if skip is not None:
            return [skip]
        problem = self.cannot_create(ctx, flow, src)
        if problem is not None:
            return [problem]
        values = self.create_values(ctx, src, target)
        refused = self.limit_problems(ctx, target, values)
        if refused:
            return [self.limit_warning(ctx, flow, key, src, refused, "opprettes ikke")]
        src_name, tgt_name = ctx.rules.system_name(source), ctx.rules.system_name(target)
        actions = [
            self.action(
                ctx,
                "create",
                target,
                key,
                values,
                f"{self.label} {key} finnes i {src_name}, men ikke i {tgt_name}",
                self.where(ctx, "create"),
            )
        ]
        ctx.planned[(self.name, key)] = actions[0]
        dup = ctx.rules.get(self.section, "duplicates")
        ref = self.cite(ctx, "duplicate")
        likely: list[tuple[str, dict[str, Any], str]] = []  # the duplicates rule that warns, fields, reason
        if dup["same_name_other_number"] and src.get("name"):
            likely += [
                (
                    "same_name_other_number",
                    {"name": src.get("name"), "other_number": other},
                    f"SANNSYNLIG DUPLIKAT: {self.label} «{src.get('name')}» har nummer {key} i "
                    f"{src_name}, men {other} i {tgt_name}. Det opprettes som nytt "
                    f"{self.label} fordi nummeret avgjør{ref}; rett nummeret om det er samme {self.label}",
                )
                for other in names.get(self.name_key(src), [])
                if other != key
            ]
        if dup["numbers_differ_only_by_spaces_or_zeros"]:
            likely += [
                (
                    "numbers_differ_only_by_spaces_or_zeros",
                    {"other_number": other},
                    f"nummeret {key} i {src_name} skiller seg fra {other} i {tgt_name} "
                    f"bare med mellomrom eller innledende nuller: sannsynlig duplikat{ref}",
                )
                for other in loose.get(loose_key(key), [])
                if other != key
            ]
        for check, fields, reason in likely:
            rule = ctx.rules.where(self.section, "duplicates", check)
            actions.append(self.action(ctx, "warn", target, key, fields, reason, rule))
        return actions

    def limit_problems(
        self, ctx: PlanContext, target: str, values: dict[str, Any], *, complete: bool = True
    ) -> dict[str, str]:
        """Fields the target would refuse by the rules' ``limits`` (required, max_length, forbidden
        characters): field -> why. ``complete``: ``values`` is a whole new record (a create), so a
        required field missing from it is a problem; an update sends only the fields it changes,
        and only those are checked."""
        limits = ctx.rules.get(self.section, self.limits_key, target) or {}
        name = ctx.rules.system_name(target)
        problems: dict[str, str] = {}
        for f, limit in limits.items():
            if not isinstance(limit, dict) or (f not in values and not (complete and limit.get("required"))):
                continue
            value = values.get(f)
            text = "" if value is None else str(value).strip()
            forbidden = [
                (c, word) for c, word in (limit.get("forbidden_characters") or {}).items() if word and c in text
            ]
            if limit.get("required") and not text:
                problems[f] = f"{self.field_label(f, ctx)} mangler, og {name} krever det"
            elif limit.get("max_length") and len(text) > limit["max_length"]:
                problems[f] = f"{self.field_label(f, ctx)} er {len(text)} tegn; {name} tillater {limit['max_length']}"
            elif forbidden:
                shown = " og ".join(f"{word} («{c}»)" for c, word in forbidden)
                problems[f] = f"{self.field_label(f, ctx)} {text} inneholder {shown}, som {name} ikke tillater"
        return problems

    def limit_warning(
        self, ctx: PlanContext, flow: Flow, key: str, src: dict[str, Any], problems: dict[str, str], what: str
    ) -> Action:
        f = next(iter(problems))
        return self.action(
            ctx,
            "warn",
            flow.target,
            key,
            {"name": src.get("name"), **{p: src.get(p) for p in problems}},
            f"{self.label} {key} «{src.get('name') or ''}» {what} i "
            f"{ctx.rules.system_name(flow.target)}: "
            + "; ".join(problems.values())
            + f". Rett det i {ctx.rules.system_name(flow.source)}",
            ctx.rules.where(self.section, self.limits_key, flow.target, f),
        )

    def cannot_create(self, ctx: PlanContext, flow: Flow, src: dict[str, Any]) -> Action | None:
        """A record the target system would refuse (entity-specific), reported instead of sent."""
        return None

    def plan_existing(
        self, ctx: PlanContext, flow: Flow, src: dict[str, Any], tgt: dict[str, Any], fmap: FieldMap
    ) -> list[Action]:
        source, target = flow.source, flow.target
        src_name, tgt_name = ctx.rules.system_name(source), ctx.rules.system_name(target)
        key = src["_key"]
        actions = []
        if self.is_finished(src, ctx, source):
            finish = self.dir_rules(ctx, "finish") or {}
            change = {
                f: {"before": tgt.get(f), "after": v}
                for f, v in finish.items()
                if fmap.has(target, f) and tgt.get(f) != v
            }
            if change:
                actions.append(
                    self.action(
                        ctx,
                        "finish",
                        target,
                        key,
                        change,
                        f"{self.label} {key} er avsluttet i {src_name} og avsluttes "
                        f"i {tgt_name}{self.cite(ctx, 'finish')}",
                        self.where(ctx, "finish"),
                    )
                )
        changes = {}
        for f in self.dir_rules(ctx, "overwrite"):
            if not (fmap.has(source, f) and fmap.has(target, f)):
                continue
            before, after = tgt.get(f), src.get(f)
            if before != after:
                changes[f] = {"before": before, "after": after}
        refused = self.limit_problems(ctx, target, {f: c["after"] for f, c in changes.items()}, complete=False)
        if refused:
            actions.append(self.limit_warning(ctx, flow, key, src, refused, "oppdateres ikke"))
            changes = {f: c for f, c in changes.items() if f not in refused}
        if changes:
            actions.append(
                self.action(
                    ctx,
                    "update",
                    target,
                    key,
                    changes,
                    f"{self.label} {key} i {tgt_name} avviker fra mastersystemet "
                    f"{src_name} og overskrives{self.cite(ctx, 'overwrite')}",
                    self.where(ctx, "overwrite"),
                )
            )
        return actions

    def plan_orphans(self, ctx: PlanContext, flow: Flow, seen: set[str]) -> list[Action]:
        """Records only in the receiving system: a person may have to act (R12, R16, R17)."""
        if self.dir_rules(ctx, "missing_in_master") != "manual":
            return []
        source, target = flow.source, flow.target
        src_name, tgt_name = ctx.rules.system_name(source), ctx.rules.system_name(target)
        actions = []
        for rec in self.records(ctx, target):
            key = rec["_key"]
            if (
                key is None
                or key in seen
                or not self.is_active(rec, ctx, target)
                or self.is_finished_in_target(rec, ctx, target)
            ):
                continue
            seen.add(key)
            actions.append(
                self.action(
                    ctx,
                    "manual",
                    source,
                    key,
                    {"name": rec.get("name")},
                    f"{self.label} {key} finnes i {tgt_name}, men ikke i mastersystemet "
                    f"{src_name}: må legges inn manuelt i {src_name}{self.cite(ctx, 'manual')}",
                    self.where(ctx, "missing_in_master"),
                )
            )
        return actions

    def is_finished_in_target(self, rec: dict[str, Any], ctx: PlanContext, system: str) -> bool:
        finish = self.dir_rules(ctx, "finish") or {}
        fmap = self.field_map(ctx)
        relevant = {f: v for f, v in finish.items() if fmap.has(system, f)}
        return bool(relevant) and all(rec.get(f) == v for f, v in relevant.items())
