"""The rule set of a run: shipped rules, plugin rules and the customer's own, merged.

Later files win key by key, so a customer file only needs the keys it changes.
Every value keeps the file and line it came from, so a plan action can cite
the exact rule line that decided it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from grunndata.rulebook.secrets import secret_keys
from grunndata.rulebook.validate import validate
from grunndata.rulebook.yamlpos import Located, PathKey, Pos, Problem, RuleFileError, load_file

SCHEMA_ID = "https://grunndata.example/schema/rules.json"

VOCABULARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Ordliste: ordene konsulenten skriver i reglene, og verdiene de betyr i hvert API.",
    "default": {},
    "additionalProperties": {
        "type": "object",
        "description": "Ett ord per linje: «ord: API-verdi».",
        "default": {},
        "additionalProperties": {
            "type": ["string", "boolean", "integer"],
            "description": "Verdien ordet betyr i API-et.",
            "default": "",
        },
    },
}


def shipped_rule_files() -> list[tuple[Path, str]]:
    """The YAML files shipped in the package, with the name shown to users."""
    root = resources.files("grunndata.rules")
    found = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found.append((Path(str(entry)), f"rules/{entry.name}"))
    return found


@dataclass
class Rules:
    """Merged rule data with the position of every key."""

    data: dict[str, Any]
    doc: Located
    files: list[str] = field(default_factory=list)

    def get(self, *path: Any, default: Any = None) -> Any:
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

    def vocabulary(self, kind: str) -> dict[str, Any]:
        return self.get("vocabulary", kind, default={}) or {}

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
            out[key] = _merge(base.get(key), value, merged, doc, path + (key,))
        return out
    _drop_under(merged.key_pos, path)
    _drop_under(merged.value_pos, path)
    _copy_under(merged.key_pos, doc.key_pos, path)
    _copy_under(merged.value_pos, doc.value_pos, path)
    return copy.deepcopy(over)


def _inject_vocabulary(node: Any, vocabulary: dict[str, dict]) -> Any:
    """Replace ``x-vocabulary: kind`` with an enum of the words in that vocabulary."""
    if isinstance(node, dict):
        out = {k: _inject_vocabulary(v, vocabulary) for k, v in node.items()}
        kind = node.get("x-vocabulary")
        if kind is not None:
            out["enum"] = list((vocabulary.get(kind) or {}).keys())
        return out
    if isinstance(node, list):
        return [_inject_vocabulary(v, vocabulary) for v in node]
    return node


def build_schema(fragments: dict[str, dict], vocabulary: dict[str, dict]) -> dict[str, Any]:
    """The JSON Schema of all rule files, assembled from the plugins' fragments."""
    properties = {"vocabulary": VOCABULARY_SCHEMA}
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
    return _inject_vocabulary(schema, vocabulary)


def load_rules(fragments: dict[str, dict], sources: Iterable[tuple[Path, str]]) -> tuple[Rules, dict]:
    """Load, merge and validate rule files; every problem of every file at once.

    Returns the rules and the schema they were checked against.
    """
    problems: list[Problem] = []
    merged = Located({})
    data: dict[str, Any] = {}
    names = []
    for path, display in sources:
        names.append(display)
        try:
            doc = load_file(path, display)
        except RuleFileError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(doc.value_pos.get((), Pos(display, 1, 1)),
                                    "a rule file must be a mapping of keys (e.g. 'projects:'), not a list or text"))
            continue
        problems.extend(secret_keys(doc))
        data = _merge(data, doc.data, merged, doc, ())
    merged.data = data
    vocab_raw = data.get("vocabulary") if isinstance(data.get("vocabulary"), dict) else {}
    vocabulary = {k: v for k, v in vocab_raw.items() if isinstance(v, dict)}
    schema = build_schema(fragments, vocabulary)
    problems.extend(validate(merged, schema, names[0] if names else "rules"))
    if problems:
        raise RuleFileError(problems)
    return Rules(data, merged, names), schema
