"""Record access both emulators share: one system's tables in the shared :class:`State`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grunndata.sandbox.common import ApiError

if TYPE_CHECKING:
    from grunndata.sandbox.state import State


class Records:
    """Request plumbing over one system's records; the records live in the shared :class:`State`."""

    system: str  # "smartdok" or "poweroffice": which half of the state the handlers read

    def __init__(self, state: State):
        self.state = state

    def rows(self, key: str) -> list[dict[str, Any]]:
        return self.state.rows(self.system, key)

    def get(self, key: str, record_id: Any) -> dict[str, Any] | None:
        return self.state.get(self.system, key, record_id)

    def found(self, key: str, record_id: Any, noun: str | None = None) -> dict[str, Any]:
        """The record, or a 404 (PowerOffice names the ``noun`` in its message; SmartDok's 404 has no body)."""
        rec = self.get(key, record_id)
        if rec is None:
            raise ApiError(404, f"No {noun} with id {record_id} was found." if noun else "")
        return rec

    def insert(self, key: str, record: dict[str, Any]) -> dict[str, Any]:
        """A new record, stamped as created and changed now (for resources with stamps)."""
        self.state.touch(self.system, key, record, created=True)
        return self.state.insert(self.system, key, record)

    def touch(self, key: str, record: dict[str, Any]) -> None:
        self.state.touch(self.system, key, record)
