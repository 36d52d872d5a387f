"""References between world-file records, resolved once at load.

A world file may name a record's parent the way a person would (a SmartDok
``ProjectNumber``, a PowerOffice ``ParentProjectCode`` or ``CustomerNo``); the
emulators work with ids, so these are turned into ids here and checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grunndata.errors import GrunndataError

Fail = Callable[[str, str], GrunndataError]
Tables = dict[str, list[dict[str, Any]]]


def link_smartdok(sd: Tables, fail: Fail) -> None:
    by_number = {str(p["ProjectNumber"]).rstrip(): p for p in sd["Projects"]}
    numbers: set[str] = set()
    for i, p in enumerate(sd["Projects"]):
        number = str(p["ProjectNumber"]).rstrip()
        if number in numbers:
            raise fail(f"smartdok.Projects[{i}]", f"duplicate ProjectNumber {p['ProjectNumber']!r}")
        numbers.add(number)
    ids = {p["Id"] for p in sd["Projects"]}
    for key, id_key in (("SubProjects", "ProjectId"), ("WorkHours", "ProjectID"), ("GoodsConsumption", "ProjectId")):
        for i, row in enumerate(sd[key]):
            where = f"smartdok.{key}[{i}]"
            # work hours carry ProjectNumber as an answer field too, so it stays on the row
            named = row.pop("ProjectNumber", None) if key != "WorkHours" else row.get("ProjectNumber")
            if row.get(id_key) is None and named not in (None, ""):
                parent = by_number.get(str(named).rstrip())
                if parent is None:
                    raise fail(where, f"project with ProjectNumber {named!r} not found in smartdok.Projects")
                row[id_key] = parent["Id"]
            if key == "WorkHours" and row.get(id_key) is None:
                continue
            if row.get(id_key) is None:
                raise fail(where, f"needs {id_key} or ProjectNumber")
            if row[id_key] not in ids:
                raise fail(where, f"{id_key} {row[id_key]} not found in smartdok.Projects")


def link_poweroffice(po: Tables, fail: Fail) -> None:
    projects = po["Projects"]
    by_id = {p["Id"]: p for p in projects}
    mains = [p for p in projects if p.get("ParentProjectId") is None and p.get("ParentProjectCode") in (None, "")]
    main_ids = {p["Id"] for p in mains}
    by_code = {p["Code"]: p for p in mains}
    for p in mains:
        if "." in p["Code"]:
            raise fail(
                f"poweroffice.Projects (Code {p['Code']!r})",
                "'.' is not allowed in a main project's Code (it separates parent and sub-project)",
            )
    for i, p in enumerate(projects):
        if p["Id"] in main_ids:
            continue
        _link_sub_project(i, p, projects, by_id, by_code, main_ids, fail)
    codes: set[str] = set()
    for p in projects:
        if p["Code"] in codes:
            raise fail("poweroffice.Projects", f"duplicate Code {p['Code']!r}")
        codes.add(p["Code"])
    customers = {c.get("Number"): c["Id"] for c in po["Customers"] if c.get("Number") is not None}
    employees = {e.get("Number"): e["Id"] for e in po["Employees"] if e.get("Number") is not None}
    for p in projects:
        if p.get("CustomerId") is None and p.get("CustomerNo") in customers:
            p["CustomerId"] = customers[p["CustomerNo"]]
        if p.get("ProjectManagerEmployeeId") is None and p.get("ProjectManagerEmployeeNo") in employees:
            p["ProjectManagerEmployeeId"] = employees[p["ProjectManagerEmployeeNo"]]
    for d in po["Departments"]:
        if d.get("ManagerEmployeeId") is None and d.get("ManagerEmployeeNo") in employees:
            d["ManagerEmployeeId"] = employees[d["ManagerEmployeeNo"]]
    by_code_all = {p["Code"]: p for p in projects}
    for i, order in enumerate(po["SalesOrders"]):
        if order.get("CustomerId") is None and order.get("CustomerNo") in customers:
            order["CustomerId"] = customers[order["CustomerNo"]]
        code = order.get("ProjectCode")
        if order.get("ProjectId") is None and code not in (None, ""):
            if str(code) not in by_code_all:
                raise fail(f"poweroffice.SalesOrders[{i}]", f"project Code {code!r} not found in poweroffice.Projects")
            order["ProjectId"] = by_code_all[str(code)]["Id"]
    for i, row in enumerate(po["Project/Activity"]):
        where = f"poweroffice.Project/Activity[{i}]"
        code = row.pop("projectCode", None)
        if row.get("projectId") is None and code is not None:
            if str(code) not in by_code_all:
                raise fail(where, f"project Code {code!r} not found in poweroffice.Projects")
            row["projectId"] = by_code_all[str(code)]["Id"]
        if row.get("projectId") not in by_id:
            raise fail(where, "needs projectId (or projectCode) of a project in poweroffice.Projects")


def _link_sub_project(
    i: int,
    p: dict[str, Any],
    projects: list[dict[str, Any]],
    by_id: dict[Any, Any],
    by_code: dict[str, Any],
    main_ids: set[Any],
    fail: Fail,
) -> None:
    where = f"poweroffice.Projects[{i}] (Code {p['Code']!r})"
    if p.get("ParentProjectId") is not None:
        parent = by_id.get(p["ParentProjectId"])
        missing = f"parent project Id {p['ParentProjectId']} not found"
    else:
        parent = by_code.get(str(p["ParentProjectCode"])) or next(
            (q for q in projects if q["Code"] == str(p["ParentProjectCode"])), None
        )
        missing = f"parent project Code {p['ParentProjectCode']!r} not found"
    if parent is None:
        raise fail(where, missing)
    if parent["Id"] not in main_ids:
        raise fail(where, "a sub-project's parent must be a main project (one level only)")
    code = str(p["Code"])
    prefix = parent["Code"] + "."
    if not code.startswith(prefix):
        if "." in code:
            raise fail(where, f"Code must be '<sub>' or '{prefix}<sub>'")
        code = prefix + code
    p["Code"] = code
    p["ParentProjectId"] = parent["Id"]
    p["ParentProjectCode"] = parent["Code"]
