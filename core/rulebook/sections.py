"""The rule sections the core itself owns, beside those the plugins register.

``vocabulary`` (the consultant's words and the APIs' values, system names too), ``records``
(which records count: one rule for doctor, transfer and sync) and ``transfer`` (what every
transfer kind shares). Their values, like every default, live in ``rules/*.yaml``.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.model import SYSTEMS
from grunndata.engine.transfer_schema import shared_schema
from grunndata.rulebook.conditions import condition_schema

VOCABULARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Ordliste: ordene konsulenten skriver i reglene, og verdiene de betyr i hvert API "
    "(«systems»: navnene på systemene, slik de vises i alt konsulenten leser).",
    "additionalProperties": {
        "type": "object",
        "description": "Ett ord per linje: «ord: API-verdi».",
        "default": None,
        "additionalProperties": {
            "type": ["string", "boolean", "integer"],
            "description": "Verdien ordet betyr i API-et.",
            "default": None,
        },
    },
}


def _resource() -> dict[str, Any]:
    return {
        "type": "object",
        "default": None,
        "additionalProperties": False,
        "required": ["active_when"],
        "description": "En ressurs i systemets API (med API-ets eget navn, f.eks. Employees).",
        "properties": {
            "active_when": condition_schema(
                "Når en post teller (er aktiv, ikke avsluttet, slettet eller arkivert): doctor sjekker bare "
                "disse, transfer fører bare på disse, og grunndatasynken oppretter bare disse (only_active)."
            )
        },
    }


RECORDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Hvilke poster som teller, per system og ressurs: én regel for doctor, transfer og "
    "grunndatasynken. En ressurs uten regel: alle postene teller.",
    "properties": {
        system: {"type": "object", "description": f"Ressurser i {system}.", "additionalProperties": _resource()}
        for system in SYSTEMS
    },
}


def core_sections() -> dict[str, dict[str, Any]]:
    return {"vocabulary": VOCABULARY_SCHEMA, "records": RECORDS_SCHEMA, "transfer": shared_schema()}
