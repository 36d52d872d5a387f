"""R25/R26: every product an invoice line can carry exists in PowerOffice and is not archived.

A machine's product is the PowerOffice product with the machine's number (R10), a goods item's
the product with its number, an hour line's the product of its PowerOffice activity. A line whose
product PowerOffice lacks cannot become an order line, so ``grunndata invoice`` holds its basis
back with these same words. A machine the sync plan creates as a product (R10) is left to ``grunndata apply``.
"""

from __future__ import annotations

from grunndata.engine import invoice_problems as problems
from grunndata.engine.mapping import as_text
from grunndata.engine.model import Check, CheckContext, Finding
from grunndata.plugins.checks.records import Reporter, read_lists
from grunndata.plugins.offers import offers
from grunndata.rulebook.conditions import value_at

NAME = "products"
# The hook answers the CHECK declared below, after the function it runs.
grunndata_checks = offers("grunndata_checks", lambda: [CHECK])


def run(ctx: CheckContext) -> list[Finding]:
    rules, snap = ctx.rules, ctx.snapshot
    report = Reporter(NAME, rules)
    products = {as_text(p.get("Code")): p for p in snap.records("poweroffice", "Products")}
    counts = rules.active("poweroffice", "Products")
    machine_number = (rules.get("machines", "fields", "number") or {}).get("smartdok")
    goods_number = rules.get("invoice", "goods_number")
    wanted: dict[str, str] = {}  # product code -> kind, in the order found
    if machine_number:
        for m in rules.active("smartdok", "Machines").split(snap.records("smartdok", "Machines"))[0]:
            wanted.setdefault(as_text(value_at(m, machine_number)) or "", "machine")
    if goods_number:
        for g in rules.active("smartdok", "Goods").split(snap.records("smartdok", "Goods"))[0]:
            wanted.setdefault(as_text(value_at(g, goods_number)) or "", "goods")
    activities = snap.records("poweroffice", "TimeTracking/Activity")
    for a in rules.active("poweroffice", "TimeTracking/Activity").split(activities)[0]:
        if as_text(a.get("productCode")):
            wanted.setdefault(as_text(a.get("productCode")) or "", "activity")
    # A machine the sync is about to create as a product (R10) is the plan's business, not a finding.
    planned = {
        str(a.key) for a in getattr(ctx.plan, "actions", None) or [] if a.entity == "machines" and a.op == "create"
    }
    findings: list[Finding] = []
    for code, kind in wanted.items():
        if not code or (kind == "machine" and code in planned):
            continue
        product = products.get(code)
        known = product is not None and counts.holds(product)
        findings += report.problem(code, problems.product_problem(kind, code, product, known, report.po, report.sd))
    return findings


CHECK: Check = Check(
    name=NAME,
    description="Produktene på fakturalinjer (R25, R26): maskiner, varer og aktiviteters "
    "produkter finnes i PowerOffice",
    run=run,
    reads=read_lists(smartdok=("Machines", "Goods"), poweroffice=("Products", "TimeTracking/Activity")),
)
