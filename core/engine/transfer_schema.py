"""The JSON Schema of the rule section every transfer plugin owns."""
from __future__ import annotations

from typing import Any


def _prop(kind: str | list, description: str, default: Any, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "description": description, "default": default, **extra}


def _conditions(description: str, default: dict[str, Any]) -> dict[str, Any]:
    return _prop("object", description + " Verdien «null» betyr tomt felt, «*» betyr at feltet har en verdi, "
                 "en liste betyr én av verdiene.", default,
                 additionalProperties={"type": ["boolean", "string", "integer", "null", "array"],
                                       "description": "Verdien feltet må ha.", "default": True})


def section_schema(description: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of one transfer kind's rule section; ``defaults`` are the plugin's shipped values."""
    d = defaults
    src = d.get("source", {})
    fields = d.get("fields", {})
    field_names = ("employee", "user", "date", "amount", "project", "subproject", "activity", "product",
                   "wage_name", "addition_code", "comment")
    meaning = {
        "employee": "Ansattnummeret (R3).", "user": "Brukerens Id, når raden ikke har ansattnummer selv.",
        "date": "Datoen.", "amount": "Antallet (timer eller mengde).", "project": "Prosjektnummeret (R6).",
        "subproject": "Underprosjektnummeret.", "activity": "Aktivitetskoden (R6).",
        "product": "Maskinens eller varens nummer: produktkoden i PowerOffice (R10).",
        "wage_name": "Lønnsartens navn: blir timearten med samme navn (R4).",
        "addition_code": "Tilleggets kode: lønnsarten i PowerOffice (R5).", "comment": "Kommentaren.",
    }
    props = {
        "window_days": _prop("integer", "Høyst så mange dager per spørring mot SmartDok (SmartDok tillater 93); "
                                        "en lengre periode deles opp.", d.get("window_days", 93), minimum=1),
        "source": _prop("object", "Hvor radene leses i SmartDok.", src, additionalProperties=False, properties={
            "resource": _prop("string", "Ressursen i SmartDok-API-et.", src.get("resource", "")),
            "id": _prop("string", "Feltet med radens id (grunnlaget for referansen).", src.get("id", "Id")),
            "from_param": _prop("string", "Spørreparameteren for fra-dato.", src.get("from_param", "fromDate")),
            "to_param": _prop("string", "Spørreparameteren for til-dato.", src.get("to_param", "toDate")),
            "to_time": _prop(["string", "null"], "Klokkeslett lagt til til-datoen (tomt: bare datoen).",
                             src.get("to_time")),
            "params": _prop("object", "Andre spørreparametre.", src.get("params", {}),
                            additionalProperties={"type": ["boolean", "string", "integer"], "default": "",
                                                  "description": "Verdien parameteren får."}),
        }),
        "select": _conditions("Hvilke rader som hører til denne typen.", d.get("select", {})),
        "qualify": _conditions("Hvilke rader som kan overføres (attestert).", d.get("qualify", {})),
        "exported": _conditions("Når en rad regnes som merket overført i SmartDok.", d.get("exported", {})),
        "exported_reference": _prop(["string", "null"], "Feltet i SmartDok som viser referansen raden ble "
                                                        "merket med (tomt: ingen slikt felt).",
                                    d.get("exported_reference")),
        "reference": _prop("string", "Referansen (externalImportReference) hver linje får i PowerOffice, laget av "
                                     "radens id: {id}. PowerOffice avviser en ny linje med samme referanse.",
                           d.get("reference", "")),
        "new_line_reference": _prop("string", "Referansen til en rettelse som blir ny linje: {reference} er den "
                                              "første referansen, {n} nummeret på rettelsen (2, 3, …).",
                                    d.get("new_line_reference", "{reference}-endring-{n}")),
        "fields": _prop("object", "Hvilket felt i SmartDok-raden som gir hva (punktum for felt inni felt).",
                        fields, additionalProperties=False,
                        properties={n: _prop("string", meaning[n], fields.get(n, "")) for n in field_names}),
        "addition_when": _prop("array", "Raden er et tillegg (R5) når ett av disse feltene er sant.",
                               d.get("addition_when", []), items={"type": "string", "default": "",
                                                                  "description": "Et felt i SmartDok-raden."}),
        "project_code": _prop("string", "Prosjektkoden i PowerOffice: {project}.", d.get("project_code", "{project}")),
        "subproject_code": _prop("string", "Koden til et underprosjekt i PowerOffice: {project} og {subproject}.",
                                 d.get("subproject_code", "{project}.{subproject}")),
        "activity_by": _prop("string", "«activity»: radens egen aktivitet; «product»: aktiviteten i PowerOffice "
                                       "som har produktkoden til maskinen eller varen.",
                             d.get("activity_by", "activity"), enum=["activity", "product"]),
        "amount_to": _prop("string", "Feltet i PowerOffice-linjen antallet går til: «minutes» (timer) eller "
                                     "«billableHours» (mengde).", d.get("amount_to", "minutes"),
                           enum=["minutes", "billableHours"]),
        "amount_factor": _prop("number", "Antallet ganges med dette (60: timer til minutter).",
                               d.get("amount_factor", 1)),
        "entry_defaults": _prop("object", "Faste verdier i hver linje.", d.get("entry_defaults", {}),
                                additionalProperties={"type": ["string", "integer", "number", "boolean"],
                                                      "default": "", "description": "Verdien feltet får."}),
        "new_line_when": _prop("array", "Endres ett av disse feltene etter overføringen, blir endringen en ny "
                                        "linje; endres bare antallet, oppdateres linjen.",
                               d.get("new_line_when", []), items={"type": "string", "default": "",
                                                                  "description": "Et felt i PowerOffice-linjen."}),
        "locked": _prop("object", "Når en linje i PowerOffice er låst (godkjent, utbetalt): da røres den aldri, "
                                  "bare rapporteres.", d.get("locked", {}),
                        additionalProperties={"type": "array", "default": [],
                                              "description": "Verdiene feltet har når linjen er låst.",
                                              "items": {"type": "string", "default": "",
                                                        "description": "En verdi."}}),
        "hold_on": _prop("object", "Hvilken doctor-sjekk (R3-R5) som holder tilbake en rad som ikke stemmer; "
                                   "meldingen og forslaget er doctorens.", d.get("hold_on", {}),
                         additionalProperties=False, properties={
                             n: _prop("string", f"Sjekken for {meaning[n][:-1].lower()}.",
                                      d.get("hold_on", {}).get(n, ""))
                             for n in ("employee", "wage_name", "addition_code")}),
    }
    return {"type": "object", "description": description, "default": d, "additionalProperties": False,
            "properties": props}
