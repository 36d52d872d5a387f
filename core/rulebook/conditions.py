"""The one condition language of the rules: which records a rule is about.

Every ``include``-like rule is written in it and evaluated here: which records count
(``records``), which rows a transfer kind takes and which qualify (``select``, ``qualify``,
``exported``), when a PowerOffice line is locked (``locked``), which master records are
created (``filter``, R14) and when one is finished (``finished_when``, R20).

Grammar (a rule file holds the YAML form)::

    condition := { FIELD: TEST, ... }     every test holds ({} always holds)
               | [ condition, ... ]        at least one of the conditions holds
    FIELD     := a field name; a dot reaches into an object (User.Id)
    TEST      := VALUE                     the field has this value
               | [ VALUE, ... ]            the field has one of these values
               | null                      the field has no value
               | "*"                       the field has a value ([null, "*"]: any value or none)
               | { is: VALUE | [ VALUE, ... ] | null | "*",
                   missing_means: VALUE }  the same, where a field with no value counts as
                                           ``missing_means``

A field has *no value* when it is absent, null or empty text. Without ``missing_means`` such a
field only passes ``null`` (and a list holding ``null``): the rule must say what a missing value
means, because the vendors' specs mark many fields nullable and a record may lack a field.
Values compare exactly: ``true`` is not ``1`` and ``"1001"`` is not ``1001``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ANY = "*"
_UNSET = object()


def value_at(record: Any, path: str) -> Any:
    """The value at a dotted ``path`` in a record (None where any step is missing)."""
    node = record
    for part in str(path).split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def has_no_value(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(have: Any, wanted: Any) -> bool:
    # A truth value equals only a truth value: an API sending 1 or "true" where the spec says
    # boolean does not slip through as true.
    if isinstance(have, bool) or isinstance(wanted, bool):
        return isinstance(have, bool) and isinstance(wanted, bool) and have is wanted
    try:
        return bool(have == wanted)
    except Exception:  # an exotic value from an API: not equal
        return False


@dataclass(frozen=True)
class Test:
    """What one field must hold."""

    values: tuple[Any, ...]  # allowed values; None in them: no value is allowed
    any_value: bool = False  # "*": any value (beside ``values``)
    missing_means: Any = _UNSET

    @classmethod
    def parse(cls, data: Any) -> Test:
        missing = _UNSET
        if isinstance(data, dict):
            missing = data.get("missing_means", _UNSET)
            data = data.get("is")
        values = tuple(data) if isinstance(data, list) else (data,)
        return cls(tuple(v for v in values if v != ANY), ANY in values, missing)

    def holds(self, have: Any) -> bool:
        if has_no_value(have):
            if self.missing_means is _UNSET or has_no_value(self.missing_means):
                return None in self.values
            have = self.missing_means
        return self.any_value or any(_same(have, v) for v in self.values if v is not None)

    def wanted(self) -> list[Any]:
        """The values that pass, for messages (None: no value)."""
        return list(self.values) + ([ANY] if self.any_value else [])


@dataclass(frozen=True)
class Condition:
    """A compiled condition: ``tests`` all hold, or (a list in the rules) one of ``alternatives``."""

    tests: tuple[tuple[str, Test], ...] = ()
    alternatives: tuple[Condition, ...] | None = None

    @classmethod
    def parse(cls, data: Any) -> Condition:
        if isinstance(data, list):
            return cls((), tuple(cls.parse(item) for item in data))
        return cls(tuple((str(f), Test.parse(t)) for f, t in (data or {}).items()))

    @property
    def empty(self) -> bool:
        return not self.tests and self.alternatives is None

    @property
    def fields(self) -> list[str]:
        if self.alternatives is not None:
            return [f for alt in self.alternatives for f in alt.fields]
        return [f for f, _ in self.tests]

    def holds(self, record: Any) -> bool:
        if self.alternatives is not None:
            return any(alt.holds(record) for alt in self.alternatives)
        for f, test in self.tests:  # a loop, not all(): this runs for every record read
            have = (record.get(f) if isinstance(record, dict) else None) if "." not in f else value_at(record, f)
            if not test.holds(have):
                return False
        return True

    def failing(self, record: Any) -> tuple[str, Any, Test] | None:
        """(field, its value, its test) of the first test that fails, or None when all hold.
        For a list of alternatives: the first failing test of the first alternative."""
        if self.alternatives is not None:
            if self.holds(record) or not self.alternatives:
                return None
            return self.alternatives[0].failing(record)
        for f, test in self.tests:
            have = value_at(record, f)
            if not test.holds(have):
                return f, have, test
        return None

    def split(self, records: Iterable[Any]) -> tuple[list[Any], list[Any]]:
        """(records the condition holds for, the others)."""
        yes: list[Any] = []
        no: list[Any] = []
        for r in records:
            (yes if self.holds(r) else no).append(r)
        return yes, no


def compiled(data: Any, cache: dict[int, tuple[Any, Condition]]) -> Condition:
    """``data`` compiled once: rule data is read for every record, compiled per rule value."""
    hit = cache.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    condition = Condition.parse(data)
    cache[id(data)] = (data, condition)
    return condition


# ---- JSON Schema --------------------------------------------------------------------------------
_SCALAR = ["string", "number", "boolean", "null"]
GRAMMAR = (
    "Hver nøkkel er et felt (punktum for felt inni felt, f.eks. User.Id) og verdien det må ha: "
    "én verdi, en liste (én av verdiene), null (feltet har ingen verdi) eller «*» (feltet har en "
    "verdi). Skriv {is: …, missing_means: …} for å si hva et felt uten verdi (mangler, null eller "
    "tom tekst) regnes som. Alle feltene må stemme; en liste av slike betingelser betyr at én av dem "
    "må stemme."
)


def _value(vocabulary: str | None, *, any_value: bool, no_value: bool) -> dict[str, Any]:
    node: dict[str, Any] = {"type": _SCALAR if no_value else _SCALAR[:-1], "description": "En verdi.", "default": None}
    if vocabulary:
        extra = ([None] if no_value else []) + ([ANY] if any_value else [])
        node["if"] = {"type": ["string", "number", "boolean"]}
        node["then"] = {"x-vocabulary": vocabulary, "x-enum-extra": extra}
    return node


def field_test_schema(description: str, vocabulary: str | None = None) -> dict[str, Any]:
    """The JSON Schema of one field's TEST (values are words of ``vocabulary`` when given)."""
    scalar = _value(vocabulary, any_value=True, no_value=True)
    item = _value(vocabulary, any_value=True, no_value=True)
    is_schema = {
        **scalar,
        "type": [*_SCALAR, "array"],
        "items": item,
        "minItems": 1,
        "description": "Verdien feltet må ha (en liste: én av verdiene; null: ingen verdi; «*»: en verdi).",
    }
    return {
        **scalar,
        "type": [*_SCALAR, "array", "object"],
        "description": description,
        "items": item,
        "minItems": 1,
        "properties": {
            "is": is_schema,
            "missing_means": {
                **_value(vocabulary, any_value=False, no_value=False),
                "description": "Hva et felt uten verdi (mangler, null eller tom tekst) regnes som.",
            },
        },
        "required": ["is"],
        "additionalProperties": False,
    }


