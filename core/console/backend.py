"""The console's one door to the engine: every engine, journal and report call goes through here.

Other parts of the console never import ``grunndata.engine``, ``grunndata.journal`` or
``grunndata.report``; when those change shape, this module is the one to re-point.

Engine errors come out as :class:`Refusal` with a short code (``stale``, ``blocked``,
``locked``, ``secrets``, ``config``, ``error``); the templates turn codes into Norwegian
sentences, so no consultant-facing word lives in Python.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from grunndata import secrets as env_secrets
from grunndata.cli.sync import journal_path, poweroffice_rate
from grunndata.clients.errors import redact
from grunndata.config import config_schema as _config_schema
from grunndata.engine import runner
from grunndata.engine import transfer as transfer_engine
from grunndata.engine.doctor import DoctorReport, read_and_check
from grunndata.engine.plan import Plan, PlanFileError
from grunndata.engine.transfer_plan import TransferPlan
from grunndata.errors import GrunndataError
from grunndata.journal import Journal
from grunndata.journal.store import JournalLocked
from grunndata.report.html import _rule_order, render_doctor
from grunndata.rulebook.yamlpos import Pos, Problem, RuleFileError
from grunndata.secrets import MissingSecret
from grunndata.session import Session, open_session, rule_sources

T = TypeVar("T")

__all__ = ["DoctorReport", "Plan", "Pos", "Problem", "Reach", "Refusal", "Session", "TransferPlan"]


@dataclass
class Refusal(Exception):
    """Something the engine refused or could not do, as a code the templates put in words."""

    code: str
    detail: str = ""
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


def _secret_values() -> list[str]:
    try:
        return env_secrets.from_environment().values()
    except MissingSecret:
        return []


def refusal(exc: BaseException) -> Refusal:
    """The code and redacted detail of an engine error (never a secret, never a traceback)."""
    if isinstance(exc, Refusal):
        return exc
    detail = redact(str(exc), _secret_values())
    if isinstance(exc, runner.StalePlan):
        return Refusal("stale", detail)
    if isinstance(exc, runner.Blocked):
        return Refusal("blocked", detail)
    if isinstance(exc, JournalLocked):
        return Refusal("locked", detail)
    if isinstance(exc, MissingSecret):
        return Refusal("secrets", detail)
    if isinstance(exc, RuleFileError):
        return Refusal("config", detail, list(exc.problems))
    if isinstance(exc, PlanFileError):
        return Refusal("planfile", detail)
    if isinstance(exc, GrunndataError):
        return Refusal("error", detail)
    return Refusal("internal", f"{type(exc).__name__}: {detail}")


def load_session(config_path: Path) -> Session:
    """The integration's plugins, config and rules (``grunndata check`` loads the same).

    With no file there yet, the defaults, as if an empty config stood where it will be saved
    (never the working directory's ``grunndata.yaml``, which may be another integration's)."""
    try:
        if config_path.exists():
            return open_session(str(config_path))
        fd, tmp = tempfile.mkstemp(dir=config_path.parent, prefix=f".{config_path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write("{}\n")
            session = open_session(tmp)
        finally:
            os.unlink(tmp)
        session.config.path, session.config.doc = config_path, None
        return session
    except GrunndataError as exc:
        raise refusal(exc) from None
    except OSError as exc:
        raise Refusal("error", f"{config_path}: {exc.strerror or exc}") from None


def masters(session: Session) -> list[str]:
    return sorted(d.master for d in session.host.directions.values())


def config_schema(session: Session) -> dict[str, Any]:
    """The schema ``grunndata.yaml`` is validated against (to render only the keys it knows)."""
    return _config_schema(masters(session))


def rules_schema(session: Session) -> dict[str, Any]:
    return session.schema


def rule_files(session: Session) -> dict[str, Path]:
    """Display name (as rules cite it, ``rules/projects.yaml``) -> the file on disk."""
    return {display: Path(path) for path, display in rule_sources(session.host, session.config)}


def journal_file(session: Session) -> Path:
    """Where ``grunndata apply``/``transfer``/``history`` keep the journal for this config."""
    return journal_path(session, None)


@dataclass
class Reach:
    """How one integration reaches its systems and its journal. The defaults are a single
    company's: secrets from the environment, the SQLite journal beside the config. An operator's
    tenant brings its own secrets (its secrets file or prefixed variables) and journal (PostgreSQL)."""

    transports: dict[str, Any] | None = None  # tests: an in-process sandbox instead of the network
    secrets: Callable[[], env_secrets.Secrets] | None = None
    journal: Callable[[Session], Any] | None = None  # opens a Journal-like (lock, runs, run, close)
    has_journal: Callable[[Session], bool] | None = None
    store: Callable[[Session], Any] | None = None  # opens its grunndata.state.StateStore
    connect: Callable[[Session], Any] | None = None  # an async context manager giving both clients


def as_reach(reach: Reach | dict[str, Any] | None) -> Reach:
    """A page passes its integration's :class:`Reach`; tests may pass bare transports."""
    return reach if isinstance(reach, Reach) else Reach(transports=reach)


