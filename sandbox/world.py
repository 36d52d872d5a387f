"""World files: the data the two emulators start from, checked against the vendors' specs.

A world file is YAML (or JSON) with the top-level keys ``smartdok``, ``poweroffice``
and ``credentials``; each system is keyed by the API's own resource path and each
record is written in the API's own field names. The format, with an example, is
described in ``docs/SANDBOX.md``; the resources are listed in
:mod:`grunndata.sandbox.resources`.

:func:`load_world` reads and normalises a world: every error names the file, the
record and the field in one line. Ids are assigned where absent, references are
resolved (:mod:`grunndata.sandbox.world_links`), and YAML dates become ISO text.
A date-only value in a date-time field is kept as written and served as the
vendor's date-time (:func:`grunndata.sandbox.specs.shape`). Change stamps are not
set here: the live state stamps a record when it is loaded (:mod:`grunndata.sandbox.state`).
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import json
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from grunndata.errors import GrunndataError
from grunndata.sandbox.resources import (
    ID_BASE,
    PO,
    RESOURCES,
    SD,
    SYSTEMS,
    Resource,
    formats,
    record_schema,
    uuid_for,
)
from grunndata.sandbox.world_invoices import link_invoices
from grunndata.sandbox.world_links import link_poweroffice, link_smartdok
from grunndata.sandbox.world_tenants import normalise_tenants

TOP_LEVEL = (*SYSTEMS, "credentials", "tenants")
CREDENTIALS = {SD: ("api_token",), PO: ("application_key", "client_key", "subscription_key")}
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _plain(value: Any) -> Any:
    """YAML's dates and datetimes as the ISO strings the APIs use."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _is_text(prop: dict[str, Any]) -> bool:
    kind = prop.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "string" in kinds and "integer" not in kinds and "number" not in kinds


class _Loader:
    def __init__(self, source: str, prefix: str = ""):
        self.source = source
        self.prefix = prefix  # where in the file this world sits ("tenants.NAME." for a tenant's)

    def fail(self, where: str, message: str) -> GrunndataError:
        return GrunndataError(f"{self.source}: {self.prefix}{where}: {message}")

    def normalise(self, data: Any) -> dict[str, Any]:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise GrunndataError(
                f"{self.source}: a world file must be a mapping with keys "
                f"smartdok, poweroffice, credentials (got {type(data).__name__})"
            )
        data = _plain(data)
        unknown = set(data) - set(TOP_LEVEL)
        if unknown:
            name = sorted(unknown)[0]
            raise self.fail(name, "unknown top-level key" + _hint(name, TOP_LEVEL))
        if "tenants" in data:
            return normalise_tenants(data, self)
        out: dict[str, Any] = {}
        for system in SYSTEMS:
            out[system] = self._system(system, data.get(system))
        link_smartdok(out[SD], self.fail)
        link_poweroffice(out[PO], self.fail)
        link_invoices(out[SD], out[PO], self.fail)
        for system in SYSTEMS:  # the same shape as a dump: empty resources left out
            out[system] = {key: rows for key, rows in out[system].items() if rows}
        creds = self._credentials(data.get("credentials"))
        if creds:
            out["credentials"] = creds
        return out

    def _system(self, system: str, block: Any) -> dict[str, list[dict[str, Any]]]:
        if block is None:
            block = {}
        if not isinstance(block, dict):
            raise self.fail(system, "must be a mapping of resource name to a list of records")
        known = RESOURCES[system]
        tables: dict[str, list[dict[str, Any]]] = {}
        for key, rows in block.items():
            if key not in known:
                raise self.fail(f"{system}.{key}", "unknown resource" + _hint(key, list(known)))
            if rows is None:
                rows = []
            if not isinstance(rows, list):
                raise self.fail(f"{system}.{key}", "must be a list of records")
            tables[key] = [self._record(known[key], i, row) for i, row in enumerate(rows)]
        for key in known:
            tables.setdefault(key, [])
        for key, rows in tables.items():
            self._assign_ids(known[key], rows)
        return tables

    def _record(self, res: Resource, index: int, row: Any) -> dict[str, Any]:
        where = f"{res.system}.{res.key}[{index}]"
        if not isinstance(row, dict):
            raise self.fail(where, "a record must be a mapping of field to value")
        props = record_schema(res.system, res.key)["properties"]
        record: dict[str, Any] = {}
        for name, value in row.items():
            if name not in props:
                raise self.fail(f"{where}.{name}", "unknown field" + _hint(name, list(props)))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and _is_text(props[name]):
                value = str(value)
            record[name] = value
        _check_types(self, where, res, record)
        self._check_formats(where, res, record)
        for name in res.required:
            if record.get(name) in (None, ""):
                raise self.fail(where, f"missing required field {name}")
        for name, value in res.fills.items():
            record.setdefault(name, value)
        if res.system == SD and res.key == "Additions" and "Addition" not in row:
            record["Addition"] = not record.get("UnitAddition", False)
        return record

    def _check_formats(self, where: str, res: Resource, record: dict[str, Any]) -> None:
        """uuid fields hold UUIDs; dates and date-times parse."""
        for name, kind in formats(res.system, res.key).items():
            value = record.get(name)
            if not isinstance(value, str):
                continue
            if kind == "uuid":
                try:
                    uuid.UUID(value)
                except ValueError:
                    raise self.fail(
                        f"{where}.{name}",
                        f"{value!r} is not a UUID (the {res.system} spec types "
                        f"{name} as uuid), e.g. {uuid_for(index_hint(where))!r}",
                    ) from None
            elif kind == "date-time" and _DATE_ONLY.match(value):
                _check_date(self, where, name, value)  # kept as written; served as a date-time (specs.shape)
            elif kind == "date-time":
                if _parse_datetime(value) is None:
                    raise self.fail(f"{where}.{name}", f"{value!r} is not a date-time (e.g. 2026-11-02T07:00:00)")
            elif kind == "date":
                _check_date(self, where, name, value[:10] if "T" in value else value)

    def _assign_ids(self, res: Resource, rows: list[dict[str, Any]]) -> None:
        seen: set[Any] = set()
        for i, row in enumerate(rows):
            value = row.get(res.id_field)
            if value is None:
                continue
            if res.id_kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                raise self.fail(f"{res.system}.{res.key}[{i}].{res.id_field}", f"must be an integer, got {value!r}")
            if value in seen:
                raise self.fail(f"{res.system}.{res.key}[{i}].{res.id_field}", f"duplicate id {value!r}")
            seen.add(value)
        counter = max([ID_BASE[res.system]] + [v for v in seen if isinstance(v, int)])
        n = len(seen)
        for row in rows:
            if row.get(res.id_field) is None:
                if res.id_kind == "int":
                    counter += 1
                    row[res.id_field] = counter
                else:
                    n += 1
                    while uuid_for(n) in seen:
                        n += 1
                    row[res.id_field] = uuid_for(n)
                    seen.add(row[res.id_field])
            # keep the id first: world dumps read better that way
            value = row.pop(res.id_field)
            items = list(row.items())
            row.clear()
            row[res.id_field] = value
            row.update(items)

    def _credentials(self, block: Any) -> dict[str, dict[str, str]]:
        if block is None:
            return {}
        if not isinstance(block, dict):
            raise self.fail("credentials", "must be a mapping")
        out: dict[str, dict[str, str]] = {}
        for system, values in block.items():
            if system not in CREDENTIALS:
                raise self.fail(f"credentials.{system}", "unknown system" + _hint(system, list(CREDENTIALS)))
            if not isinstance(values, dict):
                raise self.fail(f"credentials.{system}", "must be a mapping")
            for name, value in values.items():
                if name not in CREDENTIALS[system]:
                    raise self.fail(
                        f"credentials.{system}.{name}", "unknown credential" + _hint(name, list(CREDENTIALS[system]))
                    )
                if not isinstance(value, (str, int)) or str(value) == "":
                    raise self.fail(f"credentials.{system}.{name}", "must be a non-empty string")
            out[system] = {k: str(v) for k, v in values.items()}
        return out


