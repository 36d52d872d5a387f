"""Projects and sub-projects (R6-R9, R13, R14, R17-R20).

SmartDok keeps sub-projects as their own resource under a project id;
PowerOffice keeps them as projects with a parent, whose code it shows as
``<parent>.<sub>``. Both are matched on that combined code.
"""

from __future__ import annotations

from itertools import compress
from operator import not_
from typing import Any, ClassVar

from grunndata.engine.mapping import FieldDecl, match_key, subproject_code, subproject_prefix
from grunndata.engine.model import Action, ApplyContext, Flow, PlanContext, Read
from grunndata.engine.ruleschema import direction_schema, entity_schema, fields_schema, limits_schema
from grunndata.engine.sync import Side, SyncedEntity, is_plain
from grunndata.plugins.entities import REFS
from grunndata.plugins.offers import offers_section

FIELDS = {
    "number": FieldDecl("Prosjektnummeret (underprosjekt: nummeret under hovedprosjektet).", label="nummer"),
    "name": FieldDecl("Prosjektnavnet.", label="navn"),
    "start_date": FieldDecl("Startdato.", type="date"),
    "end_date": FieldDecl("Sluttdato.", type="date"),
    "status": FieldDecl(
        "Prosjektstatus i PowerOffice (et ord fra ordlisten «project_status»).",
        vocabulary="project_status",
        label="status",
    ),
    "billing_method": FieldDecl(
        "Fakturamåte i PowerOffice (et ord fra ordlisten «billing_method»).",
        vocabulary="billing_method",
        label="fakturamåte",
    ),
    "customer": FieldDecl("Kunden (id) i PowerOffice."),
    "customer_number": FieldDecl("Kundenummeret i PowerOffice."),
    "project_manager": FieldDecl("Prosjektleder (ansatt-id) i PowerOffice."),
    "project_manager_number": FieldDecl("Prosjektleders ansattnummer i PowerOffice."),
    "active": FieldDecl("Om prosjektet er aktivt i SmartDok (Ja/Nei).", vocabulary="yes_no"),
    "finished": FieldDecl("Om prosjektet er avsluttet i SmartDok (Ja/Nei).", vocabulary="yes_no"),
}


def _is_sub(raw: dict[str, Any]) -> bool:
    return bool(raw.get("ParentProjectCode") or raw.get("ParentProjectId"))


def _subs(ctx: Any, raw: list[dict[str, Any]]) -> list[bool]:
    """Which of PowerOffice's projects are sub-projects, once per plan (and, in a running ``run``,
    worked out again only for the projects that changed)."""
    key = ("is_sub", id(raw))
    if key not in ctx.cache:
        memo = getattr(ctx, "memo", None)
        ctx.cache[key] = memo.derive("is_sub", raw, _is_sub) if memo is not None else [_is_sub(r) for r in raw]
    return ctx.cache[key]


