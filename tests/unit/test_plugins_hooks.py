"""Hooks go through pluggy: class-based plugins, ``specname``, misspelt hooks, strict mode, tracing."""
from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from grunndata import hookimpl
from grunndata.engine.model import Check, Read
from grunndata.plugin.manager import TRACE_LOGGER, PluginError, load_host
from test_plugins import cli, install_fake

CLASS_PLUGIN = '''
from grunndata import hookimpl
from grunndata.engine.model import Check


class AcmePlugin:
    """Hooks as methods, one under another name."""

    def __init__(self):
        self.tolerance = 3

    @hookimpl(specname="grunndata_checks")
    def acme_checks(self):
        return [Check(name="acme_check", description="Acme", run=lambda ctx: [])]

    @hookimpl
    def grunndata_rules_schema(self):
        return {"acme": {"type": "object", "description": "Acme-regler.", "default": {},
                         "properties": {"tolerance": {"type": "integer", "description": "Toleranse.",
                                                      "default": self.tolerance}}}}
'''

MISSPELT = '''
from grunndata import hookimpl
from grunndata.engine.model import Check


@hookimpl
def grunndata_checks():
    return [Check(name="typo_check", description="Typo", run=lambda ctx: [])]


@hookimpl
def grunndata_entitys():
    return []
'''


