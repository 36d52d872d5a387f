"""World files: the data the two emulators start from.

A world file is YAML (or JSON) with up to three top-level keys::

    smartdok:                      # SmartDok v1, PascalCase as the API answers
      Projects:
        - {Id: 101, ProjectNumber: "202601 ", ProjectName: Bjørvika kontorbygg, IsActive: true}
      SubProjects:
        - {ProjectNumber: "202601", SubProjectNumber: "01", SubProjectName: Grunnarbeid}
      WorkDescriptions: [{Number: "100", Name: Forskaling, IsActive: true}]
      Machines: [{InternalNumber: "M-12", Code: "M-12", Name: Gravemaskin CAT 320, PricePerHour: 950}]
      Users: [{Name: Kari Nordmann, EmployeeNo: "1001"}]
      Wages: [{Number: "1", Name: Fastlønn}]
      Additions: [{Number: "210", Name: Smusstillegg, Addition: true}]
      WorkHours: []                # WorkHourOutput rows; id field WorkHourID
      GoodsConsumption: []
    poweroffice:                   # PowerOffice Go v2, PascalCase DTOs
      Projects:
        - {Code: "202601", Name: Bjørvika kontorbygg, ProjectStatus: Active, ProjectBillingMethod: Time}
        - {Code: "01", ParentProjectCode: "202601", Name: Grunnarbeid}   # stored as Code "202601.01"
      Products: [{Code: M-12, Name: Gravemaskin CAT 320, ProductType: Service, UnitOfMeasureCode: HUR}]
      Employees: [{Number: 1001, FirstName: Kari, LastName: Nordmann}]
      PayItems: [{Code: "210", Name: Smusstillegg, IsActive: true}]
      Customers: [{Number: 10000, Name: Bygg og Anlegg AS}]
      TimeTracking/Activity: [{code: "100", name: Forskaling, activityType: Billable, isActive: true}]
      TimeTracking/HourType: [{code: "1", description: Fastlønn, payItemCode: "1000", isActive: true}]
      Project/Activity: [{projectId: 7001, activityCode: "100", isBillable: true, hourlyRate: 850}]
      TimeTracking/TimeTrackingEntry: []
    credentials:                   # optional; absent = any non-empty credentials are accepted
      smartdok: {api_token: sandbox-token}
      poweroffice: {application_key: app, client_key: client, subscription_key: sub}

Rules:

* Each system is keyed by the API's own resource path; each record is a
  mapping in the API's own field names (PowerOffice time tracking is camelCase,
  everything else PascalCase). ``GoodsConsumption`` and
  ``TimeTracking/TimeTrackingEntry`` are accepted but optional.
* Fields are checked against the vendor spec: an unknown field or a wrong type
  is an error that names the file, the record and the field.
* Ids (``Id``; ``id`` for time tracking; ``WorkHourID`` for work hours) are
  assigned where absent: integers unique per resource (SmartDok from 101,
  PowerOffice from 7001); PowerOffice ``PayItems`` and SmartDok ``Users`` get
  GUID strings, as in the specs.
* SmartDok ``SubProjects`` name their parent by ``ProjectId`` or by
  ``ProjectNumber`` (resolved to ``ProjectId`` at load; trailing spaces ignored).
  ``WorkHours`` and ``GoodsConsumption`` rows may do the same.
* PowerOffice sub-projects are ``Projects`` with ``ParentProjectCode`` or
  ``ParentProjectId`` (one level only); their ``Code`` is stored as
  ``<parent>.<sub>``, so ``.`` is not allowed in a main project's code.
  ``Project/Activity`` rows name their project by ``projectId`` or ``projectCode``.
* Timestamps the APIs always carry (``CreatedDateTimeOffset``,
  ``LastChangedDateTimeOffset``, SmartDok ``Created``/``Updated``) default to
  2025-01-01; ``IsActive``/``isActive`` default to true; SmartDok additions
  default ``Addition`` to ``not UnitAddition``.
* YAML dates become ISO strings; numbers in text fields become text (but
  quote them anyway: ``ProjectNumber: "202601 "`` keeps its trailing space).

``GET /_sandbox/world`` and :meth:`Sandbox.world` answer this same format, so
a world can be saved (``yaml.safe_dump(w, allow_unicode=True, sort_keys=False)``)
and loaded again.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from grunndata.errors import GrunndataError
from grunndata.sandbox import specs

SYSTEMS = ("smartdok", "poweroffice")
ID_BASE = {"smartdok": 100, "poweroffice": 7000}


@dataclass(frozen=True)
class Resource:
    system: str
    key: str
    schema: str
    inputs: tuple[str, ...] = ()
    id_field: str = "Id"
    id_kind: str = "int"  # "int" or "uuid"
    required: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    stamps: tuple[str, ...] = ()
    fills: dict[str, Any] = field(default_factory=dict)


_SD = "smartdok"
_PO = "poweroffice"
_PO_STAMPS = ("CreatedDateTimeOffset", "LastChangedDateTimeOffset")

RESOURCES: dict[str, dict[str, Resource]] = {
    _SD: {r.key: r for r in [
        Resource(_SD, "Projects", "ProjectOutput", ("ProjectInput", "ProjectInputLegacy"),
                 required=("ProjectNumber", "ProjectName"), stamps=("Created", "Updated"),
                 fills={"IsActive": True}),
        Resource(_SD, "SubProjects", "SubProjectOutput", ("SubProjectInput",),
                 required=("SubProjectNumber", "SubProjectName"), helpers=("ProjectNumber",),
                 stamps=("Updated",), fills={"IsActive": True}),
        Resource(_SD, "WorkDescriptions", "ActivityOutput", ("ActivityInput",),
                 required=("Name",), fills={"IsActive": True}),
        Resource(_SD, "Machines", "MachineOutput", ("MachineInput",),
                 required=("Name",), fills={"IsActive": True}),
        Resource(_SD, "Users", "UserOutput", id_kind="uuid"),
        Resource(_SD, "Wages", "WageOutput", required=("Number", "Name"), fills={"IsActive": True}),
        Resource(_SD, "Additions", "AdditionOutput", required=("Number", "Name"), fills={"IsActive": True}),
        Resource(_SD, "WorkHours", "WorkHourOutput", id_field="WorkHourID"),
        Resource(_SD, "GoodsConsumption", "GoodsConsumptionOutput",
                 helpers=("SubProjectId", "ProjectNumber")),
    ]},
    _PO: {r.key: r for r in [
        Resource(_PO, "Projects", "ProjectDto", ("ProjectPostDto",), required=("Code", "Name"),
                 stamps=_PO_STAMPS, fills={"IsActive": True}),
        Resource(_PO, "Products", "ProductDto", ("ProductPostDto",), required=("Name",), stamps=_PO_STAMPS),
        Resource(_PO, "Employees", "EmployeeDto",
                 stamps=("EmployeeCreatedDateTimeOffset", "ContactCreatedDateTimeOffset",
                         "LastChangedDateTimeOffset")),
        Resource(_PO, "PayItems", "PayItemDto", id_kind="uuid", stamps=_PO_STAMPS, fills={"IsActive": True}),
        Resource(_PO, "Customers", "CustomerDto",
                 stamps=("CustomerCreatedDateTimeOffset", "ContactCreatedDateTimeOffset",
                         "LastChangedDateTimeOffset")),
        Resource(_PO, "TimeTracking/Activity", "TimeTrackingActivity", id_field="id",
                 required=("code", "name"), stamps=("lastChangedDateTimeOffset",),
                 fills={"isActive": True, "activityType": "Billable"}),
        Resource(_PO, "TimeTracking/HourType", "TimeTrackingHourType", id_field="id",
                 required=("code",), fills={"isActive": True}),
        Resource(_PO, "Project/Activity", "ProjectActivity", id_field="id",
                 required=("activityCode",), helpers=("projectCode",), fills={"isBillable": True}),
        Resource(_PO, "TimeTracking/TimeTrackingEntry", "TimeTrackingEntry", id_field="id"),
    ]},
}


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


def uuid_for(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _plain(value: Any) -> Any:
    """YAML's dates and datetimes as the ISO strings the APIs use."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
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
    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> GrunndataError:
        return GrunndataError(f"{self.source}: {where}: {message}")

    def normalise(self, data: Any) -> dict[str, Any]:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise GrunndataError(f"{self.source}: a world file must be a mapping with keys "
                                 f"smartdok, poweroffice, credentials (got {type(data).__name__})")
        data = _plain(data)
        unknown = set(data) - {*SYSTEMS, "credentials"}
        if unknown:
            name = sorted(unknown)[0]
            raise self.fail(name, "unknown top-level key" + _hint(name, [*SYSTEMS, "credentials"]))
        out: dict[str, Any] = {}
        for system in SYSTEMS:
            out[system] = self._system(system, data.get(system))
        self._link_smartdok(out[_SD])
        self._link_poweroffice(out[_PO])
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
        schema = record_schema(res.system, res.key)
        props = schema["properties"]
        record: dict[str, Any] = {}
        for name, value in row.items():
            if name not in props:
                raise self.fail(f"{where}.{name}", "unknown field" + _hint(name, list(props)))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and _is_text(props[name]):
                value = str(value)
            record[name] = value
        _check_types(self, where, res, record)
        for name in res.required:
            if record.get(name) in (None, ""):
                raise self.fail(where, f"missing required field {name}")
        for name, value in res.fills.items():
            record.setdefault(name, value)
        if res.system == _SD and res.key == "Additions" and "Addition" not in row:
            record["Addition"] = not record.get("UnitAddition", False)
        epoch = specs.PO_EPOCH if res.system == _PO else specs.SD_EPOCH
        for stamp in res.stamps:
            if record.get(stamp) is None:
                record[stamp] = epoch
        return record

    def _assign_ids(self, res: Resource, rows: list[dict[str, Any]]) -> None:
        seen: set[Any] = set()
        for i, row in enumerate(rows):
            value = row.get(res.id_field)
            if value is None:
                continue
            if res.id_kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                raise self.fail(f"{res.system}.{res.key}[{i}].{res.id_field}", f"must be an integer, got {value!r}")
            if res.id_kind == "uuid":
                value = row[res.id_field] = str(value)
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

    # --- references -------------------------------------------------------------------------
    def _link_smartdok(self, sd: dict[str, list[dict[str, Any]]]) -> None:
        by_number = {str(p["ProjectNumber"]).rstrip(): p for p in sd["Projects"]}
        numbers: set[str] = set()
        for i, p in enumerate(sd["Projects"]):
            number = str(p["ProjectNumber"]).rstrip()
            if number in numbers:
                raise self.fail(f"smartdok.Projects[{i}]", f"duplicate ProjectNumber {p['ProjectNumber']!r}")
            numbers.add(number)
        ids = {p["Id"] for p in sd["Projects"]}
        for key, id_key in (("SubProjects", "ProjectId"), ("WorkHours", "ProjectID"), ("GoodsConsumption", "ProjectId")):
            for i, row in enumerate(sd[key]):
                where = f"smartdok.{key}[{i}]"
                number = row.pop("ProjectNumber", None) if key != "WorkHours" else row.get("ProjectNumber")
                if row.get(id_key) is None and number not in (None, ""):
                    parent = by_number.get(str(number).rstrip())
                    if parent is None:
                        raise self.fail(where, f"project with ProjectNumber {number!r} not found in smartdok.Projects")
                    row[id_key] = parent["Id"]
                if key == "WorkHours" and row.get(id_key) is None:
                    continue
                if row.get(id_key) is None:
                    raise self.fail(where, f"needs {id_key} or ProjectNumber")
                if row[id_key] not in ids:
                    raise self.fail(where, f"{id_key} {row[id_key]} not found in smartdok.Projects")

    def _link_poweroffice(self, po: dict[str, list[dict[str, Any]]]) -> None:
        projects = po["Projects"]
        by_id = {p["Id"]: p for p in projects}
        mains = [p for p in projects if p.get("ParentProjectId") is None and p.get("ParentProjectCode") in (None, "")]
        main_ids = {p["Id"] for p in mains}
        by_code = {p["Code"]: p for p in mains}
        for p in mains:
            if "." in p["Code"]:
                raise self.fail(f"poweroffice.Projects (Code {p['Code']!r})",
                                "'.' is not allowed in a main project's Code (it separates parent and sub-project)")
        for i, p in enumerate(projects):
            if p["Id"] in main_ids:
                continue
            where = f"poweroffice.Projects[{i}] (Code {p['Code']!r})"
            if p.get("ParentProjectId") is not None:
                parent = by_id.get(p["ParentProjectId"])
                missing = f"parent project Id {p['ParentProjectId']} not found"
            else:
                parent = by_code.get(str(p["ParentProjectCode"])) or next(
                    (q for q in projects if q["Code"] == str(p["ParentProjectCode"])), None)
                missing = f"parent project Code {p['ParentProjectCode']!r} not found"
            if parent is None:
                raise self.fail(where, missing)
            if parent["Id"] not in main_ids:
                raise self.fail(where, "a sub-project's parent must be a main project (one level only)")
            code = str(p["Code"])
            prefix = parent["Code"] + "."
            if not code.startswith(prefix):
                if "." in code:
                    raise self.fail(where, f"Code must be '<sub>' or '{prefix}<sub>'")
                code = prefix + code
            p["Code"] = code
            p["ParentProjectId"] = parent["Id"]
            p["ParentProjectCode"] = parent["Code"]
        codes: set[str] = set()
        for p in projects:
            if p["Code"] in codes:
                raise self.fail("poweroffice.Projects", f"duplicate Code {p['Code']!r}")
            codes.add(p["Code"])
        customers = {c.get("Number"): c["Id"] for c in po["Customers"] if c.get("Number") is not None}
        employees = {e.get("Number"): e["Id"] for e in po["Employees"] if e.get("Number") is not None}
        for p in projects:
            if p.get("CustomerId") is None and p.get("CustomerNo") in customers:
                p["CustomerId"] = customers[p["CustomerNo"]]
            if p.get("ProjectManagerEmployeeId") is None and p.get("ProjectManagerEmployeeNo") in employees:
                p["ProjectManagerEmployeeId"] = employees[p["ProjectManagerEmployeeNo"]]
        by_code_all = {p["Code"]: p for p in projects}
        for i, row in enumerate(po["Project/Activity"]):
            where = f"poweroffice.Project/Activity[{i}]"
            code = row.pop("projectCode", None)
            if row.get("projectId") is None and code is not None:
                if str(code) not in by_code_all:
                    raise self.fail(where, f"project Code {code!r} not found in poweroffice.Projects")
                row["projectId"] = by_code_all[str(code)]["Id"]
            if row.get("projectId") not in by_id:
                raise self.fail(where, "needs projectId (or projectCode) of a project in poweroffice.Projects")

    def _credentials(self, block: Any) -> dict[str, dict[str, str]]:
        if block is None:
            return {}
        allowed = {"smartdok": ("api_token",), "poweroffice": ("application_key", "client_key", "subscription_key")}
        if not isinstance(block, dict):
            raise self.fail("credentials", "must be a mapping")
        out: dict[str, dict[str, str]] = {}
        for system, values in block.items():
            if system not in allowed:
                raise self.fail(f"credentials.{system}", "unknown system" + _hint(system, list(allowed)))
            if not isinstance(values, dict):
                raise self.fail(f"credentials.{system}", "must be a mapping")
            for name, value in values.items():
                if name not in allowed[system]:
                    raise self.fail(f"credentials.{system}.{name}", "unknown credential" + _hint(name, list(allowed[system])))
                if not isinstance(value, (str, int)) or str(value) == "":
                    raise self.fail(f"credentials.{system}.{name}", "must be a non-empty string")
            out[system] = {k: str(v) for k, v in values.items()}
        return out


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


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GrunndataError(f"{path}: world file not found") from None
    except OSError as exc:
        raise GrunndataError(f"{path}: cannot read world file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise GrunndataError(f"{path}: world file is not UTF-8 text") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise GrunndataError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise GrunndataError(f"{path}: not valid YAML{at}: {problem}") from None


def load_world(source: str | Path | dict[str, Any] | None) -> dict[str, Any]:
    """Read and normalise a world (a file path or an already parsed mapping).

    Returns a new mapping in world-file format with ids assigned and references
    resolved. Raises :class:`GrunndataError` naming the file and the problem.
    """
    if source is None:
        return _Loader("world").normalise({})
    if isinstance(source, (str, Path)):
        path = Path(source)
        return _Loader(str(path)).normalise(_read(path))
    if isinstance(source, dict):
        return _Loader("world").normalise(copy.deepcopy(source))
    raise GrunndataError(f"a world must be a file path or a mapping, not {type(source).__name__}")


def _id_order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int) else (1, str(value))


