"""Validate loaded YAML against a JSON Schema and say what is wrong where.

jsonschema's messages are written for programmers, in English ("Additional properties
are not allowed"); here each error is mapped back to ``FILE:LINE:COL`` and
rewritten in Norwegian for the consultant who edits the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from grunndata.lazy import lazy
from grunndata.rulebook.yamlpos import Located, Pos, Problem

# jsonschema is imported by the first validation, not by every command that imports the rulebook.
if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
else:
    Draft202012Validator = lazy("jsonschema", "Draft202012Validator")

_TYPE_WORDS = {
    "object": "en tabell (nøkkel: verdi)",
    "array": "en liste",
    "string": "tekst",
    "integer": "et heltall",
    "number": "et tall",
    "boolean": "true eller false",
    "null": "ingenting",
}


_BOUNDS = {"minimum": "minst", "maximum": "høyst", "exclusiveMinimum": "større enn", "exclusiveMaximum": "mindre enn"}
# Checks of size and sameness, worded for the consultant ({limit}: the schema's number).
_SIZES = {
    "minLength": "{name} kan ikke være tom",
    "minItems": "{name} kan ikke være tom",
    "maxLength": "{name} er for lang: høyst {limit} tegn",
    "maxItems": "{name} har for mange elementer: høyst {limit}",
    "uniqueItems": "{name} har det samme elementet flere ganger",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "en tabell"
    if isinstance(value, list):
        return "en liste"
    if isinstance(value, (int, float)):
        return "et tall"
    if value is None:
        return "ingenting"
    return "tekst"


def _shown(value: Any) -> str:
    """A value as it is written in YAML: 'text', true, null."""
    if isinstance(value, str):
        return f"'{value}'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _expected(schema_type: Any) -> str:
    types = schema_type if isinstance(schema_type, list) else [schema_type]
    return " eller ".join(_TYPE_WORDS.get(t, str(t)) for t in types)


def _where(doc: Located, path: tuple, fallback: str) -> Pos:
    while True:
        pos = doc.pos(path)
        if pos is not None:
            return pos
        if not path:
            return Pos(fallback, 1, 1)
        path = path[:-1]


def _value_where(doc: Located, path: tuple, fallback: str) -> Pos:
    return doc.value_pos.get(path) or _where(doc, path, fallback)


def _messages(err: ValidationError, doc: Located, fallback: str) -> list[Problem]:
    path = tuple(err.absolute_path)
    # The subschema that failed; jsonschema types it loosely (a bool schema, or unset), but an
    # error from a keyword always comes from a mapping.
    schema: Mapping[str, Any] = err.schema if isinstance(err.schema, Mapping) else {}
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = list((schema.get("properties") or {}).keys())
        moved = schema.get("x-moved") or {}
        problems = []
        for key in err.instance:
            if key in allowed:
                continue
            if key in moved:
                # A key whose rule got one home elsewhere: say where, in the consultant's language.
                problems.append(
                    Problem(
                        _where(doc, (*path, key), fallback),
                        f"«{key}» er flyttet og gjelder ikke lenger her: regelen står nå i «{moved[key]}»",
                    )
                )
                continue
            msg = f"ukjent nøkkel '{key}'"
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close:
                msg += f"; mente du '{close[0]}'?"
            elif allowed:
                msg += f"; tillatte nøkler her: {', '.join(sorted(allowed))}"
            problems.append(Problem(_where(doc, (*path, key), fallback), msg))
        return problems
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        label = f"'{path[-1]}'" if path else "filen"
        return [
            Problem(
                _value_where(doc, path, fallback) if path else _where(doc, path, fallback),
                f"{label} mangler den påkrevde nøkkelen '{missing}'",
            )
        ]
    at = _value_where(doc, path, fallback)
    if path and isinstance(path[-1], str):
        name = f"'{path[-1]}'"
    elif len(path) > 1 and isinstance(path[-2], str):
        name = f"et element i '{path[-2]}'"
    else:
        name = "denne verdien"
    if err.validator == "enum":
        words = ", ".join(_shown(v) for v in err.validator_value) if isinstance(err.validator_value, Iterable) else ""
        return [Problem(at, f"{name} kan ikke være {_shown(err.instance)}; tillatte verdier: {words}")]
    if err.validator == "type":
        return [Problem(at, f"{name} må være {_expected(err.validator_value)}, ikke {_describe(err.instance)}")]
    if err.validator == "const":
        return [Problem(at, f"{name} må være {_shown(err.validator_value)}")]
    if err.validator == "pattern":
        hint = schema.get("x-hint") or f"skrevet etter mønsteret {err.validator_value}"
        return [Problem(at, f"{name} {_shown(err.instance)} er ikke {hint}")]
    if err.validator in _BOUNDS:
        return [Problem(at, f"{name} må være {_BOUNDS[err.validator]} {err.validator_value}, ikke {err.instance!r}")]
    if err.validator in _SIZES:
        return [Problem(at, _SIZES[str(err.validator)].format(name=name, limit=err.validator_value))]
    if err.validator in ("anyOf", "oneOf") and err.context:
        # Report the branch that got furthest: that is usually what was meant.
        best = max(err.context, key=lambda e: len(list(e.absolute_path)))
        return _messages(best, doc, fallback)
    # A check the rule schemas seldom use: named, since jsonschema's own message is English.
    return [Problem(at, f"{name} er ikke gyldig (regelen «{err.validator}» i skjemaet)")]


def validate(doc: Located, schema: dict, fallback: str) -> list[Problem]:
    """Every problem in ``doc`` at once, sorted by position."""
    validator = Draft202012Validator(schema)
    problems: list[Problem] = []
    for err in validator.iter_errors(doc.data):
        problems.extend(_messages(err, doc, fallback))
    seen = set()
    unique = []
    for p in sorted(problems, key=lambda p: (p.pos.file, p.pos.line, p.pos.col, p.message)):
        if (p.pos, p.message) not in seen:
            seen.add((p.pos, p.message))
            unique.append(p)
    return unique
