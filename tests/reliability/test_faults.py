"""Faults injected through the sandbox's control surface (``POST /_sandbox/faults``) while
``grunndata apply`` writes: 429 storms, 500/502/503/504, dropped connections after the write was
committed, timeouts. After each, apply runs again and must converge to the state of a clean run
with no project, sub-project, activity or product twice; the engine must never send a create for
a record that already exists (the emulators refuse duplicate keys, so the proof is that no action
failed with "already exists"), and never print a traceback.

Both directions: SmartDok as master (writes to PowerOffice) and PowerOffice as master (writes to
SmartDok). The sandbox is served once per direction on loopback.
"""
from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from _rel_worlds import big_world, config_for, po_master_world
from crash_run import SECRETS, comparable, duplicates
from grunndata.cli.main import cli
from grunndata.engine import runner
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.secrets import from_environment
from grunndata.session import open_session

ENV = {**SECRETS, "GRUNNDATA_POWEROFFICE_RATE": "0"}
# Figures for docs/RELIABILITY.md, printed at the end of the module with -s.
FIGURES: list[dict[str, Any]] = []


class InFlight:
    """An ASGI wrapper counting requests the server is still handling, including those whose
    client has given up (a timeout): the server finishes them on its own schedule."""

    def __init__(self, app: Any) -> None:
        self.app, self.count = app, 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.count += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.count -= 1


