"""Fixtures for the invoice tests: a generated month of invoice bases in the in-process sandbox."""
from __future__ import annotations

import pytest
from invoice_env import Env

from grunndata.sandbox import Sandbox
from grunndata.sandbox.invoice_world import month_of_invoices


@pytest.fixture
def env(tmp_path) -> Env:
    """40 invoice bases of 10 lines each in November 2026, two held back (customer, product), a draft."""
    return Env(Sandbox(month_of_invoices(40, 10, wrong_customer=1, missing_product=1, drafts=1, credited=1),
                       rate_limit=False), tmp_path)


@pytest.fixture
def small(tmp_path) -> Env:
    return Env(Sandbox(month_of_invoices(6, 5, projects=3), rate_limit=False), tmp_path)
