"""The shapes plugins and the engine share: directions, entities, actions, checks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from grunndata.config import Config
    from grunndata.rulebook.ruleset import Rules

SYSTEMS = ("smartdok", "poweroffice")
OPS = ("create", "update", "finish", "skip", "manual", "warn")
_FINGERPRINT_CHUNK = 1000


def _param_text(value: Any) -> str:
    # As httpx puts it on the wire: {"all": True} and {"all": "true"} are one read.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, eq=False)
class Read:
    """One list read a plugin needs in the snapshot: the system, the API's resource path (as in
    world files: ``Projects``, ``TimeTracking/Activity``) and the query parameters to send.

    The snapshot reads each distinct ``Read`` of the loaded plugins once. Several reads of one
    resource with different parameters (SmartDok's ``Additions``, which answers nothing unless
    asked for one kind) are one list in the snapshot: their records merged by id.
    """

    system: str
    resource: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.system not in SYSTEMS:
            raise ValueError(f"Read: unknown system {self.system!r} (one of {', '.join(SYSTEMS)})")
        if not isinstance(self.resource, str) or not self.resource.strip("/"):
            raise ValueError(f"Read: the resource must be an API resource path, not {self.resource!r}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params or {})))

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        return (self.system, self.resource, tuple(sorted((k, _param_text(v)) for k, v in self.params.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Read) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Read({self.system!r}, {self.resource!r}, {dict(self.params)!r})"


@dataclass
class Snapshot:
    """Both systems as read, keyed by the APIs' own resource paths (the world-file format)."""

    smartdok: dict[str, list[dict]] = field(default_factory=dict)
    poweroffice: dict[str, list[dict]] = field(default_factory=dict)

    def records(self, system: str, resource: str) -> list[dict]:
        return getattr(self, system).get(resource) or []

    def fingerprint(self) -> str:
        """A hash of everything read: a saved plan is applied only to the world it was made from.

        Hashed a chunk of records at a time, so a large world never exists as one string
        (at 100k projects that string alone was ~250 MB, twice over with its encoding).
        """
        digest = hashlib.sha256()
        encode = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False).encode
        for system in SYSTEMS:
            resources = getattr(self, system)
            for name in sorted(resources):
                rows = resources[name] or []
                digest.update(encode([system, name, len(rows)]).encode("utf-8"))
                for start in range(0, len(rows), _FINGERPRINT_CHUNK):
                    digest.update(encode(rows[start : start + _FINGERPRINT_CHUNK]).encode("utf-8"))
        return digest.hexdigest()

    def as_world(self) -> dict[str, Any]:
        return {"smartdok": self.smartdok, "poweroffice": self.poweroffice}


@dataclass
class Action:
    """One line of a plan: what, in which system, for which key, why, and by which rule."""

    op: str
    entity: str
    target: str
    key: str
    fields: dict[str, Any]
    reason: str
    rule: str

    def to_json(self) -> dict[str, Any]:
        # Every field, in order (ACTION_KEYS), as the instance holds them: dataclasses.asdict
        # deep-copies every field value, which dominated ``plan --json`` at thousands of actions,
        # and a copy of the instance's dict is the cheapest shallow one (cheaper than a dict built
        # by hand). The fields are shared, not copied: callers encode the result at once.
        return self.__dict__.copy()

    @property
    def writes(self) -> bool:
        return self.op in ("create", "update", "finish")


# An action's fields, in order: its JSON's keys (a saved plan's action has these, and no others).
ACTION_KEYS = ("op", "entity", "target", "key", "fields", "reason", "rule")


def json_of(*names: str) -> Callable[[Any], dict[str, Any]]:
    """``obj -> {name: obj.<name>, …}`` for ``names`` in that order: a ``to_json`` of some of an
    object's attributes without ``dataclasses.asdict``'s deep copies (the values are shared, not
    copied: callers encode the result at once)."""
    values = attrgetter(*names)
    return lambda obj: dict(zip(names, values(obj), strict=True))


def window_json(plan: Any) -> dict[str, Any]:
    """A preview's JSON (``transfer --json``, ``invoice --json``): the period, one item per line
    (``plan.lines``), the summary."""
    return {
        "period": {"from": plan.start.isoformat(), "to": plan.end.isoformat()},
        "lines": [line.to_json() for line in plan.lines],
        "summary": plan.summary(),
    }


@dataclass(frozen=True)
class Flow:
    source: str
    target: str


@dataclass
class PlanContext:
    snapshot: Snapshot
    rules: Rules
    config: Config
    direction: Direction
    # What earlier entities plan to create, so later ones can rely on it (sub-projects on new parents).
    planned: dict[tuple[str, str], Action] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)
    # grunndata.engine.incremental.PlanMemo when a running ``run`` plans from what changed
    memo: Any = None


@dataclass
class Direction:
    """Which system is master, and for each entity which way its records flow."""

    name: str
    master: str
    flows: dict[str, Flow]
    description: str = ""
    # Blocking problems found before any write (R7); each is an Action with op 'skip'
    # whose reason says what to fix. An empty list means the setup is valid.
    preflight: Callable[[PlanContext], list[Action]] | None = None


class Entity(Protocol):
    """An entity kind. ``order`` sorts apply (parents before children); ``title`` is its plural
    heading («Prosjekter»), ``label`` the noun in a sentence («prosjekt»).

    ``reads``: the list reads its records come from (required: an entity that read nothing
    would see an empty system and plan to create everything again). ``flows`` (optional): for
    an entity a direction does not name, which way it flows under each direction, by the
    direction's name.
    """

    name: str
    order: int
    title: str
    label: str
    reads: Sequence[Read]

    def plan(self, ctx: PlanContext, flow: Flow) -> list[Action]: ...

    def apply(self, action: Action, ctx: ApplyContext) -> Awaitable[dict[str, Any]]: ...

    def lookup(self, action: Action, ctx: ApplyContext) -> Awaitable[dict[str, Any] | None]: ...


@dataclass
class ApplyContext:
    snapshot: Snapshot
    rules: Rules
    config: Config
    smartdok: Any
    poweroffice: Any
    # Ids of records created earlier in this run, so children find new parents.
    created: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    cache: dict[Any, Any] = field(default_factory=dict)


@dataclass
class RunContext:
    """What a transfer or invoice run works with: both systems as read, the rules, the config,
    both clients, and the run's cache (a read made once and shared by the kinds that need it)."""

    snapshot: Snapshot
    rules: Any
    config: Any
    smartdok: Any
    poweroffice: Any
    cache: dict[Any, Any] = field(default_factory=dict)


Context = TypeVar("Context", bound=ApplyContext | RunContext)


def run_context(kind: type[Context], session: Any, conn: Any, snapshot: Snapshot) -> Context:
    """A run's context of ``kind``: both systems as read, the session's rules and config, and the
    connection's clients."""
    return kind(
        snapshot=snapshot,
        rules=session.rules,
        config=session.config,
        smartdok=conn.smartdok,
        poweroffice=conn.poweroffice,
    )


@dataclass
class Finding:
    check: str
    severity: str  # "error" | "warning"
    key: str
    message: str
    suggestion: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckContext:
    """What a check sees: both systems as read, the rules, and the sync plan made from them
    (so that checks report what the plan reports, from the same code)."""

    snapshot: Snapshot
    rules: Rules
    config: Config
    plan: Any  # grunndata.engine.plan.Plan


@dataclass
class Check:
    name: str
    description: str
    run: Callable[[CheckContext], list[Finding]]
    # The list reads the check looks at in the snapshot (beyond the plan it is given).
    reads: Sequence[Read] = ()
