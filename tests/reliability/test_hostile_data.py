"""Hostile and odd data from the APIs: never a traceback, never a half-written record.

* Records with missing fields, nulls, wrong types and extra fields (property-based, served by
  a bare fake of both APIs since the sandbox refuses such worlds): plan and apply end with a
  plan or one clear error; a record with an unusable value gets a warning naming it.
* Answers that are not what the API describes (an HTML error page, cut-off JSON, a 200 whose
  body is an error, an empty body), injected through ``/_sandbox/faults``: one clear line.
* Odd but valid data (empty names, names over SmartDok's limits of 70/50, trailing spaces,
  leading zeros, a ``.`` in a code, æøå): a warning in the plan naming the record, no write
  that fails, and the next plan is empty.
"""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _rel_fakeapi import FakeApis
from _rel_worlds import big_world, config_for, po_master_world
from crash_run import SECRETS, duplicates
from grunndata.cli.main import cli
from grunndata.engine import runner
from grunndata.errors import GrunndataError
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.secrets import Secrets
from grunndata.session import open_session

SECRETS_OBJ = Secrets("sd-token-abcdefgh", "app-key-abcdefgh", "client-key-abcdefgh", "sub-key-abcdefgh")
ENV = {**SECRETS, "GRUNNDATA_POWEROFFICE_RATE": "0"}
PY_ERROR = re.compile(r"^[A-Z][A-Za-z]+(Error|Exception)\b")

FIELDS = {
    ("smartdok", "Projects"): ["Id", "ProjectNumber", "ProjectName", "IsActive", "Finished", "StartDate", "EndDate"],
    ("smartdok", "SubProjects"): ["Id", "ProjectId", "SubProjectNumber", "SubProjectName", "IsActive"],
    ("smartdok", "WorkDescriptions"): ["Id", "Number", "Name", "IsActive"],
    ("smartdok", "Machines"): ["Id", "InternalNumber", "Name", "PricePerHour", "InternalCost", "IsActive"],
    ("poweroffice", "Projects"): ["Id", "Code", "Name", "ProjectStatus", "ProjectBillingMethod", "CustomerId",
                                  "ParentProjectCode", "ParentProjectId", "IsActive", "StartDate", "EndDate"],
    ("poweroffice", "Products"): ["Id", "Code", "Name", "IsArchived", "UnitPrice"],
    ("poweroffice", "TimeTracking/Activity"): ["id", "code", "name", "activityType", "isActive"],
}
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=90), st.sampled_from(["", "  ", "Pågår", "Active", "Time", "12.3", "0042",
                                                           "100 ", "Æøå", "2026-13-45", "9000"]))
values = st.one_of(scalars, st.lists(scalars, max_size=2), st.dictionaries(st.text(max_size=3), scalars, max_size=2))


@st.composite
def hostile_world(draw) -> dict[str, Any]:
    world: dict[str, Any] = {"smartdok": {}, "poweroffice": {"Projects": [
        {"Id": 1, "Code": "9000", "Name": "Malprosjekt", "ProjectStatus": "Active", "ProjectBillingMethod": "Time"}]}}
    for (system, resource), fields in FIELDS.items():
        rows = world[system].setdefault(resource, [])
        for i in range(draw(st.integers(0, 3))):
            row: dict[str, Any] = {}
            for f in fields:
                choice = draw(st.integers(0, 9))
                if choice == 0:
                    continue  # missing
                row[f] = draw(values) if choice < 5 else (str(100 + i) if "Number" in f or f in ("Code", "code")
                                                          else i + 2)
            if draw(st.booleans()):
                row[draw(st.text(min_size=1, max_size=8))] = draw(values)  # an extra field
            rows.append(row)
    return world


def _session(tmp_path, master: str):
    path = tmp_path / f"grunndata-{master}.yaml"
    if not path.exists():
        path.write_text(yaml.safe_dump({"master": master, "standard_project": "9000",
                                        "smartdok": {"base_url": "http://sd.invalid"},
                                        "poweroffice": {"base_url": "http://po.invalid/v2",
                                                        "token_url": "http://po.invalid/OAuth/Token"}}),
                        encoding="utf-8")
    return open_session(str(path))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(world=hostile_world(), master=st.sampled_from(["smartdok", "poweroffice"]))
