"""The one confirmation question every writing command asks, in the consultant's language.

``[j/N]``: ``j``, ``ja``, ``y`` and ``yes`` (any case) mean yes; anything else, an empty answer,
end of input or Ctrl-C mean no. A wrong answer is never asked again: the safe answer is no.
"""

from __future__ import annotations

import click

YES = frozenset({"j", "ja", "y", "yes"})


def is_yes(answer: str | None) -> bool:
    """Whether ``answer`` (as typed) means yes."""
    return (answer or "").strip().casefold() in YES


def confirm(question: str, *, err: bool = False) -> bool:
    """Ask ``question`` with ``[j/N]``; ``err``: ask on standard error (stdout carries JSON)."""
    try:
        answer = click.prompt(f"{question} [j/N]", default="", show_default=False, err=err)
    except click.Abort:  # end of input or Ctrl-C at the question: no
        click.echo("", err=err)
        return False
    return is_yes(answer)