class Projects(SyncedEntity):
    name = "projects"
    order = 10
    title = "Prosjekter"
    label = "prosjekt"
    sides: ClassVar[dict[str, Side]] = {"smartdok": Side("Projects", "Id"), "poweroffice": Side("Projects", "Id")}
    # PowerOffice's Customers too: the customers its projects name, so a snapshot is whole.
    reads = (
        Read("smartdok", "Projects", {"all": True}),
        Read("poweroffice", "Projects"),
        Read("poweroffice", "Customers"),
    )
    fields = FIELDS
    refs: ClassVar[dict[str, Any]] = {**REFS, "manual": {"poweroffice_master": "R17"}}
    # What this entity reads of the records beyond its field maps (grunndata.unattended.kept_fields):
    # which PowerOffice projects are sub-projects; nothing of the customers.
    raw_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "poweroffice/Projects": ("ParentProjectCode", "ParentProjectId"),
        "poweroffice/Customers": (),
    }

    def raw_records(self, ctx, system):
        raw = super().raw_records(ctx, system)
        return list(compress(raw, map(not_, _subs(ctx, raw)))) if system == "poweroffice" else raw

    def standard_project(self, ctx: PlanContext) -> dict[str, Any] | None:
        number = ctx.config.standard_project
        if not number:
            return None
        return _PROJECTS.index(ctx, "poweroffice").get(match_key(ctx.rules, self.section, number) or "")

    def inherited(self, ctx: PlanContext, names: list[str]) -> dict[str, Any]:
        std = self.standard_project(ctx)
        if std is None:
            return {}
        return {n: std.get(n) for n in names if std.get(n) is not None}

    def preflight(self, ctx: PlanContext, flow: Flow) -> list[Action]:
        """R7: with SmartDok as master, the standard project must exist and have a billing mode."""
        rule = self.dir_rules(ctx, "standard_project")
        if rule is None:
            return []
        number = ctx.config.standard_project

        def stop(key: str, fields: dict[str, Any], message: str, *setting: str) -> list[Action]:
            """The plan stops at R7: one skip in PowerOffice, pointing at the rule ``setting`` names."""
            where = self.where(ctx, "standard_project", *setting)
            return [self.action(ctx, "skip", "poweroffice", key, fields, message, where)]

        if not number:
            return stop(
                "(standardprosjekt)",
                {},
                "STOPP: standardprosjekt er ikke valgt. Sett «standard_project» i oppsettet "
                "til prosjektnummeret i PowerOffice (R7)",
            )
        std = self.standard_project(ctx)
        if std is None:
            return stop(
                number,
                {},
                f"STOPP: standardprosjektet {number} finnes ikke i PowerOffice. Opprett det, "
                "eller velg et annet prosjektnummer i oppsettet (R7)",
            )
        allowed = rule.get("billing_method") or []
        if allowed and std.get("billing_method") not in allowed:
            shown = std.get("billing_method") or "ikke satt"
            wanted = " eller ".join(f"«{a}»" for a in allowed)
            return stop(
                number,
                {"billing_method": std.get("billing_method")},
                f"STOPP: fakturamåte på standardprosjektet {number} er «{shown}»; den må være {wanted} (R7)",
                "billing_method",
            )
        return []

    async def lookup(self, action: Action, actx: ApplyContext) -> dict[str, Any] | None:
        if action.target != "poweroffice":
            return await super().lookup(action, actx)
        for raw in await actx.poweroffice.find("Projects", projectCodes=action.key):
            if match_key(actx.rules, self.section, raw.get("Code")) == action.key:
                result = {"id": raw.get("Id")}
                actx.created[(action.target, self.name, action.key)] = result
                return result
        return None


