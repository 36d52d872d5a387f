"""SmartDok work hours and goods consumption: the rows the transfer to PowerOffice reads.

``GET /WorkHours`` needs ``fromDate`` and ``toDate`` at most 93 days apart and
lists attested rows only by default ("attested" = ``AdminAttested`` true);
``includeExported`` refers to ``Exported`` (salary), ``exportedExternal`` to
``ExportedExternal``, which ``POST /WorkHours/SetExportedExternal`` sets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import ApiError, Query, empty, json_body, json_response, parse_timestamp
from grunndata.sandbox.routing import handles, routes_of
from grunndata.sandbox.sd_base import SD, SmartDokBase, since, text

MAX_HOUR_DAYS = 93


class Hours:
    """Handlers for /WorkHours and /GoodsConsumption, on top of the SmartDok emulator."""

    def __init__(self, sd: SmartDokBase):
        self.sd = sd
        self.state = sd.state

    def rows(self, key: str) -> list[dict[str, Any]]:
        return self.sd.rows(key)

    def get(self, key: str, record_id: Any) -> dict[str, Any] | None:
        return self.sd.get(key, record_id)

    def stamp(self) -> str:
        return self.sd.stamp()

    def work_hour_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "WorkHourOutput", rec)
        project = self.get("Projects", rec.get("ProjectID"))
        if project is not None:
            out["ProjectNumber"] = rec.get("ProjectNumber", project.get("ProjectNumber"))
            out["ProjectName"] = rec.get("ProjectName") or text(project.get("ProjectName"))
        sub = self.get("SubProjects", rec.get("SubProjectID"))
        if sub is not None:
            out["SubProjectNumber"] = rec.get("SubProjectNumber", sub.get("SubProjectNumber"))
            out["SubProjectName"] = rec.get("SubProjectName", sub.get("SubProjectName"))
        activity = self.get("WorkDescriptions", rec.get("WorkDescriptionId"))
        if activity is not None:
            out["WorkDescription"] = rec.get("WorkDescription") or text(activity.get("Name"))
            out["WorkDescriptionCode"] = rec.get("WorkDescriptionCode", activity.get("Number"))
        out["ProjectNo"] = out.get("ProjectNumber")
        out["SubProjectNo"] = out.get("SubProjectNumber")
        return out

    def goods_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "GoodsConsumptionOutput", rec)
        out["Project"] = self.sd.project_out(self.get("Projects", rec.get("ProjectId")) or {})
        sub = self.get("SubProjects", rec.get("SubProjectId"))
        if sub is not None:
            out["SubProject"] = self.sd.sub_project_out(sub)
        return out

    @handles("GET", "/WorkHours")
    async def list_work_hours(self, request: Request) -> Response:
        q = Query(request)
        start, end = q.timestamp("fromDate"), q.timestamp("toDate")
        if start is None or end is None:
            raise ApiError(400, "fromDate and toDate are required.", "FromDateAndToDateAreRequired")
        if end < start:
            raise ApiError(400, "toDate must not be before fromDate.", "InvalidDateRange")
        if (end - start) > dt.timedelta(days=MAX_HOUR_DAYS):
            raise ApiError(400, f"Max {MAX_HOUR_DAYS} days between fromDate and toDate.", "DateRangeTooLong")
        include_exported = q.boolean("includeExported", False)
        only_attested = q.boolean("onlyAttested", True)
        machines = q.boolean("includeMachineHours", False)
        project_id, sub_id = q.integer("projectId"), q.integer("subProjectId")
        external = q.boolean("exportedExternal")
        external_id = q.text("exportedExternalId")
        updated = q.timestamp("lastUpdated")

        def keep(h: dict[str, Any]) -> bool:
            day = h.get("Date")
            when = dt.datetime.fromisoformat(str(day)[:10]).replace(tzinfo=dt.UTC) if day else None
            return (
                when is not None
                and start.date() <= when.date() <= end.date()
                and (include_exported or not h.get("Exported"))
                and (not only_attested or h.get("AdminAttested") is True)
                and (machines or h.get("MachineHourId") is None)
                and (project_id is None or h.get("ProjectID") == project_id)
                and (sub_id is None or h.get("SubProjectID") == sub_id)
                and (external is None or bool(h.get("ExportedExternal")) == external)
                and (external_id is None or h.get("ExportedExternalId") == external_id)
                and since(h.get("LastUpdated"), updated)
            )

        with self.state.lock:
            return self.sd.wrapped([self.work_hour_out(h) for h in self.rows("WorkHours") if keep(h)])

    @handles("POST", "/WorkHours/SetExportedExternal")
    async def set_exported_external(self, request: Request) -> Response:
        q = Query(request)
        export_id = q.raw("exportedExternalId") or ""
        flag = q.boolean("setAsExportedExternal", True)
        ids = await json_body(request, list)
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ApiError(400, "The body must be a JSON array of work hour ids.", "InvalidInput")
        with self.state.lock:
            for work_hour_id in ids:
                row = self.get("WorkHours", work_hour_id)
                if row is not None:
                    row["ExportedExternal"] = flag
                    row["ExportedExternalId"] = export_id if flag else None
                    self.sd.touch("WorkHours", row)
        return empty(200)

    @handles("POST", "/WorkHours/UnmarkExportedExternal")
    async def unmark_exported_external(self, request: Request) -> Response:
        export_id = Query(request).text("exportedExternalId")
        with self.state.lock:
            for row in self.rows("WorkHours"):
                if export_id is not None and row.get("ExportedExternalId") == export_id:
                    row["ExportedExternal"] = False
                    row["ExportedExternalId"] = None
                    self.sd.touch("WorkHours", row)
        return empty(200)

    @handles("GET", "/GoodsConsumption")
    async def list_goods(self, request: Request) -> Response:
        q = Query(request)
        start, end = q.timestamp("fromDate"), q.timestamp("toDate")
        project_id, sub_id = q.integer("projectId", 0), q.integer("subProjectId", 0)
        selection = q.integer("Selection", 1)
        to_invoice, invoiced = q.boolean("markedToBeInvoiced"), q.boolean("invoiced")

        def keep(g: dict[str, Any]) -> bool:
            when = parse_timestamp(g.get("Date"))
            return (
                (start is None or (when is not None and when >= start))
                and (end is None or (when is not None and when <= end))
                and (not project_id or g.get("ProjectId") == project_id)
                and (not sub_id or g.get("SubProjectId") == sub_id)
                and (selection == 1 or bool(g.get("Exported")) == (selection == 3))
                and (to_invoice is None or bool(g.get("ToInvoice")) == to_invoice)
                and (invoiced is None or bool(g.get("Invoiced")) == invoiced)
            )

        with self.state.lock:
            return self.sd.wrapped([self.goods_out(g) for g in self.rows("GoodsConsumption") if keep(g)])

    @handles("GET", "/GoodsConsumption/{id}")
    async def get_goods(self, request: Request) -> Response:
        return self.sd.one(request, "GoodsConsumption", self.goods_out)

    @handles("POST", "/GoodsConsumption/{goodsConsumptionId}/MarkAsExported")
    async def mark_goods_exported(self, request: Request) -> Response:
        record_id = self.sd.int_id(request, "goodsConsumptionId")
        invoiced = Query(request).boolean("markAsInvoiced")
        with self.state.lock:
            rec = self.sd.found("GoodsConsumption", record_id)
            rec["Exported"] = True
            rec["ExportedDate"] = self.stamp()
            if invoiced is not None:
                rec["Invoiced"] = invoiced
        return json_response(record_id)


def routes(sd: SmartDokBase) -> list[Route]:
    return routes_of(Hours(sd))
