"""PowerOffice time tracking (not in the v2 spec): the documented v1 shapes, served under /v2.

camelCase as the contracts README gives it. Choices:

* ``POST /v2/TimeTracking/Activity`` needs ``code``, ``name`` and
  ``activityType`` (``Billable`` | ``NotBillable``): no silent default for
  billability. Duplicate codes are 409. ``hourType``/``productCode`` must exist.
* ``PATCH /v2/TimeTracking/Activity/{id}``: JSON Patch, paths matched
  case-insensitively (``/name`` and ``/Name`` both apply).
* ``POST /v2/TimeTracking/TimeTrackingEntry`` checks what PowerOffice checks
  on import: the activity, project (active), employee (by ``Number``) and hour
  type exist, and ``externalImportReference`` is unused (else 409).
* ``PATCH /v2/TimeTracking/TimeTrackingEntry/{id}`` changes ``minutes``,
  ``billableHours`` or ``comment`` only; an entry whose ``status`` is
  ``Approved``, ``PaidOut`` or ``Invoiced`` is locked: any change is 409, as
  PowerOffice refuses to change approved or paid-out hours.
* Lists page like the v2 lists (bare array, 204 when empty).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import ApiError, Query, after, canonical, json_body, json_response, schema_errors
from grunndata.sandbox.json_patch import apply_patch

if TYPE_CHECKING:
    from grunndata.sandbox.po_base import PowerOfficeBase

PO = "poweroffice"
ACTIVITY = "TimeTracking/Activity"
HOUR_TYPE = "TimeTracking/HourType"
PROJECT_ACTIVITY = "Project/Activity"
ENTRY = "TimeTracking/TimeTrackingEntry"
LOCKED_STATUSES = ("Approved", "PaidOut", "Invoiced")
ENTRY_EDITABLE = ("minutes", "billableHours", "comment")
_SCHEMA = {
    ACTIVITY: "TimeTrackingActivity",
    HOUR_TYPE: "TimeTrackingHourType",
    PROJECT_ACTIVITY: "ProjectActivity",
    ENTRY: "TimeTrackingEntry",
}


def _out(key: str, rec: dict[str, Any]) -> dict[str, Any]:
    return specs.shape(PO, _SCHEMA[key], rec)


def _check(key: str, rec: dict[str, Any]) -> None:
    schema = dict(specs.json_schema(PO, _SCHEMA[key]))
    schema.pop("required", None)
    errors = schema_errors(schema, rec)
    if errors:
        raise ApiError(400, "One or more validation errors occurred.", errors=errors)


def _require(rec: dict[str, Any], *names: str) -> None:
    missing = [n for n in names if rec.get(n) in (None, "")]
    if missing:
        raise ApiError(
            400, f"The {missing[0]} field is required.", errors={n: [f"The {n} field is required."] for n in missing}
        )


def routes(po: PowerOfficeBase) -> list[Route]:
    state = po.state
    fields = {key: [f for f in specs.properties(PO, name) if f != "id"] for key, name in _SCHEMA.items()}

    def lister(key: str, keep=lambda rec, q: True):
        async def endpoint(request: Request) -> Response:
            q = Query(request)
            with state.lock:
                rows = [_out(key, r) for r in po.rows(key) if keep(r, q)]
                return po.page(rows, q)

        return endpoint

    def getter(key: str):
        async def endpoint(request: Request) -> Response:
            record_id = po.int_id(request)
            with state.lock:
                rec = po.found(key, record_id, "record")
                return json_response(_out(key, rec))

        return endpoint

    def created(key: str, body: dict[str, Any]) -> Response:
        stored = po.insert(key, body)
        return json_response(_out(key, stored), 201)

    def activity_filter(rec: dict[str, Any], q: Query) -> bool:
        active = q.boolean("isActive")
        if active is not None and bool(rec.get("isActive")) != active:
            return False
        codes = q.csv("activityCodes") or q.csv("codes")
        if codes is not None and rec.get("code") not in codes:
            return False
        return after(rec.get("lastChangedDateTimeOffset"), q.timestamp("lastChangedDateTimeOffsetGreaterThan"))

    def check_activity_links(rec: dict[str, Any]) -> None:
        if rec.get("activityType") not in ("Billable", "NotBillable"):
            raise ApiError(
                400,
                "activityType must be Billable or NotBillable.",
                errors={"activityType": ["Must be Billable or NotBillable."]},
            )
        if rec.get("hourType") not in (None, "") and not any(
            h.get("code") == rec["hourType"] for h in po.rows(HOUR_TYPE)
        ):
            raise ApiError(400, f"Hour type '{rec['hourType']}' does not exist.", errors={"hourType": ["Not found."]})
        if rec.get("productCode") not in (None, "") and not any(
            p.get("Code") == rec["productCode"] for p in po.rows("Products")
        ):
            raise ApiError(
                400, f"Product '{rec['productCode']}' does not exist.", errors={"productCode": ["Not found."]}
            )

    async def create_activity(request: Request) -> Response:
        body = canonical(await json_body(request), fields[ACTIVITY])
        body.pop("lastChangedDateTimeOffset", None)
        with state.lock:
            _check(ACTIVITY, body)
            _require(body, "code", "name", "activityType")
            check_activity_links(body)
            if any(a.get("code") == body["code"] for a in po.rows(ACTIVITY)):
                raise ApiError(409, f"An activity with code '{body['code']}' already exists.")
            body.setdefault("isActive", True)
            return created(ACTIVITY, body)

    async def patch_activity(request: Request) -> Response:
        record_id, ops = await po.patch_request(request)
        with state.lock:
            rec = po.found(ACTIVITY, record_id, "activity")
            editable = [f for f in fields[ACTIVITY] if f != "lastChangedDateTimeOffset"]
            new = apply_patch(_out(ACTIVITY, rec), ops, editable, case_insensitive=True)
            _check(ACTIVITY, {k: new.get(k) for k in editable})
            _require(new, "code", "name")
            check_activity_links(new)
            if any(a.get("code") == new["code"] and a["id"] != record_id for a in po.rows(ACTIVITY)):
                raise ApiError(409, f"An activity with code '{new['code']}' already exists.")
            rec.update({k: new.get(k) for k in editable})
            po.touch(ACTIVITY, rec)
            return json_response(_out(ACTIVITY, rec))

    def project_of(request: Request) -> dict[str, Any]:
        project_id = po.int_id(request, "projectId")
        project = po.found("Projects", project_id, "project")
        return project

    async def list_project_activities(request: Request) -> Response:
        q = Query(request)
        with state.lock:
            project = project_of(request)
            rows = [_out(PROJECT_ACTIVITY, r) for r in po.rows(PROJECT_ACTIVITY) if r.get("projectId") == project["Id"]]
            return po.page(rows, q)

    async def create_project_activity(request: Request) -> Response:
        body = canonical(await json_body(request), fields[PROJECT_ACTIVITY])
        with state.lock:
            project = project_of(request)
            body["projectId"] = project["Id"]
            _check(PROJECT_ACTIVITY, body)
            _require(body, "activityCode")
            if not any(a.get("code") == body["activityCode"] for a in po.rows(ACTIVITY)):
                raise ApiError(
                    400, f"Activity '{body['activityCode']}' does not exist.", errors={"activityCode": ["Not found."]}
                )
            if any(
                r.get("projectId") == project["Id"] and r.get("activityCode") == body["activityCode"]
                for r in po.rows(PROJECT_ACTIVITY)
            ):
                raise ApiError(409, f"Activity '{body['activityCode']}' is already on project {project['Code']}.")
            body.setdefault("isBillable", True)
            stored = po.insert(PROJECT_ACTIVITY, body)
            return json_response(_out(PROJECT_ACTIVITY, stored), 201)

    def entry_filter(rec: dict[str, Any], q: Query) -> bool:
        ref = q.text("externalImportReference")
        if ref is not None and rec.get("externalImportReference") != ref:
            return False
        codes = q.csv("projectCodes")
        if codes is not None and rec.get("projectCode") not in codes:
            return False
        return True

    async def create_entry(request: Request) -> Response:
        body = canonical(await json_body(request), fields[ENTRY])
        with state.lock:
            _check(ENTRY, body)
            _require(body, "activityCode", "projectCode", "employeeCode", "date", "minutes")
            try:
                dt.date.fromisoformat(str(body["date"])[:10])
            except ValueError:
                raise ApiError(
                    400, f"date '{body['date']}' is not a valid date.", errors={"date": ["Invalid date."]}
                ) from None
            activity = next((a for a in po.rows(ACTIVITY) if a.get("code") == body["activityCode"]), None)
            if activity is None or not activity.get("isActive", True):
                raise ApiError(
                    400,
                    f"Activity '{body['activityCode']}' does not exist or is inactive.",
                    errors={"activityCode": ["Not found."]},
                )
            project = next((p for p in po.rows("Projects") if p.get("Code") == str(body["projectCode"])), None)
            if project is None:
                raise ApiError(
                    400, f"Project '{body['projectCode']}' does not exist.", errors={"projectCode": ["Not found."]}
                )
            if project.get("IsActive") is False:
                raise ApiError(
                    400, f"Project '{body['projectCode']}' is not active.", errors={"projectCode": ["Inactive."]}
                )
            if project.get("AllowAllActivities") is False:
                allowed = {
                    r.get("activityCode")
                    for r in po.rows(PROJECT_ACTIVITY)
                    if r.get("projectId") in (project["Id"], project.get("ParentProjectId"))
                }
                if body["activityCode"] not in allowed:
                    raise ApiError(
                        400,
                        f"Activity '{body['activityCode']}' is not allowed on project '{body['projectCode']}'.",
                        errors={"activityCode": ["Not allowed."]},
                    )
            if not any(str(e.get("Number")) == str(body["employeeCode"]) for e in po.rows("Employees")):
                raise ApiError(
                    400, f"Employee '{body['employeeCode']}' does not exist.", errors={"employeeCode": ["Not found."]}
                )
            if body.get("hourType") not in (None, "") and not any(
                h.get("code") == body["hourType"] for h in po.rows(HOUR_TYPE)
            ):
                raise ApiError(
                    400, f"Hour type '{body['hourType']}' does not exist.", errors={"hourType": ["Not found."]}
                )
            ref = body.get("externalImportReference")
            if ref not in (None, "") and any(e.get("externalImportReference") == ref for e in po.rows(ENTRY)):
                raise ApiError(409, f"A time tracking entry with externalImportReference '{ref}' already exists.")
            body.setdefault("status", "Registered")
            return created(ENTRY, body)

    async def patch_entry(request: Request) -> Response:
        record_id, ops = await po.patch_request(request)
        with state.lock:
            rec = po.found(ENTRY, record_id, "time tracking entry")
            if rec.get("status") in LOCKED_STATUSES:
                raise ApiError(409, f"Time tracking entry {record_id} is {rec['status']} and cannot be changed.")
            new = apply_patch(_out(ENTRY, rec), ops, list(ENTRY_EDITABLE), case_insensitive=True)
            _check(ENTRY, {k: new.get(k) for k in ENTRY_EDITABLE})
            rec.update({k: new.get(k) for k in ENTRY_EDITABLE})
            return json_response(_out(ENTRY, rec))

    return [
        Route("/v2/TimeTracking/Activity", lister(ACTIVITY, activity_filter), methods=["GET"]),
        Route("/v2/TimeTracking/Activity", create_activity, methods=["POST"]),
        Route("/v2/TimeTracking/Activity/{id}", getter(ACTIVITY), methods=["GET"]),
        Route("/v2/TimeTracking/Activity/{id}", patch_activity, methods=["PATCH"]),
        Route("/v2/TimeTracking/HourType", lister(HOUR_TYPE), methods=["GET"]),
        Route("/v2/TimeTracking/HourType/{id}", getter(HOUR_TYPE), methods=["GET"]),
        Route("/v2/Project/{projectId}/Activity", list_project_activities, methods=["GET"]),
        Route("/v2/Project/{projectId}/Activity", create_project_activity, methods=["POST"]),
        Route("/v2/TimeTracking/TimeTrackingEntry", lister(ENTRY, entry_filter), methods=["GET"]),
        Route("/v2/TimeTracking/TimeTrackingEntry", create_entry, methods=["POST"]),
        Route("/v2/TimeTracking/TimeTrackingEntry/{id}", getter(ENTRY), methods=["GET"]),
        Route("/v2/TimeTracking/TimeTrackingEntry/{id}", patch_entry, methods=["PATCH"]),
    ]