def test_records_with_missing_null_wrong_and_extra_fields_never_crash_the_engine(tmp_path, world, master):
    session = _session(tmp_path, master)
    fake = FakeApis(world)

    async def go():
        async with runner.connect(session, SECRETS_OBJ, transports=fake.transports(), rate_per_second=None) as conn:
            return await runner.apply(session, conn)

    try:
        report = asyncio.run(go())
    except GrunndataError as exc:
        assert "\n" not in str(exc)
        return
    for outcome in report.outcomes:
        assert not PY_ERROR.match(outcome.detail), outcome.detail  # a clear message, not a Python error
    flagged = {a.key for a in report.plan.actions if a.op == "warn" and "invalid_fields" in a.fields}
    for (system, resource), _ in FIELDS.items():
        if master == "poweroffice" and resource in ("Machines", "Products"):
            continue  # machines flow only with SmartDok as master
        for row in world[system].get(resource, []):
            bad = [k for k in ("Id", "id", "Code", "code", "Name", "name", "ProjectNumber", "Number")
                   if isinstance(row.get(k), (list, dict))]
            if bad:
                assert flagged, f"no warning for {row}"


# ---- answers that are not what the API describes ---------------------------------------------

BAD_BODIES = {
    "an HTML error page": (200, "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"),
    "cut-off JSON": (200, '[{"Id": 1, "Code": "9000", "Name": "Malpro'),
    "a 200 whose body is an error": (200, '{"title": "Internal error", "status": 500, "detail": "DB down"}'),
    "an empty body on a 200": (200, "   "),
    "a JSON string instead of a list": (200, '"OK"'),
    "a 500 with an HTML page": (500, "<html><body>Server Error</body></html>"),
    "a 404 with nothing": (404, ""),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    sb = Sandbox(big_world(10, seed=9), rate_limit=False)
    tmp = tmp_path_factory.mktemp("hostile")
    with serve_in_thread(sb) as urls:
        config = tmp / "grunndata.yaml"
        config.write_text(yaml.safe_dump(config_for(urls)), encoding="utf-8")
        yield sb, config


@pytest.mark.parametrize("what", list(BAD_BODIES))
@pytest.mark.parametrize("system,path", [("poweroffice", "/v2/Projects"), ("smartdok", "/Projects"),
                                         ("poweroffice", "/v2/TimeTracking/Activity")])
def test_a_read_that_answers_garbage_is_one_clear_line(served, what, system, path):
    sb, config = served
    sb.reset()
    status, body = BAD_BODIES[what]
    sb.add_fault(system, "GET", path, count=10, status=status, body=body)
    result = CliRunner().invoke(cli, ["plan", "-c", str(config)], env=ENV)
    sb.clear_faults()
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert ("PowerOffice" if system == "poweroffice" else "SmartDok") in lines[0]
    assert sb.write_count("smartdok") + sb.write_count("poweroffice") == 0


@pytest.mark.parametrize("what", ["an HTML error page", "cut-off JSON", "a 200 whose body is an error"])
def test_a_create_answered_with_garbage_is_looked_up_not_sent_twice(served, what):
    sb, config = served
    sb.reset()
    status, body = BAD_BODIES[what]
    sb.add_fault("poweroffice", "POST", "/v2/Projects", count=2, status=201 if status == 200 else status,
                 body=body, after_commit=True)
    result = CliRunner().invoke(cli, ["apply", "--yes", "--json", "-c", str(config)], env=ENV)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sum(1 for r in data["results"] if r["outcome"] == "recovered") == 2
    assert sum(duplicates(sb.world()).values()) == 0
    again = CliRunner().invoke(cli, ["plan", "--json", "-c", str(config)], env=ENV)
    assert json.loads(again.stdout)["summary"]["create"] == 0


# ---- odd but valid data ------------------------------------------------------------------------

def _run(sb: Sandbox, tmp_path, master: str):
    session = _session(tmp_path, master)

    async def go():
        async with runner.connect(session, SECRETS_OBJ, transports=sb.transports(), rate_per_second=None) as conn:
            report = await runner.apply(session, conn)
            again, _ = await runner.plan(session, conn)
            return report, again

    return asyncio.run(go())


def test_odd_data_is_warned_about_by_name_and_nothing_fails(tmp_path):
    world = po_master_world(0)
    po = world["poweroffice"]
    po["Projects"] = [
        {"Id": 1, "Code": "300", "Name": "N" * 70, "ProjectStatus": "Active", "ProjectBillingMethod": "Time"},
        {"Id": 2, "Code": "301", "Name": "L" * 71, "ProjectStatus": "Active", "ProjectBillingMethod": "Time"},
        {"Id": 3, "Code": "302", "Name": "   ", "ProjectStatus": "Active", "ProjectBillingMethod": "Time"},
        {"Id": 4, "Code": "303", "Name": "Bryggen Ålesund Øst   ", "ProjectStatus": "Active",
         "ProjectBillingMethod": "Time"},
        {"Id": 5, "Code": "0042", "Name": "Nuller foran", "ProjectStatus": "Active", "ProjectBillingMethod": "Time"},
        {"Id": 6, "Code": "303.1", "Name": "S" * 71, "ProjectStatus": "Active", "ProjectBillingMethod": "Time",
         "ParentProjectCode": "303"},
    ]
    po["TimeTracking/Activity"] = [
        {"id": 1, "code": "700", "name": "A" * 50, "activityType": "Billable", "isActive": True},
        {"id": 2, "code": "701", "name": "B" * 51, "activityType": "Billable", "isActive": True},
    ]
    world["smartdok"] = {"Projects": [{"Id": 1, "ProjectNumber": "42", "ProjectName": "Nuller foran",
                                       "IsActive": True, "Finished": False}]}
    sb = Sandbox(world, rate_limit=False)
    report, again = _run(sb, tmp_path, "poweroffice")
    warns = {a.key: a.reason for a in report.plan.actions if a.op == "warn"}
    assert "301" in warns and "71 tegn" in warns["301"] and "70" in warns["301"]
    assert "302" in warns and "mangler" in warns["302"]
    assert "303.1" in warns and "71 tegn" in warns["303.1"]
    assert "701" in warns and "51 tegn" in warns["701"] and "50" in warns["701"]
    assert "0042" in warns  # leading zeros: a likely duplicate of 42
    created = {a.key for a in report.plan.writes}
    assert {"300", "303", "700"} <= created and not {"301", "302", "303.1", "701"} & created
    assert report.failed == []  # nothing the target refuses is ever sent
    sd = sb.world()["smartdok"]
    assert any(p["ProjectName"] == "Bryggen Ålesund Øst" for p in sd["Projects"])  # trimmed, æøå intact
    assert again.writes == []  # trailing spaces do not make an update every run


def test_a_dot_in_a_code_is_a_warning_for_poweroffice(tmp_path):
    world = big_world(2)
    world["smartdok"]["Projects"].append({"Id": 50, "ProjectNumber": "12.3", "ProjectName": "Punktum",
                                          "IsActive": True, "Finished": False})
    world["smartdok"]["SubProjects"].append({"Id": 50, "ProjectId": 1, "SubProjectNumber": "2.1",
                                             "SubProjectName": "Punktum under", "IsActive": True})
    sb = Sandbox(world, rate_limit=False)
    report, again = _run(sb, tmp_path, "smartdok")
    warns = {a.key: a.reason for a in report.plan.actions if a.op == "warn"}
    assert "12.3" in warns and "punktum" in warns["12.3"]
    assert any("punktum" in r for k, r in warns.items() if k.endswith("2.1"))
    assert report.failed == [] and again.writes == []


names = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs"),
                                       whitelist_characters="æøåÆØÅ-.,&()/'"), min_size=1, max_size=90)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(project_names=st.lists(names, min_size=1, max_size=4), activity_names=st.lists(names, min_size=1, max_size=3))
