"""The rule section ``doctor:``: its JSON Schema, and reading it.

The values themselves, defaults too, live in ``rules/doctor.yaml`` (shipped) and the
customer's own rule files; the schema only describes the keys. Which records the checks
look at is the core's ``records`` rule (rules/records.yaml), shared with transfer and sync.
"""

from __future__ import annotations

from typing import Any

from grunndata import hookimpl

SEVERITY = {
    "enum": ["error", "warning"],
    "description": "Alvorlighet: «error» (feil: må rettes før timer overføres, gir exit-kode 1) "
    "eller «warning» (advarsel: bør sjekkes).",
}
# Keys that used to be here and where their rule lives now (a file still setting one gets one line).
MOVED = {
    "include": "records.<system>.<ressurs>.active_when (rules/records.yaml), som transfer og "
    "grunndatasynken også bruker"
}


def _sev(description: str) -> dict[str, Any]:
    return {**SEVERITY, "description": f"{description} {SEVERITY['description']}"}


def _bool(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def _share(description: str) -> dict[str, Any]:
    return {"type": "number", "minimum": 0, "maximum": 1, "description": description}


def _count(description: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "description": description}


def _obj(description: str, properties: dict[str, Any], *, moved: bool = False) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
        **({"x-moved": MOVED} if moved else {}),
    }


SIMILAR = _obj(
    "Hvordan doctor finner det nærmeste navnet eller den nærmeste koden til forslag. "
    "Kravene selv (R3-R5) er alltid nøyaktig likhet; dette gjelder bare forslagene.",
    {
        "names": _obj(
            "Sammenligning av navn (lønnsart mot timeart, ansattnavn).",
            {
                "ignore_case": _bool("Store og små bokstaver regnes som like («overtid» = «Overtid»)."),
                "ignore_extra_spaces": _bool("Mellomrom rundt navnet og doble mellomrom inni regnes ikke."),
                "ignore_space_before_percent": _bool("«50%» og «50 %» regnes som like."),
                "letters": {
                    "type": "object",
                    "description": "Bokstaver som regnes like med en annen skrivemåte (æ = ae). Brukes etter at "
                    "store bokstaver er gjort små, når «ignore_case» er på.",
                    "additionalProperties": {
                        "type": "string",
                        "default": None,
                        "description": "Skrivemåten bokstaven regnes lik med.",
                    },
                },
                "close_enough": _share(
                    "Finnes ikke noe navn som er likt etter reglene over, foreslås navn som ligner "
                    "minst så mye (0-1; 1 = helt like)."
                ),
                "max_suggestions": _count("Høyst så mange forslag per funn."),
            },
        ),
        "codes": _obj(
            "Sammenligning av koder og nummer (tilleggskode mot lønnsartkode, ansattnummer).",
            {
                "ignore_spaces": _bool("Mellomrom i koden regnes ikke («2 10» = «210»)."),
                "ignore_leading_zeros": _bool("Innledende nuller regnes ikke («0230» = «230»)."),
                "max_suggestions": _count("Høyst så mange forslag per funn."),
            },
        ),
    },
)

EMPLOYEES = _obj(
    "R3: ansattnummeret i SmartDok må være nøyaktig lik ansattnummeret i PowerOffice.",
    {
        "trim": _bool(
            "Fjern mellomrom rundt ansattnummeret før sammenligning. Av: «1001 » regnes som et annet "
            "nummer enn «1001» (og rettingen foreslås)."
        ),
        "same_person": _obj(
            "Når to navn på samme ansattnummer regnes som samme person. Ellers er navnene klart "
            "forskjellige, og timene havner hos feil person.",
            {
                "part_similarity": _share(
                    "Hvor like to navnedeler må være for å regnes som samme navn (0-1). "
                    "«Hansen» og «Hanssen» er 0,92; «Per» og «Pål» (paal) 0,57."
                ),
                "extra_names_allowed": _bool(
                    "Et mellomnavn eller ekstra etternavn på den ene siden er i orden "
                    "(«Ola Nordmann» = «Ola Johan Nordmann»)."
                ),
                "initials_match": _bool("En forbokstav er i orden («O. Nordmann» = «Ola Nordmann»)."),
            },
        ),
        "severity": _obj(
            "Alvorlighet per type avvik.",
            {
                "missing_in_poweroffice": _sev(
                    "Brukeren i SmartDok har et ansattnummer ingen ansatt i PowerOffice har."
                ),
                "missing_in_smartdok": _sev(
                    "Ansatt i PowerOffice har ingen bruker i SmartDok (ikke alle ansatte fører timer)."
                ),
                "archived_in_poweroffice": _sev("Ansattnummeret tilhører en arkivert ansatt i PowerOffice."),
                "duplicate_number": _sev("Samme ansattnummer brukes av flere i samme system."),
                "name_differs": _sev("Samme ansattnummer, men klart forskjellige navn."),
                "no_number": _sev("Brukeren i SmartDok har ikke ansattnummer."),
            },
        ),
    },
    moved=True,
)


