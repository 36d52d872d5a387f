"""Faults, stats, reset and the /_sandbox/ control surface (in process)."""
from __future__ import annotations

import time

import httpx
import pytest
from sandbox_helpers import PATCH_JSON, po_client, run, sd_client

from grunndata.sandbox import Sandbox
from grunndata.sandbox.rates import key_label

NEW_PROJECT = {"Code": "202630", "Name": "Fornebu næringspark", "ProjectStatus": "Active", "ProjectBillingMethod": "Time"}


def po_codes(sb: Sandbox) -> list[str]:
    return [p["Code"] for p in sb.world()["poweroffice"]["Projects"]]


def test_status_fault_answers_without_writing(sb):
    sb.add_fault("poweroffice", "POST", "/v2/Projects", status=503)

    async def go():
        async with po_client(sb) as po:
            failed = await po.post("/Projects", json=NEW_PROJECT)
            in_between = po_codes(sb)
            retried = await po.post("/Projects", json=NEW_PROJECT)
            return failed, in_between, retried

    failed, in_between, retried = run(go())
    assert failed.status_code == 503 and failed.json()["Status"] == 503
    assert "202630" not in in_between
    assert retried.status_code == 201 and "202630" in po_codes(sb)
    assert sb.write_count("poweroffice") == 2  # both attempts reached the server


def test_drop_after_commit_commits_then_hangs_up(sb):
    sb.add_fault("poweroffice", "POST", "/v2/Projects", drop_after_commit=True)

    async def go():
        async with po_client(sb) as po:
            with pytest.raises(httpx.TransportError) as info:
                await po.post("/Projects", json=NEW_PROJECT)
            return info.value

    error = run(go())
    assert isinstance(error, httpx.RemoteProtocolError)
    assert "202630" in po_codes(sb)  # the write happened although the client never heard


def test_after_commit_status_commits_and_answers_the_error(sb):
    sb.add_fault("smartdok", "POST", "/Projects", status=500, after_commit=True)

    async def go():
        async with sd_client(sb) as sd:
            return await sd.post("/Projects", json={"ProjectNumber": "202631", "ProjectName": "Ski stasjon",
                                                    "IsActive": True})

    r = run(go())
    assert r.status_code == 500 and set(r.json()) == {"Code", "Error", "Message"}
    assert "202631" in [p["ProjectNumber"] for p in sb.world()["smartdok"]["Projects"]]


def test_delay_fault_waits_then_answers(sb):
    sb.add_fault("smartdok", "GET", "/Projects", delay=0.2)

    async def go():
        async with sd_client(sb) as sd:
            start = time.perf_counter()
            r = await sd.get("/Projects")
            return r, time.perf_counter() - start

    r, elapsed = run(go())
    assert r.status_code == 200 and elapsed >= 0.2


def test_bad_body_fault_and_429_default_body(sb):
    sb.add_fault("poweroffice", "GET", "/v2/Products", status=200, body="<html><body>Service Unavailable</body></html>")
    sb.add_fault("poweroffice", "GET", "/v2/Employees", status=429)

    async def go():
        async with po_client(sb) as po:
            return await po.get("/Products"), await po.get("/Employees")

    html, throttled = run(go())
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text.startswith("<html>")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
    assert throttled.json()["statusCode"] == "429"


def test_faults_match_templates_exact_paths_and_any_method(sb):
    sb.add_fault("poweroffice", "PATCH", "/v2/Projects/{id}", status=409, count=2)
    sb.add_fault("poweroffice", "*", "/v2/Products/7001", status=502)
    assert sb.faults("poweroffice")[0]["count"] == 2

    async def go():
        async with po_client(sb) as po:
            patch = [{"op": "replace", "path": "/Name", "value": "x"}]
            first = await po.patch("/Projects/7001", json=patch, headers=PATCH_JSON)
            second = await po.patch("/Projects/7003", json=patch, headers=PATCH_JSON)
            third = await po.patch("/Projects/7003", json=patch, headers=PATCH_JSON)
            other_product = await po.get("/Products", params={"codes": "M-12"})
            product = await po.get("/Products/7001")
            return first, second, third, other_product, product

    first, second, third, other_product, product = run(go())
    assert (first.status_code, second.status_code, third.status_code) == (409, 409, 200)
    assert other_product.status_code == 200 and product.status_code == 502
    assert sb.faults("poweroffice") == []


def test_token_call_can_fail_too(sb):
    sb.add_fault("poweroffice", "POST", "/OAuth/Token", status=500)

    async def go():
        async with po_client(sb, auth=False) as po:
            from sandbox_helpers import BASIC

            from grunndata.sandbox import POWEROFFICE_TOKEN_URL

            return await po.post(POWEROFFICE_TOKEN_URL, data={"grant_type": "client_credentials"},
                                 headers={"Authorization": BASIC})

    assert run(go()).status_code == 500


def test_stats_count_by_template_and_exclude_control_and_auth_writes(sb):
    async def go():
        async with po_client(sb) as po:
            await po.get("/Projects")
            await po.get("/Projects/7001")
            await po.get("/Projects/7003")
            await po.patch("/Projects/7003", json=[{"op": "replace", "path": "/Name", "value": "y"}], headers=PATCH_JSON)
            await po.get("http://poweroffice.sandbox/_sandbox/stats")
            return (await po.get("http://poweroffice.sandbox/_sandbox/stats")).json()

    remote = run(go())
    assert sb.stats()["poweroffice"] == {"POST /OAuth/Token": 1, "GET /v2/Projects": 1, "GET /v2/Projects/{id}": 2,
                                         "PATCH /v2/Projects/{id}": 1}
    rate = remote.pop("rate")
    assert remote == {"requests": sb.stats()["poweroffice"], "writes": 1}
    assert sb.write_count("poweroffice") == 1 and sb.stats()["smartdok"] == {}
    # PowerOffice's server also reports its subscription key's arrivals (control calls not counted)
    (label, seen), = rate.items()
    assert label == key_label("sandbox-subscription") and "sandbox-subscription" not in str(rate)
    assert seen["requests"] == 5 and seen["429"] == 0 and 1 <= seen["max_per_second"] <= 5


