"""R26: an invoice basis becomes an order only on an active project whose customer is the basis' customer.

For every active SmartDok project PowerOffice has too: the project is active there, it has a
customer PowerOffice knows, and that customer is the SmartDok project's (compared by number, as
text). PowerOffice refuses an order whose customer is not its project's («Customer connected to
project is not the same as the customer stated in the API»), so ``grunndata invoice`` holds such
bases back with these same words. Projects PowerOffice lacks are the sync's business (R8, R17).
"""

from __future__ import annotations

from grunndata.engine import invoice_problems as problems
from grunndata.engine.mapping import as_text
from grunndata.engine.model import Check, CheckContext, Finding
from grunndata.plugins.checks.records import Reporter, read_lists
from grunndata.plugins.offers import offers

NAME = "customers"
# The hook answers the CHECK declared below, after the function it runs.
grunndata_checks = offers("grunndata_checks", lambda: [CHECK])


def run(ctx: CheckContext) -> list[Finding]:
    rules, snap = ctx.rules, ctx.snapshot
    report = Reporter(NAME, rules)
    trim = bool(rules.get("invoice", "customer", "trim", default=True))
    customers = snap.records("poweroffice", "Customers")
    index = problems.ProjectCustomers(
        snap.records("poweroffice", "Projects"), customers, rules.active("poweroffice", "Customers").split(customers)[0]
    )
    po_projects = {as_text(p.get("Code")): p for p in snap.records("poweroffice", "Projects")}
    project_active = rules.active("poweroffice", "Projects")
    sd_customers = {c.get("Id"): c for c in snap.records("smartdok", "Customers")}
    findings: list[Finding] = []
    for project in rules.active("smartdok", "Projects").split(snap.records("smartdok", "Projects"))[0]:
        code = as_text(project.get("ProjectNumber"))
        counterpart = po_projects.get(code)
        if code is None or counterpart is None:
            continue
        if not project_active.holds(counterpart):
            findings += report.problem(code, problems.project_inactive(code, report.po))
            continue
        number = (sd_customers.get(project.get("CustomerId")) or {}).get("CustomerNumber")
        number = None if number is None else (str(number).strip() if trim else str(number)) or None
        findings += report.problem(
            code, index.problem(code, counterpart, number, report.po, report.sd, sd_required=False)
        )
    return findings


CHECK: Check = Check(
    name=NAME,
    description="Prosjektenes kunder (R26): samme kunde i begge systemer, så fakturagrunnlag kan bli ordre",
    run=run,
    reads=read_lists(smartdok=("Projects", "Customers"), poweroffice=("Projects", "Customers")),
)
