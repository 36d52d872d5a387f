"""What holds an invoice basis back (R26), in the words ``grunndata doctor`` uses.

One function per kind of problem. The doctor's ``customers`` and ``products`` checks report
them for every project and product, before anything is invoiced; ``grunndata invoice`` holds a
basis back with the very same message and suggestion. ``po``/``sd`` are the systems' names as a
consultant reads them (``rules.system_name``).
"""
from __future__ import annotations

from dataclasses import dataclass

# What PowerOffice answers when an order's customer is not its project's (emulated by the sandbox).
WRONG_CUSTOMER = "Customer connected to project is not the same as the customer stated in the API"


@dataclass(frozen=True)
class Problem:
    kind: str  # the kind of problem: the doctor's severity key
    key: str  # what it is about: a project code, a product code
    message: str
    suggestion: str | None = None


def project_missing(code: str, po: str) -> Problem:
    return Problem("project_missing", code,
                   f"Prosjekt {code} finnes ikke i {po}, så fakturagrunnlag på prosjektet kan ikke bli ordre der (R26).",
                   f"Kjør «grunndata apply» (grunndatasynk) først, eller opprett prosjekt {code} i {po}.")


def project_inactive(code: str, po: str) -> Problem:
    return Problem("project_inactive", code,
                   f"Prosjekt {code} er ikke aktivt i {po}, så fakturagrunnlag på prosjektet blir ikke ordre (R26).",
                   f"Aktiver prosjekt {code} i {po} om det skal faktureres.")


def project_without_customer(code: str, po: str) -> Problem:
    return Problem("customer_missing", code,
                   f"Prosjekt {code} har ingen kunde i {po}, så en ordre på prosjektet har ingen å faktureres til (R26).",
                   f"Sett kunden på prosjekt {code} i {po}.")


def customer_not_found(code: str, number: str, po: str) -> Problem:
    return Problem("customer_missing", code,
                   f"Kunde {number} på prosjekt {code} finnes ikke blant de aktive kundene i {po} (R26).",
                   f"Opprett eller aktiver kunde {number} i {po}, eller rett kunden på prosjekt {code}.")


def customer_unknown_in_smartdok(code: str, sd: str) -> Problem:
    return Problem("customer_missing", code,
                   f"Fakturagrunnlaget på prosjekt {code} har ikke kundenummer i {sd}, så det kan ikke kontrolleres "
                   "mot prosjektets kunde (R26).",
                   f"Gi prosjekt {code} en kunde med kundenummer i {sd}.")


def customer_differs(code: str, sd_number: str, po_number: str, po: str, sd: str) -> Problem:
    return Problem("customer_differs", code,
                   f"Kunden i {sd} ({sd_number}) er ikke kunden på prosjekt {code} i {po} ({po_number}); {po} avviser "
                   f"en ordre med en annen kunde enn prosjektets («{WRONG_CUSTOMER}») (R26).",
                   f"Gi prosjektet kunde {po_number} i {sd}, eller sett kunde {sd_number} på prosjekt {code} i {po}.")


def product_missing(code: str, what: str, po: str, sd: str, *, machine: bool = False) -> Problem:
    how = (f"Kjør «grunndata apply» så maskinen blir produkt i {po} (R10), eller opprett produkt {code} der."
           if machine else f"Opprett produkt {code} i {po}, eller rett nummeret i {sd}.")
    return Problem("product_missing", code,
                   f"Produkt {code} ({what}) finnes ikke i {po}, så linjer med det kan ikke bli ordrelinjer (R25, R26).",
                   how)


def product_archived(code: str, what: str, po: str) -> Problem:
    return Problem("product_archived", code,
                   f"Produkt {code} ({what}) er arkivert i {po}, så linjer med det kan ikke bli ordrelinjer (R26).",
                   f"Hent fram produkt {code} igjen i {po} (fjern arkiveringen) om det skal faktureres.")