class SubProjects(Projects):
    name = "subprojects"
    order = 20
    fields_key = "subproject_fields"
    limits_key = "subproject_limits"
    title = "Underprosjekter"
    label = "underprosjekt"
    sides: ClassVar[dict[str, Side]] = {"smartdok": Side("SubProjects", "Id"), "poweroffice": Side("Projects", "Id")}
    reads = (
        Read("smartdok", "SubProjects", {"all": True}),
        Read("smartdok", "Projects", {"all": True}),
        Read("poweroffice", "Projects"),
    )
    # The parent link of each sub-project, and the id and number of each parent (``parents``).
    raw_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "smartdok/SubProjects": ("ProjectId",),
        "smartdok/Projects": ("Id", "ProjectNumber"),
        "poweroffice/Projects": ("Id", "Code", "ParentProjectCode", "ParentProjectId"),
    }

    def raw_records(self, ctx, system):
        raw = ctx.snapshot.records(system, self.sides[system].resource)
        return list(compress(raw, _subs(ctx, raw))) if system == "poweroffice" else raw

    def template(self, ctx) -> str:
        return ctx.rules.get(self.section, "subproject_code")

    def parents(self, ctx, system: str) -> dict[Any, str]:
        """Parent project id -> its number, in ``system``."""
        key = ("parents", system)
        if key not in ctx.cache:
            fmap_field = "ProjectNumber" if system == "smartdok" else "Code"
            raws = ctx.snapshot.records(system, "Projects")
            memo = getattr(ctx, "memo", None)
            if memo is not None:  # a running ``run``: worked out again only for projects that changed
                name = f"parents/{system}"
                pairs = memo.derive(
                    name,
                    raws,
                    lambda r: (
                        (r.get("Id"), match_key(ctx.rules, self.section, r.get(fmap_field)))
                        if is_plain(r.get("Id")) and is_plain(r.get(fmap_field))
                        else None
                    ),
                )
                same = memo.unchanged.get(name) and name in memo.kept_values
                if not same:  # some project changed; its number may not have
                    built = dict(filter(None, pairs))  # (id, number) pairs are never falsy
                    same = memo.incremental and memo.kept_values.get(name) == built
                    memo.kept_values[name] = built
                ctx.cache[("parents_same", system)] = bool(same)
                ctx.cache[key] = memo.kept_values[name]
            else:
                ctx.cache[key] = {
                    r.get("Id"): match_key(ctx.rules, self.section, r.get(fmap_field))
                    for r in raws
                    if is_plain(r.get("Id")) and is_plain(r.get(fmap_field))
                }
        return ctx.cache[key]

    def inputs_reader(self, ctx, system):
        """What a sub-project's key is read from beside its own record: its parent's number
        (for incremental planning, :mod:`grunndata.engine.incremental`).
        Returns the reader and whether no parent's number changed since the last plan."""
        parents = self.parents(ctx, system)
        stable = bool(ctx.cache.get(("parents_same", system)))
        if system == "smartdok":
            return (lambda raw: parents.get(raw.get("ProjectId")) if is_plain(raw.get("ProjectId")) else None), stable

        def inputs(raw):
            link, code = raw.get("ParentProjectId"), raw.get("ParentProjectCode")
            return (code if is_plain(code) else None, parents.get(link) if is_plain(link) else None)

        return inputs, stable

    def neutral(self, ctx, system, raw):
        raw, invalid = self.clean(ctx, system, raw)
        for link in ("ProjectId", "ParentProjectId", "ParentProjectCode"):
            if not is_plain(raw.get(link)):
                raw, invalid = {**raw, link: None}, [*invalid, link]
        rec = self.field_map(ctx).to_neutral(system, raw, self.sides[system].id_field)
        rec["_invalid"] = invalid
        template = self.template(ctx)
        if system == "smartdok":
            parent = self.parents(ctx, system).get(raw.get("ProjectId"))
            sub = match_key(ctx.rules, self.section, rec.get("number"))
            rec["number"] = sub
            rec["_parent"] = parent
            rec["_key"] = subproject_code(template, parent, sub) if parent and sub else None
        else:
            parent = raw.get("ParentProjectCode") or self.parents(ctx, system).get(raw.get("ParentProjectId"))
            parent = match_key(ctx.rules, self.section, parent)
            code = match_key(ctx.rules, self.section, rec.get("number"))
            prefix = subproject_prefix(template, parent or "")
            rec["number"] = code[len(prefix) :] if code and code.startswith(prefix) else code
            rec["_parent"] = parent
            rec["_key"] = code
        return rec

    def name_key(self, rec):
        # Phases such as "Grunnarbeid" recur under every project: a sub-project is a likely
        # duplicate only of a namesake under the same main project.
        return (rec.get("_parent"), super().name_key(rec))

    def preflight(self, ctx, flow):
        return []  # the standard project is checked once, by the projects entity

    def create_values(self, ctx, src, target):
        values = super().create_values(ctx, src, target)
        values["parent"] = src.get("_parent")
        return values

    def cannot_create(self, ctx, flow, src):
        parent = src.get("_parent")
        if parent not in _PROJECTS.index(ctx, flow.target) and ("projects", parent) not in ctx.planned:
            return self.action(
                ctx,
                "skip",
                flow.target,
                src["_key"],
                {"name": src.get("name"), "parent": parent},
                f"underprosjekt {src['_key']} opprettes ikke: hovedprosjektet {parent} finnes ikke "
                f"i {ctx.rules.system_name(flow.target)} og opprettes heller ikke nå",
                self.where(ctx, "create"),
            )
        return None

    def create_body(self, action, actx):
        values = {k: v for k, v in action.fields.items() if k != "parent"}
        body = self.field_map(actx).to_api(action.target, values)
        parent = action.fields.get("parent")
        if action.target == "poweroffice":
            body["ParentProjectCode"] = parent
            return body, {}
        created = actx.created.get(("smartdok", "projects", parent))
        if created is not None:
            parent_id = created.get("id")
        else:
            rec = _PROJECTS.index(actx, "smartdok").get(parent)
            parent_id = rec["_id"] if rec else None
        if parent_id is None:
            raise LookupError(f"hovedprosjektet {parent} finnes ikke i {actx.rules.system_name('smartdok')}")
        return body, {"parent_id": parent_id}

    async def lookup(self, action, actx):
        if action.target == "poweroffice":
            return await super().lookup(action, actx)
        _body, extra = self.create_body(action, actx)
        for raw in await actx.smartdok.list("SubProjects"):
            if raw.get("ProjectId") == extra["parent_id"] and match_key(
                actx.rules, self.section, raw.get("SubProjectNumber")
            ) == action.fields.get("number"):
                result = {"id": raw.get("Id")}
                actx.created[(action.target, self.name, action.key)] = result
                return result
        return None


