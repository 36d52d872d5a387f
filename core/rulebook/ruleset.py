"""The rule set of a run: shipped rules, plugin rules and the customer's own, merged.

Later files win key by key, so a customer file only needs the keys it changes.
Every value keeps the file and line it came from, so a plan action can cite
the exact rule line that decided it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from grunndata.rulebook.conditions import Condition, compiled, definitions
from grunndata.rulebook.secrets import secret_keys
from grunndata.rulebook.sections import core_sections
from grunndata.rulebook.validate import validate
from grunndata.rulebook.yamlpos import Located, PathKey, Pos, Problem, RuleFileError, load_file

SCHEMA_ID = "https://grunndata.example/schema/rules.json"


def shipped_rule_files() -> list[tuple[Path, str]]:
    """The YAML files shipped in the package, with the name shown to users."""
    root = resources.files("grunndata.rules")
    found = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found.append((Path(str(entry)), f"rules/{entry.name}"))
    return found


# Keys of Rules.paths for what is worked out from a rule, never equal to a rule's own path.
_CONDITION, _SYSTEM_NAME = object(), object()


@dataclass
class Rules:
    """Merged rule data with the position of every key."""

    data: dict[str, Any]
    doc: Located
    files: list[str] = field(default_factory=list)
    # What is worked out once from the rule data (compiled conditions, a transfer kind's rules).
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    paths: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    def get(self, *path: Any, default: Any = None) -> Any:
        # Planning asks for the same few rules once per record (170k times at 10k projects); the
        # rule data is fixed once loaded, so each path is looked up once.
        if default is not None:
            return self._lookup(path, default)
        try:
            return self.paths[path]
        except KeyError:
            found = self.paths[path] = self._lookup(path, None)
            return found
        except TypeError:  # an unhashable step in the path: never a rule, but not an error either
            return self._lookup(path, None)

    def _lookup(self, path: tuple[Any, ...], default: Any) -> Any:
        node: Any = self.data
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return default
        return node

    def where(self, *path: Any) -> str:
        """``FILE:LINE`` of the rule at ``path`` (or of its nearest written parent)."""
        p: PathKey = tuple(path)
        while True:
            pos = self.doc.pos(p)
            if pos is not None:
                return pos.short
            if not p:
                return "rules"
            p = p[:-1]

    def condition(self, *path: Any) -> Condition:
        """The condition written at ``path`` (the condition language of
        :mod:`grunndata.rulebook.conditions`); nothing written there: always holds."""
        key = (_CONDITION, *path)
        found = self.paths.get(key)
        if found is None:
            found = self.paths[key] = compiled(self.get(*path), self.cache.setdefault("conditions", {}))
        return found

    def active(self, system: str, resource: str) -> Condition:
        """Which records of ``resource`` in ``system`` count (``records.<system>.<resource>.active_when``):
        the one rule doctor, transfer and the sync share. A resource without a rule: all count."""
        return self.condition("records", system, resource, "active_when")

    def system_name(self, system: str) -> str:
        """The name a consultant reads for a system (``vocabulary.systems``)."""
        key = (_SYSTEM_NAME, system)
        found = self.paths.get(key)
        if found is None:
            found = self.paths[key] = str(self.to_word("systems", system))
        return found

    def vocabulary(self, kind: str) -> dict[str, Any]:
        return self.get("vocabulary", kind) or {}

    def to_api(self, kind: str, word: Any) -> Any:
        """The API value of a consultant's word; a word not in the list is an error in the rules."""
        vocab = self.vocabulary(kind)
        if word in vocab:
            return vocab[word]
        raise KeyError(f"'{word}' is not in the vocabulary '{kind}'")

    def to_word(self, kind: str, api_value: Any) -> Any:
        """The consultant's word for an API value, or the value itself when none is listed."""
        for word, value in self.vocabulary(kind).items():
            if value == api_value:
                return word
        return api_value


def _drop_under(positions: dict[PathKey, Pos], path: PathKey) -> None:
    n = len(path)
    for key in [k for k in positions if k[:n] == path]:
        del positions[key]


def _copy_under(dst: dict[PathKey, Pos], src: dict[PathKey, Pos], path: PathKey) -> None:
    n = len(path)
    for key, pos in src.items():
        if key[:n] == path:
            dst[key] = pos


def _merge(base: Any, over: Any, merged: Located, doc: Located, path: PathKey) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        if path in doc.key_pos:
            merged.key_pos[path] = doc.key_pos[path]
        for key, value in over.items():
            out[key] = _merge(base.get(key), value, merged, doc, (*path, key))
        return out
    _drop_under(merged.key_pos, path)
    _drop_under(merged.value_pos, path)
    _copy_under(merged.key_pos, doc.key_pos, path)
    _copy_under(merged.value_pos, doc.value_pos, path)
    return copy.deepcopy(over)


