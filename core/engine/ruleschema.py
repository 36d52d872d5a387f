"""JSON Schema building blocks for an entity's rule section.

Entity plugins describe their fields once (:class:`FieldDecl`); these helpers
turn that into the schema consultants' editors complete against. Values
written in the consultant's words get an enum from the vocabulary
(``x-vocabulary``), filled in when the schema is assembled. Defaults are not
written here: every ``default`` is the value in the shipped rule files.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.mapping import FieldDecl
from grunndata.rulebook.conditions import condition_schema

PRECEDENCE = ["set", "inherit", "defaults"]


def _value(decl: FieldDecl) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": decl.description}
    if decl.vocabulary:
        schema["x-vocabulary"] = decl.vocabulary
    return schema


def _values(fields: dict[str, FieldDecl], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": {n: _value(d) for n, d in fields.items()},
    }


def _names(fields: dict[str, FieldDecl], description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "description": description,
        "uniqueItems": True,
        "items": {"enum": list(fields), "description": "Et feltnavn.", "default": None},
    }


def _condition(fields: dict[str, FieldDecl], description: str) -> dict[str, Any]:
    return condition_schema(description, {n: (d.description, d.vocabulary) for n, d in fields.items()})


def fields_schema(
    fields: dict[str, FieldDecl], description: str, moved: dict[str, str] | None = None
) -> dict[str, Any]:
    """``moved``: field names that used to be here, and where their rule is now."""
    api_name = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        **({"x-moved": dict(moved)} if moved else {}),
        "properties": {
            name: {
                "type": "object",
                "description": decl.description,
                "additionalProperties": False,
                "properties": {
                    "smartdok": {**api_name, "description": "Feltnavnet i SmartDok-API-et."},
                    "poweroffice": {**api_name, "description": "Feltnavnet i PowerOffice-API-et."},
                },
            }
            for name, decl in fields.items()
        },
    }


def match_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["key", "trim"],
        "description": "Hvordan poster i de to systemene kobles (R6: bare på nummer/kode, aldri på navn).",
        "properties": {
            "key": {"enum": ["number"], "description": "Feltet postene matches på. Bare nummer er tillatt (R6)."},
            "trim": {"type": "boolean", "description": "Fjern mellomrom rundt nummeret før sammenligning."},
        },
    }


def create_schema(fields: dict[str, FieldDecl]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["set", "inherit", "defaults", "precedence"],
        "description": "Verdier for poster som opprettes i mottakersystemet.",
        "properties": {
            "set": _values(fields, "Verdier som alltid settes (vinner etter «precedence»)."),
            "inherit": _names(fields, "Felter som arves fra standardprosjektet (R9)."),
            "defaults": _values(fields, "Standardverdier når ingen annen kilde gir en verdi."),
            "precedence": {
                "type": "array",
                "uniqueItems": True,
                "description": "Hvilken kilde som vinner når flere gir en verdi, sterkest først.",
                "items": {"enum": PRECEDENCE, "default": None, "description": "En kilde."},
            },
        },
    }


def direction_schema(fields: dict[str, FieldDecl], description: str, *, can_finish: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "create": create_schema(fields),
        "only_active": {
            "type": "boolean",
            "description": "Opprett bare poster som teller i mastersystemet (aktive: se «records»).",
        },
        "overwrite": _names(
            fields,
            "Felter mastersystemet overskriver ved avvik (R19). "
            "Felter som ikke står her, røres ikke etter at posten er opprettet.",
        ),
        "filter": _condition(fields, "Bare poster betingelsen holder for, opprettes (R14); ord fra ordlisten."),
        "missing_in_master": {
            "enum": ["manual", "ignore"],
            "description": "Poster som bare finnes i mottakersystemet: «manual» rapporterer dem som manuelt "
            "arbeid i mastersystemet (R12, R16, R17), «ignore» lar dem være.",
        },
    }
    if can_finish:
        props["finish"] = _values(fields, "Verdier som settes i mottakersystemet når posten avsluttes i master (R20).")
        props["finished_when"] = _condition(fields, "Når en post er avsluttet i mastersystemet (tomt: aldri).")
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": ["create", "only_active", "overwrite", "missing_in_master"],
        "properties": props,
    }


def duplicates_schema() -> dict[str, Any]:
    flags = ["same_name_other_number", "numbers_differ_only_by_spaces_or_zeros"]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": flags,
        "description": "Advarsler om sannsynlige duplikater (R13, R18).",
        "properties": {
            "same_name_other_number": {
                "type": "boolean",
                "description": "Advar når samme navn finnes under et annet nummer.",
            },
            "numbers_differ_only_by_spaces_or_zeros": {
                "type": "boolean",
                "description": "Advar når numre bare skiller seg med mellomrom eller innledende nuller.",
            },
        },
    }


def entity_schema(
    fields: dict[str, FieldDecl],
    description: str,
    fields_description: str,
    directions: dict[str, dict[str, Any]],
    *,
    moved_fields: dict[str, str] | None = None,
    **extra: dict[str, Any],
) -> dict[str, Any]:
    """The rule section of one entity: match, fields, one section per direction, duplicates."""
    return {
        "type": "object",
        "additionalProperties": False,
        "description": description,
        "required": ["match", "fields", "duplicates", *[k for k in extra if k.endswith(("_fields", "_code"))]],
        "properties": {
            "match": match_schema(),
            "fields": fields_schema(fields, fields_description, moved_fields),
            **extra,
            **directions,
            "duplicates": duplicates_schema(),
        },
    }


def limits_schema(fields: dict[str, FieldDecl], description: str) -> dict[str, Any]:
    """What the receiving system accepts, per system and field: a value over the limit is a
    warning in the plan naming the record, not a write that fails."""
    field_limit = {
        "type": "object",
        "additionalProperties": False,
        "description": "Grenser for feltet.",
        "properties": {
            "max_length": {
                "type": "integer",
                "minimum": 1,
                "description": "Lengste tekst systemet tar imot (antall tegn).",
            },
            "required": {"type": "boolean", "description": "Systemet krever en verdi (ikke tom)."},
            "forbidden_characters": {
                "type": "object",
                "description": "Tegn systemet ikke tillater i verdien, hvert med navnet "
                "konsulenten leser («.»: punktum; null: tillatt likevel).",
                "propertyNames": {"minLength": 1, "maxLength": 1},
                "additionalProperties": {
                    "type": ["string", "null"],
                    "minLength": 1,
                    "default": None,
                    "description": "Navnet på tegnet (null: tegnet er tillatt).",
                },
            },
        },
    }
    per_system = {
        "type": "object",
        "additionalProperties": False,
        "properties": {name: {**field_limit, "description": decl.description} for name, decl in fields.items()},
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "description": description,
        "properties": {
            "smartdok": {**per_system, "description": "Grenser i SmartDok (fra SmartDoks API-spesifikasjon)."},
            "poweroffice": {**per_system, "description": "Grenser i PowerOffice."},
        },
    }
