"""A plan: every action the engine would take, and the world it was made from."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grunndata.engine.model import OPS, Action
from grunndata.errors import GrunndataError

PLAN_FORMAT = 1


class PlanFileError(GrunndataError):
    pass


@dataclass
class Plan:
    master: str
    actions: list[Action]
    fingerprint: str
    config_hash: str = ""
    blocked: bool = False
    entity_order: list[str] = field(default_factory=list)

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
        data.update({"format": PLAN_FORMAT, "fingerprint": self.fingerprint, "config_hash": self.config_hash,
                     "entity_order": self.entity_order})
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Plan":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PlanFileError(f"{path}: plan file not found") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PlanFileError(f"{path}: not a plan file written by 'grunndata plan --out' ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT or "fingerprint" not in data:
            raise PlanFileError(f"{path}: not a plan file written by 'grunndata plan --out'")
        try:
            actions = [Action(**{k: a[k] for k in ("op", "entity", "target", "key", "fields", "reason", "rule")})
                       for a in data["actions"]]
        except (KeyError, TypeError) as exc:
            raise PlanFileError(f"{path}: an action is incomplete ({exc})") from None
        return cls(master=data["master"], actions=actions, fingerprint=data["fingerprint"],
                   config_hash=data.get("config_hash", ""), blocked=bool(data.get("summary", {}).get("blocked")),
                   entity_order=list(data.get("entity_order") or []))
