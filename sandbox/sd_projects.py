"""SmartDok projects and sub-projects: lists with their filters, create, PUT.

* ``/Projects`` and ``/SubProjects`` list active records only unless ``all=true``;
  projects that are orders (``IsOrder``) appear only with ``includeOrders=true``.
* ``projectNumber`` filters ignore trailing spaces (SQL Server compares that way);
  ``ProjectNumber`` is answered exactly as stored.
* ``updatedSince`` / ``createdSince`` include the moment itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import ApiError, Query, canonical, json_body, json_response
from grunndata.sandbox.routing import handles, routes_of
from grunndata.sandbox.sd_base import SD, SmartDokBase, number_and_name, since, text


@dataclass(frozen=True)
class Numbered:
    """A kind of record with a required name and number, the number unique ``within`` a parent."""

    key: str
    name_field: str
    number_field: str
    taken: str  # the 400's message when the number is in use ({} is the number)
    within: str | None = None  # the field a clash must share too (a sub-project's project)

    @property
    def required(self) -> tuple[str, str]:
        return self.name_field, self.number_field


PROJECTS = Numbered("Projects", "ProjectName", "ProjectNumber", "A project with number '{}' already exists.")
SUB_PROJECTS = Numbered(
    "SubProjects",
    "SubProjectName",
    "SubProjectNumber",
    "Sub-project number '{}' already exists on this project.",
    "ProjectId",
)


class Projects:
    def __init__(self, sd: SmartDokBase):
        self.sd = sd

    @handles("GET", "/Projects")
    async def list_projects(self, request: Request) -> Response:
        sd = self.sd
        q = Query(request)
        named = number_and_name(q, "projectNumber", "projectName", "ProjectNumber", "ProjectName", trim=str.rstrip)
        keep = sd.active_filter(q, False, True, lambda r: bool(r.get("IsActive")))
        orders = q.boolean("includeOrders", False)
        updated, created = q.timestamp("updatedSince"), q.timestamp("createdSince")
        with sd.state.lock:
            items = [
                sd.project_out(p)
                for p in sd.rows("Projects")
                if keep(p)
                and (orders or not p.get("IsOrder"))
                and named(p)
                and since(p.get("Updated"), updated)
                and since(p.get("Created"), created)
            ]
        return sd.wrapped(items)

    @handles("GET", "/Projects/{id}")
    async def get_project(self, request: Request) -> Response:
        return self.sd.one(request, "Projects", self.sd.project_out)

    @handles("GET", "/SubProjects/{id}")
    async def get_sub_project(self, request: Request) -> Response:
        return self.sd.one(request, "SubProjects", self.sd.sub_project_out)

    @handles("POST", "/Projects")
    async def create_project(self, request: Request) -> Response:
        sd = self.sd
        body = canonical(await json_body(request), specs.properties(SD, "ProjectInput"))
        sd.validate("ProjectInput", body, *PROJECTS.required)
        with sd.state.lock:
            self._unique(PROJECTS, body, None)
            stored = sd.insert("Projects", {k: v for k, v in body.items() if v is not None})
            return json_response(sd.project_out(stored))

    @handles("PUT", "/Projects/{id}")
    async def put_project(self, request: Request) -> Response:
        return await self._put(request, PROJECTS, "ProjectInputLegacy", self.sd.project_out)

    async def _put(
        self,
        request: Request,
        kind: Numbered,
        schema: str,
        shape: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Response:
        """PUT of a numbered record: found (404), validated, its number unique, replaced whole."""
        sd = self.sd
        record_id = sd.int_id(request)
        body = canonical(await json_body(request), specs.properties(SD, schema))
        with sd.state.lock:
            rec = sd.found(kind.key, record_id)
        sd.validate(schema, body, *kind.required)
        with sd.state.lock:
            self._unique(kind, {**rec, **body}, record_id)
            sd.replace(kind.key, rec, body, schema)
            sd.touch(kind.key, rec)
            return json_response(shape(rec))

    def _unique(self, kind: Numbered, rec: dict[str, Any], record_id: int | None) -> None:
        """No other record of the kind (within the same parent) has ``rec``'s number, trailing spaces aside."""
        wanted = text(rec[kind.number_field]).rstrip()
        if any(
            text(other.get(kind.number_field)).rstrip() == wanted
            and other["Id"] != record_id
            and (kind.within is None or other.get(kind.within) == rec[kind.within])
            for other in self.sd.rows(kind.key)
        ):
            raise ApiError(400, kind.taken.format(wanted), "NumberAlreadyExists")

    # --- sub-projects -----------------------------------------------------------------------
    def _sub_filter(self, q: Query) -> Callable[[dict[str, Any]], bool]:
        named = number_and_name(
            q, "subProjectNumber", "subProjectName", "SubProjectNumber", "SubProjectName", trim=str.rstrip
        )
        keep = self.sd.active_filter(q, False, True, lambda r: bool(r.get("IsActive")))
        updated = q.timestamp("updatedSince")
        return lambda s: keep(s) and named(s) and since(s.get("Updated"), updated)

    @handles("GET", "/SubProjects")
    async def list_sub_projects(self, request: Request) -> Response:
        sd = self.sd
        keep = self._sub_filter(Query(request))
        with sd.state.lock:
            return sd.wrapped([sd.sub_project_out(s) for s in sd.rows("SubProjects") if keep(s)])

    @handles("GET", "/Projects/{projectId}/SubProjects")
    async def list_project_sub_projects(self, request: Request) -> Response:
        sd = self.sd
        keep = self._sub_filter(Query(request))
        project_id = sd.int_id(request, "projectId")
        with sd.state.lock:
            sd.found("Projects", project_id)
            return sd.wrapped(
                [sd.sub_project_out(s) for s in sd.rows("SubProjects") if s.get("ProjectId") == project_id and keep(s)]
            )

    @handles("POST", "/Projects/{projectId}/SubProjects")
    async def create_sub_project(self, request: Request) -> Response:
        sd = self.sd
        project_id = sd.int_id(request, "projectId")
        body = canonical(await json_body(request), specs.properties(SD, "SubProjectInput"))
        with sd.state.lock:
            sd.found("Projects", project_id)
        sd.validate("SubProjectInput", body, *SUB_PROJECTS.required)
        with sd.state.lock:
            rec = {"ProjectId": project_id, **{k: v for k, v in body.items() if v is not None}}
            self._unique(SUB_PROJECTS, rec, None)
            rec.setdefault("IsActive", True)  # nullable in the input: null means the server default
            stored = sd.insert("SubProjects", rec)
            return json_response(sd.sub_project_out(stored))

    @handles("PUT", "/SubProjects/{id}")
    async def put_sub_project(self, request: Request) -> Response:
        return await self._put(request, SUB_PROJECTS, "SubProjectInput", self.sd.sub_project_out)


def routes(sd: SmartDokBase) -> list[Route]:
    return routes_of(Projects(sd))
