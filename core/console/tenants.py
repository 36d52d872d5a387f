"""Which integrations the console serves: the seam between the pages and where tenants live.

A :class:`TenantSource` answers two questions: every tenant with its health (for ``/kunder``),
and one tenant's :class:`~grunndata.console.integration.Integration` (for its own pages under
``/kunder/{name}/…``). :class:`SingleCompany` is the working directory's config (no ``/kunder``);
the operator's source (PostgreSQL, ``GRUNNDATA_DATABASE_URL``) is
:mod:`grunndata.console.operator_source`; tests use :class:`InMemoryTenants`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from grunndata.console.integration import Integration


@dataclass
class TenantRow:
    """One tenant as ``/kunder`` lists it. ``healthy`` None: nothing known yet (no cycle ran, or
    its state could not be read: ``problems`` says why)."""

    name: str
    master: str | None = None
    healthy: bool | None = None
    problems: list[str] = field(default_factory=list)
    lag_s: int | None = None  # the worst lag of its cycle kinds behind the schedule
    last_error: str | None = None
    next_cycle: str | None = None  # ISO 8601 with the schedule zone's offset
    waiting: int = 0  # plans waiting for approval

    def matches(self, query: str) -> bool:
        """Search: the name, master, last error and problems, case-insensitive."""
        if not query:
            return True
        text = " ".join([self.name, self.master or "", self.last_error or "", *self.problems]).casefold()
        return all(word in text for word in query.casefold().split())


class TenantSource(Protocol):
    operator: bool  # True: /kunder lists every tenant and each has its pages under /kunder/{name}

    def rows(self) -> list[TenantRow]: ...

    def integration(self, name: str) -> Integration | None: ...

    def close(self) -> None: ...


class SingleCompany:
    """The integration whose config is in the working directory (or ``-c FILE``)."""

    operator = False

    def __init__(self, integration: Integration):
        self.one = integration

    def rows(self) -> list[TenantRow]:
        return [TenantRow(self.one.name or self.one.config_path.stem)]

    def integration(self, name: str) -> Integration | None:
        return self.one

    def close(self) -> None:
        self.one.close()


class InMemoryTenants:
    """Tenants held in memory (tests, and the shape an operator source fills): name -> its
    integration and a function giving its row."""

    operator = True

    def __init__(self, tenants: dict[str, tuple[Integration, Callable[[], TenantRow]]]):
        self._tenants = dict(tenants)
        self._lock = threading.Lock()

    def rows(self) -> list[TenantRow]:
        with self._lock:
            found = [row() for _, row in self._tenants.values()]
        return sorted(found, key=lambda r: r.name)

    def integration(self, name: str) -> Integration | None:
        with self._lock:
            entry = self._tenants.get(name)
        return entry[0] if entry else None

    def close(self) -> None:
        for integration, _ in self._tenants.values():
            integration.close()
