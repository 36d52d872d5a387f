"""Text from the APIs made safe to show: every character either itself or a visible escape.

Names, keys and messages come from SmartDok and PowerOffice, where anyone can type anything.
They are shown exactly as given, except characters that would not show as themselves: control
characters (ESC, which would let a name drive the terminal), format characters (right-to-left
marks and overrides, which would reorder the line around them), line and paragraph separators,
spaces other than the plain space, private-use, unassigned and surrogate code points. Those
are written as ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``, whether or not the output is a
terminal. A backslash is doubled only where it would otherwise read as the start of such an
escape, so ``A\\B`` stays ``A\\B`` and the escaping can always be undone unambiguously.

This is the one place text from outside is turned into something printable; the text reports
call :func:`shown` on every value, the HTML pages :func:`html_text`.
"""

from __future__ import annotations

from html import escape
from typing import Any

_ESCAPE_STARTERS = frozenset("\\xuU")


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def shown(value: Any) -> str:
    """``value`` as text in which every character shows as itself or as a visible escape."""
    text = value if isinstance(value, str) else str(value)
    # Fast path: by far most names are printable and have no backslash.
    if text.isprintable() and "\\" not in text:
        return text
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == "\\":
            nxt = text[i + 1] if i < last else ""
            # Doubled only before something that would make it read as an escape.
            out.append("\\\\" if nxt and (nxt in _ESCAPE_STARTERS or not nxt.isprintable()) else "\\")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def quoted(value: Any) -> str:
    """A value from the systems between «», the way reasons quote names; ``None`` as «tom»."""
    if value is None:
        return "tom"
    return f"«{shown(value)}»"


def html_text(value: Any) -> str:
    """``value`` for an HTML page: shown as in the terminal, then HTML-escaped."""
    return escape(shown(value), quote=True)


def lines_shown(text: Any) -> str:
    """A message of several lines (one problem per line): each line shown safely, the line
    breaks kept."""
    return "\n".join(shown(line) for line in str(text).split("\n"))
