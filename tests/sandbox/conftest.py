"""Fixtures for the sandbox tests (helpers live in sandbox_helpers.py)."""
from __future__ import annotations

import pytest
from sandbox_helpers import WORLD_FILE

from grunndata.sandbox import Sandbox


@pytest.fixture
def sb() -> Sandbox:
    """The Fjordbygg world, rate limit off (tests that want 429 build their own)."""
    return Sandbox.from_file(WORLD_FILE, rate_limit=False)
