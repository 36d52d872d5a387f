"""What each world-file resource is: its schema, id, stamps and the fields a server fills.

One :class:`Resource` per key under ``smartdok:`` and ``poweroffice:`` in a world
file, read from ``resources.yaml`` beside this module (the table is data: one line per
resource). The world loader, the live state and the emulators all read this table, so a
resource is described once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grunndata.sandbox import specs

SD = "smartdok"
PO = "poweroffice"
SYSTEMS = (SD, PO)
ID_BASE = {SD: 100, PO: 7000}


@dataclass(frozen=True)
class Resource:
    system: str
    key: str
    schema: str  # the output schema (what the API answers)
    inputs: tuple[str, ...] = ()  # input schemas whose fields a world record may also hold
    id_field: str = "Id"
    id_kind: str = "int"  # "int" or "uuid"
    required: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()  # load-time references (e.g. ProjectNumber), resolved to ids
    created: tuple[str, ...] = ()  # stamped once, when the record is made
    changed: tuple[str, ...] = ()  # stamped on every change (the vendors' change filters read it)
    fills: dict[str, Any] = field(default_factory=dict)

    @property
    def stamps(self) -> tuple[str, ...]:
        return self.created + self.changed


def _load() -> dict[str, dict[str, Resource]]:
    """The table in resources.yaml (one line per resource), lists read as tuples."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load((Path(__file__).parent / "resources.yaml").read_text(encoding="utf-8"), Loader=loader)
    table: dict[str, dict[str, Resource]] = {}
    for system in SYSTEMS:
        table[system] = {}
        for key, spec in raw[system].items():
            given: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()}
            table[system][key] = Resource(system, key, **given)
    return table


RESOURCES: dict[str, dict[str, Resource]] = _load()


def resource(system: str, key: str) -> Resource:
    return RESOURCES[system][key]


@functools.cache
def record_schema(system: str, key: str) -> dict[str, Any]:
    """What a stored record may hold: output fields, input-only fields and load helpers; no required."""
    res = resource(system, key)
    props: dict[str, Any] = {}
    for name in reversed(res.inputs):
        props.update(specs.json_schema(system, name).get("properties", {}))
    props.update(specs.json_schema(system, res.schema).get("properties", {}))
    for helper in res.helpers:
        props.setdefault(helper, {"type": ["string", "integer", "null"]})
    return {"type": "object", "additionalProperties": False, "properties": props}


@functools.cache
def formats(system: str, key: str) -> dict[str, str]:
    """Top-level fields of a record with a string format (``uuid``, ``date``, ``date-time``), by name."""
    res = resource(system, key)
    out: dict[str, str] = {}
    for name in (*reversed(res.inputs), res.schema):
        for prop, node in specs.raw_schema(system, name).get("properties", {}).items():
            if node.get("format") in ("uuid", "date", "date-time"):
                out[prop] = node["format"]
    return out


def uuid_for(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"
