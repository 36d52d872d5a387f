"""The two vendor OpenAPI specs, turned into what the emulators and tests need.

The specs ship with the package (``contracts/``) and are parsed on first use
only, so importing the sandbox stays cheap. OpenAPI 3.0 is not JSON Schema:
``nullable`` and ``$ref`` are rewritten here so that ``jsonschema`` can check
records and responses against them.

Time tracking is not in the PowerOffice v2 snapshot; its (camelCase, v1)
shapes are written here from the contracts README and treated like the rest.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import yaml

CONTRACTS = Path(__file__).resolve().parent / "contracts"
PO_EPOCH = "2025-01-01T00:00:00+00:00"
SD_EPOCH = "2025-01-01T00:00:00Z"
NIL_UUID = "00000000-0000-0000-0000-000000000000"

_str = {"type": "string"}
_nstr = {"type": "string", "nullable": True}
_bool = {"type": "boolean"}
_int = {"type": "integer", "format": "int64"}

# Written from the contracts README (v1 documentation); camelCase as the live API answers.
TIME_TRACKING_SCHEMAS: dict[str, dict[str, Any]] = {
    "TimeTrackingActivity": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "code", "name", "activityType", "isActive"],
        "properties": {
            "id": _int,
            "code": _str,
            "name": _str,
            "activityType": {"type": "string", "enum": ["Billable", "NotBillable"]},
            "isActive": _bool,
            "hourType": _nstr,
            "productCode": _nstr,
            "lastChangedDateTimeOffset": {"type": "string", "format": "date-time"},
        },
    },
    "TimeTrackingHourType": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "code", "description", "isActive"],
        "properties": {
            "id": _int,
            "code": _str,
            "description": _str,
            "payItemCode": _nstr,
            "isActive": _bool,
        },
    },
    "ProjectActivity": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "projectId", "activityCode", "isBillable"],
        "properties": {
            "id": _int,
            "projectId": _int,
            "activityCode": _str,
            "isBillable": _bool,
            "hourlyRate": {"type": "number", "nullable": True},
        },
    },
    "TimeTrackingEntry": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "activityCode", "projectCode", "employeeCode", "date", "minutes"],
        "properties": {
            "id": _int,
            "activityCode": _str,
            "projectCode": _str,
            "employeeCode": {"type": ["integer", "string"]},
            "hourType": _nstr,
            "date": {"type": "string", "format": "date"},
            "minutes": {"type": "integer", "minimum": 0},
            "billableHours": {"type": "number", "nullable": True},
            "comment": _nstr,
            "externalImportReference": _nstr,
            # Approval state: an approved, paid-out or invoiced entry is locked (no changes).
            "status": {
                "type": "string",
                "nullable": True,
                "enum": ["Registered", "Approved", "PaidOut", "Invoiced", None],
            },
        },
    },
}


@functools.cache
def spec(system: str) -> dict[str, Any]:
    """The parsed OpenAPI document of ``smartdok`` or ``poweroffice``."""
    if system == "poweroffice":
        text = (CONTRACTS / "poweroffice-go-v2.openapi.yaml").read_text(encoding="utf-8")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(text, Loader=loader)  # a safe loader (libyaml's when installed)
    if system == "smartdok":
        return json.loads((CONTRACTS / "smartdok-v1.openapi.json").read_text(encoding="utf-8"))
    raise ValueError(f"unknown system {system!r}")


def raw_schema(system: str, name: str) -> dict[str, Any]:
    """A component schema as written in the spec (or in TIME_TRACKING_SCHEMAS)."""
    if name in TIME_TRACKING_SCHEMAS:
        return TIME_TRACKING_SCHEMAS[name]
    return spec(system)["components"]["schemas"][name]


def _resolve(system: str, node: Any, stack: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_resolve(system, n, stack) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in stack:  # a recursive schema: stop rather than loop
            return {}
        return _resolve(system, raw_schema(system, name), (*stack, name))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("example", "description", "xml", "discriminator", "readOnly", "writeOnly", "nullable"):
            continue
        if key == "properties":
            out[key] = {k: _resolve(system, v, stack) for k, v in value.items()}
        else:
            out[key] = _resolve(system, value, stack)
    if node.get("nullable"):
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = types + (["null"] if "null" not in types else [])
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def to_jsonschema(system: str, node: dict[str, Any]) -> dict[str, Any]:
    """Rewrite an OpenAPI 3.0 schema (refs inlined, nullable as type unions) for jsonschema."""
    return _resolve(system, copy.deepcopy(node), ())


@functools.cache
def json_schema(system: str, name: str) -> dict[str, Any]:
    """A named component schema, ready for ``jsonschema``."""
    return to_jsonschema(system, {"$ref": f"#/components/schemas/{name}"})


@functools.cache
def properties(system: str, name: str) -> tuple[str, ...]:
    """Property names of a component schema, in spec order."""
    return tuple(raw_schema(system, name).get("properties", {}))


def _default_for(system: str, prop: dict[str, Any], required: bool, stack: tuple[str, ...]) -> tuple[bool, Any]:
    """(present, value) the sandbox shows in a field nobody set (the choices: docs/SANDBOX.md).

    Nullable: null. Otherwise what the type's zero is: false, 0, "", [], the first value of an
    enum, the epoch for a date or date-time, the nil UUID; a nested object is an object whose
    own fields follow the same rules (the specs give no nested object a null).
    """
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = raw_schema(system, name)
        if "enum" in target:
            return True, (None if target.get("nullable") else target["enum"][0])
        if name in stack:  # a schema that contains itself: stop rather than loop
            return False, None
        return True, dict(_defaults(system, name, (*stack, name)))
    if prop.get("nullable"):
        return True, None
    if prop.get("enum"):
        return True, prop["enum"][0]
    kind = prop.get("type")
    if isinstance(kind, list):  # several types: the first one's zero
        kind = next((k for k in kind if k != "null"), None)
    if kind == "boolean":
        return True, False
    if kind in ("integer", "number"):
        return True, prop.get("minimum", 0) if isinstance(prop.get("minimum"), (int, float)) else 0
    if kind == "array":
        return True, []
    if kind == "object":
        return True, {}
    if kind == "string":
        fmt = prop.get("format")
        if fmt == "date-time":
            return True, PO_EPOCH if system == "poweroffice" else SD_EPOCH
        if fmt == "date":
            return True, PO_EPOCH[:10]
        if fmt == "uuid":
            return True, NIL_UUID
        return True, ""
    return required, None


@functools.cache
def _defaults(system: str, name: str, stack: tuple[str, ...] = ()) -> tuple[tuple[str, Any], ...]:
    schema = raw_schema(system, name)
    required = set(schema.get("required", []))
    out = []
    for key, prop in schema.get("properties", {}).items():
        present, value = _default_for(system, prop, key in required, stack or (name,))
        if present:
            out.append((key, value))
    return tuple(out)


def _copy(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, scalars): what deepcopy does, several times faster."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def defaults(system: str, name: str) -> dict[str, Any]:
    """A fresh record with every field at the value a server shows when it was never set."""
    return {k: _copy(v) for k, v in _defaults(system, name)}


_IMMUTABLE = (str, int, float, bool, type(None))


def vendor_datetime(system: str, value: str) -> str:
    """A value of a date-time field as the vendor writes it: RFC 3339, always with an offset.

    The specs type these fields ``date-time`` (RFC 3339), which has an offset; a value a world
    file writes without one is taken as UTC. SmartDok writes UTC as ``Z`` (.NET ``DateTime``),
    PowerOffice as ``+00:00`` (``DateTimeOffset``). A date-only value is that day at midnight:
    ``2026-11-02T00:00:00Z`` and ``2026-11-02T00:00:00+00:00``.
    """
    utc = "+00:00" if system == "poweroffice" else "Z"
    if len(value) == 10:
        return f"{value}T00:00:00{utc}"
    if not (value.endswith("Z") or value[-6:-5] in ("+", "-")):
        return value + utc
    return value


@functools.cache
def _shaper(system: str, name: str) -> tuple[dict[str, Any], tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """(immutable defaults, fields whose default is mutable, allowed fields, date-time fields) of a schema."""
    fixed = dict(_defaults(system, name))  # mutable ones are replaced by copies (same key order)
    mutable = tuple(k for k, v in _defaults(system, name) if not isinstance(v, _IMMUTABLE))
    datetimes = tuple(
        k for k, p in raw_schema(system, name).get("properties", {}).items() if p.get("format") == "date-time"
    )
    return fixed, mutable, frozenset(properties(system, name)), datetimes


def shape(system: str, name: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record as the API answers it: every schema field, nothing outside the schema.

    Called for every record of every list page, so it copies only what can be mutated
    (lists and objects), not the strings and numbers most records consist of.
    """
    fixed, mutable, allowed, datetimes = _shaper(system, name)
    out = dict(fixed)
    for key in mutable:
        out[key] = _copy(fixed[key])
    for key, value in record.items():
        if key in allowed:
            out[key] = value if isinstance(value, _IMMUTABLE) else _copy(value)
    for key in datetimes:
        value = out[key] if key in out else None
        if isinstance(value, str):
            out[key] = vendor_datetime(system, value)
    return out


def response_schema(system: str, method: str, path: str, status: int | str) -> dict[str, Any] | None:
    """The JSON response schema the spec gives for an operation and status (None: no body)."""
    op = spec(system)["paths"][path][method.lower()]
    responses = op.get("responses", {})
    resp = responses.get(str(status)) or responses.get("default")
    if resp is None:
        raise KeyError(f"{system}: {method.upper()} {path} documents no {status} response")
    content = resp.get("content") or {}
    media = content.get("application/json")
    if media is None or "schema" not in media:
        return None
    return to_jsonschema(system, media["schema"])
