"""PowerOffice Go departments written: create, JSON Patch, delete (reads are in po_lists).

* ``POST /v2/Departments`` needs ``Name``; answers 201 with the department. A duplicate
  ``Code`` is 400; without a ``Code`` the next free number is given. ``IsActive`` defaults
  to false, as the spec says. ``ManagerEmployeeId`` wins over ``ManagerEmployeeNo``; an
  unknown manager is 400.
* ``PATCH /v2/Departments/{id}``: JSON Patch of the post fields, PascalCase paths.
* ``DELETE /v2/Departments/{id}``: 409 while a project uses the department.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import ApiError, canonical, empty, json_body
from grunndata.sandbox.po_base import PowerOfficeBase
from grunndata.sandbox.po_gateway import PO
from grunndata.sandbox.routing import handles, routes_of

KEY = "Departments"
INPUT = "DepartmentPostDto"


class Departments:
    def __init__(self, po: PowerOfficeBase):
        self.po = po

    def _check(self, rec: dict[str, Any], record_id: int | None) -> dict[str, Any]:
        """The fields to store, checked; the manager's number resolved to an id."""
        po = self.po
        fields = specs.properties(PO, INPUT)
        po.check_types(INPUT, {k: v for k, v in rec.items() if k in fields})
        if not str(rec.get("Name") or "").strip():
            raise ApiError(400, "The Name field is required.", errors={"Name": ["The Name field is required."]})
        code = rec.get("Code")
        if code not in (None, "") and any(d.get("Code") == code and d["Id"] != record_id for d in po.rows(KEY)):
            raise ApiError(
                400, f"A department with code '{code}' already exists.", errors={"Code": ["Already in use."]}
            )
        out = {k: rec.get(k) for k in fields}
        if out.get("ManagerEmployeeId") is not None:
            if po.get("Employees", out["ManagerEmployeeId"]) is None:
                raise ApiError(
                    400,
                    f"ManagerEmployeeId {out['ManagerEmployeeId']} does not exist.",
                    errors={"ManagerEmployeeId": ["Not found."]},
                )
        elif out.get("ManagerEmployeeNo") is not None:
            match = next((e for e in po.rows("Employees") if e.get("Number") == out["ManagerEmployeeNo"]), None)
            if match is None:
                raise ApiError(
                    400,
                    f"ManagerEmployeeNo {out['ManagerEmployeeNo']} does not exist.",
                    errors={"ManagerEmployeeNo": ["Not found."]},
                )
            out["ManagerEmployeeId"] = match["Id"]
        out.pop("ManagerEmployeeNo", None)  # worked out from the id when answered
        return out

    @handles("POST", "/v2/Departments")
    async def create(self, request: Request) -> Response:
        po = self.po
        body = canonical(await json_body(request), specs.properties(PO, INPUT))
        with po.state.lock:
            rec = self._check(body, None)
            if rec.get("Code") in (None, ""):
                numbers = [int(d["Code"]) for d in po.rows(KEY) if str(d.get("Code") or "").isdigit()]
                rec["Code"] = str(max(numbers, default=0) + 1)
            if rec.get("IsActive") is None:
                rec["IsActive"] = False
            return po.created(KEY, {k: v for k, v in rec.items() if v is not None})

    @handles("PATCH", "/v2/Departments/{id}")
    async def patch(self, request: Request) -> Response:
        return await self.po.patch_with(request, KEY, "department", INPUT, self._change)

    def _change(self, rec: dict[str, Any], current: dict[str, Any], new: dict[str, Any]) -> None:
        if new.get("ManagerEmployeeNo") != current.get("ManagerEmployeeNo") and new.get(
            "ManagerEmployeeId"
        ) == current.get("ManagerEmployeeId"):
            new["ManagerEmployeeId"] = None  # a new number names a new manager
        rec.update(self._check(new, rec["Id"]))

    @handles("DELETE", "/v2/Departments/{id}")
    async def delete(self, request: Request) -> Response:
        po = self.po
        record_id = po.int_id(request)
        with po.state.lock:
            rec = po.found(KEY, record_id, "department")
            if any(p.get("DepartmentId") == record_id for p in po.rows("Projects")):
                raise ApiError(409, f"Department {rec.get('Code')} is used by a project and cannot be deleted.")
            po.delete(KEY, record_id)
            return empty(200)


def routes(po: PowerOfficeBase) -> list[Route]:
    return routes_of(Departments(po))
