"""What each world-file resource is: its schema, id, stamps and the fields a server fills.

One :class:`Resource` per key under ``smartdok:`` and ``poweroffice:`` in a world
file. The world loader, the live state and the emulators all read this table, so a
resource is described once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
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


_PO_CREATED = ("CreatedDateTimeOffset",)
_PO_CHANGED = ("LastChangedDateTimeOffset",)

RESOURCES: dict[str, dict[str, Resource]] = {
    SD: {
        r.key: r
        for r in [
            Resource(
                SD,
                "Projects",
                "ProjectOutput",
                ("ProjectInput", "ProjectInputLegacy"),
                required=("ProjectNumber", "ProjectName"),
                created=("Created",),
                changed=("Updated",),
                fills={"IsActive": True},
            ),
            Resource(
                SD,
                "SubProjects",
                "SubProjectOutput",
                ("SubProjectInput",),
                required=("SubProjectNumber", "SubProjectName"),
                helpers=("ProjectNumber",),
                changed=("Updated",),
                fills={"IsActive": True},
            ),
            Resource(
                SD,
                "WorkDescriptions",
                "ActivityOutput",
                ("ActivityInput",),
                required=("Name",),
                fills={"IsActive": True},
            ),
            Resource(SD, "Machines", "MachineOutput", ("MachineInput",), required=("Name",), fills={"IsActive": True}),
            Resource(SD, "Users", "UserOutput", id_kind="uuid"),
            Resource(SD, "Wages", "WageOutput", required=("Number", "Name"), fills={"IsActive": True}),
            Resource(SD, "Additions", "AdditionOutput", required=("Number", "Name"), fills={"IsActive": True}),
            Resource(
                SD,
                "Departments",
                "DepartmentOutput",
                ("DepartmentInput",),
                required=("Number", "Name"),
                changed=("Updated",),
                fills={"IsActive": True},
            ),
            Resource(SD, "WorkHours", "WorkHourOutput", id_field="WorkHourID", changed=("LastUpdated",)),
            Resource(SD, "GoodsConsumption", "GoodsConsumptionOutput", helpers=("SubProjectId", "ProjectNumber")),
            # Invoice bases (fakturagrunnlag), each with its InvoiceLines; the prices of a project
            # (GET /Projects/{id}/Prices); the customer and goods registers they name.
            Resource(
                SD, "Invoices", "InvoiceOutput", helpers=("ProjectNumber",), created=("Created",), changed=("Updated",)
            ),
            Resource(
                SD,
                "Prices",
                "PriceOutput",
                id_field="PriceId",
                id_kind="uuid",
                required=("EntityType", "EntityId"),
                helpers=("ProjectId", "ProjectNumber"),
            ),
            Resource(
                SD,
                "Customers",
                "CustomerOutput",
                ("CustomerInput",),
                required=("CustomerName",),
                changed=("Updated",),
                fills={"IsActive": True},
            ),
            Resource(SD, "Goods", "GoodsOutputBase", ("GoodsInput",), required=("Name",), fills={"IsActive": True}),
        ]
    },
    PO: {
        r.key: r
        for r in [
            Resource(
                PO,
                "Projects",
                "ProjectDto",
                ("ProjectPostDto",),
                required=("Code", "Name"),
                created=_PO_CREATED,
                changed=_PO_CHANGED,
                fills={"IsActive": True},
            ),
            Resource(
                PO,
                "Products",
                "ProductDto",
                ("ProductPostDto",),
                required=("Name",),
                created=_PO_CREATED,
                changed=_PO_CHANGED,
            ),
            Resource(
                PO,
                "Employees",
                "EmployeeDto",
                created=("EmployeeCreatedDateTimeOffset", "ContactCreatedDateTimeOffset"),
                changed=_PO_CHANGED,
            ),
            Resource(
                PO,
                "PayItems",
                "PayItemDto",
                id_kind="uuid",
                created=_PO_CREATED,
                changed=_PO_CHANGED,
                fills={"IsActive": True},
            ),
            Resource(
                PO,
                "Customers",
                "CustomerDto",
                created=("CustomerCreatedDateTimeOffset", "ContactCreatedDateTimeOffset"),
                changed=_PO_CHANGED,
            ),
            Resource(
                PO,
                "Departments",
                "DepartmentDto",
                ("DepartmentPostDto",),
                required=("Name",),
                created=_PO_CREATED,
                changed=_PO_CHANGED,
                fills={"IsActive": True},
            ),
            Resource(
                PO,
                "SalesOrders",
                "SalesOrderCompleteDto",
                id_kind="uuid",
                created=_PO_CREATED,
                changed=_PO_CHANGED,
                fills={"SalesOrderStatus": "Draft"},
            ),
            Resource(
                PO,
                "TimeTracking/Activity",
                "TimeTrackingActivity",
                id_field="id",
                required=("code", "name"),
                changed=("lastChangedDateTimeOffset",),
                fills={"isActive": True, "activityType": "Billable"},
            ),
            Resource(
                PO,
                "TimeTracking/HourType",
                "TimeTrackingHourType",
                id_field="id",
                required=("code",),
                fills={"isActive": True},
            ),
            Resource(
                PO,
                "Project/Activity",
                "ProjectActivity",
                id_field="id",
                required=("activityCode",),
                helpers=("projectCode",),
                fills={"isBillable": True},
            ),
            Resource(PO, "TimeTracking/TimeTrackingEntry", "TimeTrackingEntry", id_field="id"),
        ]
    },
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
