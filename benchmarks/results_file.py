"""A benchmark's section of a results file (``benchmarks/RESULTS*.md``), rewritten in place."""
from __future__ import annotations

from pathlib import Path

NOTES_MARKER = "<!-- Notes below this line are written by hand and kept when the results are regenerated. -->"


def write_section(path: Path, section: str, start: str, end: str, *, below_notes_marker: bool) -> None:
    """Put ``section`` (which begins with ``start`` and ends with ``end``) in place of the old one;
    a file without one gets it by the hand-written notes (just below their marker, or above it),
    or at its end."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + section + rest.split(end, 1)[1]
    elif NOTES_MARKER in old:
        head, notes = old.split(NOTES_MARKER, 1)
        if below_notes_marker:
            new = head + NOTES_MARKER + "\n\n" + section + "\n" + notes
        else:
            new = head.rstrip("\n") + "\n\n" + section + "\n\n" + NOTES_MARKER + notes
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + section + "\n"
    path.write_text(new, encoding="utf-8")
