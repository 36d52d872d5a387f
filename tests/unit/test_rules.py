"""Rule and config files: every problem reported as FILE:LINE:COL, never a traceback."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grunndata.rulebook.yamlpos import RuleFileError, load_text
from grunndata.session import open_session


def run_check(tmp_path: Path, config: str, **files: str) -> subprocess.CompletedProcess:
    (tmp_path / "grunndata.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in files.items():
        (tmp_path / name.replace("__", ".")).write_text(textwrap.dedent(text), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def test_shipped_rules_and_default_config_are_valid(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "gyldig" in result.stdout


def test_typo_in_rule_key_names_file_line_col_and_suggests(tmp_path):
    result = run_check(tmp_path, "rules: [kunde.yaml]\n", kunde__yaml="""\
        projects:
          smartdok_master:
            create:
              defaults:
                stauts: Pågår
        """)
    assert result.returncode == 1
    assert "kunde.yaml:5:9: ukjent nøkkel 'stauts'; mente du 'status'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_value_lists_allowed_words(tmp_path):
    result = run_check(tmp_path, "rules: [kunde.yaml]\n", kunde__yaml="""\
        projects:
          poweroffice_master:
            filter:
              billing_method: [Timr]
        """)
    assert result.returncode == 1
    assert "kunde.yaml:4:24:" in result.stderr
    assert "'Timer', 'Timer og kostnader', 'Fastpris'" in result.stderr


def test_all_errors_of_all_files_at_once(tmp_path):
    result = run_check(tmp_path, "master: nobody\nrules: [a.yaml, b.yaml]\n",
                       a__yaml="projects:\n  colour: red\n", b__yaml="activities:\n  match:\n    trim: maybe\n")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1
    assert any(line.startswith(str(tmp_path / "grunndata.yaml") + ":1:9:") for line in lines)
    assert any(line.startswith("a.yaml:2:3: ukjent nøkkel 'colour'") for line in lines)
    assert any(line.startswith("b.yaml:3:11: 'trim' må være true eller false") for line in lines)


@pytest.mark.parametrize("content, expected", [
    ("", ":1:1: filen er tom"),
    ("master: [\n", "YAML-syntaksfeil"),
    ("master:\tsmartdok\n  x: [\n", "tabulatortegn"),
    ("master: smartdok\nmaster: poweroffice\n", ":2:1: nøkkelen 'master' står to ganger (først på linje 1)"),
    ("- master\n", "må være en tabell"),
    ("master: smartdok\n", "mangler den påkrevde nøkkelen 'standard_project'"),
    ("master: nobody\n", "tillatte verdier: 'poweroffice', 'smartdok'"),
    ("rules: [nope.yaml]\n", ":1:9: regelstien 'nope.yaml' finnes ikke"),
    ("poweroffice:\n  client_key: abcdef\n", ":2:3: 'client_key' ser ut som en hemmelighet"),
])
def test_bad_config_gives_one_clear_line(tmp_path, content, expected):
    result = run_check(tmp_path, content)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_non_utf8_config(tmp_path):
    (tmp_path / "grunndata.yaml").write_bytes(b"master: sm\xe5rtdok\n")
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "grunndata.yaml:1:11: filen er ikke gyldig UTF-8" in result.stderr


def test_usage_error_exits_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check", "--bogus"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2


def test_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [*{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}," \
                f" *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}, *{chr(96 + i)}]\n"
    with pytest.raises(RuleFileError) as exc:
        load_text(bomb, "bomb.yaml")
    assert "aliaser" in str(exc.value)


def test_positions_are_kept_for_rule_citations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = open_session(None)
    where = session.rules.where("projects", "smartdok_master", "create", "defaults", "status")
    file, line = where.split(":")
    assert file == "rules/projects.yaml"
    shipped = Path(__import__("grunndata.rules", fromlist=["x"]).__file__).parent / "projects.yaml"
    assert "status: " in shipped.read_text(encoding="utf-8").splitlines()[int(line) - 1]


def test_customer_file_overrides_one_key_and_is_cited(tmp_path, monkeypatch):
    (tmp_path / "kunde.yaml").write_text("projects:\n  smartdok_master:\n    create:\n      defaults:\n"
                                         "        status: Ikke startet\n", encoding="utf-8")
    (tmp_path / "grunndata.yaml").write_text("rules: [kunde.yaml]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    session = open_session(None)
    assert session.rules.get("projects", "smartdok_master", "create", "defaults") == {
        "status": "Ikke startet", "billing_method": "Timer"}
    assert session.rules.where("projects", "smartdok_master", "create", "defaults", "status") == "kunde.yaml:5"
    assert session.rules.where("projects", "smartdok_master", "create", "defaults", "billing_method") \
        .startswith("rules/projects.yaml:")


def test_schema_has_description_and_default_everywhere():
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "schema"], capture_output=True,
                            text=True, timeout=60)
    import json

    schema = json.loads(result.stdout)
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if "description" not in prop or "default" not in prop:
                    missing.append(f"{path}.{name}")
                walk(prop, f"{path}.{name}")
            for key in ("items", "additionalProperties"):
                if isinstance(node.get(key), dict):
                    walk(node[key], f"{path}[{key}]")

    walk(schema, "")
    assert not missing
    assert schema["properties"]["projects"]["properties"]["smartdok_master"]["properties"]["create"][
        "properties"]["defaults"]["properties"]["status"]["enum"][0] == "Pågår"


def test_shipped_rule_files_name_their_schema():
    root = Path(__import__("grunndata.rules", fromlist=["x"]).__file__).parent
    for f in root.glob("*.yaml"):
        assert f.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema="), f.name


def test_committed_schema_file_is_current():
    """The shipped rule files point editors at this file; it must say what 'grunndata schema' says."""
    import json

    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "schema"], capture_output=True,
                            text=True, timeout=60, cwd=Path(__file__).parent)
    committed = Path(__file__).resolve().parents[2] / "grunndata-regler.schema.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == json.loads(result.stdout), \
        "run: grunndata schema > grunndata-regler.schema.json"


def test_shipped_example_config_is_valid():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check", "-c", "grunndata.yaml"],
                            cwd=root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "master: smartdok" in result.stdout
