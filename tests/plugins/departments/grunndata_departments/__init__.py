"""Departments: SmartDok ``Departments`` <-> PowerOffice ``Departments``, as a third-party plugin.

Everything grunndata needs to know comes through its hooks: the entity (what it
reads, which way it flows under each direction, how it plans and writes), its
rule section's JSON Schema, and its rule file with the defaults. Departments
follow the master system: SmartDok as master creates and updates them in
PowerOffice; PowerOffice as master creates them in SmartDok. SmartDok's API
offers no update of a department (only ``GET`` and ``POST /Departments``), so a
department that drifts there is reported as manual work, never written.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from grunndata import hookimpl
from grunndata.engine.mapping import FieldDecl, FieldMap
from grunndata.engine.model import Action, Flow, PlanContext, Read
from grunndata.engine.ruleschema import direction_schema, entity_schema, limits_schema
from grunndata.engine.sync import Side, SyncedEntity

RULE_FILE = Path(__file__).with_name("avdelinger.yaml")

FIELDS = {
    "number": FieldDecl("Avdelingsnummeret (SmartDok: Number, PowerOffice: Code).", label="nummer"),
    "name": FieldDecl("Avdelingens navn.", label="navn"),
    "active": FieldDecl("Om avdelingen er aktiv (Ja/Nei).", vocabulary="yes_no", label="aktiv"),
}

# The writes each vendor's API offers for a department (from their OpenAPI specs): a fact about
# the APIs, not a choice a consultant makes.
WRITES = {"smartdok": ("create",), "poweroffice": ("create", "update")}


class Departments(SyncedEntity):
    name = "departments"
    order = 5  # before projects, which may name a department
    section = "departments"
    label = "avdeling"
    title = "Avdelinger"
    sides = {"smartdok": Side("Departments", "Id"), "poweroffice": Side("Departments", "Id")}
    reads = [Read("smartdok", "Departments", {"all": True}), Read("poweroffice", "Departments")]
    # The built-in directions do not name departments: they follow whichever system is master.
    flows = {"smartdok_master": Flow(source="smartdok", target="poweroffice"),
             "poweroffice_master": Flow(source="poweroffice", target="smartdok")}
    fields = FIELDS

    def plan_existing(self, ctx: PlanContext, flow: Flow, src: dict[str, Any], tgt: dict[str, Any],
                      fmap: FieldMap) -> list[Action]:
        actions = super().plan_existing(ctx, flow, src, tgt, fmap)
        if "update" in WRITES[flow.target]:
            return actions
        return [self.by_hand(ctx, flow, a) if a.writes else a for a in actions]

    def by_hand(self, ctx: PlanContext, flow: Flow, action: Action) -> Action:
        """A change the target's API cannot make, as manual work in the target."""
        target = ctx.rules.system_name(flow.target)
        changes = "; ".join(f"{self.field_label(f)}: «{c.get('before')}» → «{c.get('after')}»"
                            for f, c in action.fields.items())
        return self.action(ctx, "manual", flow.target, action.key, action.fields,
                           f"{self.label} {action.key} i {target} avviker fra mastersystemet "
                           f"{ctx.rules.system_name(flow.source)} ({changes}), men {target}s API kan ikke endre "
                           f"avdelinger: rett den for hånd i {target}", action.rule)


def _schema() -> dict[str, Any]:
    return entity_schema(
        FIELDS, "Avdelinger (SmartDok: Departments; PowerOffice: Departments). Følger mastersystemet.",
        "Feltene som følger avdelingen mellom systemene.",
        {"smartdok_master": direction_schema(FIELDS, "Regler når SmartDok er master: avdelinger opprettes og "
                                                     "oppdateres i PowerOffice.", can_finish=False),
         "poweroffice_master": direction_schema(FIELDS, "Regler når PowerOffice er master: avdelinger opprettes i "
                                                        "SmartDok. SmartDok kan ikke endre avdelinger, så avvik "
                                                        "i feltene under «overwrite» blir manuelt arbeid.",
                                                can_finish=False)},
        limits=limits_schema(FIELDS, "Hva mottakersystemet tar imot (SmartDok: nummer høyst 10 tegn, navn høyst "
                                     "50). En verdi over grensen gir en advarsel i planen, ikke en feilet skriving."))


@hookimpl
def grunndata_entities() -> list[Any]:
    return [Departments()]


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {"departments": _schema()}


@hookimpl
def grunndata_rule_files() -> list[Path]:
    return [RULE_FILE]
