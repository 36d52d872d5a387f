"""Whether a cycle may write its plan unattended, and if not, why (the ``unattended:`` rules).

A cycle over any limit writes nothing: its plan waits for approval with the reasons given here,
each naming its rule line. Every limit is checked, so the consultant sees all of them at once.
Transfers have their own rules and never come here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grunndata.engine.model import OPS, Action, Snapshot
from grunndata.engine.plan import Plan

if TYPE_CHECKING:
    from grunndata.rulebook.ruleset import Rules
    from grunndata.session import Session

SECTION = "unattended"
WRITE_OPS: tuple[str, ...] = tuple(op for op in OPS if Action(op, "", "", "", {}, "", "").writes)
FIRST_CYCLE = "first_cycle"
# How each write reads in "… ville blitt <word>" (plural agreement is not needed: the noun is "poster").
_DONE = {"create": "opprettet", "update": "oppdatert", "finish": "avsluttet"}


@dataclass(frozen=True)
class Limits:
    """The ``unattended:`` rules, with the ``FILE:LINE`` each value was written on."""

    allow: tuple[str, ...]
    max_writes: int
    max_finish: int
    max_finish_share: float
    where: Mapping[str, str]


def guardrail_limits(rules: Rules) -> Limits:
    """The limits in force (the shipped ``rules/unattended.yaml`` merged with the customer's)."""
    names = ("allow", "max_writes", "max_finish", "max_finish_share")
    values: dict[str, Any] = {}
    for name in names:
        value = rules.get(SECTION, name)
        if value is None:  # only when the shipped rule file was not loaded: a broken install
            raise KeyError(f"rule {SECTION}.{name} is missing (rules/unattended.yaml not loaded?)")
        values[name] = value
    return Limits(
        allow=tuple(values["allow"]),
        max_writes=int(values["max_writes"]),
        max_finish=int(values["max_finish"]),
        max_finish_share=float(values["max_finish_share"]),
        where={n: rules.where(SECTION, n) for n in names},
    )


@dataclass(frozen=True)
class Refusal:
    """One reason a cycle may not write: the rule (``unattended.max_finish``), where it is
    written (``rules/unattended.yaml:12``; empty for the first cycle), and the Norwegian reason."""

    rule: str
    where: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "where": self.where, "message": self.message}


@dataclass(frozen=True)
class Verdict:
    refusals: tuple[Refusal, ...] = ()

    @property
    def may_write(self) -> bool:
        return not self.refusals

    @property
    def reason(self) -> str:
        """All reasons as one Norwegian line: what a waiting plan shows (``status``, ``history``)."""
        return "; ".join(r.message for r in self.refusals)


def _projects(n: int) -> str:
    return f"{n} prosjekt" if n == 1 else f"{n} prosjekter"


def _posts(n: int) -> str:
    return f"{n} post" if n == 1 else f"{n} poster"


def percent(share: float) -> str:
    """0.05 -> «5 %», 0.125 -> «12,5 %» (Norwegian: comma, space before %)."""
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"


def check_plan(plan: Plan, receiving: Mapping[str, int], rules: Rules, *, first_cycle: bool = False) -> Verdict:
    """Whether the cycle may write ``plan`` unattended.

    ``receiving``: per system, how many projects (sub-projects included) it holds, as read for the
    plan (:func:`receiving_counts`); the base of ``max_finish_share``. ``first_cycle``: no person
    has applied or approved a plan of this integration yet; such a cycle always waits.
    """
    limits = guardrail_limits(rules)
    writes: list[Action] = plan.writes
    refusals: list[Refusal] = []
    if first_cycle:
        refusals.append(
            Refusal(
                FIRST_CYCLE,
                "",
                "ingen person har kjørt apply eller godkjent en plan for denne "
                "integrasjonen ennå; den første planen venter alltid på godkjenning",
            )
        )
    by_op = Counter(a.op for a in writes)
    for op, n in by_op.items():
        if op not in limits.allow:
            refusals.append(
                _over(
                    limits,
                    "allow",
                    f"{_posts(n)} ville blitt {_DONE.get(op, op)}, men «{op}» er ikke tillatt uten tilsyn",
                )
            )
    if len(writes) > limits.max_writes:
        parts = ", ".join(f"{by_op[op]} {_DONE.get(op, op)}" for op in _DONE if by_op.get(op))
        refusals.append(
            _over(
                limits,
                "max_writes",
                f"{len(writes)} skrivinger i én syklus ({parts}); grensen er {limits.max_writes}",
            )
        )
    finishes = by_op.get("finish", 0)
    if finishes > limits.max_finish:
        refusals.append(
            _over(limits, "max_finish", f"{_projects(finishes)} ville blitt avsluttet; grensen er {limits.max_finish}")
        )
    per_target = Counter(a.target for a in writes if a.op == "finish")
    for target, n in sorted(per_target.items()):
        total = max(int(receiving.get(target, 0)), n)  # never a share over 1, nor a division by zero
        share = n / total
        if share > limits.max_finish_share:
            refusals.append(
                _over(
                    limits,
                    "max_finish_share",
                    f"{n} av {_projects(total)} i {rules.system_name(target)} ({percent(share)}) ville blitt "
                    f"avsluttet; grensen er {percent(limits.max_finish_share)}",
                )
            )
    return Verdict(tuple(refusals))


def _over(limits: Limits, name: str, message: str) -> Refusal:
    """The refusal of one limit: its rule, where it is written, and the message naming that line."""
    where = limits.where[name]
    return Refusal(f"{SECTION}.{name}", where, f"{message} ({where})")


def receiving_counts(plan: Plan, snapshot: Snapshot, session: Session) -> dict[str, int]:
    """Per system the plan finishes records in, how many records the receiving system holds in the
    resources of the kinds it finishes, as read into ``snapshot``. PowerOffice keeps sub-projects
    as projects, so there the base is every project, sub-projects included."""
    resources = sorted(
        {
            (a.target, r)
            for a in plan.writes
            if a.op == "finish"
            for r in [_resource(session, a.entity, a.target)]
            if r is not None
        }
    )
    counts: Counter[str] = Counter()
    for target, resource in resources:
        counts[target] += len(snapshot.records(target, resource))
    return dict(counts)


def _resource(session: Session, entity_name: str, system: str) -> str | None:
    side = (getattr(session.host.entities.get(entity_name), "sides", None) or {}).get(system)
    return getattr(side, "resource", None)
