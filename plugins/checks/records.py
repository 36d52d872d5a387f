"""What the doctor's checks share about records: their keys as text, and findings by severity.
Which records count is the core's ``records`` rule (``Rules.active``)."""
from __future__ import annotations

from typing import Any

from grunndata.engine.model import Finding
from grunndata.plugins.checks.rules import setting


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