def open_local(
    session: Session,
    reach: Reach | dict[str, Any] | None,
    *,
    create: bool,
    opener: Callable[[Reach], Callable[[Session], Any] | None],
    make: Callable[[Path], Any],
) -> Any:
    """The integration's journal or state store: the reach's own (an operator's tenant) or the
    file beside the config; None when ``create`` is false and there is none yet."""
    r = as_reach(reach)
    own = opener(r)
    if own is not None:
        if not create and r.has_journal is not None and not r.has_journal(session):
            return None
        return own(session)
    path = journal_file(session)
    if not create and not path.exists():
        return None
    return make(path)


def open_journal(session: Session, reach: Reach | dict[str, Any] | None = None, *, create: bool = True) -> Any:
    """The integration's journal, or None when ``create`` is false and it has none yet."""
    return open_local(session, reach, create=create, opener=lambda r: r.journal, make=Journal)


def _connection(session: Session, transports: Reach | dict[str, Any] | None) -> Any:
    """Both clients, as an async context manager."""
    r = as_reach(transports)
    if r.connect is not None:
        return r.connect(session)
    found = r.secrets() if r.secrets is not None else env_secrets.from_environment()
    return runner.connect(session, found, transports=r.transports, rate_per_second=poweroffice_rate())


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run one engine coroutine to its end on a loop of its own (called in a worker thread),
    turning every engine error into a :class:`Refusal`."""
    try:
        return asyncio.run(factory())  # type: ignore[arg-type]
    except Refusal:
        raise
    except Exception as exc:
        raise refusal(exc) from None


# ---- Samsvar ----------------------------------------------------------------------------------
async def _doctor(session: Session, transports: Reach | dict[str, Any] | None) -> DoctorReport:
    async with _connection(session, transports) as conn:
        return await read_and_check(session, conn)


def doctor(session: Session, transports: Reach | dict[str, Any] | None) -> DoctorReport:
    return run_sync(lambda: _doctor(session, transports))


def check_order(name: str, description: str) -> tuple[int, str]:
    """Checks in the order the customer's report shows them: by the domain rule they check."""
    return (_rule_order(description), name)


def doctor_html(report: DoctorReport) -> str:
    """The customer's page, exactly as ``grunndata doctor --html`` writes it."""
    return render_doctor(report, generated=dt.datetime.now().astimezone())


# ---- Plan -------------------------------------------------------------------------------------
async def _plan(session: Session, transports: Reach | dict[str, Any] | None) -> Plan:
    async with _connection(session, transports) as conn:
        made, _ = await runner.plan(session, conn)
        return made


def make_plan(session: Session, transports: Reach | dict[str, Any] | None, out: Path) -> Plan:
    """Read both systems, decide the plan and save it as ``grunndata plan --out`` does."""
    made = run_sync(lambda: _plan(session, transports))
    made.save(out)
    return made


