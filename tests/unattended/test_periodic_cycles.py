"""Transfer and invoice cycles (``schedule.transfer``, ``schedule.invoice``) through ``run_cycle``:
the last ``transfer.days`` days, exactly once, rows held back shown by ``status``."""
from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from grunndata.engine import runner
from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours
from grunndata.sandbox.invoice_world import END, month_of_invoices
from grunndata.secrets import Secrets
from grunndata.session import open_session
from grunndata.state import SqliteStateStore
from grunndata.unattended.facts import status_facts
from grunndata.unattended.periodic import run_cycle, window

SECRETS = Secrets("sd-test-token", "po-app-key", "po-client-key", "po-sub-key")
ENTRY = "TimeTracking/TimeTrackingEntry"


def _session(tmp: Path, standard: str) -> Any:
    path = tmp / "grunndata.yaml"
    path.write_text(yaml.safe_dump({"master": "smartdok", "standard_project": standard,
                                    "smartdok": {"base_url": "http://smartdok.sandbox"},
                                    "poweroffice": {"base_url": "http://poweroffice.sandbox/v2",
                                                    "token_url": "http://poweroffice.sandbox/OAuth/Token"}}))
    return open_session(str(path))


def _cycle(sb: Sandbox, session: Any, store: SqliteStateStore, kind: str, now: dt.datetime) -> Any:
    async def go() -> Any:
        async with runner.connect(session, SECRETS, transports=sb.transports(), rate_per_second=None) as conn:
            return await run_cycle(session, store, kind, now, conn=conn)
    return asyncio.run(go())


def test_the_window_is_the_last_transfer_days_in_oslo(tmp_path):
    session = _session(tmp_path, "9000")
    # 23:30 UTC on 31 January is 1 February in Oslo.
    assert window(session, dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)) == (dt.date(2026, 1, 2),
                                                                                 dt.date(2026, 2, 1))


def test_a_transfer_cycle_sends_each_row_once_and_status_shows_rows_held_back(tmp_path):
    sb = Sandbox(month_of_hours(6, broken_employees=1, goods_rows=3), rate_limit=False)
    session = _session(tmp_path, "9000")
    store = SqliteStateStore(tmp_path / "grunndata-journal.sqlite")
    now = dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC)
    first = _cycle(sb, session, store, "transfer", now)
    assert first.outcome == "done", first.error
    sent = len(sb.world()["poweroffice"].get(ENTRY) or [])
    assert sent > 0 and first.counts["held_by_reason"]
    again = _cycle(sb, session, store, "transfer", now + dt.timedelta(hours=1))
    assert again.error is None and len(sb.world()["poweroffice"].get(ENTRY) or []) == sent
    facts = status_facts(store)
    assert facts.cycles["transfer"].last_ok is not None and sum(facts.held_back.values()) > 0
    store.close()


def test_an_invoice_cycle_sends_the_window_once(tmp_path):
    sb = Sandbox(month_of_invoices(4, 3), rate_limit=False)
    session = _session(tmp_path, "4001")
    store = SqliteStateStore(tmp_path / "grunndata-journal.sqlite")
    now = dt.datetime.combine(END, dt.time(12), tzinfo=dt.UTC)
    first = _cycle(sb, session, store, "invoice", now)
    assert first.outcome == "done", first.error
    orders = sb.write_count("poweroffice")
    assert orders > 0
    again = _cycle(sb, session, store, "invoice", now + dt.timedelta(hours=1))
    assert again.error is None and sb.write_count("poweroffice") == orders
    assert store.last_cycles()["invoice"][0].ok is True
    store.close()
