"""The rule section ``doctor:``: its JSON Schema, and reading it with the schema's defaults.

The values themselves live in ``rules/doctor.yaml`` (shipped) and the
customer's own rule files; the defaults here only answer for a key nobody wrote
(a test keeps them equal to the shipped file).
"""
from __future__ import annotations

from typing import Any

from grunndata import hookimpl

SEVERITY = {"enum": ["error", "warning"],
            "description": "Alvorlighet: «error» (feil: må rettes før timer overføres, gir exit-kode 1) "
                           "eller «warning» (advarsel: bør sjekkes)."}


def _sev(description: str, default: str) -> dict[str, Any]:
    return {**SEVERITY, "description": f"{description} {SEVERITY['description']}", "default": default}


def _bool(description: str, default: bool) -> dict[str, Any]:
    return {"type": "boolean", "description": description, "default": default}


def _share(description: str, default: float) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "maximum": 1, "description": description, "default": default}


def _count(description: str, default: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "description": description, "default": default}


def _obj(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": description, "additionalProperties": False,
            "default": {k: v["default"] for k, v in properties.items()}, "properties": properties}


def _include(description: str, smartdok: dict[str, Any], poweroffice: dict[str, Any]) -> dict[str, Any]:
    def side(system: str, default: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "default": default,
                "description": f"Felt i {system}-API-et og verdien de må ha for at posten tas med "
                               "(et felt posten mangler, regnes som oppfylt).",
                "additionalProperties": {"type": ["boolean", "string", "integer"], "default": True,
                                         "description": "Verdien feltet må ha."}}

    return _obj(description, {"smartdok": side("SmartDok", smartdok), "poweroffice": side("PowerOffice", poweroffice)})


SIMILAR = _obj("Hvordan doctor finner det nærmeste navnet eller den nærmeste koden til forslag. "
               "Kravene selv (R3-R5) er alltid nøyaktig likhet; dette gjelder bare forslagene.", {
    "names": _obj("Sammenligning av navn (lønnsart mot timeart, ansattnavn).", {
        "ignore_case": _bool("Store og små bokstaver regnes som like («overtid» = «Overtid»).", True),
        "ignore_extra_spaces": _bool("Mellomrom rundt navnet og doble mellomrom inni regnes ikke.", True),
        "ignore_space_before_percent": _bool("«50%» og «50 %» regnes som like.", True),
        "letters": {"type": "object", "default": {"æ": "ae", "ø": "oe", "å": "aa"},
                    "description": "Bokstaver som regnes like med en annen skrivemåte (æ = ae). Brukes etter at "
                                   "store bokstaver er gjort små, når «ignore_case» er på.",
                    "additionalProperties": {"type": "string", "default": "",
                                             "description": "Skrivemåten bokstaven regnes lik med."}},
        "close_enough": _share("Finnes ikke noe navn som er likt etter reglene over, foreslås navn som ligner "
                               "minst så mye (0-1; 1 = helt like).", 0.8),
        "max_suggestions": _count("Høyst så mange forslag per funn.", 3),
    }),
    "codes": _obj("Sammenligning av koder og nummer (tilleggskode mot lønnsartkode, ansattnummer).", {
        "ignore_spaces": _bool("Mellomrom i koden regnes ikke («2 10» = «210»).", True),
        "ignore_leading_zeros": _bool("Innledende nuller regnes ikke («0230» = «230»).", True),
        "max_suggestions": _count("Høyst så mange forslag per funn.", 3),
    }),
})

