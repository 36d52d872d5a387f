"""Fixtures for the unattended end-to-end tests: a small world served on free loopback ports."""
from __future__ import annotations

import pytest
from unattended_env import SECRET_VALUES, Env, small_world

from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread


@pytest.fixture
def env(tmp_path, monkeypatch):
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    sb = Sandbox(small_world(), rate_limit=False)
    with serve_in_thread(sb) as urls:
        e = Env(sb, tmp_path, urls)
        e.write_config()
        monkeypatch.chdir(tmp_path)
        yield e
