"""The rules of transfers: their JSON Schema, and the rules one kind runs by.

Every transfer kind owns a rule section of its name (``hours:``); what all kinds share (the
SmartDok sources they read, the reference of a correction, when a PowerOffice line is locked,
the window size) is the core's ``transfer:`` section. The values live in the rule files only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grunndata.rulebook.conditions import condition_schema
from grunndata.rulebook.yamlpos import Pos, Problem, RuleFileError

# Keys of a kind's effective rules that come from its source (``transfer.sources.<rows_from>``),
# and from the shared section.
SOURCE_KEYS = ("qualify", "exported", "exported_reference")
SHARED_KEYS = ("new_line_reference", "locked")


def _prop(kind: str | list, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "description": description, **extra}


def _text(description: str) -> dict[str, Any]:
    return _prop("string", description)


def _window(description: str) -> dict[str, Any]:
    return _prop("integer", description, minimum=1)


def _source() -> dict[str, Any]:
    keys = ("id", "from_param", "to_param", "to_time", "params", "qualify", "exported", "exported_reference")
    return _prop(
        "object",
        "En ressurs i SmartDok-API-et radene leses fra (navnet er ressursens).",
        additionalProperties=False,
        required=list(keys),
        default=None,
        properties={
            "id": _text("Feltet med radens id (grunnlaget for referansen)."),
            "from_param": _text("Spørreparameteren for fra-dato."),
            "to_param": _text("Spørreparameteren for til-dato."),
            "to_time": _prop(["string", "null"], "Klokkeslett lagt til til-datoen (tomt: bare datoen)."),
            "params": _prop(
                "object",
                "Andre spørreparametre.",
                additionalProperties={
                    "type": ["boolean", "string", "integer"],
                    "default": None,
                    "description": "Verdien parameteren får.",
                },
            ),
            "qualify": condition_schema("Hvilke rader som kan overføres (attestert)."),
            "exported": condition_schema("Når en rad regnes som merket overført i SmartDok."),
            "exported_reference": _prop(
                ["string", "null"],
                "Feltet i SmartDok som viser referansen raden ble merket med (tomt: ingen slikt felt).",
            ),
        },
    )


def shared_schema() -> dict[str, Any]:
    """The ``transfer:`` section: what every transfer kind shares."""
    return _prop(
        "object",
        "Det alle overføringstypene (timer, maskintimer, vareforbruk …) deler.",
        additionalProperties=False,
        required=["window_days", "new_line_reference", "locked", "sources"],
        properties={
            "window_days": _window(
                "Høyst så mange dager per spørring mot SmartDok (SmartDok tillater 93); "
                "en lengre periode deles opp. En type kan be om færre dager."
            ),
            "days": _window(
                "Hvor mange dager bakover en planlagt overføring (schedule.transfer i "
                "grunndata.yaml, grunndata run) dekker, til og med i dag."
            ),
            "new_line_reference": _text(
                "Referansen til en rettelse som blir ny linje: {reference} er den "
                "første referansen, {n} nummeret på rettelsen (2, 3, …)."
            ),
            "locked": condition_schema(
                "Når en linje i PowerOffice er låst (godkjent, utbetalt): da røres den aldri, bare rapporteres."
            ),
            "sources": _prop(
                "object",
                "Hvor radene leses i SmartDok, per ressurs; hver ressurs leses én "
                "gang per periode, også når flere typer bruker den.",
                additionalProperties=_source(),
            ),
        },
    )


FIELD_MEANINGS = {
    "employee": "Ansattnummeret (R3).",
    "user": "Brukerens Id, når raden ikke har ansattnummer selv.",
    "date": "Datoen.",
    "amount": "Antallet (timer eller mengde).",
    "project": "Prosjektnummeret (R6).",
    "subproject": "Underprosjektnummeret.",
    "activity": "Aktivitetskoden (R6).",
    "product": "Maskinens eller varens nummer: produktkoden i PowerOffice (R10).",
    "wage_name": "Lønnsartens navn: blir timearten med samme navn (R4).",
    "addition_code": "Tilleggets kode: lønnsarten i PowerOffice (R5).",
    "comment": "Kommentaren.",
}
HOLD_ON = ("employee", "wage_name", "addition_code")


def section_schema(description: str, moved: dict[str, str] | None = None) -> dict[str, Any]:
    """JSON Schema of one transfer kind's rule section. ``moved``: keys that used to be here, and
    where their rule is now (a file that still sets one gets one line saying so)."""
    props = {
        "rows_from": {
            **_text("Ressursen i «transfer.sources» radene leses fra."),
            "x-keys-of": ["transfer", "sources"],
        },
        "window_days": _window("Færre dager per spørring enn «transfer.window_days», for denne typen."),
        "select": condition_schema("Hvilke rader i ressursen som hører til denne typen."),
        "reference": _text(
            "Referansen (externalImportReference) hver linje får i PowerOffice, laget av radens "
            "id: {id}. PowerOffice avviser en ny linje med samme referanse."
        ),
        "fields": _prop(
            "object",
            "Hvilket felt i SmartDok-raden som gir hva (punktum for felt inni felt).",
            additionalProperties=False,
            properties={n: _text(m) for n, m in FIELD_MEANINGS.items()},
        ),
        "addition_when": condition_schema("Når raden er et tillegg (R5): timearten finnes da av tilleggets kode."),
        "activity_by": _prop(
            "string",
            "«activity»: radens egen aktivitet; «product»: aktiviteten i PowerOffice "
            "som har produktkoden til maskinen eller varen.",
            enum=["activity", "product"],
        ),
        "amount_to": _prop(
            "string",
            "Feltet i PowerOffice-linjen antallet går til: «minutes» (timer) eller «billableHours» (mengde).",
            enum=["minutes", "billableHours"],
        ),
        "amount_factor": _prop("number", "Antallet ganges med dette (60: timer til minutter)."),
        "entry_defaults": _prop(
            "object",
            "Faste verdier i hver linje.",
            additionalProperties={
                "type": ["string", "integer", "number", "boolean"],
                "default": None,
                "description": "Verdien feltet får.",
            },
        ),
        "new_line_when": _prop(
            "array",
            "Endres ett av disse feltene etter overføringen, blir endringen en ny "
            "linje; endres bare antallet, oppdateres linjen.",
            items={"type": "string", "default": None, "description": "Et felt i PowerOffice-linjen."},
        ),
        "hold_on": _prop(
            "object",
            "Hvilken doctor-sjekk (R3-R5) som holder tilbake en rad som ikke stemmer; "
            "meldingen og forslaget er doctorens.",
            additionalProperties=False,
            properties={n: _text(f"Sjekken for {FIELD_MEANINGS[n][:-1].lower()}.") for n in HOLD_ON},
        ),
    }
    required = [k for k in props if k != "window_days"]
    return _prop(
        "object",
        description,
        additionalProperties=False,
        required=required,
        properties=props,
        **({"x-moved": dict(moved)} if moved else {}),
    )


@dataclass(frozen=True)
class KindRules:
    """The rules one transfer kind runs by: its own section, its source's and the shared ones,
    each cited where it is written."""

    kind: str
    cfg: dict[str, Any]
    rules: Any

    def where(self, key: str, *path: Any) -> str:
        if key in SOURCE_KEYS or key == "source":
            return self.rules.where(
                "transfer", "sources", self.cfg["rows_from"], *((key,) if key != "source" else ()), *path
            )
        if key in SHARED_KEYS or (key == "window_days" and self.rules.get(self.kind, "window_days") is None):
            return self.rules.where("transfer", key, *path)
        return self.rules.where(self.kind, key, *path)

    def condition(self, key: str) -> Any:
        """The compiled condition of ``key`` (select, qualify, exported, addition_when, locked)."""
        if key in SOURCE_KEYS:
            return self.rules.condition("transfer", "sources", self.cfg["rows_from"], key)
        if key in SHARED_KEYS:
            return self.rules.condition("transfer", key)
        return self.rules.condition(self.kind, key)


def kind_rules(rules: Any, kind: str) -> KindRules:
    """The effective rules of ``kind`` (worked out once per rule set)."""
    cache = rules.cache.setdefault("transfer kinds", {})
    if kind not in cache:
        own = rules.get(kind) or {}
        shared = rules.get("transfer") or {}
        source = (shared.get("sources") or {}).get(own.get("rows_from"))
        if source is None:
            pos = rules.doc.value_pos.get((kind, "rows_from")) or Pos("rules", 1, 1)
            raise RuleFileError(
                [
                    Problem(
                        pos,
                        f"«{kind}.rows_from» er «{own.get('rows_from')}», men den ressursen står "
                        "ikke i «transfer.sources»; skriv den der, eller velg en som står der",
                    )
                ]
            )
        window = own.get("window_days") or shared.get("window_days")
        cfg = {
            **own,
            "window_days": window,
            "source": {"resource": own.get("rows_from"), **source},
            **{k: source.get(k) for k in SOURCE_KEYS},
            **{k: shared.get(k) for k in SHARED_KEYS},
        }
        cache[kind] = KindRules(kind, cfg, rules)
    return cache[kind]