def test_reset_restores_world_and_clears_stats_and_faults(sb):
    original = sb.world()

    async def go():
        async with po_client(sb) as po:
            await po.post("/Projects", json=NEW_PROJECT)
        sb.add_fault("smartdok", "GET", "/Projects", status=500)
        sb.reset()
        async with po_client(sb) as po:  # tokens survive a reset
            return await po.get("/Projects", params={"projectCodes": "202630"})

    after = run(go())
    assert after.status_code == 204
    assert sb.world() == original and sb.faults("smartdok") == []
    assert sb.stats() == {"smartdok": {}, "poweroffice": {"POST /OAuth/Token": 1, "GET /v2/Projects": 1}}


def test_control_surface_over_the_app(sb):
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.smartdok_app),
                                     base_url="http://smartdok.sandbox") as c:
            added = await c.post("/_sandbox/faults", json={"method": "GET", "path": "/Projects", "count": 2,
                                                           "status": 503, "retry_after": 5})
            listed = await c.get("/_sandbox/faults")
            bad = await c.post("/_sandbox/faults", json={"method": "GET", "path": "Projects", "status": 503})
            cleared = await c.delete("/_sandbox/faults")
            world = await c.get("/_sandbox/world")
            reset = await c.post("/_sandbox/reset", json={"smartdok": {"Projects": [
                {"ProjectNumber": "1", "ProjectName": "Eneste"}]}})
            bad_world = await c.post("/_sandbox/reset", json={"smartdok": {"Prosjekter": []}})
            clock = await c.post("/_sandbox/clock", json={"advance": 10})
            unknown = await c.get("/_sandbox/nothing")
            return added, listed, bad, cleared, world, reset, bad_world, clock, unknown

    added, listed, bad, cleared, world, reset, bad_world, clock, unknown = run(go())
    assert added.json()[0]["count"] == 2 and added.json()[0]["headers"] == {"Retry-After": "5"}
    assert listed.json() == added.json()
    assert bad.status_code == 400 and "path" in bad.json()["error"]
    assert cleared.json() == [] and sb.faults("smartdok") == []
    assert world.json()["smartdok"]["Projects"][0]["Id"] == 101 and "poweroffice" in world.json()
    assert reset.status_code == 200
    assert [p["ProjectName"] for p in sb.world()["smartdok"]["Projects"]] == ["Eneste"]
    assert bad_world.status_code == 400 and "Prosjekter" in bad_world.json()["error"]
    assert clock.json() == {"offset": 10.0} and unknown.status_code == 404
    assert sb.stats()["smartdok"] == {}  # control calls are not counted


def _control(sb: Sandbox, method: str, action: str, **kwargs):
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.poweroffice_app),
                                     base_url="http://poweroffice.sandbox") as c:
            return await c.request(method, f"/_sandbox/{action}", **kwargs)
    return run(go())


def test_reset_takes_a_yaml_world_and_a_bare_reset_goes_back_to_the_world_file(sb):
    started = sb.world()
    yaml_world = "smartdok:\n  Projects:\n    - {ProjectNumber: '7', ProjectName: Fra YAML}\n"
    from_yaml = _control(sb, "POST", "reset", content=yaml_world.encode(), headers={"Content-Type": "application/yaml"})
    assert from_yaml.status_code == 200, from_yaml.text
    assert [p["ProjectName"] for p in sb.world()["smartdok"]["Projects"]] == ["Fra YAML"]
    untyped = _control(sb, "POST", "reset", content=yaml_world.replace("Fra YAML", "Uten type").encode())
    assert untyped.status_code == 200 and sb.world()["smartdok"]["Projects"][0]["ProjectName"] == "Uten type"
    bare = _control(sb, "POST", "reset")
    assert bare.status_code == 200
    assert _unstamped(sb.world()) == _unstamped(started)  # the --world file, not the last body


STAMPS = {"Created", "Updated", "LastUpdated", "CreatedDateTimeOffset", "LastChangedDateTimeOffset",
          "EmployeeCreatedDateTimeOffset", "ContactCreatedDateTimeOffset", "CustomerCreatedDateTimeOffset",
          "lastChangedDateTimeOffset"}


def _unstamped(world: dict) -> dict:
    """A world without its change stamps (records that came back are stamped anew: they changed)."""
    return {system: {key: [{k: v for k, v in row.items() if k not in STAMPS} for row in rows]
                     for key, rows in tables.items()} if system != "credentials" else tables
            for system, tables in world.items()}


def test_reset_bodies_that_are_no_world_are_one_clear_line(sb):
    before = sb.world()
    broken = _control(sb, "POST", "reset", content=b"smartdok:\n  Projects: [unclosed\n")
    not_a_mapping = _control(sb, "POST", "reset", content=b"/etc/passwd")
    bad_json = _control(sb, "POST", "reset", content=b"{'smartdok': 1}", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and "not valid YAML (line" in broken.json()["error"]
    assert not_a_mapping.status_code == 400 and "must be a mapping" in not_a_mapping.json()["error"]
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.json()["error"]
    assert all("\n" not in r.json()["error"] for r in (broken, not_a_mapping, bad_json))
    assert sb.world() == before
