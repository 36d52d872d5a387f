"""What the caller of a writing run hands in: its hooks (:class:`RunHooks`), and how the run is
stopped cleanly (:class:`Stop`: on request, or on Ctrl-C / SIGTERM while it writes)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypedDict


class Stop:
    """Asks a running engine to stop: no new write starts; those in flight finish and are journaled.

    ``request()`` asks directly (a scheduler between cycles); ``trapping()`` makes the first of
    ``signals`` ask while writes run. A second signal acts as it would have without us (Ctrl-C
    twice: stop now, leaving the writes in flight as ``started`` in the journal)."""

    def __init__(self, signals: Sequence[int] = ()) -> None:
        self.signals = tuple(signals)
        self.signum: int | None = None

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def request(self, signum: int = signal.SIGINT) -> None:
        if self.signum is None:
            self.signum = int(signum)

    @contextmanager
    def trapping(self) -> Iterator[None]:
        if not self.signals or threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {s: signal.getsignal(s) for s in self.signals}

        def restore() -> None:
            for s, handler in previous.items():
                signal.signal(s, handler if handler is not None else signal.SIG_DFL)

        def on_signal(signum: int, _frame: Any) -> None:
            restore()
            self.request(signum)

        for s in self.signals:
            signal.signal(s, on_signal)
        try:
            yield
        finally:
            restore()


class RunHooks(TypedDict, total=False):
    """What the caller of a writing run (``apply``, ``transfer``, ``invoice``) may hand in: the
    plan shown before anything else (``on_plan``), the question before the first write
    (``confirm``; False declines), a call after each write (``progress``), a stop request."""

    confirm: Callable[[Any], bool] | None
    on_plan: Callable[[Any], None] | None
    progress: Callable[[Any], None] | None
    stop: Stop | None