def _inject_vocabulary(node: Any, vocabulary: dict[str, dict], data: dict[str, Any]) -> Any:
    """Replace ``x-vocabulary: kind`` with an enum of the words in that vocabulary (plus the
    values in ``x-enum-extra``, such as null or "*" in a condition), and ``x-keys-of: [path]``
    with an enum of the keys written at that path (a rule naming another, e.g. ``rows_from``)."""
    if isinstance(node, dict):
        out = {k: _inject_vocabulary(v, vocabulary, data) for k, v in node.items() if k != "default"}
        if "default" in node:
            out["default"] = node["default"]
        kind = node.get("x-vocabulary")
        if kind is not None:
            out["enum"] = list((vocabulary.get(kind) or {}).keys()) + list(node.get("x-enum-extra") or [])
        keys_of = node.get("x-keys-of")
        if keys_of is not None:
            target: Any = data
            for part in keys_of:
                target = target.get(part) if isinstance(target, dict) else None
            out["enum"] = list(target) if isinstance(target, dict) else []
        return out
    if isinstance(node, list):
        return [_inject_vocabulary(v, vocabulary, data) for v in node]
    return node


_ABSENT = object()


def _with_defaults(node: Any, shipped: Any) -> Any:
    """The schema with every property's ``default`` taken from the shipped rule files.

    Defaults live in the YAML only: a plugin's schema fragment describes keys, the shipped
    (and plugin-shipped) rule files give their values. A key they do not set has no default (null).
    """
    if not isinstance(node, dict):
        return node
    out = dict(node)
    props = node.get("properties")
    if isinstance(props, dict):
        filled = {}
        for name, child in props.items():
            value = shipped.get(name, _ABSENT) if isinstance(shipped, dict) else _ABSENT
            child = _with_defaults(child, value)
            if isinstance(child, dict):
                child = {**child, "default": copy.deepcopy(value) if value is not _ABSENT else child.get("default")}
            filled[name] = child
        out["properties"] = filled
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            out[key] = _with_defaults(node[key], _ABSENT)
    return out


def build_schema(
    fragments: dict[str, dict],
    vocabulary: dict[str, dict],
    shipped: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON Schema of all rule files: the core's own sections and the plugins' fragments,
    with the defaults of the ``shipped`` rules (``data``: the merged rules, for keys one rule
    names of another)."""
    properties = dict(core_sections())
    properties.update(fragments)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "grunndata-regler",
        "description": "Regler for grunndatasynk mellom SmartDok og PowerOffice Go.",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    schema["$defs"] = definitions(schema)
    return _inject_vocabulary(_with_defaults(schema, shipped or {}), vocabulary, data or shipped or {})


def load_rules(
    fragments: dict[str, dict], sources: Iterable[tuple[Path, str]], customer: Iterable[tuple[Path, str]] = ()
) -> tuple[Rules, dict]:
    """Load, merge and validate rule files; every problem of every file at once.

    ``sources`` are the shipped rule files (the core's and the plugins'): they give every
    default, also the schema's. ``customer`` files come after and win key by key.
    Returns the rules and the schema they were checked against.
    """
    problems: list[Problem] = []
    merged = Located({})
    data: dict[str, Any] = {}
    names = []
    layers = (list(sources), list(customer))
    shipped: dict[str, Any] = {}
    for layer in layers:
        for path, display in layer:
            names.append(display)
            try:
                doc = load_file(path, display)
            except RuleFileError as exc:
                problems.extend(exc.problems)
                continue
            if not isinstance(doc.data, dict):
                problems.append(
                    Problem(
                        doc.value_pos.get((), Pos(display, 1, 1)),
                        "en regelfil må være en tabell av nøkler (f.eks. 'projects:'), ikke en liste eller tekst",
                    )
                )
                continue
            problems.extend(secret_keys(doc))
            data = _merge(data, doc.data, merged, doc, ())
        if layer is layers[0]:
            shipped = data
    merged.data = data
    vocab_raw = data.get("vocabulary")
    vocabulary = {k: v for k, v in vocab_raw.items() if isinstance(v, dict)} if isinstance(vocab_raw, dict) else {}
    schema = build_schema(fragments, vocabulary, shipped, data)
    problems.extend(validate(merged, schema, names[0] if names else "rules"))
    if problems:
        raise RuleFileError(problems)
    return Rules(data, merged, names), schema
