"""The consultant's words for what the plugins and rules name: entities, fields, systems,
transfer kinds and checks.

None of these words live here: an entity plugin says its ``title`` (plural, for headings),
``label`` (singular, for lines) and field labels (``field_label``); a transfer plugin its
``title`` or ``description``; a check its ``description``; the rules' vocabulary may name
the systems (``vocabulary: systems: {SmartDok: smartdok, …}``). Where a plugin does not say,
the report falls back to the plugin's own name rather than invent a word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Shown(NamedTuple):
    """How a report shows one operation: its mark, its word and (plans) its section heading,
    kept on one line per operation so that a new operation cannot get a word without a mark."""

    mark: str
    word: str
    heading: str = ""


def marks_words_headings(table: Mapping[str, Shown]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The table as three lookups by operation: marks, words and headings."""
    return (
        {op: s.mark for op, s in table.items()},
        {op: s.word for op, s in table.items()},
        {op: s.heading for op, s in table.items()},
    )


def _invert(systems: Any) -> dict[str, str]:
    """``vocabulary.systems`` (word -> system id) as system id -> word (the first word wins)."""
    names: dict[str, str] = {}
    if isinstance(systems, dict):
        for word, value in systems.items():
            names.setdefault(str(value), str(word))
    return names


def _system_names(rules: Any) -> dict[str, str]:
    """System id -> display name: the rules' ``vocabulary.systems``; without rules at hand the
    shipped vocabulary's; failing both, the names the engine uses in its reasons."""
    try:
        if rules is not None:
            names = _invert(rules.vocabulary("systems"))
            if names:
                return names
        from importlib import resources

        import yaml

        shipped = yaml.safe_load(resources.files("grunndata.rules").joinpath("vocabulary.yaml").read_text("utf-8"))
        names = _invert(((shipped or {}).get("vocabulary") or {}).get("systems"))
        if names:
            return names
        from grunndata.engine import sync

        return dict(getattr(sync, "SYSTEM_NAMES", {}) or {})
    except Exception:  # a report must never fail over a word
        return {}


def _field_names(rules: Any) -> dict[str, str]:
    """Field name -> word, from the rules' ``vocabulary.fields`` (none without rules)."""
    try:
        return _invert(rules.vocabulary("fields")) if rules is not None else {}
    except Exception:  # a report must never fail over a word
        return {}


def _invoice_kind(host: Any) -> dict[str, Any]:
    """An invoice run's rows are of the kind "invoice": named by the invoice source."""
    source = next(iter((getattr(host, "invoice_sources", {}) or {}).values()), None)
    return {"invoice": source} if source is not None else {}


@dataclass
class Words:
    entities: dict[str, Any] = field(default_factory=dict)
    transfers: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    systems: dict[str, str] = field(default_factory=dict)
    # Field name -> the consultant's word (the rules' ``vocabulary.fields``, inverted).
    fields: dict[str, str] = field(default_factory=dict)
    _labels: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_host(cls, host: Any, rules: Any = None) -> Words:
        return cls(
            entities=dict(getattr(host, "entities", {}) or {}),
            transfers={**_invoice_kind(host), **(getattr(host, "transfers", {}) or {})},
            checks=dict(getattr(host, "checks", {}) or {}),
            systems=_system_names(rules),
            fields=_field_names(rules),
        )

    @classmethod
    def from_session(cls, session: Any) -> Words:
        return cls.from_host(session.host, session.rules)

    @classmethod
    def default(cls) -> Words:
        """The words of the installed plugins (for callers that have no session at hand)."""
        try:
            from grunndata.plugin.manager import load_host

            return cls.from_host(load_host())
        except Exception:
            return cls(systems=_system_names(None))

    # ---- systems -----------------------------------------------------------------------
    def system(self, name: str) -> str:
        return self.systems.get(name, name)

    # ---- entities ----------------------------------------------------------------------
    def entity_title(self, name: str) -> str:
        """A heading for an entity: its ``title``, else its label with a capital, else its name."""
        entity = self.entities.get(name)
        title = getattr(entity, "title", None)
        if title:
            return str(title)
        label = getattr(entity, "label", None)
        return str(label)[:1].upper() + str(label)[1:] if label else name

    def entity_label(self, name: str) -> str:
        label = self._labels.get(name)  # asked once per line of a plan: remembered
        if label is None:
            label = self._labels[name] = str(getattr(self.entities.get(name), "label", None) or name)
        return label

    def field_label(self, entity_name: str, field_name: str) -> str:
        """The rules' word for a field (``vocabulary.fields``), else the entity plugin's, else the name."""
        word = self.fields.get(field_name)
        if word:
            return word
        entity = self.entities.get(entity_name)
        label = getattr(entity, "field_label", None)
        if callable(label):
            try:
                return str(label(field_name))
            except Exception:
                return field_name
        return field_name

    # ---- transfers and checks ----------------------------------------------------------
    def transfer_title(self, kind: str) -> str:
        transfer = self.transfers.get(kind)
        return str(getattr(transfer, "title", None) or getattr(transfer, "description", None) or kind)

    def transfer_label(self, kind: str) -> str:
        """The noun for a kind's rows in a sentence or a column («timer»): its ``label``."""
        return str(getattr(self.transfers.get(kind), "label", None) or kind)

    def check_title(self, name: str, description: str | None = None) -> str:
        """The short name of a check: its description up to the colon ("Ansattnummer (R3)")."""
        check = self.checks.get(name)
        text = description or getattr(check, "description", None) or name
        return str(getattr(check, "title", None) or text.split(":")[0])