_PROJECTS = Projects()


def _schema() -> dict[str, Any]:
    def direction(desc: str, *, standard: bool) -> dict[str, Any]:
        d = direction_schema(FIELDS, desc, can_finish=True)
        if standard:
            d["properties"]["standard_project"] = {
                "type": "object",
                "additionalProperties": False,
                "description": "Krav til standardprosjektet i PowerOffice (R7).",
                "properties": {
                    "billing_method": {
                        "type": "array",
                        "items": {"x-vocabulary": "billing_method", "description": "En fakturamåte.", "default": None},
                        "description": "Fakturamåtene standardprosjektet kan ha.",
                    }
                },
            }
        return d

    return entity_schema(
        FIELDS,
        "Prosjekter og underprosjekter.",
        "Feltene som følger prosjektet mellom systemene.",
        {
            "smartdok_master": direction("Regler når SmartDok er master.", standard=True),
            "poweroffice_master": direction("Regler når PowerOffice er master.", standard=False),
        },
        subproject_code={
            "type": "string",
            "pattern": r"^(?=.*\{parent\})(?=.*\{sub\}).*$",
            "x-hint": "en tekst med både {parent} og {sub}",
            "description": "Hvordan et underprosjektnummer blir en prosjektkode i PowerOffice: {parent} er "
            "hovedprosjektets nummer, {sub} underprosjektets. Grunndatasynken og «grunndata "
            "transfer» bruker begge denne malen.",
        },
        subproject_fields=fields_schema(FIELDS, "Feltene som følger underprosjektet mellom systemene."),
        limits=limits_schema(
            FIELDS,
            "Hva mottakersystemet tar imot for prosjekter (SmartDok: prosjektnavn høyst "
            "70 tegn). En verdi over grensen gir en advarsel i planen, ikke en feilet skriving.",
        ),
        subproject_limits=limits_schema(
            FIELDS, "Hva mottakersystemet tar imot for underprosjekter (SmartDok: navn høyst 70 tegn)."
        ),
    )


grunndata_entities, grunndata_rules_schema = offers_section(
    "grunndata_entities", "projects", lambda: [_PROJECTS, SubProjects()], _schema
)
