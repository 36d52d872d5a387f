"""A generated world with a month of invoice bases (fakturagrunnlag), for ``grunndata invoice``'s
tests, features and benchmark.

``month_of_invoices(bases=500, lines=10)`` gives both systems in step: projects with their
customers (SmartDok ``CustomerId`` ↔ PowerOffice ``CustomerId``), one sub-project per project,
machines, goods and activities in SmartDok, and in PowerOffice the machines' and goods' products
and activities carrying a product for hours. SmartDok then holds ``bases`` finished invoice bases
in November 2026, each with ``lines`` lines cycling through hours on an activity with a product,
machine hours, goods, an addition (description only) and hours on an activity without a product;
one basis in ten covers exactly one sub-project. On purpose, when asked for:

* ``wrong_customer``: bases whose customer is not their project's in PowerOffice,
* ``missing_product``: bases with a machine PowerOffice has no product for,
* ``drafts`` and ``credited``: bases that are not finished (never sent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

START = dt.date(2026, 11, 1)
END = dt.date(2026, 11, 30)
ACTIVITIES = [("100", "Graving", "T-100"), ("110", "Forskaling", "T-110"), ("150", "Rigg og drift", None)]
MACHINES = [(f"M{i:02d}", f"Maskin {i}", 800 + 50 * i) for i in range(1, 7)]
GOODS = [(f"V-{i}", f"Vare {i}", 100 + 10 * i) for i in range(1, 6)]
LINE_KINDS = ("WorkHours", "MachineHours", "GoodsConsumption", "Additions", "WorkHours")


def month_of_invoices(
    bases: int = 500,
    lines: int = 10,
    *,
    projects: int = 20,
    wrong_customer: int = 0,
    missing_product: int = 0,
    drafts: int = 0,
    credited: int = 0,
) -> dict[str, Any]:
    sd: dict[str, list[dict]] = {
        "Projects": [],
        "SubProjects": [],
        "Customers": [],
        "WorkDescriptions": [
            {"Id": 1 + i, "Number": c, "Name": n, "IsActive": True} for i, (c, n, _) in enumerate(ACTIVITIES)
        ],
        "Machines": [
            {"Id": 1 + i, "InternalNumber": c, "Code": c, "Name": n, "PricePerHour": p, "IsActive": True}
            for i, (c, n, p) in enumerate(MACHINES)
        ]
        + [{"Id": 99, "InternalNumber": "M99", "Code": "M99", "Name": "Leid maskin", "IsActive": True}],
        "Goods": [
            {
                "Id": 1 + i,
                "Number": c,
                "Name": n,
                "Price": p,
                "IsActive": True,
                "IsProduction": False,
                "Category": {"Id": 1, "Name": "Forbruksmateriell"},
            }
            for i, (c, n, p) in enumerate(GOODS)
        ],
        "Invoices": [],
    }
    po: dict[str, list[dict]] = {
        "Projects": [],
        "Customers": [],
        "Products": [
            {"Code": c, "Name": n, "ProductType": "Service", "UnitOfMeasureCode": "HUR", "UnitPrice": p}
            for c, n, p in MACHINES
        ]
        + [{"Code": c, "Name": n, "ProductType": "Product", "UnitPrice": p} for c, n, p in GOODS]
        + [
            {
                "Code": t,
                "Name": f"Timer {n.lower()}",
                "ProductType": "Service",
                "UnitOfMeasureCode": "HUR",
                "UnitPrice": 850,
            }
            for _, n, t in ACTIVITIES
            if t
        ],
        "TimeTracking/Activity": [
            {"code": c, "name": n, "activityType": "Billable", "isActive": True, **({"productCode": t} if t else {})}
            for c, n, t in ACTIVITIES
        ],
    }
    for p in range(1, projects + 1):
        number, customer = f"{4000 + p}", 20000 + p
        sd["Customers"].append(
            {"Id": p, "CustomerName": f"Kunde {p} AS", "CustomerNumber": str(customer), "IsActive": True}
        )
        sd["Projects"].append(
            {"Id": p, "ProjectNumber": number, "ProjectName": f"Prosjekt {number}", "CustomerId": p, "IsActive": True}
        )
        sd["SubProjects"].append(
            {"Id": p, "ProjectId": p, "SubProjectNumber": "1", "SubProjectName": "Råbygg", "IsActive": True}
        )
        po["Customers"].append({"Id": 500 + p, "Number": customer, "Name": f"Kunde {p} AS"})
        po["Projects"].append(
            {
                "Code": number,
                "Name": f"Prosjekt {number}",
                "ProjectStatus": "Active",
                "ProjectBillingMethod": "TimeAndExpenses",
                "CustomerId": 500 + p,
                "IsActive": True,
            }
        )
        po["Projects"].append(
            {
                "Code": "1",
                "ParentProjectCode": number,
                "Name": "Råbygg",
                "ProjectStatus": "Active",
                "ProjectBillingMethod": "TimeAndExpenses",
                "IsActive": True,
            }
        )
    line_id = 0
    for b in range(1, bases + 1):
        p = 1 + b % projects
        basis_id = 70000 + b
        one_sub = b % 10 == 0
        rows = []
        for n in range(lines):
            line_id += 1
            kind = LINE_KINDS[n % len(LINE_KINDS)]
            code: str
            text: str
            price: float
            if kind == "WorkHours":
                code, text, price = ACTIVITIES[0 if n % 2 == 0 else 2][0], "Timer", 850.0
            elif kind == "MachineHours":
                code, name, per_hour = MACHINES[(b + n) % len(MACHINES)]
                text, price = f"Maskintimer {name}", float(per_hour)
            elif kind == "GoodsConsumption":
                code, name, unit_price = GOODS[(b + n) % len(GOODS)]
                text, price = name, float(unit_price)
            else:
                code, text, price = "210", "Smusstillegg", 55.0
            if b <= missing_product and kind == "MachineHours":
                code, text = "M99", "Maskintimer leid maskin"
            date = START + dt.timedelta(days=(b + n) % 28)
            row = {
                "Id": line_id,
                "RowId": line_id,
                "Date": date.isoformat(),
                "InvoiceLineType": kind,
                "Code": code,
                "LineText": text,
                "Quantity": float(1 + (b + n) % 8),
                "Price": price,
                "Discount": 10.0 if n % 7 == 3 else 0.0,
                "UnitType": "stk",
            }
            if not one_sub and n % 4 == 1:
                row["SubProjectId"] = p
            rows.append(row)
        customer_number = 20000 + p
        if wrong_customer and bases - wrong_customer < b:
            customer_number = 20000 + 1 + p % projects
        status = {
            "IsDraft": b in range(bases // 2, bases // 2 + drafts),
            "Credited": b in range(bases // 3, bases // 3 + credited),
        }
        sd["Invoices"].append(
            {
                "Id": basis_id,
                "ProjectId": p,
                "CustomerId": p,
                "CustomerNumber": str(customer_number),
                "CustomerName": f"Kunde {p} AS",
                "SubProjectIds": [p] if one_sub else [],
                "DateFrom": START.isoformat(),
                "DateTo": END.isoformat(),
                "Title": f"Fakturagrunnlag {basis_id}",
                "Sent": False,
                **status,
                "InvoiceLines": rows,
            }
        )
    return {"smartdok": sd, "poweroffice": po}
