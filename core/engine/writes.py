"""The one write engine: how ``apply``, ``transfer`` (and the invoice transfer to come) write.

Every kind of write goes the same way::

    items, in ranks (parents before children), at most ``concurrency`` at a time
      -> journal ``started`` when the request is about to be sent (not while it waits its turn)
      -> the client sends it, paced by its rate limiter
      -> an ambiguous answer (dropped after sending, a 5xx on a create, a 2xx with a garbled body,
         a conflict) is looked up by the item's key or reference before anything is sent again
      -> journal the outcome (and each follow-up step, e.g. marking the row in SmartDok)
      -> the report, the run's status and the command's exit code.

A kind of write plugs in as a :class:`Writer`: what one send is, how its record is looked up,
which journal table records it, how items rank and how many go at once. The engine names no
entity, transfer kind or system.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from grunndata.clients.errors import ApiError, BadResponse, Conflict, TransportFailure
from grunndata.engine.stopping import Stop
from grunndata.errors import GrunndataError

OK, RECOVERED, FAILED = "ok", "recovered", "failed"

# A create that stays ambiguous (a storm of 5xx or lost answers) is looked up and tried again
# this many times in all, pausing a little longer each time, before it is reported as failed.
CREATE_ROUNDS = 4
CREATE_PAUSE = 0.2


class Item(Protocol):
    """What the engine needs of a planned write (an Action, a transfer Line, an invoice order)."""

    op: str
    key: str

    def to_json(self) -> dict[str, Any]: ...


T = TypeVar("T", bound=Item)


@dataclass(eq=False)
class Outcome(Generic[T]):
    """What became of one write."""

    item: T
    seq: int
    status: str = OK  # ok | recovered | failed | a kind's own final word (transfer: locked)
    remote_id: Any = None
    detail: str = ""
    steps: list[str] = field(default_factory=list)  # follow-up steps done after the send

    def to_json(self) -> dict[str, Any]:
        return {**self.item.to_json(), "outcome": self.status, "remote_id": self.remote_id, "detail": self.detail}


@dataclass
class Sent:
    """The answer to one send. ``final``: nothing follows (no follow-up step), e.g. a line the
    receiving system had locked meanwhile."""

    remote_id: Any = None
    status: str = OK
    detail: str = ""
    final: bool = False


StepRecorder = Callable[[str], None]


class Writer(Protocol[T]):
    """One kind of write, as the engine sees it."""

    run_kind: str  # the journal run's kind: apply | transfer | invoice
    journal_table: str  # the journal table of its rows (grunndata.journal.sql_journal.ROW_COLUMNS)
    journal_sent: bool  # journal the send's answer as a step of its own (there are follow-up steps)
    concurrency: int  # writes in flight at once

    def rank(self, item: T) -> int:
        """Every item of a lower rank is done before one of a higher rank starts."""
        ...

    def creates(self, item: T) -> bool:
        """True for a create: an ambiguous answer is looked up before it is ever sent again."""
        ...

    async def send(self, item: T) -> Sent:
        """The one request (raises the clients' typed errors)."""
        ...

    async def lookup(self, item: T) -> dict[str, Any] | None:
        """The record ``item`` creates, found by its key or reference (``{"id": …}``), or None."""
        ...

    async def follow_up(self, item: T, outcome: Outcome[T], step: StepRecorder) -> None:
        """Steps after a successful send; call ``step(name)`` after each, for the journal."""
        ...

    def journal_row(self, item: T) -> dict[str, Any]:
        """The journal columns of ``item`` (``ROW_COLUMNS[journal_table]``)."""
        ...

    def new_outcome(self, item: T, seq: int) -> Outcome[T]: ...

    def recovered_detail(self, item: T) -> str: ...

    def resent_detail(self, item: T) -> str: ...


class BaseWriter(Generic[T]):
    """Defaults for a :class:`Writer`: one rank, four at a time, no follow-up steps."""

    run_kind = "apply"
    journal_table = "actions"
    journal_sent = False
    concurrency = 4

    def rank(self, item: T) -> int:
        return 0

    def creates(self, item: T) -> bool:
        return item.op == "create"

    async def lookup(self, item: T) -> dict[str, Any] | None:
        return None

    async def follow_up(self, item: T, outcome: Outcome[T], step: StepRecorder) -> None:
        return None

    def new_outcome(self, item: T, seq: int) -> Outcome[T]:
        return Outcome(item, seq)

    def target_name(self, item: T) -> str:
        return "mottakersystemet"

    def recovered_detail(self, item: T) -> str:
        return (
            f"fantes allerede i {self.target_name(item)} (svaret på en tidligere forespørsel gikk tapt): "
            "ikke sendt på nytt"
        )

    def resent_detail(self, item: T) -> str:
        return f"sendt på nytt: den første forespørselen nådde aldri {self.target_name(item)}"


class RunJournal(Protocol):
    """The journal as the engine uses it (grunndata.journal.Journal)."""

    def start_run(
        self, master: str, config_hash: str, fingerprint: str, kind: str = ..., summary: dict[str, Any] | None = ...
    ) -> int: ...

    def write_started(self, run_id: int, table: str, seq: int, row: dict[str, Any]) -> int: ...

    def write_step(
        self, table: str, row_id: int, step: str, outcome: str | None = ..., remote_id: Any = ..., detail: str = ...
    ) -> None: ...

    def write_done(self, table: str, row_id: int, outcome: str, remote_id: Any = ..., detail: str = ...) -> None: ...

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None: ...


# ---- one write --------------------------------------------------------------------------------
def ambiguous(exc: ApiError) -> bool:
    """The request may have been carried out although no usable answer came back."""
    if isinstance(exc, TransportFailure):
        return exc.ambiguous
    # A 2xx whose body is garbage (HTML, cut-off JSON): the create happened, its answer is lost.
    return isinstance(exc, BadResponse) and exc.status is not None and 200 <= exc.status < 300


async def deliver(writer: Writer[T], item: T) -> Sent:
    """Send ``item``; for a create, find the record a lost answer already made before any resend."""
    if not writer.creates(item):
        return await writer.send(item)
    resent = False
    for round_ in range(1, CREATE_ROUNDS + 1):
        try:
            sent = await writer.send(item)
        except ApiError as exc:
            unclear = ambiguous(exc)
            # A refusal of a resent create may be the first attempt's record being there after all.
            refused_resend = resent and (isinstance(exc, Conflict) or exc.status == 400)
            if not (unclear or isinstance(exc, Conflict) or refused_resend):
                raise
            found = await writer.lookup(item)
            if found is not None:
                return Sent(found.get("id"), RECOVERED, writer.recovered_detail(item))
            if not unclear or round_ == CREATE_ROUNDS:
                raise
            resent = True
            await asyncio.sleep(CREATE_PAUSE * round_)
            continue
        if sent.remote_id is None and not sent.final:
            # Created, but the answer names no id (children need it): find it by its key.
            found = await writer.lookup(item)
            if found is not None:
                sent.remote_id = found.get("id")
        if resent and not sent.detail:
            sent.detail = writer.resent_detail(item)
        return sent
    raise AssertionError("unreachable")


def describe(exc: Exception) -> str:
    """A failed write's detail: our own errors as they are, anything else with its type."""
    if isinstance(exc, (GrunndataError, LookupError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


async def write_one(writer: Writer[T], outcome: Outcome[T], journal: RunJournal | None, row: int | None) -> None:
    item, table = outcome.item, writer.journal_table

    def step(name: str) -> None:
        outcome.steps.append(name)
        if journal is not None and row is not None:
            journal.write_step(table, row, name)

    try:
        sent = await deliver(writer, item)
        outcome.status, outcome.detail = sent.status, sent.detail
        if sent.remote_id is not None:
            outcome.remote_id = sent.remote_id
        if not sent.final:
            if journal is not None and row is not None and writer.journal_sent:
                journal.write_step(table, row, "sent", outcome.status, outcome.remote_id, outcome.detail)
            await writer.follow_up(item, outcome, step)
    except Exception as exc:  # reported per write; the run goes on with the rest
        outcome.status, outcome.detail = FAILED, describe(exc)
    if journal is not None and row is not None:
        journal.write_done(table, row, outcome.status, outcome.remote_id, outcome.detail)


async def carry(
    writer: Writer[T],
    items: Sequence[T],
    *,
    journal: RunJournal | None = None,
    run_id: int | None = None,
    progress: Callable[[Outcome[T]], None] | None = None,
    stop: Stop | None = None,
    into: list[Any] | None = None,
) -> list[Outcome[T]]:
    """Carry out ``items``: rank by rank, at most ``writer.concurrency`` at once; one failed write
    does not stop the others. Outcomes are added to ``into`` as they complete (so a caller
    interrupted half-way still has them) and sorted in plan order at the end."""
    outcomes: list[Outcome[T]] = into if into is not None else []
    gate = asyncio.Semaphore(max(1, writer.concurrency))
    ranks: dict[int, list[tuple[int, T]]] = {}
    for seq, item in enumerate(items):
        ranks.setdefault(writer.rank(item), []).append((seq, item))

    async def one(seq: int, item: T) -> None:
        async with gate:
            if stop is not None and stop.requested:
                return
            # 'started' means the request may have gone out: written as it is about to, not while queued.
            row = (
                journal.write_started(run_id, writer.journal_table, seq, writer.journal_row(item))
                if journal is not None and run_id is not None
                else None
            )
            outcome = writer.new_outcome(item, seq)
            await write_one(writer, outcome, journal, row)
            outcomes.append(outcome)
        if progress is not None:
            progress(outcome)

    try:
        for rank in sorted(ranks):
            if stop is not None and stop.requested:
                break
            await asyncio.gather(*(one(seq, item) for seq, item in ranks[rank]))
    finally:
        outcomes.sort(key=lambda o: o.seq)
    return outcomes


# ---- the run ----------------------------------------------------------------------------------
class Planned(Protocol):
    @property
    def writes(self) -> Sequence[Any]: ...


Out = TypeVar("Out", bound="Outcome[Any]")


@dataclass
class WriteReport(Generic[Out]):
    """A writing run's report: what was planned, what became of each write, how the run ended.
    A kind's report adds its ``summary`` keys and its ``to_json`` shape."""

    plan: Any  # a Plan, a TransferPlan, …: anything with ``writes``
    outcomes: list[Out] = field(default_factory=list)
    run_id: int | None = None
    declined: bool = False
    interrupted: int | None = None  # the signal that stopped the run

    @property
    def failed(self) -> list[Out]:
        return [o for o in self.outcomes if o.status == FAILED]

    def counts(self) -> Counter[str]:
        return Counter(o.status for o in self.outcomes)

    def summary(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "planned_writes": len(self.plan.writes),
            OK: counts.get(OK, 0),
            RECOVERED: counts.get(RECOVERED, 0),
            FAILED: counts.get(FAILED, 0),
            "declined": self.declined,
        }

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def status(self) -> str:
        """The run's status in the journal."""
        if self.interrupted is not None or len(self.outcomes) < len(self.plan.writes):
            return "interrupted"
        return FAILED if self.failed else OK

    @property
    def exit_code(self) -> int:
        """0 all written, 1 a write failed, 3 declined, 128 + the signal when stopped by one."""
        if self.interrupted is not None:
            return 128 + self.interrupted
        if self.declined:
            return 3
        return 1 if self.failed else 0


@dataclass(frozen=True)
class RunStamp:
    """What the journal records of a run besides its writes."""

    master: str
    config_hash: str
    fingerprint: str


R = TypeVar("R", bound=WriteReport[Any])


async def execute(
    writer: Writer[T],
    report: R,
    stamp: RunStamp,
    *,
    journal: RunJournal | None = None,
    confirm: Callable[[Any], bool] | None = None,
    progress: Callable[[Outcome[T]], None] | None = None,
    stop: Stop | None = None,
) -> R:
    """Confirm, journal the run, carry out ``report.plan.writes``, and close the run with its status."""
    writes = list(report.plan.writes)
    if not writes:
        return report
    if confirm is not None and not confirm(report.plan):
        report.declined = True
        return report
    if journal is not None:
        report.run_id = journal.start_run(
            stamp.master, stamp.config_hash, stamp.fingerprint, kind=writer.run_kind, summary=report.summary()
        )
    try:
        with stop.trapping() if stop is not None else nullcontext():
            await carry(
                writer,
                writes,
                journal=journal,
                run_id=report.run_id,
                progress=progress,
                stop=stop,
                into=report.outcomes,
            )
    finally:
        if stop is not None and stop.requested:
            report.interrupted = stop.signum
        if journal is not None and report.run_id is not None:
            journal.finish_run(report.run_id, report.status(), report.summary())
    return report
