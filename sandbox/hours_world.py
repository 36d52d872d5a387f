"""A generated world with a month of hours, for the transfer's tests, features and benchmark.

``month_of_hours(employees=200)`` gives both systems in step (projects, activities,
employees, wage types ↔ hour types, additions ↔ pay items, machines ↔ products,
goods ↔ products, each product with its time-tracking activity) and, in SmartDok,
about 20 attested hour rows per employee in January 2026, with additions, machine
hours and goods consumption, plus a few rows that break R3, R4 and R5 on purpose:

* ``broken_employees`` users whose number PowerOffice does not know (R3),
* one employee's hours on the wage type «Helgetillegg», which has no hour type of that name (R4),
* one employee's additions with code «230», which has no pay item (R5).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from grunndata.sandbox.resources import uuid_for

START = dt.date(2026, 1, 1)
PROJECTS = [(f"{3000 + i}", f"Prosjekt {3000 + i}") for i in range(1, 11)]
ACTIVITIES = [("100", "Forskaling"), ("200", "Armering"), ("300", "Betong")]
MACHINES = [(f"M-{i}", f"Maskin {i}", 900 + 10 * i) for i in range(1, 6)]
GOODS = [(f"V-{i}", f"Vare {i}", 100 + i) for i in range(1, 6)]
WAGES = [("1", "Ordinær", "ORD"), ("2", "Overtid 50 %", "OT50"), ("3", "Helgetillegg", None)]
ADDITIONS = [
    ("210", "Smusstillegg", False, "T210"),
    ("220", "Diett", True, "T220"),
    ("230", "Høydetillegg", False, None),
]


def user_id(i: int) -> str:
    """The SmartDok user id of employee ``i``."""
    return uuid_for(i)


def _hour_row(row_id: int, number: str, i: int, day: dt.date, project: str, fields: dict[str, Any]) -> dict[str, Any]:
    """One attested SmartDok hour row of employee ``i`` (number ``number``): who, when, where, then ``fields``."""
    who = {"WorkHourID": row_id, "EmployeeNo": number, "UserID": user_id(i), "Date": day.isoformat()}
    return {**who, "ProjectNumber": project, **fields, "AdminAttested": True}


def month_of_hours(
    employees: int = 200, *, days: int = 31, seed: int = 8, broken_employees: int = 2, goods_rows: int = 100
) -> dict[str, Any]:
    rnd = random.Random(seed)
    sd: dict[str, list[dict]] = {
        "Projects": [
            {"Id": 101 + i, "ProjectNumber": n, "ProjectName": name, "IsActive": True}
            for i, (n, name) in enumerate(PROJECTS)
        ],
        "SubProjects": [{"ProjectNumber": PROJECTS[0][0], "SubProjectNumber": "01", "SubProjectName": "Grunnarbeid"}],
        "WorkDescriptions": [{"Number": c, "Name": n, "IsActive": True} for c, n in ACTIVITIES],
        "Machines": [
            {"InternalNumber": c, "Code": c, "Name": n, "PricePerHour": p, "IsActive": True} for c, n, p in MACHINES
        ],
        "Users": [],
        "Wages": [{"Number": n, "Name": name, "IsActive": True} for n, name, _ in WAGES],
        "Additions": [
            {"Number": c, "Name": n, "UnitAddition": unit, "Addition": not unit, "IsActive": True}
            for c, n, unit, _ in ADDITIONS
        ],
        "WorkHours": [],
        "GoodsConsumption": [],
    }
    po: dict[str, list[dict]] = {
        "Projects": [
            {"Code": n, "Name": name, "ProjectStatus": "Active", "ProjectBillingMethod": "Time"} for n, name in PROJECTS
        ]
        + [
            {
                "Code": "01",
                "ParentProjectCode": PROJECTS[0][0],
                "Name": "Grunnarbeid",
                "ProjectStatus": "Active",
                "ProjectBillingMethod": "Time",
            }
        ],
        "Products": [
            {"Code": c, "Name": n, "ProductType": "Service", "UnitOfMeasureCode": "HUR", "UnitPrice": p}
            for c, n, p in MACHINES
        ]
        + [{"Code": c, "Name": n, "ProductType": "Product", "UnitPrice": p} for c, n, p in GOODS],
        "Employees": [],
        "PayItems": [{"Code": c, "Name": n, "IsActive": True} for c, n, _, ht in ADDITIONS if ht],
        "TimeTracking/Activity": [
            {"code": c, "name": n, "activityType": "Billable", "isActive": True} for c, n in ACTIVITIES
        ]
        + [
            {"code": f"A-{c}", "name": n, "activityType": "Billable", "isActive": True, "productCode": c}
            for c, n, _ in MACHINES + GOODS
        ],
        "TimeTracking/HourType": [
            {"code": code, "description": name, "isActive": True} for _, name, code in WAGES if code
        ]
        + [{"code": ht, "description": n, "payItemCode": c, "isActive": True} for c, n, _, ht in ADDITIONS if ht],
        "TimeTracking/TimeTrackingEntry": [],
    }
    for i in range(1, employees + 1):
        number = str(1000 + i)
        sd["Users"].append({"Id": user_id(i), "Name": f"Ansatt {i}", "EmployeeNo": number})
        if i > employees - broken_employees:
            continue  # R3: PowerOffice has no employee with this number
        po["Employees"].append({"Number": int(number), "FirstName": "Ansatt", "LastName": str(i), "IsArchived": False})

    r4, r5 = max(1, employees // 2), 3 * max(1, employees // 9)
    row_id = 5000
    workdays = [START + dt.timedelta(days=d) for d in range(days) if (START + dt.timedelta(days=d)).weekday() < 5]
    for i in range(1, employees + 1):
        number = str(1000 + i)
        for day in workdays:
            project = PROJECTS[(i + day.day) % len(PROJECTS)][0]
            row_id += 1
            wage = WAGES[0] if rnd.random() < 0.9 else WAGES[1]
            if i == r4 and day.day == 2:
                wage = WAGES[2]  # R4
            activity = ACTIVITIES[(i + day.day) % 3][0]
            worked = {"WorkDescriptionCode": activity, "WageName": wage[1], "WageCode": wage[0], "NetHours": 7.5}
            row = _hour_row(row_id, number, i, day, project, worked)
            if project == PROJECTS[0][0] and day.day % 2 == 0:
                row["SubProjectNumber"] = "01"
            sd["WorkHours"].append(row)
            if day.day in (8, 22) and i % 3 == 0:  # an addition row
                code, name, unit, _ = ADDITIONS[0] if i % 2 else ADDITIONS[1]
                if i == r5:
                    code, name, unit, _ = ADDITIONS[2]  # R5
                row_id += 1
                addition = {"WorkDescriptionCode": activity, "WageName": name, "WageCode": code}
                kind = {"WageAddition": not unit, "UnitAddition": unit, "NetHours": 1.0 if unit else 7.5}
                sd["WorkHours"].append(_hour_row(row_id, number, i, day, project, {**addition, **kind}))
            if day.day in (12, 26) and i % 4 == 0:  # machine hours
                machine = MACHINES[i % len(MACHINES)][0]
                row_id += 1
                used = {"MachineHourId": row_id, "EquipmentCode": machine, "WorkDescription": "Graving"}
                sd["WorkHours"].append(_hour_row(row_id, number, i, day, project, {**used, "NetHours": 4.0}))
    for g in range(goods_rows):
        i = 1 + g % employees
        code, name, _ = GOODS[g % len(GOODS)]
        sd["GoodsConsumption"].append(
            {
                "Id": 9001 + g,
                "ProjectNumber": PROJECTS[g % len(PROJECTS)][0],
                "Amount": float(1 + g % 7),
                "Date": workdays[g % len(workdays)].isoformat(),
                "User": {"Id": user_id(i), "Name": f"Ansatt {i}"},
                "Goods": {
                    "Id": 1 + g % len(GOODS),
                    "Number": code,
                    "Name": name,
                    "Category": {"Id": 1, "Name": "Forbruksmateriell"},
                },
                "AdminAttested": True,
            }
        )
    return {"smartdok": sd, "poweroffice": po}
