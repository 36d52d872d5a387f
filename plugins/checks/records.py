"""What the doctor's checks share about records: which ones count, and their keys as text."""
from __future__ import annotations

from typing import Any

from grunndata.engine.model import Finding
from grunndata.plugins.checks.rules import setting


def included(record: dict[str, Any], conditions: dict[str, Any]) -> bool:
    """Whether ``record`` has every field value the rules' ``include`` asks for (a missing field passes)."""
    return all(record.get(field, value) == value for field, value in conditions.items())


def split(records: list[dict[str, Any]], conditions: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """(records that count, records that do not), by the rules' ``include``."""
    yes, no = [], []
    for r in records:
        (yes if included(r, conditions) else no).append(r)
    return yes, no


def as_text(value: Any, *, trim: bool = False) -> str | None:
    """A number or code as the text it is compared by: PowerOffice's integer 1001 is "1001".
    Nothing, or only spaces, is None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.strip():
        return None
    return text.strip() if trim else text


class Reporter:
    """Makes findings for one check, with the severity the rules give each kind of problem."""

    def __init__(self, check: str, rules: Any):
        self.check = check
        self.severities = setting(rules, check, "severity")

    def __call__(self, kind: str, key: Any, message: str, suggestion: str | None = None) -> Finding:
        return Finding(check=self.check, severity=self.severities[kind], key=str(key), message=message,
                       suggestion=suggestion)
