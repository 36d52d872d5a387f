"""What holds an invoice basis back (R26), in the words ``grunndata doctor`` uses.

One function per kind of problem. The doctor's ``customers`` and ``products`` checks report
them for every project and product, before anything is invoiced; ``grunndata invoice`` holds a
basis back with the very same message and suggestion. ``po``/``sd`` are the systems' names as a
consultant reads them (``rules.system_name``).
"""

from __future__ import annotations

from dataclasses import dataclass

from grunndata.engine.mapping import key_text

# What PowerOffice answers when an order's customer is not its project's (emulated by the sandbox).
WRONG_CUSTOMER = "Customer connected to project is not the same as the customer stated in the API"


@dataclass(frozen=True)
class Problem:
    kind: str  # the kind of problem: the doctor's severity key
    key: str  # what it is about: a project code, a product code
    message: str
    suggestion: str | None = None


# What each kind of problem says, and what it suggests: ``{code}`` the project's or the product's
# code, ``{po}``/``{sd}`` the systems' names, the rest as :func:`problem` is given them.
TEXTS: dict[str, tuple[str, str]] = {
    "project_missing": (
        "Prosjekt {code} finnes ikke i {po}, så fakturagrunnlag på prosjektet kan ikke bli ordre der (R26).",
        "Kjør «grunndata apply» (grunndatasynk) først, eller opprett prosjekt {code} i {po}.",
    ),
    "project_inactive": (
        "Prosjekt {code} er ikke aktivt i {po}, så fakturagrunnlag på prosjektet blir ikke ordre (R26).",
        "Aktiver prosjekt {code} i {po} om det skal faktureres.",
    ),
    "customer_missing": (
        "Prosjekt {code} har ingen kunde i {po}, så en ordre på prosjektet har ingen å faktureres til (R26).",
        "Sett kunden på prosjekt {code} i {po}.",
    ),
    "customer_not_found": (
        "Kunde {number} på prosjekt {code} finnes ikke blant de aktive kundene i {po} (R26).",
        "Opprett eller aktiver kunde {number} i {po}, eller rett kunden på prosjekt {code}.",
    ),
    "customer_unknown": (
        "Fakturagrunnlaget på prosjekt {code} har ikke kundenummer i {sd}, så det kan ikke kontrolleres "
        "mot prosjektets kunde (R26).",
        "Gi prosjekt {code} en kunde med kundenummer i {sd}.",
    ),
    "customer_differs": (
        "Kunden i {sd} ({sd_number}) er ikke kunden på prosjekt {code} i {po} ({po_number}); {po} avviser "
        "en ordre med en annen kunde enn prosjektets («{refusal}») (R26).",
        "Gi prosjektet kunde {po_number} i {sd}, eller sett kunde {sd_number} på prosjekt {code} i {po}.",
    ),
    "product_missing": (
        "Produkt {code} ({what}) finnes ikke i {po}, så linjer med det kan ikke bli ordrelinjer (R25, R26).",
        "Opprett produkt {code} i {po}, eller rett nummeret i {sd}.",
    ),
    "product_archived": (
        "Produkt {code} ({what}) er arkivert i {po}, så linjer med det kan ikke bli ordrelinjer (R26).",
        "Hent fram produkt {code} igjen i {po} (fjern arkiveringen) om det skal faktureres.",
    ),
}
# A missing machine's product is made by the sync (R10): its suggestion says so.
MACHINE_MISSING = (
    "Kjør grunndatasynken (grunndata apply) så maskinen blir produkt i {po} (R10), eller opprett produkt {code} der."
)


def problem(kind: str, code: str, *, suggestion: str | None = None, **names: str) -> Problem:
    """A problem of ``kind`` about ``code``, in its words (``TEXTS``) with ``names`` filled in;
    ``suggestion``: another suggestion than the kind's own."""
    message, own = TEXTS[kind]
    return Problem(kind, code, message.format(code=code, **names), (suggestion or own).format(code=code, **names))


def project_missing(code: str, po: str) -> Problem:
    return problem("project_missing", code, po=po)


def project_inactive(code: str, po: str) -> Problem:
    return problem("project_inactive", code, po=po)


# ---- the customer of a project, and whether an order on it can be made -----------------------------
class ProjectCustomers:
    """PowerOffice's projects and customers, for the customer of an order on a project (R26).
    ``active_customers``: the customers that count (``records.poweroffice.Customers``)."""

    def __init__(self, projects: list[dict], customers: list[dict], active_customers: list[dict]):
        self.projects_by_id = {p.get("Id"): p for p in projects}
        self.customers_by_id = {c.get("Id"): c for c in customers}
        self.known = {key_text(c.get("Number")) for c in active_customers}

    def of(self, project: dict) -> str | None:
        """The project's customer number as text: its own, else its main project's (sub-projects inherit)."""
        for p in (project, self.projects_by_id.get(project.get("ParentProjectId"))):
            if p is None:
                continue
            number = key_text(p.get("CustomerNo"))
            if number is None and p.get("CustomerId") is not None:
                number = key_text((self.customers_by_id.get(p["CustomerId"]) or {}).get("Number"))
            if number is not None:
                return number
        return None

    def problem(
        self, code: str, project: dict, sd_customer: str | None, po: str, sd: str, *, sd_required: bool = True
    ) -> Problem | None:
        """What stops an order on ``project`` for SmartDok's customer ``sd_customer``, or None.
        ``sd_required``: a missing SmartDok customer is a problem (an invoice basis must name one)."""
        number = self.of(project)
        if number is None:
            return problem("customer_missing", code, po=po)
        if number not in self.known:
            return problem("customer_not_found", code, number=number, po=po)
        if sd_customer is None:
            return problem("customer_unknown", code, sd=sd) if sd_required else None
        if sd_customer != number:
            names = {"sd_number": sd_customer, "po_number": number, "refusal": WRONG_CUSTOMER}
            return problem("customer_differs", code, po=po, sd=sd, **names)
        return None


# What a line's product is, in a message: a machine's (R10), a goods item's, an activity's.
PRODUCT_OF = {"machine": "maskin", "goods": "vare", "activity": "aktivitetens produkt"}


def product_problem(kind: str, code: str, product: dict | None, counts: bool, po: str, sd: str) -> Problem | None:
    """What stops a line with product ``code`` (``product`` as PowerOffice has it, or None;
    ``counts``: it is not archived), or None."""
    what = PRODUCT_OF.get(kind, kind)
    if product is None:
        suggestion = MACHINE_MISSING if kind == "machine" else None
        return problem("product_missing", code, suggestion=suggestion, what=what, po=po, sd=sd)
    if not counts:
        return problem("product_archived", code, what=what, po=po)
    return None
