"""The plugin host: third-party plugins load from the entry-point group like the built-ins."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grunndata.plugin.manager import PluginError, load_host

ACME = '''
from grunndata import hookimpl
from grunndata.engine.model import Check

@hookimpl
def grunndata_rules_schema():
    return {"acme": {"type": "object", "description": "Acme-regler.", "default": {},
                     "additionalProperties": False,
                     "properties": {"tolerance": {"type": "integer", "description": "Toleranse.", "default": 0}}}}

@hookimpl
def grunndata_checks():
    return [Check(name="acme_check", description="Acme", run=lambda ctx: [])]
'''


def install_fake(site: Path, dist: str, entries: dict[str, str], modules: dict[str, str]) -> None:
    """A distribution as pip would leave it: a module plus a dist-info with entry points."""
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "\n".join(f"{name} = {target}" for name, target in entries.items())
    (info / "entry_points.txt").write_text(f"[grunndata]\n{lines}\n")
    for name, code in modules.items():
        (site / f"{name}.py").write_text(textwrap.dedent(code))


def cli(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(site), **env}
    return subprocess.run([sys.executable, "-m", "grunndata.cli.main", *args], capture_output=True, text=True,
                          env=environ, timeout=60, cwd=site)


def test_builtins_are_loaded_through_entry_points():
    host = load_host()
    names = {p.name for p in host.plugins}
    assert {"smartdok_master", "poweroffice_master", "projects", "activities", "machines"} <= names
    assert set(host.directions) == {"smartdok_master", "poweroffice_master"}
    assert {"projects", "subprojects", "activities", "machines"} <= set(host.entities)


def test_third_party_plugin_is_listed_and_its_rule_keys_join_the_schema(tmp_path):
    install_fake(tmp_path, "acme_grunndata", {"acme": "acme_plugin"}, {"acme_plugin": ACME})
    listed = cli(tmp_path, "plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    plugins = {p["name"]: p for p in json.loads(listed.stdout)["plugins"]}
    assert "acme" in plugins
    assert "acme_grunndata 0.1" in plugins["acme"]["origin"]
    assert "check acme_check" in plugins["acme"]["offers"]
    schema = json.loads(cli(tmp_path, "schema").stdout)
    assert schema["properties"]["acme"]["properties"]["tolerance"]["type"] == "integer"


def test_broken_plugin_is_named_and_skipped_unless_strict(tmp_path):
    install_fake(tmp_path, "broken_grunndata", {"broken": "broken_plugin"},
                 {"broken_plugin": "raise RuntimeError('missing licence file')\n"})
    listed = cli(tmp_path, "plugins")
    assert listed.returncode == 1  # listed, but a skipped plugin is a problem to fix
    assert "hoppet over tillegget 'broken': RuntimeError: missing licence file" in listed.stderr
    assert "projects" in listed.stdout  # the others still load
    assert cli(tmp_path, "check").returncode == 0  # and every other command goes on without it
    strict = cli(tmp_path, "plugins", GRUNNDATA_STRICT_PLUGINS="1")
    assert strict.returncode == 1
    assert "tillegget 'broken' kunne ikke lastes: RuntimeError: missing licence file" in strict.stderr
    assert "Traceback" not in strict.stderr


def test_two_plugins_with_one_name_is_an_error(tmp_path):
    install_fake(tmp_path, "one_grunndata", {"projects": "one_plugin"}, {"one_plugin": "x = 1\n"})
    result = cli(tmp_path, "check")
    assert result.returncode == 1
    assert "to tillegg bruker navnet 'projects'" in result.stderr


def test_two_plugins_claiming_one_entity_is_an_error():
    from grunndata.plugins.entities import activities

    class Twin:
        grunndata_entities = activities.grunndata_entities

    with pytest.raises(PluginError, match="to tillegg tilbyr entity 'activities': 'activities' og 'twin'"):
        load_host([("twin", Twin)])
