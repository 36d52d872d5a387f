"""Validate loaded YAML against a JSON Schema and say what is wrong where.

jsonschema's messages are written for programmers ("Additional properties
are not allowed"); here each error is mapped back to ``FILE:LINE:COL`` and
rewritten for the consultant who edits the file.
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
    "object": "a mapping (key: value)",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "nothing"
    return "text"


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
    return " or ".join(_TYPE_WORDS.get(t, str(t)) for t in types)


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
                problems.append(Problem(_where(doc, (*path, key), fallback),
                                        f"«{key}» er flyttet og gjelder ikke lenger her: regelen står nå i "
                                        f"«{moved[key]}»"))
                continue
            msg = f"unknown key '{key}'"
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close:
                msg += f"; did you mean '{close[0]}'?"
            elif allowed:
                msg += f"; allowed keys here: {', '.join(sorted(allowed))}"
            problems.append(Problem(_where(doc, (*path, key), fallback), msg))
        return problems
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        label = f"'{path[-1]}'" if path else "the file"
        return [Problem(_value_where(doc, path, fallback) if path else _where(doc, path, fallback),
                        f"{label} is missing the required key '{missing}'")]
    at = _value_where(doc, path, fallback)
    if path and isinstance(path[-1], str):
        name = f"'{path[-1]}'"
    elif len(path) > 1 and isinstance(path[-2], str):
        name = f"an item of '{path[-2]}'"
    else:
        name = "this value"
    if err.validator == "enum":
        words = ", ".join(_shown(v) for v in err.validator_value) if isinstance(err.validator_value, Iterable) else ""
        return [Problem(at, f"{name} cannot be {err.instance!r}; allowed values: {words}")]
    if err.validator == "type":
        return [Problem(at, f"{name} must be {_expected(err.validator_value)}, not {_describe(err.instance)}")]
    if err.validator == "const":
        return [Problem(at, f"{name} must be {err.validator_value!r}")]
    if err.validator == "pattern":
        hint = schema.get("x-hint") or f"the pattern {err.validator_value}"
        return [Problem(at, f"{name} {err.instance!r} does not match {hint}")]
    if err.validator in ("minLength", "minItems"):
        return [Problem(at, f"{name} must not be empty")]
    if err.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [Problem(at, f"{name}: {err.message}")]
    if err.validator in ("anyOf", "oneOf") and err.context:
        # Report the branch that got furthest: that is usually what was meant.
        best = max(err.context, key=lambda e: len(list(e.absolute_path)))
        return _messages(best, doc, fallback)
    return [Problem(at, f"{name}: {err.message}")]


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
