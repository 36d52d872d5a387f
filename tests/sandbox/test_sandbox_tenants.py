"""One sandbox, many companies: credentials pick the tenant's world, counters and faults;
PowerOffice's rate window is per subscription key, shared by the tenants that use it."""
from __future__ import annotations

import json

import httpx
import pytest
import yaml
from sandbox_helpers import run
from tenant_env import PO_CONTROL, SD_CONTROL, A, B, C, basic, clients, numbers, three

from grunndata.errors import GrunndataError
from grunndata.sandbox import POWEROFFICE_TOKEN_URL, Sandbox
from grunndata.sandbox.po_gateway import RATE_LIMIT_BODY
from grunndata.sandbox.rates import key_label
from grunndata.sandbox.state import TenantNeeded
from grunndata.sandbox.tenants_world import tenant_credentials

# --- world files --------------------------------------------------------------------------


def test_a_world_of_tenants_loads_dumps_and_loads_again(tmp_path):
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump(three(), allow_unicode=True), encoding="utf-8")
    sb = Sandbox.from_file(path)
    assert sb.tenants() == [A, B, C]
    assert [len(sb.world(tenant=t)["smartdok"]["Projects"]) for t in (A, B, C)] == [2, 3, 4]
    one = sb.world(tenant=B)
    assert set(one) == {"smartdok", "poweroffice", "credentials"}  # a tenant's world is a world file
    assert Sandbox(one).world() == one
    whole = sb.world()
    assert list(whole) == ["tenants"] and Sandbox(whole).world() == whole
    assert sb.loaded_world(tenant=A)["credentials"] == tenant_credentials(A, 1)


@pytest.mark.parametrize(("change", "message"), [
    (lambda w: w.update(smartdok={}), "world.yaml: smartdok: a world with tenants keeps each company's"),
    (lambda w: w["tenants"][A]["credentials"].pop("smartdok"),
     f"tenants.{A}: a tenant needs credentials.smartdok.api_token"),
    (lambda w: w["tenants"][B]["credentials"]["poweroffice"].update(client_key=f"po-client-{A}"),
     f"tenants {A} and {B} have the same credentials.poweroffice.client_key"),
    (lambda w: w["tenants"].update({"bad name": {}}), "tenants.bad name: a tenant name is letters"),
    (lambda w: w["tenants"][C].update(tenants={}), f"tenants.{C}.tenants: tenants do not nest"),
    (lambda w: w["tenants"][C]["smartdok"]["Projects"][0].update(Colour="red"),
     f"tenants.{C}.smartdok.Projects[0].Colour: unknown field"),
    (lambda w: w.update(tenants={}), "tenants: must be a mapping of tenant name"),
])
def test_a_bad_world_of_tenants_is_one_line_naming_the_tenant(tmp_path, change, message):
    world = three()
    change(world)
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(world, allow_unicode=True), encoding="utf-8")
    with pytest.raises(GrunndataError) as err:
        Sandbox.from_file(path)
    text = str(err.value)
    assert message in text and "\n" not in text
    assert "po-client-" not in text  # a clash names the tenants, never the secret


# --- credentials pick the world -----------------------------------------------------------


def test_each_tenant_reads_and_writes_its_own_world():
    sb = Sandbox(three(), rate_limit=False)

    async def go():
        seen = {}
        for name in (A, B, C):
            async with clients(sb, name) as (sd, po):
                listed = (await sd.get("/Projects")).json()
                made = await po.post("/Projects", json={"Code": "777", "Name": f"Laget av {name}"})
                made_sd = await sd.post("/Projects", json={"ProjectNumber": "778", "ProjectName": f"Fra {name}",
                                                           "IsActive": True})
                codes = [p["Code"] for p in (await po.get("/Projects")).json()]
                seen[name] = (listed, made, made_sd, codes)
        return seen

    seen = run(go())
    for name, (listed, made, made_sd, codes) in seen.items():
        before = sb.loaded_world(tenant=name)
        assert [p["ProjectNumber"] for p in listed["Items"]] == numbers(before)
        assert made.status_code == 201 and made_sd.status_code == 200
        assert codes == ["9000", "777"]  # the write is in this tenant's PowerOffice only
        after = sb.world(tenant=name)
        assert [p["Name"] for p in after["poweroffice"]["Projects"] if p["Code"] == "777"] == [f"Laget av {name}"]
        assert numbers(after) == [*numbers(before), "778"]
        assert sb.stats(tenant=name) == {
            "smartdok": {"POST /Authorize/ApiToken": 1, "GET /Projects": 1, "POST /Projects": 1},
            "poweroffice": {"POST /OAuth/Token": 1, "POST /v2/Projects": 1, "GET /v2/Projects": 1}}
        assert sb.write_count("poweroffice", tenant=name) == 1