def index_hint(where: str) -> int:
    """The record's position plus one (``Users[0]`` → 1): a UUID to suggest in an error."""
    match = re.search(r"\[(\d+)\]$", where)
    return int(match.group(1)) + 1 if match else 1


def _parse_datetime(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _check_date(loader: _Loader, where: str, name: str, value: str) -> None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise loader.fail(f"{where}.{name}", f"{value!r} is not a date (YYYY-MM-DD)") from None


@functools.cache
def _validator(system: str, key: str) -> Any:
    import jsonschema  # only needed while loading

    return jsonschema.Draft4Validator(record_schema(system, key))


def _check_types(loader: _Loader, where: str, res: Resource, record: dict[str, Any]) -> None:
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator(res.system, res.key).iter_errors(record))
    if error is not None:
        path = ".".join(str(p) for p in error.absolute_path)
        raise loader.fail(f"{where}.{path}" if path else where, error.message)


def _hint(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (expected one of: {', '.join(choices)})"


def parse_world_text(text: str, source: str, *, as_json: bool = False) -> Any:
    """YAML (JSON is YAML too) or strict JSON text as data; errors name ``source`` and the position."""
    try:
        if as_json:
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise GrunndataError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise GrunndataError(f"{source}: not valid YAML{at}: {problem}") from None


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GrunndataError(f"{path}: world file not found") from None
    except OSError as exc:
        raise GrunndataError(f"{path}: cannot read world file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise GrunndataError(f"{path}: world file is not UTF-8 text") from None
    return parse_world_text(text, str(path), as_json=path.suffix.lower() == ".json")


def load_world(source: str | Path | dict[str, Any] | None, name: str = "world") -> dict[str, Any]:
    """Read and normalise a world (a file path or an already parsed mapping).

    Returns a new mapping in world-file format with ids assigned and references
    resolved. Raises :class:`GrunndataError` naming the file (or ``name``) and the problem.
    """
    if source is None:
        return _Loader(name).normalise({})
    if isinstance(source, (str, Path)):
        path = Path(source)
        return _Loader(str(path)).normalise(_read(path))
    if isinstance(source, dict):
        return _Loader(name).normalise(copy.deepcopy(source))
    raise GrunndataError(f"a world must be a file path or a mapping, not {type(source).__name__}")