def load_plan(path: Path) -> Plan:
    try:
        return Plan.load(path)
    except GrunndataError as exc:
        raise refusal(exc) from None


def apply_plan(
    session: Session,
    transports: Reach | dict[str, Any] | None,
    plan_file: Path,
    on_total: Callable[[int], None],
    progress: Callable[[Any], None],
) -> runner.ApplyReport:
    """``grunndata apply --plan FILE --yes``: exactly the saved plan, refused when stale."""
    saved = load_plan(plan_file)

    async def go() -> runner.ApplyReport:
        journal = open_journal(session, transports)
        try:
            journal.lock()
            async with _connection(session, transports) as conn:
                return await runner.apply(
                    session,
                    conn,
                    saved=saved,
                    journal=journal,
                    confirm=None,
                    progress=progress,
                    on_plan=lambda p: on_total(len(p.writes)),
                )
        finally:
            journal.close()

    return run_sync(go)


# ---- Historikk ---------------------------------------------------------------------------------
def _read_journal(session: Session, reach: Reach | None, read: Callable[[Journal], T]) -> T | None:
    """What ``read`` finds in the journal; None when no apply or transfer has run here."""
    journal = open_journal(session, reach, create=False)
    if journal is None:
        return None
    try:
        return read(journal)
    finally:
        journal.close()


def runs(session: Session, limit: int = 200, reach: Reach | None = None) -> list[dict[str, Any]] | None:
    """Runs in the journal, newest first; None when no apply or transfer has run here."""
    return _read_journal(session, reach, lambda journal: journal.runs(limit))


def run(session: Session, run_id: int, reach: Reach | None = None) -> dict[str, Any] | None:
    return _read_journal(session, reach, lambda journal: journal.run(run_id))


# ---- Overføring --------------------------------------------------------------------------------
def transfer_digest(plan: TransferPlan) -> str:
    """What a preview would write, as a hash: *Send* goes ahead only if a fresh preview still
    writes exactly this (the transfer's own 'stale plan' check)."""
    digest = hashlib.sha256()
    for line in plan.writes:
        digest.update(repr((line.op, line.kind, line.key, line.reference, line.body, line.changes)).encode())
    return digest.hexdigest()[:32]


async def _preview(
    session: Session, transports: Reach | dict[str, Any] | None, start: dt.date, end: dt.date
) -> TransferPlan:
    async with _connection(session, transports) as conn:
        made, _ = await transfer_engine.preview(session, conn, start, end)
        return made


def transfer_preview(
    session: Session, transports: Reach | dict[str, Any] | None, start: dt.date, end: dt.date
) -> TransferPlan:
    return run_sync(lambda: _preview(session, transports, start, end))


def send_window(
    session: Session,
    transports: Reach | dict[str, Any] | None,
    start: dt.date,
    end: dt.date,
    expected: str,
    on_total: Callable[[int], None],
    progress: Callable[[Any], None],
    *,
    digest: Callable[[Any], str],
    stale: str,
    write: Callable[..., Any],
) -> Any:
    """A command's ``--yes`` run over a window (``transfer``, ``invoice``), under the journal's lock,
    but only when the fresh preview writes what was shown: ``Refusal(stale)`` otherwise, nothing sent."""

    def confirm(plan: Any) -> bool:
        if digest(plan) != expected:
            raise Refusal(stale)
        on_total(len(plan.writes))
        return True

    async def go() -> Any:
        journal = open_journal(session, transports)
        try:
            journal.lock()
            async with _connection(session, transports) as conn:
                return await write(session, conn, start, end, journal=journal, confirm=confirm, progress=progress)
        finally:
            journal.close()

    return run_sync(go)


# ``grunndata transfer --yes``, but only when the fresh preview writes what was shown.
transfer_send = partial(send_window, digest=transfer_digest, stale="stale_transfer", write=transfer_engine.transfer)
