"""Fixtures for the console's fast tests: the app over the in-process sandbox, via TestClient."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from console_env import BASE, PORT, SECRET_VALUES, demo_world, write_config
from starlette.testclient import TestClient

from grunndata.console.app import create_app
from grunndata.console.integration import Integration
from grunndata.sandbox import Sandbox


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GRUNNDATA_POWEROFFICE_RATE", "0")


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(demo_world(), rate_limit=False)


@pytest.fixture
def integration(tmp_path, sb, secrets_env) -> Iterator[Integration]:
    config = write_config(tmp_path)
    integ = Integration(config, transports=sb.transports())
    yield integ
    integ.close()


@pytest.fixture
def app(integration):
    return create_app(integration, port=PORT)


@pytest.fixture
def anonymous(app) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        yield client


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """Logged in as the printed address does it."""
    with TestClient(app, base_url=BASE, follow_redirects=True) as c:
        response = c.get(f"/?token={app.state.console.auth.token}")
        assert response.status_code == 200
        yield c
