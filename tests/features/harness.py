"""Drives the real engine against the in-process sandbox for the Norwegian feature files."""
from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grunndata.engine import runner
from grunndata.engine.plan import Plan
from grunndata.sandbox import Sandbox
from grunndata.secrets import Secrets
from grunndata.session import open_session

SECRETS = Secrets("sd-test-token", "po-app-key", "po-client-key", "po-sub-key")
SYSTEM_KEYS = {"SmartDok": "smartdok", "PowerOffice": "poweroffice"}
YES = {"ja": True, "nei": False}
SPACE = "␣"  # a visible space in a table cell, where one matters


def rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    """A Gherkin table as one dict per row, keyed by the header."""
    head, *body = datatable
    return [dict(zip([h.strip() for h in head], [c.strip().replace(SPACE, " ") for c in row])) for row in body]


@dataclass
class World:
    """A scenario's two systems, its config and rule files, and what the last run did."""

    tmp: Path
    data: dict[str, dict[str, list[dict]]] = field(
        default_factory=lambda: {"smartdok": {}, "poweroffice": {}})
    config: dict[str, Any] = field(default_factory=dict)
    rule_files: dict[str, str] = field(default_factory=dict)
    sandbox: Sandbox | None = None
    plan: Plan | None = None
    report: runner.ApplyReport | None = None
    error: Exception | None = None
    writes_before: int = 0

    def add(self, system: str, resource: str, records: list[dict]) -> None:
        self.data[system].setdefault(resource, []).extend(records)

    def start(self) -> Sandbox:
        if self.sandbox is None:
            self.sandbox = Sandbox(copy.deepcopy(self.data), rate_limit=False)
        return self.sandbox

    def session(self):
        cfg = dict(self.config)
        if self.rule_files:
            cfg["rules"] = list(self.rule_files)
            for name, text in self.rule_files.items():
                (self.tmp / name).write_text(text, encoding="utf-8")
        cfg.setdefault("smartdok", {"base_url": "http://smartdok.sandbox"})
        cfg.setdefault("poweroffice", {"base_url": "http://poweroffice.sandbox/v2",
                                       "token_url": "http://poweroffice.sandbox/OAuth/Token"})
        path = self.tmp / "grunndata.yaml"
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        return open_session(str(path))

    def _connect(self, session):
        return runner.connect(session, SECRETS, transports=self.start().transports(), rate_per_second=None)

    def run_plan(self) -> Plan:
        session = self.session()

        async def go():
            async with self._connect(session) as conn:
                result, _ = await runner.plan(session, conn)
                return result

        self.writes_before = self.writes()
        self.plan = asyncio.run(go())
        return self.plan

    def run_apply(self) -> None:
        session = self.session()

        async def go():
            async with self._connect(session) as conn:
                return await runner.apply(session, conn)

        self.error = None
        try:
            self.report = asyncio.run(go())
            self.plan = self.report.plan
        except runner.Blocked as exc:
            self.error = exc

    def writes(self) -> int:
        sb = self.start()
        return sb.write_count("smartdok") + sb.write_count("poweroffice")

    def state(self, system: str) -> dict[str, list[dict]]:
        return self.start().world()[system]
