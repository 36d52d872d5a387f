"""Drives ``grunndata transfer``'s engine against the in-process sandbox, and checks exactly-once."""
from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grunndata.clients import RetryPolicy
from grunndata.engine import runner
from grunndata.engine import transfer as engine
from grunndata.journal import Journal
from grunndata.sandbox import Sandbox
from grunndata.secrets import Secrets
from grunndata.session import open_session

SECRETS = Secrets("sd-test-token", "po-app-key", "po-client-key", "po-sub-key")
JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
ENTRY = "TimeTracking/TimeTrackingEntry"
FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05)


def write_config(tmp: Path, smartdok: str = "http://smartdok.sandbox",
                 poweroffice: str = "http://poweroffice.sandbox/v2",
                 token: str = "http://poweroffice.sandbox/OAuth/Token", rules: list[str] | None = None) -> Path:
    cfg: dict[str, Any] = {"smartdok": {"base_url": smartdok},
                           "poweroffice": {"base_url": poweroffice, "token_url": token}}
    if rules:
        cfg["rules"] = rules
    path = tmp / "grunndata.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Env:
    sb: Sandbox
    tmp: Path
    rules: list[str] | None = None

    def session(self):
        return open_session(str(write_config(self.tmp, rules=self.rules)))

    def journal(self) -> Journal:
        return Journal(self.tmp / "grunndata-journal.sqlite")

    def preview(self, start: dt.date = JANUARY[0], end: dt.date = JANUARY[1]) -> engine.TransferPlan:
        session = self.session()

        async def go():
            async with runner.connect(session, SECRETS, transports=self.sb.transports(), rate_per_second=None,
                                      retry=FAST_RETRY) as c:
                plan, _ = await engine.preview(session, c, start, end)
                return plan
        return asyncio.run(go())

    def run(self, start: dt.date = JANUARY[0], end: dt.date = JANUARY[1], *, journal: bool = True,
            confirm=None) -> engine.TransferReport:
        session = self.session()
        j = self.journal() if journal else None

        async def go():
            async with runner.connect(session, SECRETS, transports=self.sb.transports(), rate_per_second=None,
                                      retry=FAST_RETRY) as c:
                return await engine.transfer(session, c, start, end, journal=j, confirm=confirm)
        try:
            if j is not None:
                j.lock()
            return asyncio.run(go())
        finally:
            if j is not None:
                j.close()

    # ---- the state of both systems ----
    def entries(self) -> list[dict]:
        return self.sb.world()["poweroffice"].get(ENTRY) or []

    def rows(self, resource: str = "WorkHours") -> list[dict]:
        return self.sb.world()["smartdok"].get(resource) or []

    def change(self, resource: str, row_id: int, **fields: Any) -> None:
        world = self.sb.world()
        system = "poweroffice" if resource == ENTRY else "smartdok"
        id_field = {"WorkHours": "WorkHourID", "GoodsConsumption": "Id", ENTRY: "id"}[resource]
        for row in world[system][resource]:
            if row[id_field] == row_id:
                row.update(fields)
        self.sb.reset(world)


def assert_exactly_once(env: Env, held: set[str] = frozenset()) -> dict[str, int]:
    """Every attested row not held back is in PowerOffice exactly once and marked in SmartDok."""
    refs = Counter(e.get("externalImportReference") for e in env.entries())
    twice = {r: n for r, n in refs.items() if n > 1}
    assert not twice, f"sent more than once: {list(twice)[:5]}"
    counts = {"hours": 0, "goods": 0}
    for row in env.rows("WorkHours"):
        kind = "machinehour" if row.get("MachineHourId") else "workhour"
        ref = f"smartdok-{kind}-{row['WorkHourID']}"
        if not row.get("AdminAttested") or ref in held:
            assert ref not in refs or ref in held
            continue
        assert refs.get(ref) == 1, f"{ref} is not in PowerOffice"
        assert row.get("ExportedExternal") is True and row.get("ExportedExternalId") == ref, f"{ref} not marked"
        counts["hours"] += 1
    for row in env.rows("GoodsConsumption"):
        ref = f"smartdok-goods-{row['Id']}"
        if not row.get("AdminAttested") or ref in held:
            continue
        assert refs.get(ref) == 1, f"{ref} is not in PowerOffice"
        assert row.get("Exported") is True, f"{ref} not marked"
        counts["goods"] += 1
    return counts
