"""The run journal: a local SQLite record of every writing run, and the lock that keeps runs apart."""

from grunndata.journal.lock import JournalLocked
from grunndata.journal.store import Journal

__all__ = ["Journal", "JournalLocked"]
