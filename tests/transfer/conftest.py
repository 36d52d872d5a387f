"""Fixtures for the transfer tests: a generated month of hours in the in-process sandbox."""
from __future__ import annotations

import pytest
from transfer_env import Env

from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours


@pytest.fixture
def env(tmp_path) -> Env:
    """20 employees, January 2026: about 460 hour rows (additions, machine hours) and 100 goods rows."""
    return Env(Sandbox(month_of_hours(20), rate_limit=False), tmp_path)


@pytest.fixture
def small(tmp_path) -> Env:
    return Env(Sandbox(month_of_hours(10, broken_employees=0, goods_rows=5), rate_limit=False), tmp_path)
