"""Drives ``grunndata invoice``'s engine against the in-process sandbox, and checks exactly-once."""
from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grunndata.clients import RetryPolicy
from grunndata.engine import invoice as engine
from grunndata.engine import runner
from grunndata.journal import Journal
from grunndata.sandbox import Sandbox
from grunndata.secrets import Secrets

SECRETS = Secrets("sd-test-token", "po-app-key", "po-client-key", "po-sub-key")
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05)


def write_config(tmp: Path, smartdok: str = "http://smartdok.sandbox",
                 poweroffice: str = "http://poweroffice.sandbox/v2",
                 token: str = "http://poweroffice.sandbox/OAuth/Token", rules: list[str] | None = None) -> Path:
    cfg: dict[str, Any] = {"master": "smartdok", "standard_project": "4001",
                           "smartdok": {"base_url": smartdok},
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
        from grunndata.session import open_session

        return open_session(str(write_config(self.tmp, rules=self.rules)))

    def journal(self) -> Journal:
        return Journal(self.tmp / "grunndata-journal.sqlite")

    def _connect(self, session):
        return runner.connect(session, SECRETS, transports=self.sb.transports(), rate_per_second=None,
                              retry=FAST_RETRY)

    def preview(self, start: dt.date = NOVEMBER[0], end: dt.date = NOVEMBER[1], *, journal: bool = True):
        session = self.session()
        j = self.journal() if journal else None

        async def go():
            async with self._connect(session) as c:
                plan, _ = await engine.preview(session, c, start, end, journal=j)
                return plan
        try:
            return asyncio.run(go())
        finally:
            if j is not None:
                j.close()

    def run(self, start: dt.date = NOVEMBER[0], end: dt.date = NOVEMBER[1], *, journal: bool = True,
            confirm=None) -> engine.InvoiceReport:
        session = self.session()
        j = self.journal() if journal else None

        async def go():
            async with self._connect(session) as c:
                return await engine.invoice(session, c, start, end, journal=j, confirm=confirm)
        try:
            if j is not None:
                j.lock()
            return asyncio.run(go())
        finally:
            if j is not None:
                j.close()

    # ---- the state of both systems ----
    def orders(self) -> list[dict]:
        return self.sb.world()["poweroffice"].get("SalesOrders") or []

    def bases(self) -> list[dict]:
        return self.sb.world()["smartdok"].get("Invoices") or []

    def change_basis(self, basis_id: int, **fields: Any) -> None:
        world = self.sb.world()
        for basis in world["smartdok"]["Invoices"]:
            if basis["Id"] == basis_id:
                basis.update(fields)
        self.sb.reset(world)

    def change_order(self, reference: str, **fields: Any) -> None:
        world = self.sb.world()
        for order in world["poweroffice"]["SalesOrders"]:
            if order.get("ExternalImportReference") == reference:
                order.update(fields)
        self.sb.reset(world)

    def invoice_order(self, reference: str) -> None:
        """Accounting sends the order as an invoice: it leaves the list of sales orders."""
        world = self.sb.world()
        world["poweroffice"]["SalesOrders"] = [o for o in world["poweroffice"]["SalesOrders"]
                                               if o.get("ExternalImportReference") != reference]
        self.sb.reset(world)


def assert_exactly_once(env: Env, held: set[str] = frozenset()) -> int:
    """Every finished basis not held back is one order, each of its lines once; nothing else."""
    orders = Counter(o.get("ExternalImportReference") for o in env.orders())
    twice = {r: n for r, n in orders.items() if n > 1}
    assert not twice, f"orders sent more than once: {list(twice)[:5]}"
    by_ref = {o.get("ExternalImportReference"): o for o in env.orders()}
    count = 0
    for basis in env.bases():
        ref = f"smartdok-invoice-{basis['Id']}"
        if basis.get("IsDraft") or basis.get("Credited") or ref in held:
            assert ref not in orders, f"{ref} should not be in PowerOffice"
            continue
        assert orders.get(ref) == 1, f"{ref} is not in PowerOffice"
        lines = Counter(x.get("ExternalImportReference") for x in by_ref[ref].get("SalesOrderLines") or [])
        want = {f"{ref}-{line['Id']}" for line in basis.get("InvoiceLines") or []}
        assert set(lines) == want, f"{ref}: lines {sorted(set(lines) ^ want)[:5]} differ"
        assert all(n == 1 for n in lines.values()), f"{ref}: a line twice"
        count += 1
    return count
