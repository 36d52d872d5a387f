"""Tenants in the operator's database: each company's config and rule files, stored as versions.

``tenant add`` validates with the usual loader (the consultant's ``FILE:LINE:COL`` lines) and stores
the contents and their hash, so every worker on every machine runs the same rules. A worker
materialises a tenant's stored files into a directory of its own and opens them with the same
loader (:func:`materialise`). Secrets never reach the database (``tenant_secrets``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import yaml

from grunndata.errors import GrunndataError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
CONFIG_NAME = "grunndata.yaml"
RULES_DIR = "regler"


class TenantError(GrunndataError):
    pass


@dataclass(frozen=True)
class TenantConfig:
    """One stored version of a tenant's setup."""

    tenant: str
    version: int
    master: str
    config_hash: str
    config_name: str
    config_text: str
    rule_files: list[dict[str, str]]
    secrets_file: str | None
    schedule: dict[str, Any]
    added_at: dt.datetime


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise TenantError(
            f"«{name}» er ikke et gyldig kundenavn: bruk bokstaver, sifre, . _ og - (høyst 100 tegn), "
            "og begynn med en bokstav eller et siffer"
        )
    return name


def content_hash(config_text: str, rule_files: list[dict[str, str]]) -> str:
    digest = hashlib.sha256()
    digest.update(config_text.encode("utf-8"))
    for item in rule_files:
        digest.update(b"\0" + item["name"].encode("utf-8") + b"\0" + item["text"].encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def read_setup(config_path: str) -> dict[str, Any]:
    """Validate a config and its rule files with the usual loader; their contents to store."""
    from grunndata.session import open_session
    from grunndata.unattended.schedule_config import KEY

    path = Path(config_path)
    if not path.is_file():
        raise TenantError(f"{config_path}: finnes ikke")
    session = open_session(str(path))  # RuleFileError: the FILE:LINE:COL lines, exit 1
    config_text = path.read_text(encoding="utf-8")
    rule_files = [
        {"name": display, "text": Path(full).read_text(encoding="utf-8")} for full, display in session.config.rule_paths
    ]
    data = yaml.safe_load(config_text) or {}
    raw = data.get(KEY) if isinstance(data, dict) else None
    schedule: dict[str, Any] = raw if isinstance(raw, dict) else {}
    # YAML's false (an unquoted off) is stored as the grammar's word
    schedule = {k: ("off" if v is False else v) for k, v in schedule.items()}
    return {
        "master": session.config.master,
        "config_name": path.name,
        "config_text": config_text,
        "rule_files": rule_files,
        "schedule": schedule,
        "config_hash": content_hash(config_text, rule_files),
    }


def add(conn: psycopg.Connection[Any], name: str, setup: dict[str, Any], secrets_file: str | None) -> TenantConfig:
    """Store a new version; an existing (or removed) tenant gets it as its current config."""
    check_name(name)
    with conn.transaction():
        conn.execute("INSERT INTO grunndata.tenants (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,))
        row = conn.execute(
            "INSERT INTO grunndata.tenant_configs (tenant, master, config_hash, config_name, config_text, "
            "rule_files, secrets_file, schedule) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                name,
                setup["master"],
                setup["config_hash"],
                setup["config_name"],
                setup["config_text"],
                json.dumps(setup["rule_files"]),
                secrets_file,
                json.dumps(setup["schedule"]),
            ),
        ).fetchone()
        assert row is not None
        conn.execute(
            "UPDATE grunndata.tenants SET current_version = %s, removed_at = NULL, "
            "added_at = CASE WHEN removed_at IS NULL AND current_version IS NOT NULL THEN added_at "
            "ELSE now() END WHERE name = %s",
            (row[0], name),
        )
    found = current(conn, name)
    assert found is not None
    return found


_SELECT = (
    "SELECT c.tenant, c.id, c.master, c.config_hash, c.config_name, c.config_text, c.rule_files, "
    "c.secrets_file, c.schedule, t.added_at FROM grunndata.tenants t "
    "JOIN grunndata.tenant_configs c ON c.id = t.current_version "
)


def current(conn: psycopg.Connection[Any], name: str) -> TenantConfig | None:
    row = conn.execute(_SELECT + "WHERE t.name = %s AND t.removed_at IS NULL", (name,)).fetchone()
    return None if row is None else TenantConfig(*row)


def active(conn: psycopg.Connection[Any]) -> list[TenantConfig]:
    rows = conn.execute(_SELECT + "WHERE t.removed_at IS NULL ORDER BY t.name").fetchall()
    return [TenantConfig(*row) for row in rows]


def require(conn: psycopg.Connection[Any], name: str) -> TenantConfig:
    found = current(conn, name)
    if found is None:
        raise TenantError(f"ingen kunde som heter «{name}» (se «grunndata tenant list»)")
    return found


def remove(conn: psycopg.Connection[Any], name: str) -> None:
    """The tenant stops being run; its configs, journal and history stay."""
    require(conn, name)
    with conn.transaction():
        conn.execute("UPDATE grunndata.tenants SET removed_at = now() WHERE name = %s", (name,))


def listing(tenants: list[TenantConfig]) -> list[dict[str, Any]]:
    return [
        {
            "name": t.tenant,
            "master": t.master,
            "config_hash": t.config_hash,
            "added_at": t.added_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        }
        for t in tenants
    ]


def materialise(tenant: TenantConfig, into: Path) -> Path:
    """Write the stored config and rule files into ``into``; the config's path, for ``open_session``.

    The rule files keep their order under ``regler/`` and the config's ``rules:`` names them there,
    whatever paths they had on the machine that added them."""
    rules_dir = into / RULES_DIR
    rules_dir.mkdir(parents=True, exist_ok=True)
    names = []
    for i, item in enumerate(tenant.rule_files):
        target = f"{i:03d}-{Path(item['name']).name}"
        (rules_dir / target).write_text(item["text"], encoding="utf-8")
        names.append(f"{RULES_DIR}/{target}")
    data = yaml.safe_load(tenant.config_text) or {}
    if names or "rules" in data:
        data["rules"] = names
    config = into / CONFIG_NAME
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config
