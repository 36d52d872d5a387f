"""Plugins say what they read: the snapshot reads the union of their declared reads, each once."""
from __future__ import annotations

import asyncio

import pytest

from grunndata import hookimpl
from grunndata.clients import PowerOfficeClient, SmartDokClient
from grunndata.clients.reads import read_union
from grunndata.engine import runner
from grunndata.engine.model import Check, Read
from grunndata.plugin.manager import load_host
from grunndata.sandbox import POWEROFFICE_TOKEN_URL, POWEROFFICE_URL, SMARTDOK_URL, Sandbox

WORLD = {
    "smartdok": {"Projects": [{"Id": 1, "ProjectNumber": "100", "ProjectName": "Bru", "IsActive": True}],
                 "Additions": [{"Id": 1, "Number": "T1", "Name": "Tillegg", "UnitAddition": False, "IsActive": True},
                               {"Id": 2, "Number": "E1", "Name": "Enhet", "UnitAddition": True, "IsActive": True}]},
    "poweroffice": {"Projects": [{"Id": 1, "Code": "100", "Name": "Bru", "ProjectStatus": "Active"}],
                    "TimeTracking/TimeTrackingEntry": [{"id": 7, "employeeCode": "1", "projectCode": "100",
                                                        "activityCode": "A", "date": "2026-01-05", "minutes": 60,
                                                        "externalImportReference": "x-1"}]},
}

# What the snapshot read before plugins declared it (the clients' READ_ALL): kept, request for request.
# SmartDok's customers and goods joined with the invoice basis checks and transfer (R25, R26).
BUILT_IN_REQUESTS = {
    "smartdok": {"POST /Authorize/ApiToken": 1, "GET /Projects": 1, "GET /SubProjects": 1,
                 "GET /WorkDescriptions": 1, "GET /Machines": 1, "GET /Users": 1, "GET /Wages": 1,
                 "GET /Additions": 2, "GET /Customers": 1, "GET /Goods": 1},
    "poweroffice": {"POST /OAuth/Token": 1, "GET /v2/Projects": 1, "GET /v2/Products": 1, "GET /v2/Employees": 1,
                    "GET /v2/PayItems": 1, "GET /v2/Customers": 1, "GET /v2/TimeTracking/Activity": 1,
                    "GET /v2/TimeTracking/HourType": 1},
}


def _read(sb: Sandbox, reads=None, conn_reads=None):
    async def go():
        transports = sb.transports()
        sd = SmartDokClient(SMARTDOK_URL, "sd-token", transport=transports["smartdok"])
        po = PowerOfficeClient(POWEROFFICE_URL, POWEROFFICE_TOKEN_URL, "app", "client", "sub",
                               transport=transports["poweroffice"], rate_per_second=None)
        async with runner.Connection(sd, po, conn_reads) as conn:
            return await runner.read_snapshot(conn, reads)

    return asyncio.run(go())


def test_the_built_in_plugins_read_what_the_snapshot_always_read_each_once():
    sb = Sandbox(WORLD, rate_limit=False)
    snapshot = _read(sb)
    assert sb.stats() == BUILT_IN_REQUESTS
    # Additions asked for once per kind, one list in the snapshot (merged by Id).
    assert sorted(a["Number"] for a in snapshot.records("smartdok", "Additions")) == ["E1", "T1"]
    assert "TimeTracking/TimeTrackingEntry" not in snapshot.poweroffice  # no loaded plugin declares it


def test_every_smartdok_read_asks_for_inactive_records_too():
    for read in load_host().reads:
        if read.system == "smartdok":
            assert dict(read.params).get("all") is True, read


def test_a_plugins_extra_read_joins_the_snapshot_once_and_a_shared_read_is_not_repeated():
    entries = "TimeTracking/TimeTrackingEntry"

    class Lines:
        @hookimpl
        def grunndata_checks(self):
            return [Check(name="lines", description="L", run=lambda ctx: [],
                          reads=[Read("poweroffice", entries), Read("smartdok", "Projects", {"all": "true"}),
                                 Read("poweroffice", entries, {})])]

    host = load_host([("lines", Lines())])
    assert host.reads.count(Read("poweroffice", entries)) == 1
    assert host.reads.count(Read("smartdok", "Projects", {"all": True})) == 1  # as the projects entity reads it
    sb = Sandbox(WORLD, rate_limit=False)
    snapshot = _read(sb, conn_reads=tuple(host.reads))
    assert sb.stats() == {"smartdok": BUILT_IN_REQUESTS["smartdok"],
                          "poweroffice": {**BUILT_IN_REQUESTS["poweroffice"], f"GET /v2/{entries}": 1}}
    assert [e["externalImportReference"] for e in snapshot.records("poweroffice", entries)] == ["x-1"]


def test_only_what_is_declared_is_read():
    sb = Sandbox(WORLD, rate_limit=False)
    snapshot = _read(sb, reads=[Read("poweroffice", "Projects")])
    assert sb.stats() == {"smartdok": {}, "poweroffice": {"POST /OAuth/Token": 1, "GET /v2/Projects": 1}}
    assert snapshot.smartdok == {} and len(snapshot.records("poweroffice", "Projects")) == 1


def test_several_reads_of_one_resource_are_their_union_by_id():
    asked = []

    class Lister:
        async def list(self, resource, params=None):
            asked.append((resource, params))
            if params.get("kind") == "a":
                return [{"Id": 1, "n": "first"}, {"Id": 2}, {"x": "no id"}]
            return [{"Id": 2, "n": "second copy"}, {"id": 3}, {"x": "no id"}]

    out = asyncio.run(read_union(Lister(), [("R", {"kind": "a"}), ("R", {"kind": "b"}), ("R", {"kind": "a"})]))
    assert asked == [("R", {"kind": "a"}), ("R", {"kind": "b"})]  # each distinct read once
    assert out == {"R": [{"Id": 1, "n": "first"}, {"Id": 2}, {"id": 3}, {"x": "no id"}, {"x": "no id"}]}


def test_a_read_is_compared_as_it_is_sent():
    assert Read("smartdok", "Projects", {"all": True}) == Read("smartdok", "Projects", {"all": "true"})
    assert Read("smartdok", "Projects") != Read("smartdok", "Projects", {"all": True})
    assert len({Read("poweroffice", "Projects"), Read("poweroffice", "Projects", {})}) == 1
    with pytest.raises(ValueError, match="unknown system 'visma'"):
        Read("visma", "Projects")
    with pytest.raises(ValueError, match="resource"):
        Read("smartdok", "")


def test_a_declared_read_that_is_not_a_read_skips_its_plugin():
    class Sloppy:
        @hookimpl
        def grunndata_checks(self):
            return [Check(name="sloppy", description="S", run=lambda ctx: [], reads=["Projects"])]

    host = load_host([("sloppy", Sloppy())])
    assert host.skipped == [("sloppy", "check 'sloppy': reads må være en liste av Read, ikke ['Projects']")]