_REF = "#/$defs/"
_TEST = "betingelse-felt"


def _test_ref(description: str, vocabulary: str | None) -> dict[str, Any]:
    name = _TEST + (f"-{vocabulary}" if vocabulary else "")
    return {"$ref": _REF + name, "description": description, "default": None}


def definitions(schema: Any) -> dict[str, Any]:
    """The ``$defs`` the conditions in ``schema`` refer to (one field test per vocabulary):
    written once, not once per field and rule."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF + _TEST) and ref not in found:
                vocabulary = ref[len(_REF + _TEST) + 1 :] or None
                found[ref] = field_test_schema("Verdien feltet må ha.", vocabulary)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return {ref[len(_REF) :]: test for ref, test in found.items()}


def condition_schema(description: str, fields: dict[str, tuple[str, str | None]] | None = None) -> dict[str, Any]:
    """The JSON Schema of a condition. ``fields``: the only field names allowed, each with its
    description and vocabulary (sync rules, in the consultant's words); None: any API field."""
    if fields is None:
        mapping: dict[str, Any] = {"additionalProperties": _test_ref("Verdien feltet må ha.", None)}
    else:
        mapping = {"additionalProperties": False, "properties": {n: _test_ref(d, v) for n, (d, v) in fields.items()}}
    return {
        "type": ["object", "array"],
        "description": f"{description} {GRAMMAR}",
        "default": None,
        **mapping,
        "items": {"type": "object", "description": "Én betingelse.", "default": None, **mapping},
    }
