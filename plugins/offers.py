"""Hook implementations for built-in plugin modules that only hand over what they declare.

``grunndata_checks = offers("grunndata_checks", lambda: [CHECK])`` is the same hook as
``@hookimpl def grunndata_checks(): return [CHECK]``: pluggy registers the module attribute by
the hook name ``specname`` gives, and ``answer`` runs at every call, as the function body would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from grunndata import hookimpl

A = TypeVar("A")


def offers(hook: str, answer: Callable[[], A]) -> Callable[[], A]:
    """An implementation of ``hook`` that answers ``answer()``."""

    @hookimpl(specname=hook)
    def implementation() -> A:
        return answer()

    implementation.__name__ = implementation.__qualname__ = hook
    return implementation


def offers_section(
    hook: str, section: str, answer: Callable[[], list[Any]], schema: Callable[[], dict[str, Any]]
) -> tuple[Callable[[], list[Any]], Callable[[], dict[str, Any]]]:
    """The two hooks of a module that declares entities or transfers with one rules section of
    their own: ``hook`` answering ``answer()``, and ``grunndata_rules_schema`` answering the
    section's schema under its key."""
    return offers(hook, answer), offers("grunndata_rules_schema", lambda: {section: schema()})
