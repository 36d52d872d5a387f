"""The integration's lock: one writing run (apply, transfer, invoice) at a time, on any platform.

The lock itself is an OS file lock on ``<journal>.lock`` (through ``filelock``: ``flock`` on
POSIX, ``msvcrt`` on Windows), held for the life of the run and released by the OS when the
process dies, however it dies. A second run is refused at once, never queued. The holder's pid
is kept in the journal (table ``lock_holder``), not in the lock file: on Windows a locked file
cannot be read by another process, and the refusal must name who holds it.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from grunndata.errors import GrunndataError


class JournalLocked(GrunndataError):
    exit_code = 3


class RunLock:
    """A non-blocking, non-reentrant exclusive lock on one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock: FileLock | None = None

    @property
    def held(self) -> bool:
        return self._lock is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; False at once if another holder has it."""
        if self._lock is not None:
            return True
        lock = FileLock(str(self.path), timeout=0, blocking=False, thread_local=False, mode=0o600)
        try:
            lock.acquire()
        except Timeout:
            return False
        self._lock = lock
        return True

    def release(self) -> None:
        if self._lock is not None:
            lock, self._lock = self._lock, None
            lock.release(force=True)


def refusal(path: Path, holder: int | None) -> JournalLocked:
    who = f"pid {holder}" if holder is not None else "pid ukjent"
    return JournalLocked(
        f"en annen kjøring (apply eller transfer) pågår allerede for denne integrasjonen ({who}, "
        f"lås {path}); vent til den er ferdig og prøv igjen"
    )


def this_pid() -> int:
    return os.getpid()