EMPLOYEES = _obj("R3: ansattnummeret i SmartDok må være nøyaktig lik ansattnummeret i PowerOffice.", {
    "include": _include("Hvilke brukere og ansatte som sjekkes.",
                        {"IsEnded": False, "IsDeleted": False}, {"IsArchived": False}),
    "trim": _bool("Fjern mellomrom rundt ansattnummeret før sammenligning. Av: «1001 » regnes som et annet "
                  "nummer enn «1001» (og rettingen foreslås).", False),
    "same_person": _obj("Når to navn på samme ansattnummer regnes som samme person. Ellers er navnene klart "
                        "forskjellige, og timene havner hos feil person.", {
        "part_similarity": _share("Hvor like to navnedeler må være for å regnes som samme navn (0-1). "
                                  "«Hansen» og «Hanssen» er 0,92; «Per» og «Pål» (paal) 0,57.", 0.8),
        "extra_names_allowed": _bool("Et mellomnavn eller ekstra etternavn på den ene siden er i orden "
                                     "(«Ola Nordmann» = «Ola Johan Nordmann»).", True),
        "initials_match": _bool("En forbokstav er i orden («O. Nordmann» = «Ola Nordmann»).", True),
    }),
    "severity": _obj("Alvorlighet per type avvik.", {
        "missing_in_poweroffice": _sev("Brukeren i SmartDok har et ansattnummer ingen ansatt i PowerOffice har.",
                                       "error"),
        "missing_in_smartdok": _sev("Ansatt i PowerOffice har ingen bruker i SmartDok (ikke alle ansatte "
                                    "fører timer).", "warning"),
        "archived_in_poweroffice": _sev("Ansattnummeret tilhører en arkivert ansatt i PowerOffice.", "error"),
        "duplicate_number": _sev("Samme ansattnummer brukes av flere i samme system.", "error"),
        "name_differs": _sev("Samme ansattnummer, men klart forskjellige navn.", "error"),
        "no_number": _sev("Brukeren i SmartDok har ikke ansattnummer.", "warning"),
    }),
})

WAGES = _obj("R4: navnet på hver lønnsart i SmartDok må være nøyaktig likt navnet på en timeart i PowerOffice.", {
    "include": _include("Hvilke lønnsarter og timearter som sjekkes.", {"IsActive": True}, {"isActive": True}),
    "severity": _obj("Alvorlighet per type avvik.", {
        "missing_in_poweroffice": _sev("Ingen timeart i PowerOffice har nøyaktig lønnsartens navn.", "error"),
        "inactive_in_poweroffice": _sev("Timearten med samme navn er inaktiv i PowerOffice.", "error"),
    }),
})

ADDITIONS = _obj("R5: koden på hvert tillegg og enhetstillegg i SmartDok må være en lønnsartkode i PowerOffice.", {
    "include": _include("Hvilke tillegg og lønnsarter som sjekkes.", {"IsActive": True}, {"IsActive": True}),
    "severity": _obj("Alvorlighet per type avvik.", {
        "missing_in_poweroffice": _sev("Ingen lønnsart i PowerOffice har nøyaktig tilleggets kode.", "error"),
        "inactive_in_poweroffice": _sev("Lønnsarten med samme kode er inaktiv i PowerOffice.", "error"),
    }),
})

MANUAL = _obj("R12, R16, R17: det planen viser som manuelt arbeid, og en plan som er stoppet (R7).", {
    "severity": {"type": "object", "description": "Alvorlighet per type post i planen (projects, subprojects, "
                                                  "activities ...).",
                 "default": {"projects": "error", "subprojects": "error", "activities": "warning"},
                 "additionalProperties": {**SEVERITY, "default": "warning"}},
    "default_severity": _sev("Alvorlighet for poster som ikke står i «severity».", "warning"),
    "blocked_severity": _sev("Alvorlighet når planen er stoppet (f.eks. standardprosjektet mangler, R7).", "error"),
})

SCHEMA = _obj("Samsvarssjekkene i «grunndata doctor»: det som må stemme for at timer havner hos riktig person, "
              "på riktig timeart og med riktig lønnsart i PowerOffice.", {
    "similar": SIMILAR,
    "employees": EMPLOYEES,
    "wages": WAGES,
    "additions": ADDITIONS,
    "manual": MANUAL,
})

KEY = "doctor"


def default_at(*path: str) -> Any:
    node: Any = SCHEMA
    for part in path:
        props = node.get("properties") or {}
        if part in props:
            node = props[part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            raise KeyError(f"doctor rule {'.'.join(path)} is not in the schema")
    return node.get("default")


def setting(rules: Any, *path: str) -> Any:
    """``doctor.<path>`` from the rules; the schema's default for a key nobody wrote.
    Mappings are filled in key by key, so a partial customer section still works."""
    value = rules.get(KEY, *path)
    default = default_at(*path)
    if value is None:
        return default
    if isinstance(value, dict) and isinstance(default, dict) and _has_properties(*path):
        return {**default, **value}
    return value


def _has_properties(*path: str) -> bool:
    node: Any = SCHEMA
    for part in path:
        node = (node.get("properties") or {}).get(part) or {}
    return bool(node.get("properties"))


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {KEY: SCHEMA}
