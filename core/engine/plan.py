"""A plan: every action the engine would take, and the world it was made from."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grunndata.engine.model import ACTION_KEYS, OPS, SYSTEMS, Action
from grunndata.errors import GrunndataError

# 2: with the digest of the actions (``digest``, ``action_digests``).
PLAN_FORMAT = 2
SHORT_DIGEST = 16


class PlanFileError(GrunndataError):
    """A plan file that cannot be applied as it stands: refused before any request."""

    exit_code = 3


def _canonical(action: Action) -> bytes:
    return json.dumps(action.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode(
        "utf-8"
    )


def action_digests(actions: Iterable[Action]) -> list[str]:
    """One short digest per action, so that a refusal can name the action that differs."""
    return [hashlib.sha256(_canonical(a)).hexdigest()[:SHORT_DIGEST] for a in actions]


def plan_digest(actions: Iterable[Action]) -> str:
    digest = hashlib.sha256()
    for action in actions:
        digest.update(_canonical(action))
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(repr=False)
class Plan:
    master: str
    actions: list[Action]
    fingerprint: str
    config_hash: str = ""
    blocked: bool = False
    entity_order: list[str] = field(default_factory=list)
    # Of a plan read from a file: the digests it was saved with, and the file.
    digest: str = ""
    action_digests: list[str] = field(default_factory=list)
    source: str = ""

    def __setattr__(self, name: str, value: Any) -> None:
        # ``fingerprint`` may be given as a function of no arguments (the snapshot's): hashing
        # everything read costs as much as planning at 10k projects, and only ``--out``,
        # ``apply`` and a saved plan's check need it, so it is worked out on first use.
        if name == "fingerprint" and callable(value):
            self.__dict__.pop("fingerprint", None)
            name = "_fingerprint_of"
        elif name == "fingerprint":
            object.__setattr__(self, "_fingerprint_of", None)
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:  # only called for attributes not set: a lazy fingerprint
        if name == "fingerprint":
            make = self.__dict__.get("_fingerprint_of")
            if make is not None:
                value = make()
                object.__setattr__(self, "fingerprint", value)
                object.__setattr__(self, "_fingerprint_of", None)
                return value
        raise AttributeError(name)

    def __repr__(self) -> str:
        # Short: asyncio's task repr shows a coroutine's result, and a full repr of thousands
        # of actions (and the lazy fingerprint it would force) cost a tenth of plan --json.
        return f"Plan(master={self.master!r}, actions=<{len(self.actions)}>, blocked={self.blocked})"

    @property
    def writes(self) -> list[Action]:
        return [] if self.blocked else [a for a in self.actions if a.writes]

    def summary(self) -> dict[str, Any]:
        counts = Counter(a.op for a in self.actions)
        out: dict[str, Any] = {op: counts.get(op, 0) for op in OPS}
        out["total"] = len(self.actions)
        out["blocked"] = self.blocked
        return out

    def to_json(self) -> dict[str, Any]:
        return {"master": self.master, "actions": [a.to_json() for a in self.actions], "summary": self.summary()}

    def save(self, path: Path) -> None:
        data = self.to_json()
        data.update(
            {
                "format": PLAN_FORMAT,
                "fingerprint": self.fingerprint,
                "config_hash": self.config_hash,
                "entity_order": self.entity_order,
                "digest": plan_digest(self.actions),
                "action_digests": action_digests(self.actions),
            }
        )
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Plan:
        """A plan file as ``plan --out`` wrote it, its shape checked: every refusal is one line."""
        made_by = "en planfil fra «grunndata plan --out»"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PlanFileError(f"{path}: planfilen finnes ikke") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PlanFileError(f"{path}: ikke {made_by} ({exc})") from None
        if isinstance(data, dict) and data.get("format") == 1:
            raise PlanFileError(
                f"{path}: planfilen er laget av en eldre versjon av grunndata, uten kontrollsum; "
                "lag planen på nytt med «grunndata plan --out»"
            )
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT or "fingerprint" not in data:
            raise PlanFileError(f"{path}: ikke {made_by}")
        for name, kind in (("master", str), ("fingerprint", str), ("actions", list), ("digest", str)):
            if not isinstance(data.get(name), kind):
                raise PlanFileError(f"{path}: «{name}» mangler eller har feil type; ikke {made_by}")
        actions = [_action(path, number, raw) for number, raw in enumerate(data["actions"], 1)]
        digests = data.get("action_digests")
        summary: dict[str, Any] = data["summary"] if isinstance(data.get("summary"), dict) else {}
        order = data.get("entity_order")
        return cls(
            master=data["master"],
            actions=actions,
            fingerprint=data["fingerprint"],
            config_hash=str(data.get("config_hash") or ""),
            blocked=bool(summary.get("blocked")),
            entity_order=[str(e) for e in order] if isinstance(order, list) else [],
            digest=data["digest"],
            action_digests=[str(d) for d in digests] if isinstance(digests, list) else [],
            source=str(path),
        )


def _action(path: Path, number: int, raw: Any) -> Action:
    where = f"{path}: handling {number}"
    if not isinstance(raw, dict):
        raise PlanFileError(f"{where} er ikke et objekt")
    missing = [k for k in ACTION_KEYS if k not in raw]
    if missing:
        raise PlanFileError(f"{where} mangler «{missing[0]}»")
    extra = [k for k in raw if k not in ACTION_KEYS]
    if extra:
        raise PlanFileError(f"{where} har en ukjent nøkkel «{extra[0]}»")
    for name in ("op", "entity", "target", "key", "reason", "rule"):
        if not isinstance(raw[name], str):
            raise PlanFileError(f"{where}: «{name}» skal være tekst")
    if raw["op"] not in OPS:
        raise PlanFileError(f"{where}: ukjent operasjon «{raw['op']}» (kjente: {', '.join(OPS)})")
    if raw["target"] not in SYSTEMS:
        raise PlanFileError(f"{where}: ukjent system «{raw['target']}» (kjente: {', '.join(SYSTEMS)})")
    if not isinstance(raw["fields"], dict):
        raise PlanFileError(f"{where}: «fields» skal være et objekt")
    action = Action(**{k: raw[k] for k in ACTION_KEYS})
    if action.op in ("update", "finish"):
        for name, change in action.fields.items():
            if not isinstance(change, dict) or set(change) != {"before", "after"}:
                raise PlanFileError(f"{where}: feltet «{name}» skal ha «before» og «after»")
    return action
