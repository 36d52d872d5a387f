"""The integration config (``grunndata.yaml``): which system is master, where the APIs are.

Secrets are never read from here; see :mod:`grunndata.secrets`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grunndata.rulebook.secrets import secret_keys
from grunndata.rulebook.validate import validate
from grunndata.rulebook.yamlpos import Located, Pos, Problem, RuleFileError, load_file
from grunndata.unattended.schedule_config import SCHEDULE_SCHEMA, schedule_problems

DEFAULT_NAME = "grunndata.yaml"
DEFAULTS: dict[str, Any] = {
    "master": "poweroffice",
    "smartdok": {"base_url": "https://api.smartdok.no"},
    "poweroffice": {
        "base_url": "https://goapi.poweroffice.net/v2",
        "token_url": "https://goapi.poweroffice.net/OAuth/Token",
    },
}

_URL = {"type": "string", "pattern": r"^https?://\S+$", "x-hint": "en adresse som begynner med https://"}


def config_schema(masters: list[str]) -> dict[str, Any]:
    """Schema of ``grunndata.yaml``; ``masters`` are the loaded directions' system names."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "grunndata-oppsett",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "master": {
                "description": "Mastersystem for prosjekter og aktiviteter (R1). Standard er PowerOffice.",
                "enum": masters,
                "default": DEFAULTS["master"],
            },
            "standard_project": {
                "description": "Prosjektnummeret til standardprosjektet i PowerOffice (påkrevd når SmartDok er master, R7).",
                "type": ["string", "integer"],
                "default": "",
            },
            "smartdok": {
                "description": "Hvor SmartDok-API-et svarer.",
                "type": "object",
                "additionalProperties": False,
                "default": DEFAULTS["smartdok"],
                "properties": {
                    "base_url": {
                        **_URL,
                        "description": "Adressen til SmartDok-API-et.",
                        "default": DEFAULTS["smartdok"]["base_url"],
                    }
                },
            },
            "poweroffice": {
                "description": "Hvor PowerOffice Go-API-et svarer.",
                "type": "object",
                "additionalProperties": False,
                "default": DEFAULTS["poweroffice"],
                "properties": {
                    "base_url": {
                        **_URL,
                        "description": "Adressen til PowerOffice Go v2.",
                        "default": DEFAULTS["poweroffice"]["base_url"],
                    },
                    "token_url": {
                        **_URL,
                        "description": "Adressen der tilgangsnøkkel (OAuth) hentes.",
                        "default": DEFAULTS["poweroffice"]["token_url"],
                    },
                },
            },
            "rules": {
                "description": "Egne regelfiler (eller mapper) som overstyrer eller utvider de medfølgende reglene.",
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "default": [],
            },
            "schedule": SCHEDULE_SCHEMA,
        },
        "if": {"properties": {"master": {"const": "smartdok"}}, "required": ["master"]},
        "then": {"required": ["standard_project"]},
    }


@dataclass
class Config:
    path: Path | None
    master: str
    standard_project: str | None
    smartdok_base_url: str
    poweroffice_base_url: str
    poweroffice_token_url: str
    rule_paths: list[tuple[Path, str]] = field(default_factory=list)
    doc: Located | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


def find_config(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    here = Path.cwd() / DEFAULT_NAME
    return here if here.exists() else None


def _rule_sources(raw: list[str], base: Path, doc: Located) -> tuple[list[tuple[Path, str]], list[Problem]]:
    sources: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for i, item in enumerate(raw):
        path = Path(item)
        full = path if path.is_absolute() else base / path
        if full.is_dir():
            files = sorted(full.glob("*.yaml")) + sorted(full.glob("*.yml"))
            sources.extend((f, str(path / f.name)) for f in files)
        elif full.exists():
            sources.append((full, item))
        else:
            pos = doc.value_pos.get(("rules", i)) or Pos(str(doc), 1, 1)
            problems.append(Problem(pos, f"regelstien '{item}' finnes ikke (lette i {full.parent})"))
    return sources, problems


def load_config(explicit: str | None, masters: list[str]) -> Config:
    """Read ``grunndata.yaml`` (or ``-c FILE``); defaults when there is none."""
    config, problems = read_config(explicit, masters)
    if problems:
        raise RuleFileError(problems)
    return config


def read_config(explicit: str | None, masters: list[str]) -> tuple[Config, list[Problem]]:
    """The config as far as it can be read, and every problem found in it.

    Even a broken config yields its rule paths, so their files are checked in the same run.
    """
    path = find_config(explicit)
    fallback = Config(
        path,
        DEFAULTS["master"],
        None,
        DEFAULTS["smartdok"]["base_url"],
        DEFAULTS["poweroffice"]["base_url"],
        DEFAULTS["poweroffice"]["token_url"],
    )
    if path is None:
        return fallback, []
    try:
        doc = load_file(path, str(path))
    except RuleFileError as exc:
        return fallback, exc.problems
    if not isinstance(doc.data, dict):
        return fallback, [
            Problem(
                doc.value_pos.get((), Pos(str(path), 1, 1)),
                "oppsettet må være en tabell av nøkler (master:, standard_project:, ...)",
            )
        ]
    problems = secret_keys(doc) + validate(doc, config_schema(masters), str(path)) + schedule_problems(doc)
    data = doc.data
    rules = data.get("rules")
    rules_raw = rules if isinstance(rules, list) else []
    sources, missing = _rule_sources([r for r in rules_raw if isinstance(r, str)], path.parent, doc)
    problems = sorted(problems + missing, key=lambda p: (p.pos.line, p.pos.col))
    sd_raw, po_raw = data.get("smartdok"), data.get("poweroffice")
    sd: dict[str, Any] = sd_raw if isinstance(sd_raw, dict) else {}
    po: dict[str, Any] = po_raw if isinstance(po_raw, dict) else {}
    std = data.get("standard_project")
    return Config(
        path=path,
        master=data.get("master", DEFAULTS["master"]),
        standard_project=str(std).strip() if std not in (None, "") else None,
        smartdok_base_url=sd.get("base_url", DEFAULTS["smartdok"]["base_url"]),
        poweroffice_base_url=po.get("base_url", DEFAULTS["poweroffice"]["base_url"]),
        poweroffice_token_url=po.get("token_url", DEFAULTS["poweroffice"]["token_url"]),
        rule_paths=sources,
        doc=doc,
    ), problems