def test_credentials_that_match_no_tenant_are_answered_as_the_vendor_answers_them():
    sb = Sandbox(three(), rate_limit=False)
    app_key = tenant_credentials(A)["poweroffice"]["application_key"]

    async def go():
        async with clients(sb, A, sign_in=False) as (sd, po):
            sd_unknown = await sd.post("/Authorize/ApiToken", json={"Token": "nobody's token"})
            sd_no_session = await sd.get("/Projects", headers={"Authorization": "Bearer made-up"})
            po_unknown = await po.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                                       headers={"Authorization": basic(app_key, "unknown-client")})
            po_wrong_app = await po.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                                         headers={"Authorization": basic("other-app", f"po-client-{A}")})
            po_no_token = await po.get("/Projects", headers={"Authorization": "Bearer made-up"})
            po_bad_key = await po.get("/Projects", headers={"Ocp-Apim-Subscription-Key": "sandbox-sub-9"})
            return sd_unknown, sd_no_session, po_unknown, po_wrong_app, po_no_token, po_bad_key

    sd_unknown, sd_no_session, po_unknown, po_wrong_app, po_no_token, po_bad_key = run(go())
    assert sd_unknown.status_code == 401 and sd_unknown.json()["Code"] == "InvalidToken"
    assert sd_no_session.status_code == 401 and sd_no_session.content == b""
    assert po_unknown.status_code == 401 and po_unknown.json()["error"] == "invalid_client"
    assert po_wrong_app.status_code == 401 and po_wrong_app.json()["error"] == "invalid_client"
    assert po_no_token.status_code == 401 and po_no_token.json()["Status"] == 401
    assert po_bad_key.status_code == 401 and "invalid subscription key" in po_bad_key.json()["message"]
    # only the call whose client key named a tenant counts, in that tenant's stats
    assert sb.stats(tenant=A) == {"smartdok": {}, "poweroffice": {"POST /OAuth/Token": 1}}
    assert all(sb.stats(tenant=t) == {"smartdok": {}, "poweroffice": {}} for t in (B, C))


def test_a_tenant_sees_no_other_tenants_session_or_token_and_its_faults_are_its_own():
    sb = Sandbox(three(), rate_limit=False)
    sb.add_fault("poweroffice", "GET", "/v2/Projects", status=503, tenant=A)

    async def go():
        async with clients(sb, A) as (_, po_a), clients(sb, B) as (sd_b, po_b):
            b_first = await po_b.get("/Projects")
            a_first = await po_a.get("/Projects")
            a_again = await po_a.get("/Projects")
            # A's token is A's, whatever subscription key it comes with
            a_with_b_key = await po_b.get("/Projects", headers={"Authorization": po_a.headers["Authorization"]})
            b_projects = await sd_b.get("/Projects")
            return b_first, a_first, a_again, a_with_b_key, b_projects

    b_first, a_first, a_again, a_with_b_key, b_projects = run(go())
    assert b_first.status_code == 200 and a_first.status_code == 503 and a_again.status_code == 200
    assert [p["Code"] for p in a_with_b_key.json()] == ["9000"] and len(b_projects.json()["Items"]) == 3
    assert sb.faults("poweroffice", tenant=A) == [] and sb.stats(tenant=A)["poweroffice"]["GET /v2/Projects"] == 3
    assert sb.stats(tenant=B)["poweroffice"]["GET /v2/Projects"] == 1


def test_the_python_api_asks_for_a_tenant_where_one_is_needed():
    sb = Sandbox(three())
    with pytest.raises(TenantNeeded) as err:
        sb.stats()
    assert err.value.tenants == [A, B, C]
    with pytest.raises(TenantNeeded):
        sb.add_fault("smartdok", "GET", "/Projects", status=500, tenant="firma-0009")
    with pytest.raises(TenantNeeded):
        sb.state.rows("smartdok", "Projects")  # outside a request, only a single world is implied
    with sb.state.serving(sb.state.world(B)):
        assert len(sb.state.rows("smartdok", "Projects")) == 3


# --- PowerOffice's rate limit: per subscription key, across tenants ---------------------------


