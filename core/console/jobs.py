"""Writing runs (approve a plan, send a transfer) in a worker thread, with progress to poll.

The engine is async and CPU-heavy at times; a thread with a loop of its own keeps the server
free to answer the progress requests while it writes. One writing job at a time per
integration (the journal lock refuses a second one from any other process too).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grunndata.console.backend import Refusal, refusal
from grunndata.engine.model import json_of

_plain_json = json_of("id", "kind", "status", "total", "done")  # a job's JSON, but for its outcomes and refusal


@dataclass
class Job:
    id: str
    kind: str  # "apply" | "transfer"
    label: dict[str, Any] = field(default_factory=dict)  # what the page says it is (plan id, period)
    status: str = "running"  # running | done | refused
    total: int | None = None
    done: int = 0
    outcomes: Counter = field(default_factory=Counter)
    refusal: Refusal | None = None
    report: Any = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    def progress(self, result: Any) -> None:
        """Called by the engine after each write (from the worker thread)."""
        self.outcomes[getattr(result, "status", "ok")] += 1
        self.done += 1

    def set_total(self, total: int) -> None:
        self.total = total

    def to_json(self) -> dict[str, Any]:
        return {
            **_plain_json(self),
            "outcomes": dict(self.outcomes),
            "refusal": self.refusal.code if self.refusal else None,
        }


class Busy(Exception):
    def __init__(self, job: Job):
        self.job = job


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> Job | None:
        with self._lock:
            return next((j for j in self._jobs.values() if j.status == "running"), None)

    def start(self, kind: str, label: dict[str, Any], work: Callable[[Job], Any]) -> Job:
        """Run ``work(job)`` in a thread; its return value becomes ``job.report``."""
        with self._lock:
            busy = next((j for j in self._jobs.values() if j.status == "running"), None)
            if busy is not None:
                raise Busy(busy)
            job = Job(secrets.token_urlsafe(9), kind, label)
            self._jobs[job.id] = job

        def target() -> None:
            try:
                job.report = work(job)
                job.status = "done"
            except BaseException as exc:  # a writing job reports, never dies silently
                job.refusal = refusal(exc)
                job.status = "refused"
            finally:
                job.finished = time.time()

        thread = threading.Thread(target=target, name=f"grunndata-console-{kind}", daemon=True)
        self._threads[job.id] = thread
        thread.start()
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> bool:
        """For tests and shutdown: join the job's thread."""
        thread = self._threads.get(job_id)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()
