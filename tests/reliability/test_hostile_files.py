"""Hostile and broken config and rule files: random YAML, wrong types, huge files, alias bombs,
non-UTF-8. Each gives a clear error (``FILE:LINE:COL: message``) or is accepted; never a
traceback, never an internal error. Property-based (hypothesis) over text, bytes and structures.
"""
from __future__ import annotations

import string

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grunndata.cli.main import cli
from grunndata.errors import GrunndataError
from grunndata.session import open_session

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

yaml_text = st.text(alphabet=string.printable + "æøåÆØÅ\u00a0\u2028\ufeff", max_size=300)
leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                 st.sampled_from(["Pågår", "Timer", "smartdok", "poweroffice", "number", "{parent}.{sub}",
                                  "https://x", "-1", "~"]))
structure = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=12) | st.sampled_from(
                                                           ["match", "fields", "create", "limits", "smartdok",
                                                            "max_length", "required", "filter", "overwrite",
                                                            "name", "number", "defaults", "set"]), inner,
                                                           max_size=4)),
                         max_leaves=25)
RULE_KEYS = ["projects", "activities", "machines", "vocabulary", "doctor", "transfer", "unknown"]


def _load(config_path) -> None:
    try:
        open_session(str(config_path))
    except GrunndataError as exc:
        message = str(exc)
        assert message.strip() and "Traceback" not in message


def _cli_check(config_path) -> None:
    result = CliRunner().invoke(cli, ["check", "-c", str(config_path)])
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


@FAST
@given(text=yaml_text)
def test_random_text_as_the_config(tmp_path, text):
    path = tmp_path / "grunndata.yaml"
    path.write_text(text, encoding="utf-8")
    _load(path)


@FAST
@given(text=yaml_text)
def test_random_text_as_a_rule_file(tmp_path, text):
    (tmp_path / "kunde.yaml").write_text(text, encoding="utf-8")
    path = tmp_path / "grunndata.yaml"
    path.write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    _load(path)


@FAST
@given(data=st.binary(max_size=200))
def test_random_bytes_and_non_utf8(tmp_path, data):
    (tmp_path / "kunde.yaml").write_bytes(data)
    path = tmp_path / "grunndata.yaml"
    path.write_bytes(b"rules: [kunde.yaml]\n")
    _load(path)
    path.write_bytes(data)
    _load(path)


@FAST
@given(config=st.dictionaries(st.sampled_from(["master", "standard_project", "smartdok", "poweroffice", "rules",
                                               "verify", "tls", "extra"]), structure, max_size=5))
def test_wrong_types_in_the_config(tmp_path, config):
    path = tmp_path / "grunndata.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    _load(path)


@FAST
@given(rules=st.dictionaries(st.sampled_from(RULE_KEYS), structure, max_size=3))
def test_wrong_types_in_a_rule_file(tmp_path, rules):
    (tmp_path / "kunde.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "grunndata.yaml"
    path.write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    _load(path)


@FAST
@given(section=st.sampled_from(["projects", "activities"]), system=st.sampled_from(["smartdok", "poweroffice"]),
       field=st.sampled_from(["name", "number", "nope"]), limit=structure)
def test_wrong_limits_are_reported_with_their_position(tmp_path, section, system, field, limit):
    (tmp_path / "kunde.yaml").write_text(yaml.safe_dump({section: {"limits": {system: {field: limit}}}}),
                                         encoding="utf-8")
    path = tmp_path / "grunndata.yaml"
    path.write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    try:
        session = open_session(str(path))
    except GrunndataError as exc:
        assert "kunde.yaml:" in str(exc)  # refused, with its position
        return
    # Accepted: then it is a limit the engine can use.
    assert field != "nope"
    merged = session.rules.get(section, "limits", system, field)
    assert isinstance(merged, dict)
    assert merged.get("max_length") is None or (type(merged["max_length"]) is int and merged["max_length"] >= 1)
    assert merged.get("required") is None or type(merged["required"]) is bool


ALIAS_BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
projects: *g
"""


CASES = {  # name: (content, exit code, a word the message must hold)
    "alias bomb": (ALIAS_BOMB.encode(), 1, "alias"),
    "30,000 lines but valid": (b"# " + b"x" * 100 + b"\n" * 30_000 + b"projects:\n  match: {key: number}\n", 0, None),
    "3 MB": (b"a: " + b"x" * 3_000_000, 1, "for stor"),
    "latin-1": ("projects:\n  match: {key: number}\n# bl\u00e5b\u00e6r\n".encode("latin-1"), 1, "UTF-8"),
    "utf-16": ("projects: {}\n".encode("utf-16"), 1, "UTF-8"),
    "a tab": (b"projects:\n\tmatch: x\n", 1, "tab"),
    "cut off": (b"projects: {match: {key: number}\nfields: [", 1, None),
    "a list at the top": (b"- projects\n- activities\n", 1, None),
    "a number at the top": (b"42\n", 1, None),
}


@pytest.mark.parametrize("where", ["config", "rules"])
@pytest.mark.parametrize("case", list(CASES))
def test_named_hostile_files_give_one_clear_line(tmp_path, where, case):
    content, code, expect = CASES[case]
    target = tmp_path / ("grunndata.yaml" if where == "config" else "kunde.yaml")
    target.write_bytes(content)
    if where == "rules":
        (tmp_path / "grunndata.yaml").write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "-c", str(tmp_path / "grunndata.yaml")])
    assert "internal error" not in result.output and "Traceback" not in result.output
    if where == "config" and case == "30,000 lines but valid":
        code = 1  # 'projects' is a rule key, not a config key
    assert result.exit_code == code, result.output[:500]
    if code:
        assert ".yaml:" in result.output.strip().splitlines()[0]
        if expect:
            assert expect.lower() in result.output.lower(), result.output[:500]


@pytest.mark.parametrize("key,value", [("verify", False), ("verify_tls", False), ("tls", {"verify": False}),
                                       ("insecure", True), ("ssl_verify", "false")])
def test_no_config_or_rule_key_turns_tls_verification_off(tmp_path, key, value):
    """TLS verification is always on: a config or rule key that tries to turn it off is refused."""
    path = tmp_path / "grunndata.yaml"
    path.write_text(yaml.safe_dump({key: value}), encoding="utf-8")
    with pytest.raises(GrunndataError, match="ukjent nøkkel"):
        open_session(str(path))
    path.write_text(yaml.safe_dump({"smartdok": {"base_url": "https://api.smartdok.no", key: value}}),
                    encoding="utf-8")
    with pytest.raises(GrunndataError, match="ukjent nøkkel"):
        open_session(str(path))
    (tmp_path / "kunde.yaml").write_text(yaml.safe_dump({"projects": {key: value}}), encoding="utf-8")
    path.write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    with pytest.raises(GrunndataError, match="ukjent nøkkel"):
        open_session(str(path))
