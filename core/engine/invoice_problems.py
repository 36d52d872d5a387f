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


def project_missing(code: str, po: str) -> Problem:
    return Problem(
        "project_missing",
        code,
        f"Prosjekt {code} finnes ikke i {po}, så fakturagrunnlag på prosjektet kan ikke bli ordre der (R26).",
        f"Kjør «grunndata apply» (grunndatasynk) først, eller opprett prosjekt {code} i {po}.",
    )


def project_inactive(code: str, po: str) -> Problem:
    return Problem(
        "project_inactive",
        code,
        f"Prosjekt {code} er ikke aktivt i {po}, så fakturagrunnlag på prosjektet blir ikke ordre (R26).",
        f"Aktiver prosjekt {code} i {po} om det skal faktureres.",
    )


def project_without_customer(code: str, po: str) -> Problem:
    return Problem(
        "customer_missing",
        code,
        f"Prosjekt {code} har ingen kunde i {po}, så en ordre på prosjektet har ingen å faktureres til (R26).",
        f"Sett kunden på prosjekt {code} i {po}.",
    )


def customer_not_found(code: str, number: str, po: str) -> Problem:
    return Problem(
        "customer_not_found",
        code,
        f"Kunde {number} på prosjekt {code} finnes ikke blant de aktive kundene i {po} (R26).",
        f"Opprett eller aktiver kunde {number} i {po}, eller rett kunden på prosjekt {code}.",
    )


def customer_unknown_in_smartdok(code: str, sd: str) -> Problem:
    return Problem(
        "customer_unknown",
        code,
        f"Fakturagrunnlaget på prosjekt {code} har ikke kundenummer i {sd}, så det kan ikke kontrolleres "
        "mot prosjektets kunde (R26).",
        f"Gi prosjekt {code} en kunde med kundenummer i {sd}.",
    )


def customer_differs(code: str, sd_number: str, po_number: str, po: str, sd: str) -> Problem:
    return Problem(
        "customer_differs",
        code,
        f"Kunden i {sd} ({sd_number}) er ikke kunden på prosjekt {code} i {po} ({po_number}); {po} avviser "
        f"en ordre med en annen kunde enn prosjektets («{WRONG_CUSTOMER}») (R26).",
        f"Gi prosjektet kunde {po_number} i {sd}, eller sett kunde {sd_number} på prosjekt {code} i {po}.",
    )


def product_missing(code: str, what: str, po: str, sd: str, *, machine: bool = False) -> Problem:
    how = (
        f"Kjør grunndatasynken (grunndata apply) så maskinen blir produkt i {po} (R10), eller opprett "
        f"produkt {code} der."
        if machine
        else f"Opprett produkt {code} i {po}, eller rett nummeret i {sd}."
    )
    return Problem(
        "product_missing",
        code,
        f"Produkt {code} ({what}) finnes ikke i {po}, så linjer med det kan ikke bli ordrelinjer (R25, R26).",
        how,
    )


def product_archived(code: str, what: str, po: str) -> Problem:
    return Problem(
        "product_archived",
        code,
        f"Produkt {code} ({what}) er arkivert i {po}, så linjer med det kan ikke bli ordrelinjer (R26).",
        f"Hent fram produkt {code} igjen i {po} (fjern arkiveringen) om det skal faktureres.",
    )


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
            return project_without_customer(code, po)
        if number not in self.known:
            return customer_not_found(code, number, po)
        if sd_customer is None:
            return customer_unknown_in_smartdok(code, sd) if sd_required else None
        if sd_customer != number:
            return customer_differs(code, sd_customer, number, po, sd)
        return None


# What a line's product is, in a message: a machine's (R10), a goods item's, an activity's.
PRODUCT_OF = {"machine": "maskin", "goods": "vare", "activity": "aktivitetens produkt"}


def product_problem(kind: str, code: str, product: dict | None, counts: bool, po: str, sd: str) -> Problem | None:
    """What stops a line with product ``code`` (``product`` as PowerOffice has it, or None;
    ``counts``: it is not archived), or None."""
    what = PRODUCT_OF.get(kind, kind)
    if product is None:
        return product_missing(code, what, po, sd, machine=kind == "machine")
    if not counts:
        return product_archived(code, what, po)
    return None
