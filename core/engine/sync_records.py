"""What every synced entity knows before it decides anything: its declaration (resource, id and
fields per system, rule section, labels), its records in the neutral form the rules speak of,
and its rules. :class:`grunndata.engine.sync.SyncedEntity` plans on top of this."""

from __future__ import annotations

from typing import Any, ClassVar

from grunndata.engine.mapping import FieldDecl, FieldMap, loose_name, match_key
from grunndata.engine.model import ApplyContext, PlanContext
from grunndata.engine.sync_writes import EntityWrites, Side

_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def is_plain(value: Any) -> bool:
    """A value an API field may hold: text, a number, a truth value (not a list or an object)."""
    return value is None or isinstance(value, (str, int, float, bool))


class EntityRecords(EntityWrites):
    """The declaration of a synced entity and its records and rules (no decisions)."""

    name: str = ""
    order: int = 50
    section: str = ""  # top-level rule key: the name, unless a class says otherwise
    fields_key: str = "fields"
    limits_key: str = "limits"  # rule key of what the receiving system accepts (lengths, required)
    title: str = ""  # plural heading in a consultant's report («Prosjekter»)
    label: str = ""  # Norwegian noun used in plan reasons («prosjekt»)
    sides: ClassVar[dict[str, Side]] = {}
    fields: ClassVar[dict[str, FieldDecl]] = {}
    # The domain rule each planning step cites, by step (match, filter, overwrite, finish,
    # duplicate, manual); a value may be a mapping by direction (duplicate: R13 or R18).
    refs: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.section:
            cls.section = cls.name

    # ---- reading -------------------------------------------------------
    def field_map(self, ctx: PlanContext | ApplyContext) -> FieldMap:
        key = ("fieldmap", self.name)
        if key not in ctx.cache:
            ctx.cache[key] = FieldMap(ctx.rules, self.fields, self.section, self.fields_key)
        return ctx.cache[key]

    def raw_records(self, ctx: PlanContext | ApplyContext, system: str) -> list[dict]:
        return ctx.snapshot.records(system, self.sides[system].resource)

    def neutral(self, ctx: PlanContext | ApplyContext, system: str, raw: dict) -> dict[str, Any]:
        raw, invalid = self.clean(ctx, system, raw)
        rec = self.field_map(ctx).to_neutral(system, raw, self.sides[system].id_field)
        rec["_key"] = match_key(ctx.rules, self.section, rec.get("number"))
        rec["_invalid"] = invalid
        return rec

    def clean(self, ctx: PlanContext | ApplyContext, system: str, raw: dict) -> tuple[dict, list[str]]:
        """The record with every id or mapped field whose value is not a plain value (a list,
        an object from a misbehaving API) blanked, and the names of those fields. The plan warns
        about them, naming the record; the engine never trips over them."""
        key = ("checked_fields", self.name, system)
        fields = ctx.cache.get(key)
        if fields is None:  # the same for every record: worked out once per run
            fmap = self.field_map(ctx)
            fields = ctx.cache[key] = tuple(
                [self.sides[system].id_field] + [s.api[system] for s in fmap.specs.values() if system in s.api]
            )
        get = raw.get
        for f in fields:  # the common case, every value plain, by exact type: this runs per record read
            if type(get(f)) not in _PLAIN_TYPES:
                break
        else:
            return raw, []
        if all(is_plain(get(f)) for f in fields):
            return raw, []
        invalid = [f for f in fields if not is_plain(get(f))]
        return {k: (None if k in invalid else v) for k, v in raw.items()}, invalid

    def records(self, ctx: PlanContext | ApplyContext, system: str) -> list[dict[str, Any]]:
        """Neutral records of this entity in ``system`` (cached per context)."""
        key = ("records", self.name, system)
        if key not in ctx.cache:
            memo = getattr(ctx, "memo", None)
            if system not in self.sides:
                ctx.cache[key] = []
            elif memo is not None:  # incremental: the records of the keys planned again
                ctx.cache[key] = memo.records(self, ctx, system)
            else:
                ctx.cache[key] = [self.neutral(ctx, system, r) for r in self.raw_records(ctx, system)]
        return ctx.cache[key]

    def index(self, ctx: PlanContext | ApplyContext, system: str) -> dict[str, dict[str, Any]]:
        key = ("index", self.name, system)
        memo = getattr(ctx, "memo", None)
        if key not in ctx.cache and memo is not None and system in self.sides:
            ctx.cache[key] = memo.index(self, ctx, system)  # every key, records made when looked up
        if key not in ctx.cache:
            idx: dict[str, dict[str, Any]] = {}
            for rec in self.records(ctx, system):
                if rec["_key"] is not None and rec["_key"] not in idx:
                    idx[rec["_key"]] = rec
            ctx.cache[key] = idx
        return ctx.cache[key]

    # ---- rules ---------------------------------------------------------
    def dir_rules(self, ctx: PlanContext, *path: str) -> Any:
        return ctx.rules.get(self.section, ctx.direction.name, *path)

    def where(self, ctx: PlanContext, *path: str) -> str:
        return ctx.rules.where(self.section, ctx.direction.name, *path)

    def cite(self, ctx: PlanContext, step: str) -> str:
        """`` (R14)``: the domain rule of a planning step, as the plugin names it ('' when none)."""
        ref = self.refs.get(step)
        if isinstance(ref, dict):
            ref = ref.get(ctx.direction.name)
        return f" ({ref})" if ref else ""

    def is_active(self, rec: dict[str, Any], ctx: PlanContext, system: str) -> bool:
        """Whether a record counts, by the one rule doctor and transfer use too (``records``)."""
        return ctx.rules.active(system, self.sides[system].resource).holds(rec["_raw"])

    def is_finished(self, rec: dict[str, Any], ctx: PlanContext, system: str) -> bool:
        """Whether a master record is finished, by the rule ``finished_when`` (none: never)."""
        if self.dir_rules(ctx, "finished_when") is None:
            return False
        return ctx.rules.condition(self.section, ctx.direction.name, "finished_when").holds(rec)

    def name_key(self, rec: dict[str, Any]) -> Any:
        """What two records must share to be likely duplicates by name (R13, R18)."""
        return loose_name(rec.get("name"))

    def where_match(self, ctx: PlanContext) -> str:
        return ctx.rules.where(self.section, "match", "key")

    def field_label(self, name: str, ctx: PlanContext | None = None) -> str:
        """The consultant's word for a field in plan reasons: the rules' ``vocabulary.fields``,
        else the plugin's label, else the rule key."""
        if ctx is not None:
            for word, field_name in ctx.rules.vocabulary("fields").items():
                if field_name == name:
                    return str(word)
        decl = self.fields.get(name)
        return (decl.label if decl else None) or name
