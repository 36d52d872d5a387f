"""The rule keys ``unattended:`` (guardrails for unattended writes) and ``incremental:``
(change filters and overlap): their JSON Schema.

The values live once, in the shipped ``rules/unattended.yaml``; the schema's ``default`` on every
property is read from that file, so an editor shows what applies when a key is not written.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from grunndata import hookimpl
from grunndata.unattended.guardrails import WRITE_OPS

SHIPPED = "unattended.yaml"
_DURATION = {"type": "string", "pattern": r"^\d{1,9}[smh]$", "x-hint": "a duration such as 30s, 2m or 24h"}
_NAME = {"type": "string", "minLength": 1}


@lru_cache(maxsize=1)
def shipped() -> dict[str, Any]:
    """The shipped rule file's values (the defaults)."""
    text = (resources.files("grunndata.rules") / SHIPPED).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict), SHIPPED
    return data


def _unattended(d: dict[str, Any]) -> dict[str, Any]:
    ops, names = ", ".join(WRITE_OPS), list(WRITE_OPS)
    props = {
        "allow": {"type": "array", "uniqueItems": True, "default": d["allow"],
                  "description": f"Operasjonene en syklus kan skrive uten tilsyn ({ops}). En plan med en "
                                 "annen skriving venter på godkjenning.",
                  "items": {"enum": names, "default": names[0], "description": "En operasjon."}},
        "max_writes": {"type": "integer", "minimum": 0, "default": d["max_writes"],
                       "description": "Høyst så mange skrivinger (opprett, oppdater, avslutt) i én syklus; flere gjør "
                                      "at planen venter på godkjenning."},
        "max_finish": {"type": "integer", "minimum": 0, "default": d["max_finish"],
                       "description": "Høyst så mange prosjekter og underprosjekter avsluttet i én syklus (R20)."},
        "max_finish_share": {"type": "number", "minimum": 0, "maximum": 1, "default": d["max_finish_share"],
                             "description": "Høyst denne andelen av mottakersystemets prosjekter avsluttet i én "
                                            "syklus (0.05 = 5 %)."},
    }
    return {"type": "object", "additionalProperties": False, "default": d,
            "description": "Grenser for det «grunndata run» skriver uten at en person har sett planen. En syklus "
                           "over en grense skriver ingenting: planen venter på «grunndata approve RUN», med grunnen. "
                           "Overføringer har egne regler og teller ikke her.",
            "properties": props}


def _incremental(d: dict[str, Any]) -> dict[str, Any]:
    resource = {
        "type": "object", "additionalProperties": False, "required": ["id", "filters"], "default": {},
        "description": "Én ressurs med endringsfilter.",
        "properties": {
            "id": {**_NAME, "default": "Id", "description": "Feltet med postens id: poster som leses to ganger, "
                                                            "slås sammen på det, og den nyeste vinner."},
            "filters": {"type": "object", "minProperties": 1, "default": {},
                        "description": "Spørreparameteren og feltet med endringsstempelet den filtrerer på.",
                        "additionalProperties": {**_NAME, "default": "",
                                                 "description": "Feltet med endringsstempelet (f.eks. Updated)."}},
        },
    }
    return {"type": "object", "additionalProperties": False, "default": d,
            "description": "Inkrementell lesing: mellom de fulle avstemmingene leses bare det som er endret siden "
                           "forrige syklus. Slettede og arkiverte poster fanges av neste fulle avstemming.",
            "properties": {
                "overlap": {**_DURATION, "default": d["overlap"],
                            "description": "Neste lesing starter så mye før det nyeste endringsstempelet serveren "
                                           "selv returnerte (f.eks. 2m)."},
                "max_stamp_ahead": {**_DURATION, "default": d["max_stamp_ahead"],
                                    "description": "Endringsstempler mer enn så langt fram i tid (etter vår klokke) "
                                                   "teller ikke i vannmerket, så én post med feil dato ikke stopper "
                                                   "lesingen (f.eks. 24h)."},
                "resources": {"type": "object", "default": d["resources"],
                              "description": "Ressursene med endringsfilter, som «system/Ressurs». Ressurser som "
                                             "ikke står her, leses hele.",
                              "propertyNames": {"pattern": r"^(smartdok|poweroffice)/\S+$"},
                              "additionalProperties": resource},
            }}


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    d = shipped()
    return {"unattended": _unattended(d["unattended"]), "incremental": _incremental(d["incremental"])}