def test_tenants_sharing_a_subscription_key_share_one_window_and_stats_count_arrivals():
    now = [1000.0]
    sb = Sandbox(three(), clock=lambda: now[0])  # rate limit on

    async def go():
        async with clients(sb, A) as (_, po_a), clients(sb, B) as (_, po_b), clients(sb, C) as (_, po_c):
            now[0] += 1.0  # the sign-ins' second is over
            shared = [await (po_c if i % 2 else po_a).get("/Projects") for i in range(11)]
            other_key = await po_b.get("/Projects")
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.poweroffice_app)) as control:
                stats = (await control.get(f"{PO_CONTROL}/stats", params={"tenant": A})).json()
            now[0] += 1.0
            later = await po_a.get("/Projects")
            return shared, other_key, stats, later

    shared, other_key, stats, later = run(go())
    assert [r.status_code for r in shared] == [200] * 10 + [429]
    assert shared[-1].json() == RATE_LIMIT_BODY and shared[-1].headers["Retry-After"] == "1"
    assert other_key.status_code == 200 and later.status_code == 200
    # the 429 went to whoever was eleventh on the key: here firma-0001, whose own stats count it
    assert stats["requests"]["GET /v2/Projects"] == 6
    assert stats["rate"] == {
        key_label("sandbox-sub-1"): {"max_per_second": 11, "requests": 13, "429": 1},
        key_label("sandbox-sub-2"): {"max_per_second": 1, "requests": 2, "429": 0},
    }
    assert "sandbox-sub" not in json.dumps(stats)
    assert sb.rates()[key_label("sandbox-sub-1")]["requests"] == 14


# --- the control surface ------------------------------------------------------------------


def _call(sb: Sandbox, method: str, url: str, **kwargs) -> httpx.Response:
    app = sb.poweroffice_app if url.startswith(PO_CONTROL) else sb.smartdok_app

    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as c:
            return await c.request(method, url, **kwargs)
    return run(go())


@pytest.mark.parametrize(("method", "action"), [("GET", "world"), ("GET", "stats"), ("GET", "faults"),
                                                ("POST", "faults"), ("DELETE", "faults"), ("POST", "reset")])
def test_control_calls_without_a_tenant_are_refused_naming_the_tenants(method, action):
    sb = Sandbox(three())
    missing = _call(sb, method, f"{SD_CONTROL}/{action}")
    unknown = _call(sb, method, f"{PO_CONTROL}/{action}", params={"tenant": "firma-0009"})
    assert missing.status_code == 400 and missing.json()["tenants"] == [A, B, C]
    assert "?tenant=NAME" in missing.json()["error"]
    assert unknown.status_code == 404 and unknown.json() == {"error": "unknown tenant 'firma-0009'",
                                                             "tenants": [A, B, C]}


def test_control_calls_for_one_tenant_and_for_all():
    sb = Sandbox(three(), rate_limit=False)

    async def write(name: str) -> None:
        async with clients(sb, name) as (_, po):
            assert (await po.post("/Projects", json={"Code": "55", "Name": "Ny"})).status_code == 201

    run(write(A))
    run(write(B))
    world = _call(sb, "GET", f"{SD_CONTROL}/world", params={"tenant": B})
    assert world.json() == sb.world(tenant=B)
    fault = {"method": "GET", "path": "/Projects", "status": 500}
    added = _call(sb, "POST", f"{SD_CONTROL}/faults", params={"tenant": C}, json=fault)
    assert added.status_code == 200 and sb.faults("smartdok", tenant=C)[0]["status"] == 500
    assert _call(sb, "GET", f"{SD_CONTROL}/faults", params={"tenant": "*"}).status_code == 400
    assert _call(sb, "DELETE", f"{SD_CONTROL}/faults", params={"tenant": "*"}).json() == []
    assert sb.faults("smartdok", tenant=C) == []

    every = _call(sb, "GET", f"{PO_CONTROL}/stats", params={"tenant": "*"}).json()
    assert list(every["tenants"]) == [A, B, C]
    assert every["tenants"][A] == {"requests": {"POST /OAuth/Token": 1, "POST /v2/Projects": 1}, "writes": 1}
    assert every["rate"][key_label("sandbox-sub-1")]["requests"] == 2
    assert "rate" not in _call(sb, "GET", f"{SD_CONTROL}/stats", params={"tenant": A}).json()

    # one tenant's reset leaves the others and the shared rate counts alone
    assert _call(sb, "POST", f"{PO_CONTROL}/reset", params={"tenant": A}).json() == {"reset": True}
    assert "55" not in [p["Code"] for p in sb.world(tenant=A)["poweroffice"]["Projects"]]
    assert "55" in [p["Code"] for p in sb.world(tenant=B)["poweroffice"]["Projects"]]
    assert sb.stats(tenant=A)["poweroffice"] == {} and sb.stats(tenant=B)["poweroffice"] != {}
    assert sb.rates()[key_label("sandbox-sub-1")]["requests"] == 2
    # a tenant's reset body is that tenant's world; its credentials may not take another's
    clash = {"credentials": tenant_credentials(B, 2)}
    refused = _call(sb, "POST", f"{PO_CONTROL}/reset", params={"tenant": A}, json=clash)
    assert refused.status_code == 400 and f"tenants {B} and {A}" in refused.json()["error"]
    posted = {"credentials": tenant_credentials(A, 1), "smartdok": {"Projects": [
        {"ProjectNumber": "1", "ProjectName": "Eneste"}]}}
    assert _call(sb, "POST", f"{PO_CONTROL}/reset", params={"tenant": A}, json=posted).status_code == 200
    assert numbers(sb.world(tenant=A)) == ["1"]

    # all of them: every tenant back to the world file, rate counts cleared
    assert _call(sb, "POST", f"{PO_CONTROL}/reset", params={"tenant": "*"}).status_code == 200
    assert "55" not in [p["Code"] for p in sb.world(tenant=B)["poweroffice"]["Projects"]]
    assert numbers(sb.world(tenant=A)) == numbers(sb.loaded_world(tenant=A)) and sb.rates() == {}


