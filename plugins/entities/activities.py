"""Activities: SmartDok WorkDescriptions <-> PowerOffice time-tracking activities (R6, R11, R12, R15, R16)."""

from __future__ import annotations

from typing import Any, ClassVar

from grunndata.engine.mapping import FieldDecl
from grunndata.engine.model import Read
from grunndata.engine.ruleschema import direction_schema, entity_schema, limits_schema
from grunndata.engine.sync import Side, SyncedEntity
from grunndata.plugins.entities import REFS
from grunndata.plugins.offers import offers_section

FIELDS = {
    "number": FieldDecl("Aktivitetens kode/nummer.", label="nummer"),
    "name": FieldDecl("Aktivitetens navn.", label="navn"),
    "active": FieldDecl("Om aktiviteten er aktiv (Ja/Nei).", vocabulary="yes_no"),
    "billable": FieldDecl(
        "Aktivitetstype i PowerOffice (et ord fra ordlisten «activity_type»).", vocabulary="activity_type"
    ),
}


class Activities(SyncedEntity):
    name = "activities"
    order = 30
    title = "Aktiviteter"
    label = "aktivitet"
    sides: ClassVar[dict[str, Side]] = {
        "smartdok": Side("WorkDescriptions", "Id"),
        "poweroffice": Side("TimeTracking/Activity", "id"),
    }
    reads = (Read("smartdok", "WorkDescriptions", {"all": True}), Read("poweroffice", "TimeTracking/Activity"))
    fields = FIELDS
    # Nothing read beyond the field maps (grunndata.unattended.kept_fields).
    raw_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    refs: ClassVar[dict[str, Any]] = {**REFS, "manual": {"smartdok_master": "R12", "poweroffice_master": "R16"}}


def _schema() -> dict[str, Any]:
    return entity_schema(
        FIELDS,
        "Aktiviteter (SmartDok: arbeidsbeskrivelser; PowerOffice: timeføringsaktiviteter).",
        "Feltene som følger aktiviteten mellom systemene.",
        {
            "smartdok_master": direction_schema(FIELDS, "Regler når SmartDok er master.", can_finish=False),
            "poweroffice_master": direction_schema(FIELDS, "Regler når PowerOffice er master.", can_finish=False),
        },
        limits=limits_schema(
            FIELDS,
            "Hva mottakersystemet tar imot (SmartDok: aktivitetsnavn høyst 50 tegn). "
            "En verdi over grensen gir en advarsel i planen, ikke en feilet skriving.",
        ),
    )


grunndata_entities, grunndata_rules_schema = offers_section(
    "grunndata_entities", "activities", lambda: [Activities()], _schema
)
