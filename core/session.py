"""Everything a command needs before it talks to any system: plugins, config, rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grunndata.config import Config, read_config
from grunndata.errors import GrunndataError
from grunndata.plugin.manager import Host, load_host
from grunndata.rulebook.ruleset import Rules, load_rules, shipped_rule_files
from grunndata.rulebook.yamlpos import RuleFileError


@dataclass
class Session:
    host: Host
    config: Config
    rules: Rules
    schema: dict[str, Any]

    @property
    def direction(self):
        for d in self.host.directions.values():
            if d.master == self.config.master:
                return d
        raise GrunndataError(f"ingen retning (tillegg) for master '{self.config.master}'")


def rule_sources(host: Host, config: Config | None) -> list[tuple[Path, str]]:
    sources = shipped_rule_files()
    sources += [(Path(p), str(p)) for p in host.rule_files]
    if config is not None:
        sources += config.rule_paths
    return sources


def open_session(config_path: str | None, *, extra_plugins: Iterable[tuple[str, Any]] = ()) -> Session:
    """Load plugins, config and rules; all problems of config and rules are reported together."""
    host = load_host(extra_plugins)
    masters = sorted(d.master for d in host.directions.values())
    config, problems = read_config(config_path, masters)
    try:
        # The shipped files (core and plugins) give every default; the customer's win key by key.
        rules, schema = load_rules(
            host.rules_schema, rule_sources(host, None), config.rule_paths if config is not None else ()
        )
    except RuleFileError as exc:
        problems.extend(exc.problems)
    if problems:
        raise RuleFileError(problems)
    return Session(host, config, rules, schema)