def test_any_names_never_give_a_failed_write_or_a_second_plan(tmp_path, project_names, activity_names):
    world = po_master_world(0)
    world["poweroffice"]["Projects"] = [
        {"Id": i + 1, "Code": str(400 + i), "Name": n, "ProjectStatus": "Active", "ProjectBillingMethod": "Time"}
        for i, n in enumerate(project_names)]
    world["poweroffice"]["TimeTracking/Activity"] = [
        {"id": i + 1, "code": str(800 + i), "name": n, "activityType": "Billable", "isActive": True}
        for i, n in enumerate(activity_names)]
    sb = Sandbox(world, rate_limit=False)
    report, again = _run(sb, tmp_path, "poweroffice")
    assert report.failed == [], [o.detail for o in report.failed]
    assert again.writes == []
    for i, n in enumerate(project_names):
        limit_hit = len(n.strip()) > 70 or not n.strip()
        assert limit_hit == any(a.op == "warn" and a.key == str(400 + i) for a in report.plan.actions)


@pytest.mark.parametrize("body", ["{}", '{"Name": "uten id"}', "null"])
def test_a_create_answered_without_an_id_finds_the_id_by_key(tmp_path, body):
    """SmartDok answers a project create with no Id; its sub-project still gets its parent."""
    world = po_master_world(3)
    world["smartdok"]["Projects"] = []
    sb = Sandbox(world, rate_limit=False)
    sb.add_fault("smartdok", "POST", "/Projects", count=3, status=201, body=body, after_commit=True)
    report, again = _run(sb, tmp_path, "poweroffice")
    assert report.failed == [], [o.detail for o in report.failed]
    projects = [o for o in report.outcomes if o.action.entity == "projects"]
    assert len(projects) == 3 and all(o.remote_id is not None for o in projects)
    assert any(o.action.entity == "subprojects" and o.status == "ok" for o in report.outcomes)
    assert again.writes == [] and sum(duplicates(sb.world()).values()) == 0


