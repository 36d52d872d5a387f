"""Where the operator's PostgreSQL is, connections to it, and ``grunndata operator migrate``.

``GRUNNDATA_DATABASE_URL`` (a libpq URL, ``postgresql://user@host/db``) selects PostgreSQL; without
it every command keeps the embedded SQLite journal. Migrations are the versioned SQL files in
``migrations/`` (applied in order, each once, recorded in ``grunndata.schema_migrations``) and
procrastinate's own schema (applied once, recorded the same way). An advisory lock makes two
``migrate`` at once safe: the second waits, then finds nothing left to do.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg

from grunndata.errors import GrunndataError

URL_VAR = "GRUNNDATA_DATABASE_URL"
_MIGRATION = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK = 0x6772756E  # "grun": the advisory lock of migrate
PROCRASTINATE = "procrastinate"


class NoDatabase(GrunndataError):
    """The operator commands need PostgreSQL."""


def database_url(explicit: str | None = None) -> str:
    url = explicit or os.environ.get(URL_VAR, "").strip()
    if not url:
        raise NoDatabase(
            f"{URL_VAR} er ikke satt: operatørkommandoene trenger PostgreSQL "
            "(f.eks. postgresql://grunndata@db/grunndata)"
        )
    return url


def connect(url: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A connection, or one Norwegian line saying why not (never the URL's password)."""
    try:
        return psycopg.connect(url, **kwargs)
    except psycopg.Error as exc:
        raise NoDatabase(f"får ikke kontakt med PostgreSQL ({_safe(url)}): {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _safe(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files("grunndata.operator").joinpath("migrations").iterdir():
        match = _MIGRATION.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def migrate(url: str) -> list[str]:
    """Apply what is missing; returns the names applied (empty: already up to date)."""
    applied: list[str] = []
    with connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
        try:
            conn.execute("CREATE SCHEMA IF NOT EXISTS grunndata")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS grunndata.schema_migrations ("
                "name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM grunndata.schema_migrations")}
            for m in migrations():
                label = f"{m.version:04d}_{m.name}"
                if label in done:
                    continue
                with conn.transaction():
                    conn.execute(m.sql.encode("utf-8"))
                    conn.execute("INSERT INTO grunndata.schema_migrations (name) VALUES (%s)", (label,))
                applied.append(label)
            if PROCRASTINATE not in done:
                from procrastinate.schema import SchemaManager

                with conn.transaction():
                    exists = conn.execute("SELECT to_regclass('public.procrastinate_jobs')").fetchone()
                    if exists is None or exists[0] is None:
                        conn.execute(SchemaManager.get_schema().encode("utf-8"))
                    conn.execute("INSERT INTO grunndata.schema_migrations (name) VALUES (%s)", (PROCRASTINATE,))
                applied.append(PROCRASTINATE)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))
    return applied


def check_migrated(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute("SELECT to_regclass('grunndata.tenants')").fetchone()
    if row is None or row[0] is None:
        raise NoDatabase("databasen er ikke klargjort: kjør «grunndata operator migrate» først")
