"""PowerOffice Go v2 writes: projects and products (create, JSON Patch, delete).

Choices where the spec is silent (also in docs/SANDBOX.md):

* ``POST /v2/Projects`` answers 201; ``POST /v2/Products`` answers 200 (the
  spec documents 200 there). Duplicate codes are 400 (the spec lists no 409).
  New projects default to ``IsActive`` true and ``ProjectStatus``
  ``NotStarted``; the billing method stays null unless sent.
* ``PATCH`` needs ``Content-Type: application/json-patch+json`` (else 415); see
  :mod:`grunndata.sandbox.json_patch` for the paths it accepts.
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


def _last_segment(code: str) -> str:
    return str(code).rsplit(".", 1)[-1]


def _next_number(codes: list[str]) -> int:
    numbers = [int(c) for c in codes if str(c).isdigit()]
    return max(numbers, default=0) + 1


class Writes:
    def __init__(self, po: PowerOfficeBase):
        self.po = po

    # --- projects ---------------------------------------------------------------------------
    def _resolve_links(self, rec: dict[str, Any]) -> None:
        """CustomerNo / ProjectManagerEmployeeNo to ids (the ids win when both are sent)."""
        po = self.po
        for id_key, no_key, table in (
            ("CustomerId", "CustomerNo", "Customers"),
            ("ProjectManagerEmployeeId", "ProjectManagerEmployeeNo", "Employees"),
        ):
            if rec.get(id_key) is not None:
                if po.get(table, rec[id_key]) is None:
                    raise ApiError(400, f"{id_key} {rec[id_key]} does not exist.", errors={id_key: ["Not found."]})
                rec.pop(no_key, None)
            elif rec.get(no_key) is not None:
                match = next((r for r in po.rows(table) if r.get("Number") == rec[no_key]), None)
                if match is None:
                    raise ApiError(400, f"{no_key} {rec[no_key]} does not exist.", errors={no_key: ["Not found."]})
                rec[id_key] = match["Id"]
                rec.pop(no_key, None)

    def _check_project_fields(self, rec: dict[str, Any]) -> None:
        self.po.check_types(
            "ProjectPostDto", {k: v for k, v in rec.items() if k in specs.properties(PO, "ProjectPostDto")}
        )
        if not str(rec.get("Name") or "").strip():
            raise ApiError(400, "The Name field is required.", errors={"Name": ["The Name field is required."]})
        progress = rec.get("Progress")
        if progress is not None and not 0 <= progress <= 100:
            raise ApiError(400, "Progress must be between 0 and 100.", errors={"Progress": ["Out of range."]})

    def _parent(self, body: dict[str, Any]) -> dict[str, Any] | None:
        po = self.po
        parent = None
        if body.get("ParentProjectId") is not None:
            parent = po.get("Projects", body["ParentProjectId"])
            if parent is None:
                raise ApiError(
                    400,
                    f"Parent project with id {body['ParentProjectId']} was not found.",
                    errors={"ParentProjectId": ["Not found."]},
                )
        elif body.get("ParentProjectCode") not in (None, ""):
            parent = next((p for p in po.rows("Projects") if p["Code"] == str(body["ParentProjectCode"])), None)
            if parent is None:
                raise ApiError(
                    400,
                    f"Parent project with code '{body['ParentProjectCode']}' was not found.",
                    errors={"ParentProjectCode": ["Not found."]},
                )
        if parent is not None and parent.get("ParentProjectId") is not None:
            raise ApiError(
                400,
                "A sub-project cannot have sub-projects (one level only).",
                errors={"ParentProjectCode": ["The parent is itself a sub-project."]},
            )
        return parent

    @handles("POST", "/v2/Projects")
    async def create_project(self, request: Request) -> Response:
        po = self.po
        body = canonical(await json_body(request), specs.properties(PO, "ProjectPostDto"))
        with po.state.lock:
            self._check_project_fields(body)
            code = body.get("Code")
            if code is not None and "." in str(code):
                raise ApiError(
                    400,
                    "The project code cannot contain '.' (it separates parent and sub-project).",
                    errors={"Code": ["'.' is not allowed."]},
                )
            parent = self._parent(body)
            siblings = [
                p for p in po.rows("Projects") if (p.get("ParentProjectId") == (parent["Id"] if parent else None))
            ]
            if code in (None, ""):
                code = str(_next_number([_last_segment(p["Code"]) for p in siblings]))
            full = f"{parent['Code']}.{code}" if parent else str(code)
            if any(p["Code"] == full for p in po.rows("Projects")):
                raise ApiError(
                    400,
                    f"A project with code '{full}' already exists.",
                    errors={"Code": [f"'{full}' is already in use."]},
                )
            self._resolve_links(body)
            rec = {**{k: v for k, v in body.items() if v is not None}, "Code": full}
            rec.pop("ParentProjectCode", None)
            if parent is not None:
                rec["ParentProjectId"] = parent["Id"]
                rec["ParentProjectCode"] = parent["Code"]
            rec.setdefault("IsActive", True)
            rec.setdefault("ProjectStatus", "NotStarted")
            rec.setdefault("AllowAllActivities", True)
            rec.setdefault("AllowAllEmployees", True)
            return po.created("Projects", rec)

    @handles("PATCH", "/v2/Projects/{id}")
    async def patch_project(self, request: Request) -> Response:
        return await self.po.patch_with(request, "Projects", "project", "ProjectPostDto", self._change_project)

    def _change_project(self, rec: dict[str, Any], current: dict[str, Any], new: dict[str, Any]) -> None:
        po, record_id = self.po, rec["Id"]
        fields = specs.properties(PO, "ProjectPostDto")
        changed = {k for k in fields if new.get(k) != current.get(k)}
        if changed & {"ParentProjectId", "ParentProjectCode"}:
            raise ApiError(400, "The parent of a project cannot be changed.")
        if "Code" in changed:
            self._check_new_code(rec, str(new.get("Code") or ""), record_id)
        self._check_project_fields({k: new.get(k) for k in fields})
        update = {k: new.get(k) for k in changed}
        if "CustomerNo" in changed and "CustomerId" not in changed:
            update["CustomerId"] = None
        if "ProjectManagerEmployeeNo" in changed and "ProjectManagerEmployeeId" not in changed:
            update["ProjectManagerEmployeeId"] = None
        self._resolve_links(update)
        if "Code" in changed:
            for sub in po.rows("Projects"):
                if sub.get("ParentProjectId") == record_id:
                    sub["Code"] = f"{update['Code']}.{_last_segment(sub['Code'])}"
                    sub["ParentProjectCode"] = update["Code"]
                    po.touch("Projects", sub)
        rec.update(update)

    def _check_new_code(self, rec: dict[str, Any], code: str, record_id: int) -> None:
        if rec.get("ParentProjectId") is not None:
            raise ApiError(400, "The code of a sub-project cannot be changed.")
        if not code or "." in code:
            raise ApiError(
                400, "The project code must be non-empty and cannot contain '.'.", errors={"Code": ["Invalid code."]}
            )
        if any(p["Code"] == code and p["Id"] != record_id for p in self.po.rows("Projects")):
            raise ApiError(400, f"A project with code '{code}' already exists.")

    @handles("DELETE", "/v2/Projects/{id}")
    async def delete_project(self, request: Request) -> Response:
        po = self.po
        record_id = po.int_id(request)
        with po.state.lock:
            rec = po.found("Projects", record_id, "project")
            in_use = any(p.get("ParentProjectId") == record_id for p in po.rows("Projects")) or any(
                e.get("projectCode") == rec["Code"] for e in po.rows("TimeTracking/TimeTrackingEntry")
            )
            if in_use:
                raise ApiError(409, f"Project {rec['Code']} is in use and cannot be deleted.")
            po.delete("Projects", record_id)
            for link in [a for a in po.rows("Project/Activity") if a.get("projectId") == record_id]:
                po.delete("Project/Activity", link["id"])
            return empty(200)

    # --- products ---------------------------------------------------------------------------
    def _check_product(self, rec: dict[str, Any], record_id: int | None) -> None:
        po = self.po
        po.check_types("ProductPostDto", {k: v for k, v in rec.items() if k in specs.properties(PO, "ProductPostDto")})
        if not str(rec.get("Name") or "").strip():
            raise ApiError(400, "The Name field is required.", errors={"Name": ["The Name field is required."]})
        code = rec.get("Code")
        if code not in (None, "") and any(p.get("Code") == code and p["Id"] != record_id for p in po.rows("Products")):
            raise ApiError(400, f"A product with code '{code}' already exists.", errors={"Code": ["Already in use."]})

    @handles("POST", "/v2/Products")
    async def create_product(self, request: Request) -> Response:
        po = self.po
        body = canonical(await json_body(request), specs.properties(PO, "ProductPostDto"))
        with po.state.lock:
            self._check_product(body, None)
            rec = {k: v for k, v in body.items() if v is not None}
            rec.setdefault("ProductType", "Product")
            rec.setdefault("IsArchived", False)
            return po.created("Products", rec, 200)

    @handles("PATCH", "/v2/Products/{id}")
    async def patch_product(self, request: Request) -> Response:
        return await self.po.patch_with(request, "Products", "product", "ProductPostDto", self._change_product)

    def _change_product(self, rec: dict[str, Any], current: dict[str, Any], new: dict[str, Any]) -> None:
        fields = specs.properties(PO, "ProductPostDto")
        self._check_product({k: new.get(k) for k in fields}, rec["Id"])
        rec.update({k: new.get(k) for k in fields if new.get(k) != current.get(k)})

    @handles("DELETE", "/v2/Products/{id}")
    async def delete_product(self, request: Request) -> Response:
        po = self.po
        record_id = po.int_id(request)
        with po.state.lock:
            po.found("Products", record_id, "product")
            po.delete("Products", record_id)
            return empty(200)


def routes(po: PowerOfficeBase) -> list[Route]:
    return routes_of(Writes(po))
