"""Activities: SmartDok WorkDescriptions <-> PowerOffice time-tracking activities (R6, R11, R12, R15, R16)."""
from __future__ import annotations

from typing import Any

from grunndata import hookimpl
from grunndata.engine.mapping import FieldDecl
from grunndata.engine.ruleschema import direction_schema, entity_schema
from grunndata.engine.sync import Side, SyncedEntity, system_name

FIELDS = {
    "number": FieldDecl("Aktivitetens kode/nummer."),
    "name": FieldDecl("Aktivitetens navn."),
    "active": FieldDecl("Om aktiviteten er aktiv (Ja/Nei).", vocabulary="yes_no"),
    "billable": FieldDecl("Aktivitetstype i PowerOffice (et ord fra ordlisten «activity_type»).", vocabulary="activity_type"),
}

# SmartDok refuses longer activity names; better a clear warning than a failed write.
SMARTDOK_NAME_LIMIT = 50


class Activities(SyncedEntity):
    name = "activities"
    order = 30
    section = "activities"
    label = "aktivitet"
    sides = {"smartdok": Side("WorkDescriptions", "Id"), "poweroffice": Side("TimeTracking/Activity", "id")}
    fields = FIELDS
    manual_refs = {"smartdok_master": "R12", "poweroffice_master": "R16"}

    def cannot_create(self, ctx, flow, src):
        name = src.get("name") or ""
        if flow.target == "smartdok" and len(name) > SMARTDOK_NAME_LIMIT:
            return self.action(ctx, "warn", flow.target, src["_key"], {"name": name},
                               f"aktivitetsnavnet er {len(name)} tegn; {system_name(flow.target)} tillater "
                               f"{SMARTDOK_NAME_LIMIT}. Forkort navnet i {system_name(flow.source)}",
                               self.where(ctx, "create"))
        return None


def _schema() -> dict[str, Any]:
    return entity_schema(
        FIELDS, "Aktiviteter (SmartDok: arbeidsbeskrivelser; PowerOffice: timeføringsaktiviteter).",
        "Feltene som følger aktiviteten mellom systemene.",
        {"smartdok_master": direction_schema(FIELDS, "Regler når SmartDok er master.", can_finish=False),
         "poweroffice_master": direction_schema(FIELDS, "Regler når PowerOffice er master.", can_finish=False)})


@hookimpl
def grunndata_entities() -> list[Any]:
    return [Activities()]


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {"activities": _schema()}
