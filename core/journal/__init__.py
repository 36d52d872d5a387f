"""The run journal: a local SQLite record of every apply, and the lock that keeps applies apart."""
from grunndata.journal.store import Journal, JournalLocked

__all__ = ["Journal", "JournalLocked"]
