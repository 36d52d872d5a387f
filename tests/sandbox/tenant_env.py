"""Shared helpers for the tenant tests: three small companies and clients signed in as one of them."""
from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL, Sandbox
from grunndata.sandbox.tenants_world import tenant_credentials, tenants_world

A, B, C = "firma-0001", "firma-0002", "firma-0003"
PO_CONTROL = "http://poweroffice.sandbox/_sandbox"
SD_CONTROL = "http://smartdok.sandbox/_sandbox"


def three() -> dict[str, Any]:
    """firma-0001 and firma-0003 share subscription key 1; firma-0002 has key 2."""
    return tenants_world(3, projects=[2, 3, 4], subscription_keys=2, seed=5)


def basic(app_key: str, client_key: str) -> str:
    return "Basic " + base64.b64encode(f"{app_key}:{client_key}".encode()).decode()


@contextlib.asynccontextmanager
async def clients(sb: Sandbox, name: str, *, sign_in: bool = True
                  ) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """(SmartDok, PowerOffice) clients signed in with tenant ``name``'s generated credentials."""
    creds = tenant_credentials(name, 2 if name == B else 1)
    po_creds = creds["poweroffice"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.smartdok_app), base_url=SMARTDOK_URL) as sd, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.poweroffice_app), base_url=POWEROFFICE_URL,
                              headers={"Ocp-Apim-Subscription-Key": po_creds["subscription_key"]}) as po:
        if sign_in:
            session = await sd.post("/Authorize/ApiToken", json={"Token": creds["smartdok"]["api_token"]})
            assert session.status_code == 200, session.text
            sd.headers["Authorization"] = f"Bearer {session.json()}"
            token = await po.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                                  headers={"Authorization": basic(po_creds["application_key"], po_creds["client_key"])})
            assert token.status_code == 200, token.text
            po.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield sd, po


def numbers(world: dict[str, Any]) -> list[str]:
    return [p["ProjectNumber"] for p in world["smartdok"]["Projects"]]
