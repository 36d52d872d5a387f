"""The words of the reports come from the plugins and the rules, not from the report module."""
from __future__ import annotations

from types import SimpleNamespace

from grunndata.engine.model import Action
from grunndata.engine.plan import Plan
from grunndata.report.text import plan_lines
from grunndata.report.words import Words


class Rules:
    def vocabulary(self, kind):
        return {"Regnskapet": "poweroffice", "Felt-appen": "smartdok"} if kind == "systems" else {}


class Jobs:
    name, title, label = "jobs", "Byggejobber", "jobb"

    def field_label(self, field):
        return {"name": "betegnelse"}.get(field, field)


def test_titles_labels_field_labels_and_system_names_are_the_plugins_and_rules_own():
    host = SimpleNamespace(entities={"jobs": Jobs()}, transfers={}, checks={})
    words = Words.from_host(host, Rules())
    plan = Plan(master="smartdok", fingerprint="x", actions=[
        Action("create", "jobs", "poweroffice", "7", {"name": "Ny"}, "jobb 7 mangler", "rules/x.yaml:1"),
        Action("update", "jobs", "poweroffice", "8", {"name": {"before": "A", "after": "B"}}, "jobb 8 avviker",
               "rules/x.yaml:2")])
    lines = plan_lines(plan, words)
    assert lines[0].startswith("Plan med Felt-appen som master")
    assert any(line.split()[:3] == ["Byggejobber", "1", "opprett"] for line in lines)
    assert "Byggejobber: opprettes i Regnskapet (1)" in lines
    assert "    + jobb 7 «Ny» → Regnskapet" in lines
    assert "    ~ jobb 8 betegnelse: «A» → «B»" in lines


def test_without_a_title_or_label_the_plugin_name_is_shown_not_an_invented_word():
    words = Words.from_host(SimpleNamespace(entities={"x": SimpleNamespace()}, transfers={}, checks={}), Rules())
    assert words.entity_title("x") == "x" and words.entity_label("x") == "x"
    assert words.transfer_title("goods") == "goods" and words.system("other") == "other"
