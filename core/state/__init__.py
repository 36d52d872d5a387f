"""State an unattended integration keeps between cycles: the :class:`StateStore` protocol and its
embedded SQLite implementation (the default, in the journal file)."""

from grunndata.state.protocol import CYCLE_KINDS, CycleRecord, KeptSnapshot, StateStore, Waiting
from grunndata.state.sqlite import SqliteStateStore

__all__ = ["CYCLE_KINDS", "CycleRecord", "KeptSnapshot", "SqliteStateStore", "StateStore", "Waiting"]
