"""The rule keys ``unattended:`` (guardrails for unattended writes) and ``incremental:``
(change filters and overlap): their JSON Schema.

The values live once, in the shipped ``rules/unattended.yaml``: the schema is assembled with every
``default`` taken from the shipped rule files, so none is written here.
"""

from __future__ import annotations

from typing import Any

from grunndata import hookimpl
from grunndata.unattended.guardrails import WRITE_OPS

_DURATION = {"type": "string", "pattern": r"^\d{1,9}[smh]$", "x-hint": "a duration such as 30s, 2m or 24h"}
_NAME = {"type": "string", "minLength": 1}


def _unattended() -> dict[str, Any]:
    ops, names = ", ".join(WRITE_OPS), list(WRITE_OPS)
    props = {
        "allow": {
            "type": "array",
            "uniqueItems": True,
            "description": f"Operasjonene en syklus kan skrive uten tilsyn ({ops}). En plan med en "
            "annen skriving venter på godkjenning.",
            "items": {"enum": names, "default": None, "description": "En operasjon."},
        },
        "max_writes": {
            "type": "integer",
            "minimum": 0,
            "description": "Høyst så mange skrivinger (opprett, oppdater, avslutt) i én syklus; flere gjør "
            "at planen venter på godkjenning.",
        },
        "max_finish": {
            "type": "integer",
            "minimum": 0,
            "description": "Høyst så mange prosjekter og underprosjekter avsluttet i én syklus (R20).",
        },
        "max_finish_share": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Høyst denne andelen av mottakersystemets prosjekter avsluttet i én syklus (0.05 = 5 %).",
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "Grenser for det «grunndata run» skriver uten at en person har sett planen. En syklus "
        "over en grense skriver ingenting: planen venter på «grunndata approve RUN», med grunnen. "
        "Overføringer har egne regler og teller ikke her.",
        "properties": props,
    }


def _incremental() -> dict[str, Any]:
    resource = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "filters"],
        "description": "Én ressurs med endringsfilter.",
        "properties": {
            "id": {
                **_NAME,
                "description": "Feltet med postens id: poster som leses to ganger, "
                "slås sammen på det, og den nyeste vinner.",
            },
            "filters": {
                "type": "object",
                "minProperties": 1,
                "description": "Spørreparameteren og feltet med endringsstempelet den filtrerer på.",
                "additionalProperties": {**_NAME, "description": "Feltet med endringsstempelet (f.eks. Updated)."},
            },
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "Inkrementell lesing: mellom de fulle avstemmingene leses bare det som er endret siden "
        "forrige syklus. Slettede og arkiverte poster fanges av neste fulle avstemming.",
        "properties": {
            "overlap": {
                **_DURATION,
                "description": "Neste lesing starter så mye før det nyeste endringsstempelet serveren "
                "selv returnerte (f.eks. 2m).",
            },
            "max_stamp_ahead": {
                **_DURATION,
                "description": "Endringsstempler mer enn så langt fram i tid (etter vår klokke) "
                "teller ikke i vannmerket, så én post med feil dato ikke stopper "
                "lesingen (f.eks. 24h).",
            },
            "resources": {
                "type": "object",
                "description": "Ressursene med endringsfilter, som «system/Ressurs». Ressurser som "
                "ikke står her, leses hele.",
                "propertyNames": {"pattern": r"^(smartdok|poweroffice)/\S+$"},
                "additionalProperties": resource,
            },
        },
    }


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {"unattended": _unattended(), "incremental": _incremental()}