def wait_until(condition, what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` (a counter, not the clock, decides); ``timeout`` only ends a hang."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.005)


class Served:
    def __init__(self, world: dict[str, Any], master: str, tmp: Path):
        self.sb = Sandbox(world, rate_limit=False)
        self.in_flight = {"smartdok": InFlight(self.sb.smartdok_app), "poweroffice": InFlight(self.sb.poweroffice_app)}
        self.sb.smartdok_app, self.sb.poweroffice_app = self.in_flight["smartdok"], self.in_flight["poweroffice"]
        self._cm = serve_in_thread(self.sb)
        self.urls = self._cm.__enter__()
        self.config = tmp / "grunndata.yaml"
        self.config.write_text(yaml.safe_dump(config_for(self.urls, master=master)), encoding="utf-8")
        self.control = {"smartdok": self.urls.smartdok + "/_sandbox",
                        "poweroffice": self.urls.poweroffice.rsplit("/v2", 1)[0] + "/_sandbox"}
        self.http = httpx.Client(timeout=10)
        self.apply()
        self.clean = self.sb.world()
        self.records = sum(len(r) for s in ("smartdok", "poweroffice") for r in self.clean[s].values())

    def close(self) -> None:
        self.http.close()
        self._cm.__exit__(None, None, None)

    def reset(self) -> None:
        for system in ("smartdok", "poweroffice"):
            self.http.post(self.control[system] + "/reset").raise_for_status()

    def inject(self, system: str, faults: list[dict[str, Any]]) -> None:
        r = self.http.post(self.control[system] + "/faults", json=faults)
        assert r.status_code == 200, r.text

    def pending(self) -> int:
        return sum(f["count"] for s in ("smartdok", "poweroffice")
                   for f in self.http.get(self.control[s] + "/faults").json())

    def clear(self) -> None:
        for system in ("smartdok", "poweroffice"):
            self.http.delete(self.control[system] + "/faults")

    def apply(self, *extra: str) -> tuple[int, dict[str, Any] | None, str]:
        result = CliRunner().invoke(cli, ["apply", "--yes", "--json", "-c", str(self.config), *extra], env=ENV)
        try:
            data = json.loads(result.stdout)
        except ValueError:
            data = None
        return result.exit_code, data, result.output


@pytest.fixture(scope="module")
def sd_master(tmp_path_factory):
    s = Served(big_world(40, seed=3), "smartdok", tmp_path_factory.mktemp("sdm"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def po_master(tmp_path_factory):
    s = Served(po_master_world(40, seed=3), "poweroffice", tmp_path_factory.mktemp("pom"))
    yield s
    s.close()


def fault(method: str, path: str, **kw: Any) -> dict[str, Any]:
    return {"method": method, "path": path, **kw}


# (name, system, faults): the writes of SmartDok as master go to PowerOffice.
PO_FAULTS = [
    ("429 storm on project creates", [fault("POST", "/v2/Projects", count=12, status=429, retry_after=0)]),
    ("429 storm on reads", [fault("GET", "/v2/Projects", count=3, status=429, retry_after=0),
                            fault("GET", "/v2/Products", count=2, status=429, retry_after=0)]),
    ("500 on creates", [fault("POST", "/v2/Projects", count=3, status=500)]),
    ("502 on creates", [fault("POST", "/v2/Projects", count=3, status=502)]),
    ("503 on creates", [fault("POST", "/v2/Projects", count=3, status=503)]),
    ("504 on creates", [fault("POST", "/v2/Products", count=3, status=504)]),
    ("500 after commit", [fault("POST", "/v2/Projects", count=3, status=500, after_commit=True)]),
    ("502 after commit", [fault("POST", "/v2/Projects", count=3, status=502, after_commit=True)]),
    ("503 after commit", [fault("POST", "/v2/Projects", count=3, status=503, after_commit=True)]),
    ("504 after commit", [fault("POST", "/v2/TimeTracking/Activity", count=3, status=504, after_commit=True)]),
    ("committed, response lost (project)", [fault("POST", "/v2/Projects", count=4, drop=True)]),
    ("committed, response lost (product)", [fault("POST", "/v2/Products", count=3, drop=True)]),
    ("committed, response lost (activity)", [fault("POST", "/v2/TimeTracking/Activity", count=3, drop=True)]),
    ("committed, response lost (update)", [fault("PATCH", "/v2/Projects/{id}", count=2, drop=True)]),
    ("502 on updates", [fault("PATCH", "/v2/Projects/{id}", count=2, status=502)]),
    ("500 on the token", [fault("POST", "/OAuth/Token", count=1, status=500)]),
    ("mixed storm", [fault("*", "/v2/Projects", count=4, status=503),
                     fault("POST", "/v2/Projects", count=2, drop=True),
                     fault("POST", "/v2/Products", count=2, status=502, after_commit=True)]),
]
SD_FAULTS = [
    ("429 storm on project creates", [fault("POST", "/Projects", count=12, status=429, retry_after=0)]),
    ("503 on reads", [fault("GET", "/Projects", count=2, status=503)]),
    ("500 on creates", [fault("POST", "/Projects", count=3, status=500)]),
    ("502 after commit", [fault("POST", "/Projects", count=3, status=502, after_commit=True)]),
    ("503 after commit", [fault("POST", "/WorkDescriptions", count=3, status=503, after_commit=True)]),
    ("committed, response lost (project)", [fault("POST", "/Projects", count=4, drop=True)]),
    ("committed, response lost (sub-project)",
     [fault("POST", "/Projects/{projectId}/SubProjects", count=2, drop=True)]),
    ("committed, response lost (activity)", [fault("POST", "/WorkDescriptions", count=3, drop=True)]),
    ("500 on sign-in", [fault("POST", "/Authorize/ApiToken", count=1, status=500)]),
]


def _check_converges(served: Served, name: str, system: str, faults: list[dict[str, Any]]) -> None:
    served.reset()
    served.inject(system, faults)
    injected = sum(f.get("count", 1) for f in faults)
    first_code, first, first_out = served.apply()
    hit = injected - served.pending()
    served.clear()
    assert first_code in (0, 1), first_out  # never 70 (internal error), never a traceback
    assert "Traceback" not in first_out and "internal error" not in first_out, first_out
    results = first["results"] if first else []
    assert not [r for r in results if "already exists" in (r.get("detail") or "")], \
        "a create was sent for a record that already existed"
    second_code, second, second_out = served.apply()
    assert second_code == 0, second_out
    after = served.sb.world()
    dups = duplicates(after)
    assert sum(dups.values()) == 0, dups
    assert comparable(after) == comparable(served.clean), f"{name}: not the clean run's state"
    outcomes = Counter(r["outcome"] for r in results)
    FIGURES.append({"direction": system, "fault": name, "injected": injected, "hit": hit,
                    "first_apply_exit": first_code, "ok": outcomes.get("ok", 0),
                    "recovered": outcomes.get("recovered", 0), "failed": outcomes.get("failed", 0),
                    "second_apply_writes": (second or {}).get("summary", {}).get("planned_writes", 0),
                    "records": served.records, "duplicates": sum(dups.values()), "lost": 0})


@pytest.mark.parametrize("name,faults", PO_FAULTS, ids=[n for n, _ in PO_FAULTS])
def test_poweroffice_faults_converge_without_duplicates(sd_master, name, faults):
    _check_converges(sd_master, name, "poweroffice", faults)


@pytest.mark.parametrize("name,faults", SD_FAULTS, ids=[n for n, _ in SD_FAULTS])
def test_smartdok_faults_converge_without_duplicates(po_master, name, faults):
    _check_converges(po_master, name, "smartdok", faults)


def test_a_lost_create_response_is_recovered_by_key_not_sent_twice(sd_master):
    """The ambiguous case in one run: the create was committed, its answer lost; the engine
    looks the record up by its key and reports it as recovered, and sends it only once."""
    sd_master.reset()
    sd_master.inject("poweroffice", [fault("POST", "/v2/Projects", count=1, drop=True),
                                     fault("POST", "/v2/Products", count=1, status=502, after_commit=True)])
    code, data, out = sd_master.apply()
    assert code == 0, out
    recovered = [r for r in data["results"] if r["outcome"] == "recovered"]
    assert {r["entity"] for r in recovered} == {"projects", "machines"}
    assert all(r["remote_id"] for r in recovered)
    posts = sd_master.sb.stats()["poweroffice"]
    planned = Counter(r["entity"] for r in data["results"] if r["op"] == "create")
    # Exactly one POST per planned project create: the dropped one was not sent again.
    assert posts["POST /v2/Projects"] == planned["projects"] + planned["subprojects"]
    assert sum(duplicates(sd_master.sb.world()).values()) == 0


def test_timeouts_on_creates_converge(tmp_path, monkeypatch):
    """A create that times out (the server answers after the client gave up) may still be
    committed: it is looked up before it is sent again, and the next run converges."""
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    served = Served(big_world(12, seed=4), "smartdok", tmp_path)
    try:
        served.reset()
        served.inject("poweroffice", [fault("POST", "/v2/Projects", count=2, delay=0.6),
                                      fault("GET", "/v2/Products", count=1, delay=0.6)])
        session = open_session(str(served.config))

        async def go():
            async with runner.connect(session, from_environment(), rate_per_second=None, timeout=0.25) as conn:
                return await runner.apply(session, conn)

        report = asyncio.run(go())
        assert not [o for o in report.outcomes if "already exists" in o.detail]
        # The server finishes (and commits) the requests the client gave up on: wait for that.
        wait_until(lambda: served.in_flight["poweroffice"].count == 0, "the abandoned requests")
        code, _, out = served.apply()
        assert code == 0, out
        after = served.sb.world()
        assert sum(duplicates(after).values()) == 0
        assert comparable(after) == comparable(served.clean)
        FIGURES.append({"direction": "poweroffice", "fault": "timeouts (server answers after 0.6 s, client waits 0.25 s)",
                        "injected": 3, "hit": 3, "first_apply_exit": int(bool(report.failed)),
                        "ok": report.summary()["ok"], "recovered": report.summary()["recovered"],
                        "failed": report.summary()["failed"], "second_apply_writes": 0, "records": served.records,
                        "duplicates": 0, "lost": 0})
    finally:
        served.close()


def teardown_module(module):
    if os.environ.get("GRUNNDATA_RELIABILITY_FIGURES"):
        Path(os.environ["GRUNNDATA_RELIABILITY_FIGURES"]).write_text(
            json.dumps(FIGURES, indent=1, ensure_ascii=False), encoding="utf-8")


def test_the_real_rate_limit_as_a_429_storm(tmp_path, monkeypatch):
    """The sandbox's own PowerOffice limit (10 requests/second, 429 "Try again in 1 seconds.")
    with the client's pacing lifted: every request beyond the limit is a 429, the client pauses
    as asked, and the apply still converges in one run with nothing twice."""
    sb = Sandbox(big_world(25, seed=12, activities=5, machines=5), rate_limit=True)
    with serve_in_thread(sb) as urls:
        config = tmp_path / "grunndata.yaml"
        config.write_text(yaml.safe_dump(config_for(urls)), encoding="utf-8")
        result = CliRunner().invoke(cli, ["apply", "--yes", "--json", "-c", str(config)], env=ENV)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        stats = sb.stats()["poweroffice"]
        writes = sb.write_count("poweroffice")
        assert report["summary"]["ok"] == report["summary"]["planned_writes"]
        # Write requests beyond one per planned write were answered 429 (refused, not committed).
        throttled = writes - report["summary"]["planned_writes"]
        assert throttled > 0 and sum(stats.values()) > writes
        after = sb.world()
        assert sum(duplicates(after).values()) == 0
        again = CliRunner().invoke(cli, ["plan", "--json", "-c", str(config)], env=ENV)
        assert json.loads(again.stdout)["summary"]["create"] == 0
    FIGURES.append({"direction": "poweroffice", "fault": "the sandbox's real 10/s limit, client unpaced",
                    "injected": throttled, "hit": throttled, "first_apply_exit": 0, "ok": report["summary"]["ok"],
                    "recovered": 0, "failed": 0, "second_apply_writes": 0,
                    "records": sum(len(r) for s in ("smartdok", "poweroffice") for r in after[s].values()),
                    "duplicates": 0, "lost": 0})


class AnsweredStatuses:
    """An ASGI wrapper counting the status of every answer the server gives."""

    def __init__(self, app: Any) -> None:
        self.app, self.seen = app, Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.seen[message["status"]] += 1
            await send(message)

        await self.app(scope, receive, record)


def test_with_the_clients_pacing_the_sandbox_never_counts_eleven_in_a_second(tmp_path):
    """PowerOffice counts arrivals in a sliding second, on its side, and answers the 11th with 429.
    With the client's own pacing (10 a second, the default), the sandbox's real limit never
    refuses a request of an apply, however the requests were delayed on the way."""
    sb = Sandbox(big_world(12, seed=21, activities=4, machines=4), rate_limit=True)
    answers = AnsweredStatuses(sb.poweroffice_app)
    sb.poweroffice_app = answers
    with serve_in_thread(sb) as urls:
        config = tmp_path / "grunndata.yaml"
        config.write_text(yaml.safe_dump(config_for(urls)), encoding="utf-8")
        paced = {**ENV, "GRUNNDATA_POWEROFFICE_RATE": None}  # None: unset, the client's default
        result = CliRunner().invoke(cli, ["apply", "--yes", "--json", "-c", str(config)], env=paced)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
    assert report["summary"]["ok"] == report["summary"]["planned_writes"] > 10
    assert sum(answers.seen.values()) > 25  # enough requests to fill several seconds at 10 a second
    assert answers.seen[429] == 0, answers.seen
