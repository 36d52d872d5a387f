"""Field mappings from the rules: API records <-> neutral records in the consultant's words.

A neutral record is a dict keyed by the rule file's field names (``number``,
``name``, ``status`` ...), with vocabulary values turned into words
(``Active`` -> the vocabulary's word for it), plus ``_id`` and ``_raw`` for the API record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grunndata.rulebook.ruleset import Rules


@dataclass(frozen=True)
class FieldDecl:
    """What a plugin knows about one neutral field: its meaning, and how values are spelled."""

    description: str
    vocabulary: str | None = None
    type: str | None = None  # "date": compared without the time of day
    label: str | None = None  # the word a consultant uses for the field, in plan reasons


@dataclass(frozen=True)
class FieldSpec:
    name: str
    api: dict[str, str]  # system -> API field name
    vocabulary: str | None = None
    type: str | None = None


def normalize_value(spec: FieldSpec, value: Any) -> Any:
    """The comparable form of a value: dates without time, text without surrounding spaces."""
    if value is None:
        return None
    if spec.type == "date" and isinstance(value, str):
        return value[:10] or None
    if isinstance(value, str):
        value = value.strip()
        return value if value != "" else None
    return value


class FieldMap:
    """The ``fields`` (or ``subproject_fields``) section of one entity's rules."""

    def __init__(self, rules: Rules, decls: dict[str, FieldDecl], *path: str):
        self.rules = rules
        self.path = path
        raw = rules.get(*path) or {}
        self.specs: dict[str, FieldSpec] = {}
        self._readings: dict[str, list[tuple[str, str, FieldSpec, dict[Any, Any] | None]]] = {}
        for name, spec in raw.items():
            decl = decls.get(name) or FieldDecl("")
            api = {system: field for system, field in (spec or {}).items() if field}
            self.specs[name] = FieldSpec(name, api, decl.vocabulary, decl.type)

    def where(self, name: str) -> str:
        return self.rules.where(*self.path, name)

    def has(self, system: str, name: str) -> bool:
        spec = self.specs.get(name)
        return spec is not None and system in spec.api

    def api_field(self, system: str, name: str) -> str | None:
        spec = self.specs.get(name)
        return spec.api.get(system) if spec else None

    def _reading(self, system: str) -> list[tuple[str, str, FieldSpec, dict[Any, Any] | None]]:
        """(name, API field, spec, API value -> word) for each field ``system`` has; built once,
        since to_neutral runs for every record read."""
        cache = self._readings
        if system not in cache:
            plan: list[tuple[str, str, FieldSpec, dict[Any, Any] | None]] = []
            for name, spec in self.specs.items():
                field = spec.api.get(system)
                if field is None:
                    continue
                words: dict[Any, Any] | None = None
                if spec.vocabulary:
                    words = {}
                    for word, value in self.rules.vocabulary(spec.vocabulary).items():
                        try:
                            words.setdefault(value, word)  # the first word listed wins, as in to_word
                        except TypeError:
                            words = None  # an unhashable API value: look it up the slow way
                            break
                plan.append((name, field, spec, words))
            cache[system] = plan
        return cache[system]

    def to_neutral(self, system: str, record: dict[str, Any], id_field: str) -> dict[str, Any]:
        out: dict[str, Any] = {"_id": record.get(id_field), "_raw": record}
        for name, field, spec, words in self._reading(system):
            value = normalize_value(spec, record.get(field))
            if spec.vocabulary and value is not None:
                if words is not None:
                    try:
                        value = words.get(value, value)
                    except TypeError:  # an unhashable value from the API
                        value = self.rules.to_word(spec.vocabulary, value)
                else:
                    value = self.rules.to_word(spec.vocabulary, value)
            out[name] = value
        return out

    def word_to_api(self, name: str, word: Any) -> Any:
        spec = self.specs[name]
        if spec.vocabulary and word is not None:
            return self.rules.to_api(spec.vocabulary, word)
        return word

    def to_api(self, system: str, values: dict[str, Any]) -> dict[str, Any]:
        """API body fields for the neutral ``values`` that this system knows."""
        body: dict[str, Any] = {}
        for name, word in values.items():
            field = self.api_field(system, name)
            if field is not None:
                body[field] = self.word_to_api(name, word)
        return body


def match_key(rules: Rules, section: str, value: Any) -> str | None:
    """The key records are matched on (R6): the number, trimmed when the rules say so."""
    if value is None:
        return None
    text = str(value)
    if rules.get(section, "match", "trim"):
        text = text.strip()
    return text or None


def subproject_code(template: str, parent: str, sub: str) -> str:
    """A sub-project's code in the system that joins it to its parent (``projects.subproject_code``,
    placeholders ``{parent}`` and ``{sub}``): the sync and the transfer both make it here."""
    return template.replace("{parent}", parent).replace("{sub}", sub)


def subproject_prefix(template: str, parent: str) -> str:
    """What a sub-project's code starts with under ``parent``: the template up to ``{sub}``."""
    return template.split("{sub}")[0].replace("{parent}", parent)


def loose_key(value: str) -> str:
    """A number without spaces and leading zeros: equal loose keys under different exact keys are suspicious."""
    squeezed = "".join(value.split())
    return squeezed.lstrip("0") or "0"


def loose_name(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def as_text(value: Any, *, trim: bool = False) -> str | None:
    """A number or code as the text it is compared by: PowerOffice's integer 1001 is "1001".
    Nothing, or only spaces, is None; ``trim`` drops the spaces around the rest."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.strip():
        return None
    return text.strip() if trim else text


def key_text(value: Any) -> str | None:
    """``as_text`` trimmed: how the invoice engine compares numbers and codes."""
    return as_text(value, trim=True)
