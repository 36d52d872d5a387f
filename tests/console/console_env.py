"""Shared setup of the console tests: the demo company (plus a hostile project name) in the
sandbox, a commented grunndata.yaml pointing at it, and helpers to log in and post forms."""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from starlette.testclient import TestClient

from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL
from grunndata.sandbox.demo import demo_world_path

HOSTILE = "<script>alert(1)</script> [fase 2]"
HOSTILE_SD_NUMBER = "2499"
HOSTILE_PO_NUMBER = "2498"
FIXED_PRICE = "2402"  # in the demo world: billing method «Fastpris», refused as standard project (R7)
SECRET_VALUES = {
    "SMARTDOK_API_TOKEN": "sentinel-sd-9f8e7d6c5b4a",
    "POWEROFFICE_APPLICATION_KEY": "sentinel-app-1a2b3c4d5e",
    "POWEROFFICE_CLIENT_KEY": "sentinel-client-6f7a8b9c0d",
    "POWEROFFICE_SUBSCRIPTION_KEY": "sentinel-sub-0e1d2c3b4a",
}

CONFIG = """\
# Kunde: Fjordbygg AS. Satt opp sammen med kunden.
master: poweroffice  # endres i konsollen
standard_project: "9000"
smartdok:
  # SmartDok-sandkassen
  base_url: {smartdok}
poweroffice:
  base_url: {poweroffice}
  token_url: {token}
rules: []  # ingen egne regler ennå
"""


def demo_world() -> dict[str, Any]:
    """The demo company, plus one project in each system named like an attack."""
    world = copy.deepcopy(yaml.safe_load(demo_world_path().read_text(encoding="utf-8")))
    world["smartdok"]["Projects"].append({"Id": 9901, "ProjectNumber": HOSTILE_SD_NUMBER, "ProjectName": HOSTILE,
                                          "IsActive": True})
    world["poweroffice"]["Projects"].append({"Id": 9902, "Code": HOSTILE_PO_NUMBER, "Name": HOSTILE,
                                             "ProjectStatus": "Active", "ProjectBillingMethod": "Time",
                                             "IsActive": True})
    return world


def invoice_world() -> dict:
    """The demo company's November: four bases to send, one held back (its customer is not the
    project's), a draft; plus a line and a basis named like an attack."""
    world = demo_world()
    bases = world["smartdok"]["Invoices"]
    bases[0]["InvoiceLines"][3]["LineText"] = HOSTILE
    bases.append({"Id": 5007, "ProjectId": 9901, "CustomerId": 5, "CustomerNumber": "10005",
                  "DateFrom": "2026-11-01", "DateTo": "2026-11-30", "Title": HOSTILE, "IsDraft": False,
                  "Sent": False, "Credited": False,
                  "InvoiceLines": [{"Id": 50071, "InvoiceLineType": "Additions", "Code": "", "LineText": HOSTILE,
                                    "Quantity": 1, "Price": 100, "Discount": 0}]})
    return world


def write_config(folder: Path, smartdok: str = SMARTDOK_URL, poweroffice: str = POWEROFFICE_URL,
                 token: str = POWEROFFICE_TOKEN_URL) -> Path:
    path = folder / "grunndata.yaml"
    path.write_text(CONFIG.format(smartdok=smartdok, poweroffice=poweroffice, token=token), encoding="utf-8")
    return path


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def csrf_of(html: str) -> str:
    found = CSRF_META.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def operator_rows() -> dict[str, Any]:
    """Two tenants as the operator console lists them: one healthy, one failing with a plan waiting
    and an error naming a project called like markup."""
    from grunndata.console.tenants import TenantRow

    return {
        "fjordbygg": TenantRow("fjordbygg", master="poweroffice", healthy=True, lag_s=0,
                               next_cycle="2026-11-29T10:15:00+01:00"),
        "nordbygg": TenantRow("nordbygg", master="smartdok", healthy=False, lag_s=5400,
                              last_error=f"prosjekt {HOSTILE} avvist", waiting=1,
                              problems=["siste synk feilet: PowerOffice svarte 503"]),
    }


PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


def form_post(client: TestClient, page: str, url: str, data: dict) -> object:
    """POST a form the way the page does: with the session's CSRF token."""
    token = csrf_of(client.get(page).text)
    return client.post(url, data={"csrf": token, **data})
