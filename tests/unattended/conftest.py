"""Fixtures for the unattended end-to-end tests: a small world served on free loopback ports."""
from __future__ import annotations

import pytest
from unattended_env import served, small_world


@pytest.fixture
def env(tmp_path, monkeypatch):
    with served(small_world(), tmp_path, monkeypatch) as e:
        yield e
