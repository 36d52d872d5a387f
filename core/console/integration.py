"""One integration as the console serves it: its config file, its saved plans, its last doctor
report and its writing jobs.

Single-company mode serves exactly one. Operator mode (``/kunder``) will hold one per tenant
and pick it per request; the pages only ever ask :func:`grunndata.console.app.integration_of`.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grunndata.console import backend
from grunndata.console.jobs import Jobs
from grunndata.console.plan_view import PlanView, RuleLines


@dataclass
class SavedPlan:
    id: str
    path: Path
    view: PlanView
    made_at: dt.datetime
    rule_lines: RuleLines  # the rule files this plan was made with, read once
    job_id: str | None = None  # set once approved


@dataclass
class DoctorRun:
    report: backend.DoctorReport
    made_at: dt.datetime


@dataclass
class Integration:
    config_path: Path  # where Oppsett saves (it may not exist yet)
    transports: dict[str, Any] | None = None  # tests: an in-process sandbox instead of the network
    name: str | None = None  # the tenant's name in operator mode
    secrets: Callable[[], Any] | None = None  # None: from the environment
    journal: Callable[[Any], Any] | None = None  # None: the SQLite journal beside the config
    has_journal: Callable[[Any], bool] | None = None
    store: Callable[[Any], Any] | None = None  # None: the SQLite state store in the journal file
    connect: Callable[[Any], Any] | None = None  # None: runner.connect with the secrets above
    on_saved: Callable[[Path], None] | None = None  # after Oppsett saved the config (operator: a new version)
    plans: dict[str, SavedPlan] = field(default_factory=dict)
    current_plan: str | None = None
    doctor: DoctorRun | None = None
    jobs: Jobs = field(default_factory=Jobs)
    _plan_dir: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def reach(self) -> backend.Reach:
        return backend.Reach(self.transports, self.secrets, self.journal, self.has_journal, self.store, self.connect)

    def session(self) -> backend.Session:
        return backend.load_session(self.config_path)

    @property
    def plan_dir(self) -> Path:
        """Plans are saved as ``grunndata plan --out`` writes them, in a folder only this user
        can read, removed when the console stops."""
        with self._lock:
            if self._plan_dir is None:
                self._plan_dir = Path(tempfile.mkdtemp(prefix="grunndata-console-"))
                os.chmod(self._plan_dir, 0o700)
            return self._plan_dir

    def new_plan(self, session: backend.Session) -> SavedPlan:
        plan_id = secrets.token_urlsafe(9)
        path = self.plan_dir / f"plan-{plan_id}.json"
        made = backend.make_plan(session, self.reach, path)
        saved = SavedPlan(
            plan_id, path, PlanView(made), dt.datetime.now().astimezone(), RuleLines(backend.rule_files(session))
        )
        self.add_plan(saved)
        return saved

    def add_plan(self, saved: SavedPlan) -> None:
        with self._lock:
            self.plans[saved.id] = saved
            self.current_plan = saved.id

    def plan(self, plan_id: str | None) -> SavedPlan | None:
        return self.plans.get(plan_id or "") if plan_id else None

    def close(self) -> None:
        if self._plan_dir is not None:
            shutil.rmtree(self._plan_dir, ignore_errors=True)