class World:
    """The live state of both systems, indexed by id; mutated by the emulators."""

    def __init__(self, normalised: dict[str, Any]):
        data = copy.deepcopy(normalised)
        self.credentials: dict[str, dict[str, str]] = data.get("credentials", {})
        self.tables: dict[str, dict[str, dict[Any, dict[str, Any]]]] = {}
        self._counters: dict[tuple[str, str], int] = {}
        for system in SYSTEMS:
            self.tables[system] = {}
            for key, res in RESOURCES[system].items():
                rows = sorted(data.get(system, {}).get(key, []), key=lambda r, f=res.id_field: _id_order(r[f]))
                self.tables[system][key] = {row[res.id_field]: row for row in rows}
                ints = [i for i in self.tables[system][key] if isinstance(i, int)]
                self._counters[(system, key)] = max([ID_BASE[system]] + ints) if res.id_kind == "int" \
                    else len(self.tables[system][key])

    def table(self, system: str, key: str) -> dict[Any, dict[str, Any]]:
        return self.tables[system][key]

    def rows(self, system: str, key: str) -> list[dict[str, Any]]:
        return list(self.tables[system][key].values())

    def get(self, system: str, key: str, record_id: Any) -> dict[str, Any] | None:
        return self.tables[system][key].get(record_id)

    def insert(self, system: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
        """Store a new record under a fresh id (put first in the record) and return it."""
        res = resource(system, key)
        table = self.tables[system][key]
        self._counters[(system, key)] += 1
        new_id: Any = self._counters[(system, key)]
        if res.id_kind == "uuid":
            while uuid_for(new_id) in table:
                new_id += 1
            self._counters[(system, key)] = new_id
            new_id = uuid_for(new_id)
        stored = {res.id_field: new_id, **{k: v for k, v in record.items() if k != res.id_field}}
        table[new_id] = stored
        return stored

    def dump(self) -> dict[str, Any]:
        """The current state in world-file format (only non-empty resources)."""
        out: dict[str, Any] = {}
        for system in SYSTEMS:
            out[system] = {key: copy.deepcopy(list(rows.values()))
                           for key, rows in self.tables[system].items() if rows}
        if self.credentials:
            out["credentials"] = copy.deepcopy(self.credentials)
        return out
