"""Machines in SmartDok become products in PowerOffice (R10)."""

from __future__ import annotations

from typing import Any, ClassVar

from grunndata.engine.mapping import FieldDecl
from grunndata.engine.model import Read
from grunndata.engine.ruleschema import direction_schema, entity_schema
from grunndata.engine.sync import Side, SyncedEntity
from grunndata.plugins.entities import REFS
from grunndata.plugins.offers import offers_section

FIELDS = {
    "number": FieldDecl("Maskinens internnummer, som blir produktkoden i PowerOffice.", label="nummer"),
    "name": FieldDecl("Maskinens navn.", label="navn"),
    "price_per_hour": FieldDecl("Timepris."),
    "internal_cost": FieldDecl("Internkostnad per time."),
    "product_type": FieldDecl("Produkttype i PowerOffice (Tjeneste, Vare).", vocabulary="product_type"),
    "unit": FieldDecl("Enhet i PowerOffice (f.eks. Time).", vocabulary="unit"),
}
# Which machines and products count (active, archived) is the core's records rule, shared with
# doctor and transfer: these field mappings said it a second time.
MOVED = {
    "archived": "records.poweroffice.Products.active_when (rules/records.yaml)",
    "active": "records.smartdok.Machines.active_when (rules/records.yaml)",
}


class Machines(SyncedEntity):
    name = "machines"
    order = 40
    title = "Maskiner → produkter"
    label = "maskin"
    refs = REFS
    sides: ClassVar[dict[str, Side]] = {"smartdok": Side("Machines", "Id"), "poweroffice": Side("Products", "Id")}
    reads = (Read("smartdok", "Machines", {"all": True}), Read("poweroffice", "Products"))
    fields = FIELDS
    # Nothing read beyond the field maps (grunndata.unattended.kept_fields).
    raw_fields: ClassVar[dict[str, tuple[str, ...]]] = {}


def _schema() -> dict[str, Any]:
    return entity_schema(
        FIELDS,
        "Maskiner i SmartDok som produkter i PowerOffice.",
        "Feltene som følger maskinen til produktet.",
        {"smartdok_master": direction_schema(FIELDS, "Regler når SmartDok er master.", can_finish=False)},
        moved_fields=MOVED,
    )


grunndata_entities, grunndata_rules_schema = offers_section(
    "grunndata_entities", "machines", lambda: [Machines()], _schema
)
