"""``grunndata doctor``: run every check plugin over one snapshot and collect what they find.

Pure work on a snapshot already read: the checks see both systems, the rules,
the config and the sync plan made from this same snapshot (so that the manual
work they report is what ``grunndata plan`` shows). Reading is the caller's
job (:func:`read_and_check` does both, for the CLI and the tests).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from grunndata.engine.model import Check, CheckContext, Finding, Snapshot
from grunndata.engine.planner import make_plan
from grunndata.session import Session

SEVERITIES = ("error", "warning")
FAILED_CHECK = "error"  # a check that crashes hides what it should have found: that is an error


@dataclass
class DoctorReport:
    findings: list[Finding]
    checks: list[Check]
    master: str
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "error"]

    def summary(self) -> dict[str, Any]:
        return {"errors": len(self.errors), "warnings": len(self.warnings), "checks": [c.name for c in self.checks]}

    def to_json(self) -> dict[str, Any]:
        return {"findings": [f.to_json() for f in self.findings], "summary": self.summary()}


def _natural(key: str) -> tuple:
    """Sort 2 before 10, and text after numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in re.split(r"(\d+)", key) if p)


def sort_key(f: Finding) -> tuple:
    rank = SEVERITIES.index(f.severity) if f.severity in SEVERITIES else len(SEVERITIES)
    return (rank, f.check, _natural(f.key), f.message)


def run_checks(ctx: CheckContext, checks: Iterable[Check]) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks:
        try:
            found = list(check.run(ctx) or [])
        except Exception as exc:  # one broken plugin must not hide the others' findings
            found = [
                Finding(
                    check=check.name,
                    severity=FAILED_CHECK,
                    key="(sjekken)",
                    message=f"Sjekken «{check.name}» feilet og ble ikke fullført: {type(exc).__name__}: {exc}",
                )
            ]
        findings.extend(found)
    return sorted(findings, key=sort_key)


def run_doctor(session: Session, snapshot: Snapshot, *, only: Iterable[str] | None = None) -> DoctorReport:
    """Every loaded check (or those named in ``only``) over ``snapshot``, findings sorted
    errors first, then by check and key."""
    started = time.perf_counter()
    checks = sorted(session.host.checks.values(), key=lambda c: c.name)
    if only is not None:
        wanted = set(only)
        checks = [c for c in checks if c.name in wanted]
    plan = make_plan(session, snapshot)
    ctx = CheckContext(snapshot=snapshot, rules=session.rules, config=session.config, plan=plan)
    findings = run_checks(ctx, checks)
    return DoctorReport(
        findings=findings, checks=checks, master=session.config.master, seconds=time.perf_counter() - started
    )


async def read_and_check(session: Session, conn: Any) -> DoctorReport:
    """Read both systems through the clients, then check the snapshot."""
    from grunndata.engine.runner import read_snapshot

    snapshot = await read_snapshot(conn)
    return run_doctor(session, snapshot)
