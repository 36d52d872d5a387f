"""The rule section ``invoice:`` (``grunndata invoice``): its JSON Schema. The values, defaults
too, live in ``rules/invoice.yaml``; an invoice source plugin registers this schema."""

from __future__ import annotations

from typing import Any

from grunndata.rulebook.conditions import condition_schema

KEY = "invoice"
LINE_KINDS = ("machine", "goods", "activity", "none")
PRICE_SOURCES = ("line", "project", "product")


def _prop(kind: str | list[str], description: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "description": description, **extra}


def _text(description: str) -> dict[str, Any]:
    return _prop("string", description)


def _obj(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return _prop("object", description, additionalProperties=False, required=list(properties), properties=properties)


FIELDS = {
    "id": "Fakturagrunnlagets Id (grunnlaget for referansen).",
    "project": "Prosjektets Id i SmartDok.",
    "subprojects": "Underprosjektene fakturagrunnlaget dekker (en liste av Id-er).",
    "customer": "Kundenummeret (tekst), som sammenlignes med prosjektets kunde i PowerOffice.",
    "date": "Datoen som blir ordredatoen.",
    "lines": "Linjene.",
}
LINE_FIELDS = {
    "id": "Linjens Id (grunnlaget for linjens referanse).",
    "type": "Linjetypen (tekst, se «line_types»).",
    "code": "Maskin-, vare- eller aktivitetsnummeret linjen gjelder.",
    "description": "Teksten som blir linjens beskrivelse.",
    "quantity": "Antallet.",
    "price": "Prisen per enhet.",
    "discount": "Rabatten i prosent.",
    "subproject": "Underprosjektets Id i SmartDok.",
}

SCHEMA = _obj(
    "Fakturagrunnlag fra SmartDok til PowerOffice som ordreutkast (salgsordre), hvert nøyaktig én gang "
    "(«grunndata invoice», R24-R27).",
    {
        "source": _obj(
            "Hvor fakturagrunnlagene leses i SmartDok (GET /Invoices).",
            {
                "from_param": _text("Spørreparameteren for fra-dato."),
                "to_param": _text("Spørreparameteren for til-dato."),
                "to_time": _prop(["string", "null"], "Klokkeslett lagt til til-datoen (tomt: bare datoen)."),
            },
        ),
        "qualify": condition_schema("R24: hvilke fakturagrunnlag som kan bli ordre (ferdige, ikke kreditert)."),
        "credited": condition_schema(
            "R27: når et fakturagrunnlag er kreditert i SmartDok: er det overført, "
            "rapporteres det (ordren slettes aldri)."
        ),
        "exported": condition_schema(
            "Når SmartDok har sendt fakturagrunnlaget på annen måte: er det ikke overført "
            "av denne integrasjonen, hoppes det over."
        ),
        "reference": _text(
            "Ordrens referanse (ExternalImportReference): {id} er fakturagrunnlagets Id. PowerOffice "
            "avviser en ny ordre med samme referanse."
        ),
        "line_reference": _text("Linjens referanse: {id} er fakturagrunnlagets Id, {line} linjens Id."),
        "status": _prop(
            "string", "Statusen ordren opprettes med: Draft (utkast) eller Confirmed.", enum=["Draft", "Confirmed"]
        ),
        "fields": _obj("Feltene i fakturagrunnlaget i SmartDok.", {k: _text(v) for k, v in FIELDS.items()}),
        "line_fields": _obj("Feltene i en linje i SmartDok.", {k: _text(v) for k, v in LINE_FIELDS.items()}),
        "customer": _obj(
            "Sammenligningen av kundenummeret i SmartDok med prosjektets kunde i PowerOffice (som tekst).",
            {
                "trim": _prop("boolean", "Mellomrom rundt nummeret regnes ikke."),
            },
        ),
        "line_types": _prop(
            "object",
            "R25: hva linjens Code er, per linjetype: «machine» (maskinens produkt, R10), "
            "«goods» (varens produkt), «activity» (produktet aktiviteten har i PowerOffice) "
            "eller «none» (bare beskrivelsen).",
            additionalProperties={
                "type": "string",
                "enum": list(LINE_KINDS),
                "default": None,
                "description": "Hva Code er for denne linjetypen.",
            },
        ),
        "fallback": _prop(
            "array",
            "For en linjetype som ikke står i «line_types»: det Code finnes som i SmartDok, i "
            "denne rekkefølgen; finnes den ikke, bare beskrivelsen.",
            items={
                "type": "string",
                "enum": [k for k in LINE_KINDS if k != "none"],
                "default": None,
                "description": "Et register i SmartDok.",
            },
        ),
        "goods_number": _text("Feltet i SmartDoks vareregister (Goods) som er produktkoden i PowerOffice."),
        "price": _obj(
            "Enhetsprisen på hver linje.",
            {
                "from": _prop(
                    "array",
                    "Kildene i rekkefølge; den første som gir en pris vinner. «line»: linjens pris i "
                    "SmartDok; «project»: prosjektets pris i SmartDok for maskinen, varen eller "
                    "aktiviteten; «product»: produktets pris i PowerOffice.",
                    minItems=1,
                    items={
                        "type": "string",
                        "enum": list(PRICE_SOURCES),
                        "default": None,
                        "description": "En priskilde.",
                    },
                ),
                "decimals": _prop("integer", "Prisen avrundes til så mange desimaler.", minimum=0, maximum=6),
            },
        ),
        "quantity_decimals": _prop("integer", "Antallet avrundes til så mange desimaler.", minimum=0, maximum=6),
        "discount_factor": _prop(
            "number", "SmartDoks rabatt (Discount) ganges med dette og blir PowerOffices Allowance (prosent)."
        ),
    },
)
