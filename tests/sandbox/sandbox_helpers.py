"""Shared helpers for the sandbox tests: clients the way the real integration talks."""
from __future__ import annotations

import asyncio
import base64
import contextlib
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import jsonschema

from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL, Sandbox, specs

WORLD_FILE = Path(__file__).parent / "worlds" / "bygg.yaml"
SUBSCRIPTION = {"Ocp-Apim-Subscription-Key": "sandbox-subscription"}
BASIC = "Basic " + base64.b64encode(b"sandbox-app:sandbox-client").decode()
PATCH_JSON = {"Content-Type": "application/json-patch+json"}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def po_token(client: httpx.AsyncClient) -> str:
    r = await client.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                          headers={"Authorization": BASIC})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


@contextlib.asynccontextmanager
async def po_client(sb: Sandbox, *, auth: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sb.poweroffice_app)
    async with httpx.AsyncClient(transport=transport, base_url=POWEROFFICE_URL, headers=SUBSCRIPTION) as client:
        if auth:
            client.headers["Authorization"] = f"Bearer {await po_token(client)}"
        yield client


@contextlib.asynccontextmanager
async def sd_client(sb: Sandbox, *, auth: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sb.smartdok_app)
    async with httpx.AsyncClient(transport=transport, base_url=SMARTDOK_URL) as client:
        if auth:
            r = await client.post("/Authorize/ApiToken", json={"Token": "sandbox-api-token"})
            assert r.status_code == 200, r.text
            client.headers["Authorization"] = f"Bearer {r.json()}"
        yield client


def check_schema(schema: dict[str, Any] | None, body: Any) -> None:
    assert schema is not None, "the spec documents no body here"
    jsonschema.Draft4Validator(schema).validate(body)


def check_response(system: str, method: str, spec_path: str, response: httpx.Response) -> None:
    """The response's status is documented and its body matches the spec's schema."""
    schema = specs.response_schema(system, method, spec_path, response.status_code)
    if schema is None:
        return
    check_schema(schema, response.json())


def tt_schema(name: str, many: bool = False) -> dict[str, Any]:
    one = specs.json_schema("poweroffice", name)
    return {"type": "array", "items": one} if many else one
