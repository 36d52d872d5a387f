"""What the doctor's checks share about records: findings by severity.
Which records count is the core's ``records`` rule (``Rules.active``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grunndata.engine.invoice_problems import Problem
from grunndata.engine.model import Finding, Read
from grunndata.plugins.checks.rules import setting


class Reporter:
    """Makes findings for one check, with the severity the rules give each kind of problem."""

    def __init__(self, check: str, rules: Any):
        self.check = check
        self.severities = setting(rules, check, "severity")
        # The systems as the findings name them (the rules' words for them).
        self.po, self.sd = rules.system_name("poweroffice"), rules.system_name("smartdok")

    def __call__(self, kind: str, key: Any, message: str, suggestion: str | None = None) -> Finding:
        return Finding(
            check=self.check, severity=self.severities[kind], key=str(key), message=message, suggestion=suggestion
        )

    def problem(self, key: Any, problem: Problem | None) -> list[Finding]:
        """The finding of one of the engine's problems (kind, message, suggestion), if there is one."""
        return [] if problem is None else [self(problem.kind, key, problem.message, problem.suggestion)]


def read_lists(*, smartdok: Iterable[str], poweroffice: Iterable[str]) -> list[Read]:
    """What a check reads: SmartDok's lists whole (``all``, since the ``records`` rule decides
    which records count, not the API's active filter), PowerOffice's as they come."""
    return [*(Read("smartdok", r, {"all": True}) for r in smartdok), *(Read("poweroffice", r) for r in poweroffice)]
