"""The consultant's language (issue 11, item 4): the [j/N] question, both date forms, click's
usage errors, refusals and the last line of defence, all in Norwegian bokmål."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from grunndata.cli import main as cli_main
from grunndata.cli import prompt
from grunndata.cli.main import cli
from grunndata.cli.params import DATE

# English a consultant must never read (tracebacks under GRUNNDATA_DEBUG excepted).
ENGLISH = re.compile(r"\b(error|Error|internal|interrupted|Usage|Try|Invalid|Missing|missing|unknown|No such|"
                     r"not one of|expected|does not exist|did you mean|Aborted)\b")


def _asker() -> click.Command:
    @click.command()
    def ask() -> None:
        click.echo("ja" if prompt.confirm("Gjennomføre 3 endringer?") else "nei")
    return ask


@pytest.mark.parametrize("answer", ["j", "ja", "y", "yes", "J", "JA", "Ja", "YES", " ja "])
def test_the_question_takes_j_ja_y_yes_in_any_case(answer):
    result = CliRunner().invoke(_asker(), input=answer + "\n")
    assert result.exit_code == 0
    assert "Gjennomføre 3 endringer? [j/N]: " in result.output
    assert result.output.rstrip().endswith("ja")


@pytest.mark.parametrize("answer", ["n", "nei", "N", "", "jo", "kanskje", "no"])
def test_anything_else_or_nothing_is_no_and_never_asked_again(answer):
    result = CliRunner().invoke(_asker(), input=answer + "\n")
    assert result.exit_code == 0
    assert result.output.count("[j/N]") == 1  # not "invalid input", not asked again
    assert result.output.rstrip().endswith("nei")


def test_end_of_input_at_the_question_is_no():
    result = CliRunner().invoke(_asker(), input="")
    assert result.exit_code == 0 and result.output.rstrip().endswith("nei")


@pytest.mark.parametrize("text", ["2026-01-31", "31.01.2026", " 31.01.2026 "])
def test_a_date_in_either_form(text):
    assert DATE.convert(text, None, None) == dt.date(2026, 1, 31)


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grunndata.cli.main", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env=env)


def test_both_date_forms_reach_the_command_and_a_bad_date_is_one_norwegian_line(tmp_path, monkeypatch):
    seen = {}

    @click.command()
    @click.option("--from", "start", type=DATE, required=True)
    @click.option("--to", "end", type=DATE, required=True)
    def period(start: dt.date, end: dt.date) -> None:
        seen.update(start=start, end=end)

    monkeypatch.setitem(cli.commands, "period", period)
    result = CliRunner().invoke(cli, ["period", "--from", "01.01.2026", "--to", "2026-01-31"])
    assert result.exit_code == 0, result.output
    assert seen == {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 1, 31)}

    bad = _run("transfer", "--from", "31/01/2026", "--to", "2026-01-31", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1] == (
        "Feil: ugyldig verdi for «--from»: «31/01/2026» er ikke en dato; skriv den som 2026-01-31 eller 31.01.2026")
    assert not ENGLISH.search(bad.stderr), bad.stderr


@pytest.mark.parametrize(("args", "last"), [
    (["tranfer"], "Feil: ukjent kommando «tranfer»; mente du «transfer»?"),
    (["transfer", "--to", "2026-01-31"], "Feil: mangler valget «--from»"),
    (["plan", "--limt", "3"], "Feil: ukjent valg «--limt»; mente du «--limit»?"),
    (["plan", "--limit", "mange"], "Feil: ugyldig verdi for «--limit»: «mange» er ikke et heltall"),
    (["history", "en"], "Feil: ugyldig verdi for «RUN_ID»: «en» er ikke et heltall"),
    (["transfer", "--from"], "Feil: valget «--from» trenger en verdi"),
    (["check", "ekstra"], "Feil: uventet argument: ekstra"),
])
def test_clicks_usage_errors_are_norwegian_and_exit_2(tmp_path, args, last):
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == last
    assert not ENGLISH.search(result.stderr), result.stderr


def test_a_choice_and_the_help_page_in_norwegian():
    from grunndata.cli.usage import translate

    assert translate("'blå' is not one of 'rød', 'grønn'.") == "«blå» er ikke et av valgene 'rød', 'grønn'"
    page = CliRunner().invoke(cli, ["plan", "--help"], prog_name="grunndata").output
    assert page.startswith("Bruk: grunndata plan [VALG]") and "Valg:" in page
    assert "Vis denne hjelpen og avslutt." in page and "Show this message" not in page


def test_a_misspelt_config_key_is_named_with_a_suggestion(tmp_path):
    (tmp_path / "grunndata.yaml").write_text("mastr: smartdok\nstandard_project: '1'\n", encoding="utf-8")
    result = _run("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "grunndata.yaml:1:1: ukjent nøkkel 'mastr'; mente du 'master'?" in result.stderr
    assert not ENGLISH.search(result.stderr), result.stderr


def test_config_and_secret_refusals_are_norwegian(tmp_path):
    (tmp_path / "grunndata.yaml").write_text("smartdok:\n  base_url: ftp://x\n", encoding="utf-8")
    result = _run("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "'base_url' 'ftp://x' er ikke en adresse som begynner med https://" in result.stderr
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("SMARTDOK_", "POWEROFFICE_"))}
    (tmp_path / "grunndata.yaml").write_text("master: poweroffice\n", encoding="utf-8")
    missing = _run("plan", cwd=tmp_path, env=env)
    assert missing.returncode != 0
    assert "mangler i miljøet: SMARTDOK_API_TOKEN" in missing.stderr
    assert not ENGLISH.search(missing.stderr), missing.stderr
    rate = _run("plan", cwd=tmp_path, env={**env, "GRUNNDATA_POWEROFFICE_RATE": "fort"})
    assert rate.returncode != 0 and not ENGLISH.search(rate.stderr), rate.stderr


def test_a_declined_apply_is_a_norwegian_refusal(monkeypatch):
    from grunndata.cli import sync

    def declined(*_args, **_kwargs):
        raise sync.Declined("ingenting ble skrevet (ikke bekreftet; bruk --yes for å skrive uten å spørre)")

    monkeypatch.setattr(sync, "open_session", declined)
    result = CliRunner().invoke(cli, ["apply"])
    assert result.exit_code == 3
    assert result.output.startswith("ingenting ble skrevet") and not ENGLISH.search(result.output)


@pytest.mark.parametrize(("raised", "code", "line"), [
    (RuntimeError("boom"), 70, "intern feil: RuntimeError: boom (sett GRUNNDATA_DEBUG=1 for detaljer)"),
    (KeyboardInterrupt(), 130, "avbrutt"),
])
def test_the_last_line_of_defence_speaks_norwegian(monkeypatch, raised, code, line):
    from grunndata.cli import sync

    def fail(*_args, **_kwargs):
        raise raised

    monkeypatch.delenv("GRUNNDATA_DEBUG", raising=False)
    monkeypatch.setattr(sync, "open_session", fail)
    result = CliRunner().invoke(cli_main.cli, ["plan"])
    assert result.exit_code == code
    assert result.output.strip() == line
