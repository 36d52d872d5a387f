"""What an invoice source offers, and what an invoice preview is made of: entries, writes, the plan.

One *entry* per invoice basis (what ``--json`` lists under ``lines``): ``send`` (a new sales
order with its lines), ``correct`` (a draft order brought in line with a changed basis),
``hold`` (held back, with the reason and a suggestion) or ``report`` (for a person: a changed
basis whose order is confirmed or invoiced, a credited basis). An entry carries the *writes*
that carry it out, one request each: ``create`` (``POST /SalesOrders/Complete``), ``add_line``,
``update_line``, ``delete_line``. The write engine runs the writes; the journal records each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from grunndata.engine.model import Read, RunContext, json_of, window_json

KIND = "invoice"
OPS = ("send", "correct", "hold", "report")
WRITE_OPS = ("create", "add_line", "update_line", "delete_line")


class InvoiceSource(Protocol):
    """Where invoice bases come from (SmartDok's ``GET /Invoices``). ``reads``: the snapshot's
    lists the bases are mapped against."""

    name: str
    title: str  # heading in a consultant's report («Fakturagrunnlag»)
    label: str  # the noun in a sentence («fakturagrunnlag»)
    description: str
    reads: Sequence[Read]

    async def read(self, ctx: InvoiceContext, start: dt.date, end: dt.date) -> list[dict]: ...

    async def prices(self, ctx: InvoiceContext, project_id: Any) -> dict[tuple[str, str], float]:
        """A project's own prices: (line kind, the SmartDok record's Id as text) -> price."""
        ...


class InvoiceContext(RunContext):
    """An invoice run's context."""


def digest(order: dict[str, Any]) -> str:
    """A short hash of an order as it should be in PowerOffice: what the journal remembers, so a
    basis unchanged since its last successful write needs no look at the order."""
    text = json.dumps(order, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# What ``--json`` shows of a write and of an entry.
_write_json = json_of("op", "kind", "key", "reference", "fields", "reason", "rule")
_entry_json = json_of("op", "kind", "key", "fields", "reason", "rule")


@dataclass
class Write:
    """One request towards PowerOffice (an item of the write engine)."""

    op: str  # create | add_line | update_line | delete_line
    key: str  # the invoice basis' reference
    reference: str  # the order's or the line's reference
    fields: dict[str, Any]
    reason: str
    rule: str
    kind: str = KIND
    # Not shown: what carrying it out needs.
    order_id: Any = None
    line_id: Any = None
    body: dict[str, Any] | None = None
    changes: dict[str, Any] | None = None
    digest: str = ""
    narrow: dict[str, Any] = field(default_factory=dict)  # project and customer, to narrow a look-up

    def to_json(self) -> dict[str, Any]:
        return _write_json(self)


@dataclass
class Entry:
    """What happens to one invoice basis, why, and by which rule."""

    op: str  # send | correct | hold | report
    key: str
    fields: dict[str, Any]
    reason: str
    rule: str
    kind: str = KIND
    writes: list[Write] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return _entry_json(self)


@dataclass
class InvoicePlan:
    start: dt.date
    end: dt.date
    entries: list[Entry]
    done: int = 0  # bases already in PowerOffice as they are in SmartDok

    @property
    def lines(self) -> list[Entry]:
        return self.entries

    @property
    def writes(self) -> list[Write]:
        return [w for e in self.entries for w in e.writes]

    def summary(self) -> dict[str, Any]:
        counts = Counter(e.op for e in self.entries)
        out: dict[str, Any] = {op: counts.get(op, 0) for op in OPS}
        out["already_transferred"] = self.done
        out["total"] = len(self.entries)
        out["writes"] = dict(Counter(w.op for w in self.writes))
        return out

    def to_json(self) -> dict[str, Any]:
        return window_json(self)