class _AfterAnswer(httpx.AsyncBaseTransport):
    """The sandbox's transport, calling ``then()`` once, right after the first answer to ``GET path``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str, then) -> None:
        self.inner, self.path, self.then = inner, path, then

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.then is not None and request.method == "GET" and request.url.path == self.path:
            self.then()
            self.then = None
        return response


def test_a_change_made_in_smartdok_while_apply_runs_is_not_overwritten(tmp_path):
    """SmartDok's update is a full-replace PUT: it must build on the record as it is when written,
    not as it was read for the plan, or a field a person changed meanwhile is silently reverted."""
    world = po_master_world(3)
    world["smartdok"]["Projects"][0].update({"ProjectName": "Gammelt navn", "DescriptionText": "A"})
    sb = Sandbox(world, rate_limit=False)
    sd_id = world["smartdok"]["Projects"][0]["Id"]
    session = _session(tmp_path, "poweroffice")
    seen_by_plan = []

    def person() -> None:
        # The plan has read the projects (with "A"); every write comes after all reads.
        seen_by_plan.append(sb.stats()["smartdok"].get("GET /Projects", 0))
        with sb.lock:
            sb.state.table("smartdok", "Projects")[sd_id]["DescriptionText"] = "B (endret av en person)"

    transports = sb.transports()
    transports["smartdok"] = _AfterAnswer(transports["smartdok"], "/Projects", person)

    async def go():
        async with runner.connect(session, SECRETS_OBJ, transports=transports, rate_per_second=None) as conn:
            return await runner.apply(session, conn)

    report = asyncio.run(go())
    assert seen_by_plan == [1] and sb.write_count("smartdok") > 0  # the edit came between read and write
    assert report.failed == []
    project = next(p for p in sb.world()["smartdok"]["Projects"] if p["Id"] == sd_id)
    assert project["ProjectName"] != "Gammelt navn"  # the sync's change is made
    assert project["DescriptionText"] == "B (endret av en person)"  # the person's is kept
