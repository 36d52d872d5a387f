"""Tests against a real PostgreSQL at 127.0.0.1:5432 (trust auth, as on the project's machines).

Each test gets a database of its own, copied from a migrated template made once per xdist
worker, so tests never share state. Without a server the tests of this folder are skipped with
one reason, and the run's summary says so (under CI, .ci/run fails before pytest instead).
"""
from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest

HOST, PORT = "127.0.0.1", 5432
REASON = f"no PostgreSQL at {HOST}:{PORT} (tests/operator need one; CI requires it)"
_USER = os.environ.get("GRUNNDATA_TEST_PGUSER", "postgres")


def _answers() -> bool:
    try:
        socket.create_connection((HOST, PORT), timeout=2).close()
        return True
    except OSError:
        return False


AVAILABLE = _answers()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if AVAILABLE:
        return
    skip = pytest.mark.skip(reason=REASON)
    for item in items:
        if "tests/operator/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if not AVAILABLE:
        terminalreporter.write_line(f"operator tests skipped: {REASON}")


def url(database: str) -> str:
    return f"postgresql://{_USER}@{HOST}:{PORT}/{database}"


def _admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url("postgres"), autocommit=True)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated database per xdist worker, the template of every test's database."""
    from grunndata.operator.db import migrate

    name = f"gd_tpl_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    migrate(url(name))
    yield name
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A fresh, migrated database for one test; its URL."""
    name = f"gd_t_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield url(name)
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_empty() -> Iterator[str]:
    """A fresh database nobody migrated yet."""
    name = f"gd_e_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url(name)
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