def test_the_clock_is_the_whole_sandboxs():
    sb = Sandbox(three())
    assert _call(sb, "POST", f"{PO_CONTROL}/clock", json={"advance": 5}).json() == {"offset": 5.0}
    assert _call(sb, "POST", f"{PO_CONTROL}/clock", params={"tenant": A}, json={"advance": 5}).json() == \
        {"offset": 10.0}
    assert _call(sb, "POST", f"{PO_CONTROL}/clock", params={"tenant": "nobody"}, json={"advance": 5}).status_code \
        == 404


def test_a_single_world_takes_no_tenant_name_but_takes_the_star(sb):
    named = _call(sb, "GET", f"{PO_CONTROL}/stats", params={"tenant": "firma-0001"})
    assert named.status_code == 404 and named.json()["tenants"] == []
    every = _call(sb, "GET", f"{PO_CONTROL}/stats", params={"tenant": "*"})
    assert every.status_code == 200 and set(every.json()) == {"requests", "writes", "rate"}


def test_posted_worlds_may_bring_tenants_and_a_bare_reset_returns_to_the_world_file(sb):
    single = sb.world()
    posted = _call(sb, "POST", f"{SD_CONTROL}/reset", json=three())
    assert posted.status_code == 200 and sb.tenants() == [A, B, C]
    assert _call(sb, "GET", f"{SD_CONTROL}/world").status_code == 400  # now it serves tenants
    whole = _call(sb, "GET", f"{SD_CONTROL}/world", params={"tenant": "*"}).json()
    assert list(whole["tenants"]) == [A, B, C] and whole == sb.world()
    # a tenant the posted world added resets to the world it came with
    run(_sign_in_and_write(sb, B))
    assert _call(sb, "POST", f"{SD_CONTROL}/reset", params={"tenant": B}).status_code == 200
    assert numbers(sb.world(tenant=B)) == numbers(three()["tenants"][B])
    assert _call(sb, "POST", f"{SD_CONTROL}/reset", params={"tenant": "*"}).status_code == 200
    assert sb.tenants() == [] and numbers(sb.world()) == numbers(single)


async def _sign_in_and_write(sb: Sandbox, name: str) -> None:
    async with clients(sb, name) as (sd, _):
        made = await sd.post("/Projects", json={"ProjectNumber": "990", "ProjectName": "Ny", "IsActive": True})
        assert made.status_code == 200


def test_tokens_outlive_a_tenants_reset_but_not_the_tenant():
    sb = Sandbox(three(), rate_limit=False)

    async def go():
        async with clients(sb, A) as (sd, po):
            sb.reset(tenant=A)
            kept = (await sd.get("/Projects")).status_code, (await po.get("/Projects")).status_code
            others = {"tenants": {n: sb.loaded_world(tenant=n) for n in (B, C)}}
            sb.reset(others)  # firma-0001 is gone, and so are its sessions and tokens
            gone = (await sd.get("/Projects")).status_code, (await po.get("/Projects")).status_code
            return kept, gone

    kept, gone = run(go())
    assert kept == (200, 200) and gone == (401, 401) and sb.tenants() == [B, C]
