"""One sandbox process serves 200 companies: interleaved requests, each answered from its own
world; counts and memory, not wall time."""
from __future__ import annotations

import asyncio

import httpx
from sandbox_helpers import run
from tenant_env import basic, numbers

from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL, Sandbox
from grunndata.sandbox.tenants_world import tenants_world


def test_one_sandbox_serves_200_companies_interleaved():
    world = tenants_world(200, projects=3, subscription_keys=3, seed=2)
    sb = Sandbox(world, rate_limit=False)
    names = sb.tenants()
    assert len(names) == 200
    for name in names[::10]:  # these requests wait inside their tenant's world while others are served
        sb.add_fault("poweroffice", "GET", "/v2/Projects", delay=0.01, tenant=name)

    async def company(name: str, key: int) -> tuple[list[str], list[str], int]:
        creds = world["tenants"][name]["credentials"]
        po_creds = creds["poweroffice"]
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.smartdok_app), base_url=SMARTDOK_URL) as sd, \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.poweroffice_app), base_url=POWEROFFICE_URL,
                                  headers={"Ocp-Apim-Subscription-Key": po_creds["subscription_key"]}) as po:
            session = (await sd.post("/Authorize/ApiToken", json={"Token": creds["smartdok"]["api_token"]})).json()
            sd.headers["Authorization"] = f"Bearer {session}"
            token = await po.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                                  headers={"Authorization": basic(po_creds["application_key"], po_creds["client_key"])})
            po.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            await asyncio.sleep(0)  # each step lets every other company take one: the requests interleave
            listed = [p["ProjectNumber"] for p in (await sd.get("/Projects")).json()["Items"]]
            await asyncio.sleep(0)
            made = await po.post("/Projects", json={"Code": listed[0], "Name": f"Synket for {name}"})
            await asyncio.sleep(0)
            codes = [p["Code"] for p in (await po.get("/Projects")).json()]
            return listed, codes, made.status_code

    async def everyone():
        return await asyncio.gather(*(company(name, i) for i, name in enumerate(names)))

    results = dict(zip(names, run(everyone()), strict=True))
    for name, (listed, codes, status) in results.items():
        mine = numbers(world["tenants"][name])
        assert listed == mine and status == 201 and codes == ["9000", mine[0]]
        created = [p for p in sb.world(tenant=name)["poweroffice"]["Projects"] if p["Code"] == mine[0]]
        assert [p["Name"] for p in created] == [f"Synket for {name}"]
        assert sb.stats(tenant=name) == {
            "smartdok": {"POST /Authorize/ApiToken": 1, "GET /Projects": 1},
            "poweroffice": {"POST /OAuth/Token": 1, "POST /v2/Projects": 1, "GET /v2/Projects": 1}}
    assert sum(sb.delayed("poweroffice", tenant=name)[1] for name in names) == 20
    rates = sb.rates()
    assert sorted(r["requests"] for r in rates.values()) == [3 * 66, 3 * 67, 3 * 67]  # 200 dealt over 3 keys


def test_200_companies_cost_a_fraction_of_200_sandboxes():
    import tracemalloc

    Sandbox(tenants_world(1, projects=3))  # the specs and schemas are cached before measuring
    tracemalloc.start()
    try:
        one = Sandbox(tenants_world(1, projects=3))
        single = tracemalloc.get_traced_memory()[0]
        del one
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        many = Sandbox(tenants_world(200, projects=3))
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert len(many.tenants()) == 200
    # apps, routes and specs are built once: each further company costs its records, not a sandbox
    assert grown < 60 * single, (grown, single)
