"""Text from the APIs is shown as itself or as a visible escape, and never as markup."""
from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from grunndata.report.safe import html_text, lines_shown, quoted, shown

HEX = {"x": 2, "u": 4, "U": 8}


def unescape(text: str) -> str:
    """The reading a person (or a script) makes of shown text: ``\\\\`` is a backslash,
    ``\\xNN``/``\\uNNNN``/``\\UNNNNNNNN`` a code point, any other backslash itself."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "\\":
                out.append("\\")
                i += 2
                continue
            width = HEX.get(nxt)
            digits = text[i + 2:i + 2 + width] if width else ""
            if width and len(digits) == width and re.fullmatch(r"[0-9a-f]+", digits):
                out.append(chr(int(digits, 16)))
                i += 2 + width
                continue
        out.append(ch)
        i += 1
    return "".join(out)


HOSTILE = st.sampled_from(["[", "]", "[/]", "[bold red]", "\\", "\\x1b", "\\u200f", "<script>", "&", "'", '"',
                           "\x1b", "\x1b[31m", "\x1b]8;;http://x\x07", "\u200f", "\u202e", "\u2066", "\x00", "\x07",
                           "\n", "\r", "\t", "\x85", "\u2028", "\xa0", "«", "»", "æøå", "\U0001f6a7", "\ufeff"])
NAMES = st.lists(st.one_of(HOSTILE, st.characters(blacklist_categories=("Cs",))), max_size=40).map("".join)


@given(NAMES)
@example("Skole Lade [fase 2]")
@example("Kontorbygg [/] Brattøra")
@example("\\x1b is not ESC")
@example("ends with a backslash\\")
def test_shown_text_is_printable_and_reads_back_as_given(name):
    text = shown(name)
    assert text.isprintable() or text == ""
    assert unescape(text) == name


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Zs"),
                                      blacklist_characters="\\") | st.just(" ")))
def test_printable_names_are_shown_unchanged(name):
    assert shown(name) == name


def test_each_kind_of_invisible_character_gets_its_visible_escape():
    assert shown("a\x1b[31mb") == "a\\x1b[31mb"
    assert shown("\u200fKontor") == "\\u200fKontor"  # a right-to-left mark
    assert shown("x\u202ey") == "x\\u202ey"  # a right-to-left override
    assert shown("a\nb\tc\x00") == "a\\x0ab\\x09c\\x00"
    assert shown("\U000f0001") == "\\U000f0001"  # private use, outside the BMP
    assert shown("non\xa0breaking") == "non\\xa0breaking"


def test_a_backslash_is_doubled_only_where_it_would_read_as_an_escape():
    assert shown("Kontorbygg [/] Brattøra") == "Kontorbygg [/] Brattøra"
    assert shown("A\\B") == "A\\B"
    assert shown("\\x41") == "\\\\x41"
    assert shown("\\\x1b") == "\\\\\\x1b"
    assert shown("trailing\\") == "trailing\\"


def test_values_of_other_types_and_none():
    assert shown(2305) == "2305"
    assert quoted(None) == "tom"
    assert quoted("[b]x[/b]") == "«[b]x[/b]»"


def test_html_is_escaped_after_the_control_characters():
    assert html_text("<script>alert('x')</script> & \x1b") == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; \\x1b"


def test_a_message_keeps_its_lines_and_each_line_is_made_safe():
    assert lines_shown("a.yaml:1:1: feil\nb.yaml:2:3: \x1b[2J") == "a.yaml:1:1: feil\nb.yaml:2:3: \\x1b[2J"


def test_an_error_line_shows_what_it_quotes_safely():
    from click.testing import CliRunner

    from grunndata.cli.main import cli

    result = CliRunner().invoke(cli, ["plan", "-c", "/nowhere/kunde\x1b[2J\u202e.yaml"])
    assert result.exit_code == 1
    assert result.output == "/nowhere/kunde\\x1b[2J\\u202e.yaml:1:1: filen finnes ikke\n"
