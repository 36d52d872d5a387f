"""A plan as the Plan page shows it: summary, filters, pages, and the rule lines each action cites.

Built for 10,000 actions and more: the text each action is searched by is made once per plan,
filtering is one pass, and only the page shown is turned into rows and rule excerpts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grunndata.console.backend import Plan

PAGE_SIZE = 50
CONTEXT_LINES = 2
SHOWN_KEYS = 5  # keys listed per group held back before "…"


@dataclass
class Page:
    items: list[Any]
    number: int
    pages: int
    total: int
    first: int  # 1-based index of the first item shown (0 when empty)
    last: int


def paginate(items: Sequence[Any], page: int, size: int = PAGE_SIZE) -> Page:
    pages = max(1, math.ceil(len(items) / size))
    number = min(max(1, page), pages)
    start = (number - 1) * size
    shown = list(items[start : start + size])
    return Page(shown, number, pages, len(items), start + 1 if shown else 0, start + len(shown))


def window_preview(
    plan: Any,
    held: Iterable[dict[str, Any]],
    members: str,
    others: list[Any],
    sends: Sequence[Any],
    page: int,
    digest: str,
) -> dict[str, Any]:
    """A period's preview as Overføring shows it (hours, or invoice bases): its summary, the groups
    held back (the most ``members`` first), the other lines, a page of what is sent and the digest
    its *Send* carries."""
    return {
        "plan": plan,
        "summary": plan.summary(),
        "held": sorted(held, key=lambda g: -len(g[members])),
        "others": others,
        "sends": paginate(sends, page),
        "writes": len(plan.writes),
        "digest": digest,
        "shown_keys": SHOWN_KEYS,
    }


def _fields_text(fields: Any) -> str:
    if isinstance(fields, dict):
        return " ".join(f"{k} {_fields_text(v)}" for k, v in fields.items())
    return "" if fields is None else str(fields)


class PlanView:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.summary = plan.summary()
        self.writes = len(plan.writes)
        self.entities = list(dict.fromkeys(plan.entity_order + [a.entity for a in plan.actions]))
        self.ops = [op for op in self.summary if op not in ("total", "blocked")]
        counts = Counter((a.entity, a.op) for a in plan.actions)
        self.by_entity = {e: {op: counts.get((e, op), 0) for op in self.ops} for e in self.entities}
        self._search = [
            " ".join((a.key, a.reason, a.rule, a.target, _fields_text(a.fields))).casefold() for a in plan.actions
        ]

    def filtered(self, op: str = "", entity: str = "", text: str = "") -> list[int]:
        """Indexes of the actions matching every filter given."""
        needle = text.strip().casefold()
        out = []
        for i, a in enumerate(self.plan.actions):
            if op and a.op != op:
                continue
            if entity and a.entity != entity:
                continue
            if needle and needle not in self._search[i]:
                continue
            out.append(i)
        return out


class RuleLines:
    """Lines of the rule files around ``FILE:LINE``, read once per file."""

    def __init__(self, files: dict[str, Path]):
        self.files = files
        self._cache: dict[str, list[str] | None] = {}

    def _lines(self, display: str) -> list[str] | None:
        if display not in self._cache:
            path = self.files.get(display)
            try:
                self._cache[display] = path.read_text(encoding="utf-8").splitlines() if path else None
            except (OSError, UnicodeDecodeError):
                self._cache[display] = None
        return self._cache[display]

    def around(self, cited: str, context: int = CONTEXT_LINES) -> list[tuple[int, str, bool]]:
        """``[(line number, text, is the cited line)]``; empty when the file cannot be read."""
        display, _, number = cited.rpartition(":")
        if not display or not number.isdigit():
            return []
        lines = self._lines(display)
        if not lines:
            return []
        line = int(number)
        lo, hi = max(1, line - context), min(len(lines), line + context)
        return [(n, lines[n - 1], n == line) for n in range(lo, hi + 1)]


def excerpts(rules: RuleLines, cited: Iterable[str]) -> dict[str, list[tuple[int, str, bool]]]:
    return {c: rules.around(c) for c in set(cited)}
