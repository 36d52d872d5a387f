"""SmartDok's registers: activities (WorkDescriptions), machines, users, wage types, additions, departments.

* ``/Users`` and ``/Additions`` list active records only unless ``all=true``;
  ``/WorkDescriptions``, ``/Machines``, ``/Wages`` and ``/Departments`` default to
  ``all=true`` in the spec, so they list inactive records too.
* ``POST /Departments`` answers the department (the spec offers no update for it); a
  duplicate ``Number`` is 400 ``NumberAlreadyExists``.
* ``GET /Additions`` is empty unless ``onlyAddition=true`` (records with
  ``Addition``) or ``onlyUnitAddition=true`` (records with ``UnitAddition``).
* POSTs answer 200 with the created record (as the spec says).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import ApiError, Query, canonical, json_body, json_response
from grunndata.sandbox.sd_base import SD, SmartDokBase, number_and_name, since, text

Endpoint = Callable[[Request], Awaitable[Response]]


class Registers:
    def __init__(self, sd: SmartDokBase):
        self.sd = sd

    def simple_resource(
        self,
        key: str,
        input_schema: str,
        output_schema: str,
        number_field: str,
        name_param: str,
        number_param: str,
        *,
        wrapped: bool,
    ) -> tuple[Endpoint, ...]:
        """List, get, create and PUT of a register with a number and a name."""
        sd = self.sd

        def out(rec: dict[str, Any]) -> dict[str, Any]:
            return specs.shape(SD, output_schema, rec)

        def unique(body: dict[str, Any], record_id: int | None) -> None:
            wanted = text(body.get(number_field)).strip()
            if wanted and any(
                text(r.get(number_field)).strip() == wanted and r["Id"] != record_id for r in sd.rows(key)
            ):
                raise ApiError(400, f"{number_field} '{wanted}' already exists.", "NumberAlreadyExists")

        async def listing(request: Request) -> Response:
            q = Query(request)
            keep = sd.active_filter(q, True, False, lambda r: bool(r.get("IsActive")))
            named = number_and_name(q, number_param, name_param, number_field)
            with sd.state.lock:
                items = [out(r) for r in sd.rows(key) if keep(r) and named(r)]
            return sd.wrapped(items) if wrapped else json_response(items)

        async def getting(request: Request) -> Response:
            with sd.state.lock:
                rec = sd.found(key, sd.int_id(request))
                return json_response(out(rec))

        async def creating(request: Request) -> Response:
            body = canonical(await json_body(request), specs.properties(SD, input_schema))
            sd.validate(input_schema, body, "Name", None)
            with sd.state.lock:
                unique(body, None)
                stored = sd.insert(key, {k: v for k, v in body.items() if v is not None})
                return json_response(out(stored))

        async def putting(request: Request) -> Response:
            record_id = sd.int_id(request)
            body = canonical(await json_body(request), specs.properties(SD, input_schema))
            with sd.state.lock:
                rec = sd.found(key, record_id)
            sd.validate(input_schema, body, "Name", None)
            with sd.state.lock:
                unique(body, record_id)
                sd.replace(key, rec, body, input_schema)
                sd.touch(key, rec)
                return json_response(out(rec))

        return listing, getting, creating, putting

    async def list_users(self, request: Request) -> Response:
        sd = self.sd
        q = Query(request)
        keep = sd.active_filter(q, False, True, lambda r: not r.get("IsEnded") and not r.get("IsDeleted"))
        with sd.state.lock:
            return sd.wrapped([specs.shape(SD, "UserOutput", u) for u in sd.rows("Users") if keep(u)])

    async def get_user(self, request: Request) -> Response:
        sd = self.sd
        with sd.state.lock:
            rec = sd.found("Users", request.path_params["id"])
            return json_response(specs.shape(SD, "UserOutput", rec))

    async def list_wages(self, request: Request) -> Response:
        sd = self.sd
        q = Query(request)
        keep = sd.active_filter(q, True, False, lambda r: bool(r.get("IsActive")))
        named = number_and_name(q, "wageNumber", "wageName")
        with sd.state.lock:
            return json_response([specs.shape(SD, "WageOutput", w) for w in sd.rows("Wages") if keep(w) and named(w)])

    async def list_additions(self, request: Request) -> Response:
        sd = self.sd
        q = Query(request)
        only_addition = q.boolean("onlyAddition", False)
        only_unit = q.boolean("onlyUnitAddition", False)
        keep = sd.active_filter(q, False, True, lambda r: bool(r.get("IsActive")))
        named = number_and_name(q, "additionNumber", "additionName")
        with sd.state.lock:
            items = [
                specs.shape(SD, "AdditionOutput", a)
                for a in sd.rows("Additions")
                if ((only_addition and a.get("Addition")) or (only_unit and a.get("UnitAddition")))
                and keep(a)
                and named(a)
            ]
        return json_response(items)

    async def list_departments(self, request: Request) -> Response:
        sd = self.sd
        q = Query(request)
        keep = sd.active_filter(q, True, False, lambda r: bool(r.get("IsActive")))
        named = number_and_name(q, "departmentNumber", "departmentName")
        updated = q.timestamp("updatedSince")
        with sd.state.lock:
            return sd.wrapped(
                [
                    specs.shape(SD, "DepartmentOutput", d)
                    for d in sd.rows("Departments")
                    if keep(d) and named(d) and since(d.get("Updated"), updated)
                ]
            )

    async def create_department(self, request: Request) -> Response:
        sd = self.sd
        body = canonical(await json_body(request), specs.properties(SD, "DepartmentInput"))
        body.setdefault("IsActive", False)  # a required boolean left out binds as false
        sd.validate("DepartmentInput", body, "Name", "Number")
        with sd.state.lock:
            wanted = text(body["Number"]).strip()
            if any(text(d.get("Number")).strip() == wanted for d in sd.rows("Departments")):
                raise ApiError(400, f"Department number '{wanted}' already exists.", "NumberAlreadyExists")
            stored = sd.insert("Departments", {k: v for k, v in body.items() if v is not None})
            return json_response(specs.shape(SD, "DepartmentOutput", stored))

    def getter(self, key: str, schema: str) -> Endpoint:
        sd = self.sd

        async def endpoint(request: Request) -> Response:
            with sd.state.lock:
                rec = sd.found(key, sd.int_id(request))
                return json_response(specs.shape(SD, schema, rec))

        return endpoint


def routes(sd: SmartDokBase) -> list[Route]:
    r = Registers(sd)
    wd_list, wd_get, wd_post, wd_put = r.simple_resource(
        "WorkDescriptions",
        "ActivityInput",
        "ActivityOutput",
        "Number",
        "workDescriptionName",
        "workDescriptionNumber",
        wrapped=False,
    )
    m_list, m_get, m_post, m_put = r.simple_resource(
        "Machines", "MachineInput", "MachineOutput", "InternalNumber", "machineName", "internalNumber", wrapped=True
    )
    return [
        Route("/WorkDescriptions", wd_list, methods=["GET"]),
        Route("/WorkDescriptions", wd_post, methods=["POST"]),
        Route("/WorkDescriptions/{id}", wd_get, methods=["GET"]),
        Route("/WorkDescriptions/{id}", wd_put, methods=["PUT"]),
        Route("/Machines", m_list, methods=["GET"]),
        Route("/Machines", m_post, methods=["POST"]),
        Route("/Machines/{id}", m_get, methods=["GET"]),
        Route("/Machines/{id}", m_put, methods=["PUT"]),
        Route("/Users", r.list_users, methods=["GET"]),
        Route("/Users/{id}", r.get_user, methods=["GET"]),
        Route("/Wages", r.list_wages, methods=["GET"]),
        Route("/Wages/{id}", r.getter("Wages", "WageOutput"), methods=["GET"]),
        Route("/Additions", r.list_additions, methods=["GET"]),
        Route("/Additions/{id}", r.getter("Additions", "AdditionOutput"), methods=["GET"]),
        Route("/Departments", r.list_departments, methods=["GET"]),
        Route("/Departments", r.create_department, methods=["POST"]),
    ]
