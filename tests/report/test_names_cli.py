"""Names from SmartDok and PowerOffice are data, never markup: any name reaches every report
exactly as given (control characters as visible escapes, HTML-escaped in HTML), through the real
command line against the sandbox over loopback, and nothing crashes."""
from __future__ import annotations

import html
import itertools
import json
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grunndata.cli.main import cli
from grunndata.engine.mapping import loose_name
from grunndata.sandbox import Sandbox
from grunndata.sandbox.hours_world import month_of_hours
from grunndata.sandbox.server import serve_in_thread

ENV = {"SMARTDOK_API_TOKEN": "t", "POWEROFFICE_APPLICATION_KEY": "a", "POWEROFFICE_CLIENT_KEY": "c",
       "POWEROFFICE_SUBSCRIPTION_KEY": "s", "GRUNNDATA_POWEROFFICE_RATE": "0"}
PERIOD = ["--from", "2026-01-01", "--to", "2026-01-31"]
FIRST_PROJECT = 4001


def visible(text: str) -> str:
    """What the reports must show for ``text`` (the rule of docs/OUTPUT.md, written out again
    here so the test does not trust the code it checks)."""
    out = []
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch == "\\":
            out.append("\\\\" if nxt and (nxt in "\\xuU" or not nxt.isprintable()) else "\\")
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


HOSTILE = st.sampled_from(["[", "]", "[/]", "[bold]", "[/bold]", "\\", "<script>", "</td>", "&amp;", "'", '"',
                           "\x1b", "\x1b[2J", "\x1b]8;;http://x\x07", "\u200f", "\u202e", "\x00", "\x07", "\n",
                           "\t", "\u2028", "«", "»", "[link=http://x]", "æøå"])
NAME = (st.lists(st.one_of(HOSTILE, st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=12)
        .map("".join).map(str.strip).filter(bool))
# The engine compares names loosely for duplicate warnings (R18): keep them distinct that way.
NAMES = st.lists(NAME, min_size=1, max_size=3, unique_by=loose_name)


def world_with(names: list[str]) -> dict:
    """PowerOffice as master: each name is a project missing in SmartDok (created there) and a
    user whose employee number PowerOffice lacks (a doctor error, and their hours held back)."""
    world = month_of_hours(len(names), broken_employees=len(names), goods_rows=0, days=2)
    for user, name in zip(world["smartdok"]["Users"], names):
        user["Name"] = name
    for number, name in zip(itertools.count(FIRST_PROJECT), names):
        world["poweroffice"]["Projects"].append({"Code": str(number), "Name": name, "ProjectStatus": "Active",
                                                 "ProjectBillingMethod": "Time"})
    return world


@pytest.fixture(scope="module")
def served():
    sb = Sandbox(world_with(["Ola"]), rate_limit=False)
    with serve_in_thread(sb) as urls, tempfile.TemporaryDirectory(prefix="grunndata-names-") as tmp:
        config = Path(tmp) / "grunndata.yaml"
        config.write_text(yaml.safe_dump({
            "master": "poweroffice", "smartdok": {"base_url": urls.smartdok},
            "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token}}), encoding="utf-8")
        yield sb, Path(tmp), config


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input, env=ENV, catch_exceptions=False)
    assert "internal error" not in result.output and "Traceback" not in result.output, result.output
    return result


def assert_safe_text(output: str) -> None:
    bad = sorted({ch for ch in output if not ch.isprintable() and ch != "\n"})
    assert not bad, f"raw control characters in the output: {bad!r}"


def assert_safe_html(page: str) -> None:
    assert_safe_text(page)
    for tag in ("<script", "<img", "<link", "<iframe"):
        assert tag not in page.lower(), tag


RUNS = itertools.count()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=NAMES)
@example(names=["Skole Lade [fase 2]", "Kontorbygg [/] Brattøra", "<script>alert('x')</script> & Co"])
@example(names=["\x1b[31mRød\x1b[0m", "\u200fמשרד Oslo", "Bru\\x1b [bold]"])
def test_any_name_is_shown_exactly_in_every_report(served, names):
    sb, tmp, config = served
    sb.reset(world_with(names))
    n = next(RUNS)
    state = tmp / f"journal-{n}.sqlite"
    plan_html, doctor_html = tmp / f"plan-{n}.html", tmp / f"doctor-{n}.html"
    c = ["-c", str(config)]

    plan = run("plan", *c, "--full", "--html", str(plan_html))
    assert plan.exit_code == 0, plan.output
    doctor = run("doctor", *c, "--full", "--html", str(doctor_html))
    assert doctor.exit_code == 1, doctor.output  # every user lacks an employee: errors
    preview = run("transfer", *c, *PERIOD, "--state", str(state), input="n\n")
    assert preview.exit_code == 0, preview.output  # every row held back: nothing to send, nothing asked
    applied = run("apply", *c, "--yes", "--state", str(state))
    assert applied.exit_code == 0, applied.output
    run_id = json.loads(run("history", *c, "--state", str(state), "--json").output)[0]["id"]
    listed = run("history", *c, "--state", str(state))
    shown_run = run("history", str(run_id), *c, "--state", str(state))

    pages = {"plan": plan_html.read_text(encoding="utf-8"), "doctor": doctor_html.read_text(encoding="utf-8")}
    texts = {"plan": plan.output, "doctor": doctor.output, "transfer": preview.output, "history": shown_run.output}
    for text in [*texts.values(), listed.output]:
        assert_safe_text(text)
    for page in pages.values():
        assert_safe_html(page)
    for name in names:
        quoted = f"«{visible(name)}»"
        for what, text in texts.items():
            assert quoted in text, (what, name, text)
        assert f"<td>{html.escape(visible(name))}</td>" in pages["plan"], name  # the name column
        assert html.escape(quoted) in pages["doctor"], name  # in the finding's message
    assert os.path.exists(state)