def _matching(description: str, missing: str, inactive: str) -> dict[str, Any]:
    """A check that a SmartDok name or code has its exact, active counterpart in PowerOffice (R4, R5)."""
    return _obj(
        description,
        {
            "severity": _obj(
                "Alvorlighet per type avvik.",
                {"missing_in_poweroffice": _sev(missing), "inactive_in_poweroffice": _sev(inactive)},
            )
        },
        moved=True,
    )


WAGES = _matching(
    "R4: navnet på hver lønnsart i SmartDok må være nøyaktig likt navnet på en timeart i PowerOffice.",
    "Ingen timeart i PowerOffice har nøyaktig lønnsartens navn.",
    "Timearten med samme navn er inaktiv i PowerOffice.",
)

ADDITIONS = _matching(
    "R5: koden på hvert tillegg og enhetstillegg i SmartDok må være en lønnsartkode i PowerOffice.",
    "Ingen lønnsart i PowerOffice har nøyaktig tilleggets kode.",
    "Lønnsarten med samme kode er inaktiv i PowerOffice.",
)

CUSTOMERS = _obj(
    "R26: et fakturagrunnlag blir ordre bare på et aktivt prosjekt med samme kunde i begge systemer "
    "(PowerOffice avviser en ordre med en annen kunde enn prosjektets).",
    {
        "severity": _obj(
            "Alvorlighet per type avvik.",
            {
                "project_inactive": _sev("Prosjektet er aktivt i SmartDok, men ikke i PowerOffice."),
                "customer_missing": _sev("Prosjektet har ingen kunde i PowerOffice."),
                "customer_not_found": _sev("Prosjektets kunde finnes ikke blant de aktive kundene i PowerOffice."),
                "customer_differs": _sev("Prosjektets kunde i SmartDok er en annen enn i PowerOffice."),
            },
        )
    },
)

PRODUCTS = _obj(
    "R25/R26: produktene fakturalinjer kan få (maskiner, varer, aktiviteters produkter) finnes i PowerOffice.",
    {
        "severity": _obj(
            "Alvorlighet per type avvik.",
            {
                "product_missing": _sev("Produktet finnes ikke i PowerOffice."),
                "product_archived": _sev("Produktet er arkivert i PowerOffice."),
            },
        )
    },
)

MANUAL = _obj(
    "R12, R16, R17: det planen viser som manuelt arbeid, og en plan som er stoppet (R7).",
    {
        "severity": {
            "type": "object",
            "description": "Alvorlighet per type post i planen (projects, subprojects, activities ...).",
            "additionalProperties": {**SEVERITY, "default": None},
        },
        "default_severity": _sev("Alvorlighet for poster som ikke står i «severity»."),
        "blocked_severity": _sev("Alvorlighet når planen er stoppet (f.eks. standardprosjektet mangler, R7)."),
    },
)

SCHEMA = _obj(
    "Samsvarssjekkene i «grunndata doctor»: det som må stemme for at timer havner hos riktig person, "
    "på riktig timeart og med riktig lønnsart i PowerOffice.",
    {
        "similar": SIMILAR,
        "employees": EMPLOYEES,
        "wages": WAGES,
        "additions": ADDITIONS,
        "manual": MANUAL,
        "customers": CUSTOMERS,
        "products": PRODUCTS,
    },
)

KEY = "doctor"


def setting(rules: Any, *path: str) -> Any:
    """``doctor.<path>`` from the rules (the shipped file gives every key)."""
    return rules.get(KEY, *path)


@hookimpl
def grunndata_rules_schema() -> dict[str, Any]:
    return {KEY: SCHEMA}