def test_a_class_plugin_with_specname_offers_what_its_methods_return(tmp_path):
    install_fake(tmp_path, "acme_grunndata", {"acme": "acme_cls:AcmePlugin"}, {"acme_cls": CLASS_PLUGIN})
    listed = cli(tmp_path, "plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert set(data) == {"plugins", "skipped"} and data["skipped"] == []
    acme = next(p for p in data["plugins"] if p["name"] == "acme")
    assert set(acme) == {"name", "origin", "offers"}
    assert acme["origin"] == "acme_cls:AcmePlugin (acme_grunndata 0.1)"
    assert sorted(acme["offers"]) == ["check acme_check", "rule key acme"]
    schema = json.loads(cli(tmp_path, "schema").stdout)
    assert schema["properties"]["acme"]["properties"]["tolerance"]["default"] == 3  # called on the instance


def test_an_object_registered_in_code_is_honoured_too():
    class Doctor:
        @hookimpl(specname="grunndata_checks")
        def my_checks(self):
            return [Check(name="obj_check", description="Obj", run=lambda ctx: [])]

    host = load_host([("obj", Doctor())])
    assert "obj_check" in host.checks and host.owner_of("check", "obj_check") == "obj"


def test_a_misspelt_hook_skips_its_plugin_and_plugins_says_which(tmp_path):
    install_fake(tmp_path, "typo_grunndata", {"typo": "typo_plugin"}, {"typo_plugin": MISSPELT})
    listed = cli(tmp_path, "plugins")
    assert listed.returncode == 1
    assert ("hoppet over tillegget 'typo': ukjent hook 'grunndata_entitys' (mente du 'grunndata_entities'?)"
            in listed.stderr), listed.stderr
    assert "Traceback" not in listed.stderr
    data = json.loads(cli(tmp_path, "plugins", "--json").stdout)
    assert data["skipped"] == [{"name": "typo",
                                "error": "ukjent hook 'grunndata_entitys' (mente du 'grunndata_entities'?)"}]
    assert "typo" not in {p["name"] for p in data["plugins"]}
    # Skipped whole: its correctly spelt hook offers nothing either, and the rest of the tool works.
    assert not any("typo_check" in o for p in data["plugins"] for o in p["offers"])
    assert cli(tmp_path, "check").returncode == 0


def test_a_misspelt_hook_is_an_error_in_strict_mode(tmp_path):
    install_fake(tmp_path, "typo_grunndata", {"typo": "typo_plugin"}, {"typo_plugin": MISSPELT})
    strict = cli(tmp_path, "check", GRUNNDATA_STRICT_PLUGINS="1")
    assert strict.returncode == 1
    assert strict.stderr.strip() == ("tillegget 'typo' kunne ikke lastes: ukjent hook 'grunndata_entitys' "
                                     "(mente du 'grunndata_entities'?)")


def test_a_misspelt_hook_in_code_is_named_with_its_hook(monkeypatch):
    class Typo:
        @hookimpl
        def grunndata_chekcs(self):
            return []

    host = load_host([("typo", Typo())])
    assert host.skipped == [("typo", "ukjent hook 'grunndata_chekcs' (mente du 'grunndata_checks'?)")]
    assert "typo" not in {p.name for p in host.plugins}
    assert host.pm.get_plugin("typo") is None
    monkeypatch.setenv("GRUNNDATA_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="tillegget 'typo' kunne ikke lastes: ukjent hook 'grunndata_chekcs'"):
        load_host([("typo", Typo())])


def test_a_plugin_failing_in_one_hook_adds_nothing_and_is_named():
    class HalfBroken:
        @hookimpl
        def grunndata_checks(self):
            return [Check(name="half_check", description="Half", run=lambda ctx: [])]

        @hookimpl
        def grunndata_rules_schema(self):
            raise KeyError("licence")

    host = load_host([("half", HalfBroken())])
    assert ("half", "KeyError: 'licence'") in host.skipped
    assert "half_check" not in host.checks and host.owner_of("check", "half_check") == "?"


@pytest.mark.parametrize("answer, problem", [
    ("not a list", "grunndata_checks ga str, ventet en liste"),
    ({"a": 1}, "grunndata_checks ga dict, ventet en liste"),
])
def test_a_hook_answering_the_wrong_shape_is_named(answer, problem):
    class Wrong:
        @hookimpl
        def grunndata_checks(self):
            return answer

    assert ("wrong", problem) in load_host([("wrong", Wrong())]).skipped


def test_an_entity_that_does_not_say_what_it_reads_is_skipped():
    class Blind:
        name, order = "blind", 5

    class Plugin:
        @hookimpl
        def grunndata_entities(self):
            return [Blind()]

    host = load_host([("blind", Plugin())])
    assert ("blind", "entiteten 'blind' sier ikke hva den leser (reads)") in host.skipped
    assert "blind" not in host.entities


def test_tracing_logs_one_line_per_hook_call_with_plugin_and_duration(monkeypatch, caplog):
    class Traced:
        @hookimpl(specname="grunndata_checks")
        def checks(self):
            return [Check(name="traced_check", description="T", run=lambda ctx: [], reads=[Read("smartdok", "Users")])]

    monkeypatch.setenv("GRUNNDATA_TRACE_HOOKS", "1")
    with caplog.at_level(logging.DEBUG, logger=TRACE_LOGGER):
        host = load_host([("traced", Traced())])
    lines = [r.getMessage() for r in caplog.records if r.name == TRACE_LOGGER]
    calls = {(caller.name, impl.plugin_name) for p in host.pm.get_plugins()
             for caller in host.pm.get_hookcallers(p) or [] for impl in caller.get_hookimpls()}
    assert len(lines) == len(calls) > 10
    for hook, plugin in calls:
        assert sum(line.startswith(f"{hook} plugin={plugin} ") for line in lines) == 1, (hook, plugin)
    traced = next(line for line in lines if "plugin=traced" in line)
    assert traced.split()[2].replace(".", "").isdigit() and traced.split()[3] == "ms"
    assert traced.endswith("ok, 1 item(s)")


def test_without_the_variable_nothing_is_traced(monkeypatch, caplog):
    monkeypatch.delenv("GRUNNDATA_TRACE_HOOKS", raising=False)
    with caplog.at_level(logging.DEBUG, logger=TRACE_LOGGER):
        load_host([("quiet", type("Quiet", (), {})())])
    assert not [r for r in caplog.records if r.name == TRACE_LOGGER]


def test_tracing_goes_to_stderr_from_the_command_line(tmp_path):
    result = cli(tmp_path, "plugins", "--json", GRUNNDATA_TRACE_HOOKS="1")
    assert result.returncode == 0
    json.loads(result.stdout)  # stdout stays the documented JSON
    assert "grunndata.hooks: grunndata_entities plugin=projects " in result.stderr


def test_the_hook_specs_import_no_engine_module():
    code = ("import sys, grunndata.plugin.spec as s; "
            "print(sorted(m for m in sys.modules if m.startswith('grunndata.') and m != 'grunndata.plugin.spec'"
            " and m != 'grunndata.plugin'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
