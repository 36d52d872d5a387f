"""R5: every SmartDok addition and unit addition code must be a PowerOffice wage type (PayItem) code.

A supplement on an hour line reaches PowerOffice payroll by its code. PowerOffice
may have more pay items than SmartDok has additions (fixed salary, say): fine.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.mapping import as_text
from grunndata.engine.model import Check, CheckContext, Finding, Read
from grunndata.plugins.checks.records import Reporter
from grunndata.plugins.checks.rules import setting
from grunndata.plugins.checks.similar import CodeRules, NameRules, Nearest
from grunndata.plugins.offers import offers

NAME = "additions"
# The hook answers the CHECK declared below, after the function it runs.
grunndata_checks = offers("grunndata_checks", lambda: [CHECK])


def _kind(addition: dict[str, Any]) -> str:
    return "enhetstillegget" if addition.get("UnitAddition") else "tillegget"


def run(ctx: CheckContext) -> list[Finding]:
    rules = ctx.rules
    report = Reporter(NAME, rules)
    names = NameRules.from_rules(setting(rules, "similar", "names"))
    codes = CodeRules.from_rules(setting(rules, "similar", "codes"))
    additions, _ = rules.active("smartdok", "Additions").split(ctx.snapshot.records("smartdok", "Additions"))
    pay_items, inactive = rules.active("poweroffice", "PayItems").split(ctx.snapshot.records("poweroffice", "PayItems"))
    exact = {as_text(p.get("Code")) for p in pay_items}
    inactive_codes = {as_text(p.get("Code")) for p in inactive}
    by_code = Nearest(pay_items, lambda p: as_text(p.get("Code")), codes.normalise, codes.max_suggestions)
    by_name = Nearest(pay_items, lambda p: p.get("Name"), names.normalise, names.max_suggestions)
    findings = []
    for addition in additions:
        code = as_text(addition.get("Number"))
        if code is not None and code in exact:
            continue
        kind = _kind(addition)
        name = str(addition.get("Name") or "").strip()
        shown = kind.capitalize() + (f" «{name}»" if name else "")
        if code is None:
            findings.append(
                report(
                    "missing_in_poweroffice",
                    name or "?",
                    f"{shown} i SmartDok har ingen kode, så det kan ikke overføres til lønn i PowerOffice (R5). "
                    "Gi det koden lønnsarten har i PowerOffice.",
                )
            )
            continue
        if code in inactive_codes:
            findings.append(
                report(
                    "inactive_in_poweroffice",
                    code,
                    f"{shown} har kode «{code}» i SmartDok, og lønnsarten med den koden i PowerOffice er inaktiv, så "
                    f"{kind} kan ikke overføres (R5).",
                    f"Aktiver lønnsarten «{code}» i PowerOffice, eller gjør {kind} inaktivt i SmartDok.",
                )
            )
            continue
        candidates: list[dict] = []
        for item in by_code.exact(code) + by_name.exact(name):
            if all(item is not c for c in candidates):
                candidates.append(item)
        candidates = candidates[: codes.max_suggestions]
        if len(candidates) == 1:
            c = candidates[0]
            suggestion = (
                f"PowerOffice har lønnsarten «{c.get('Name')}» med kode «{as_text(c.get('Code'))}»: "
                f"endre koden på {kind} i SmartDok til «{as_text(c.get('Code'))}»."
            )
        elif candidates:
            listed = ", ".join(f"«{as_text(c.get('Code'))}» ({c.get('Name')})" for c in candidates)
            suggestion = (
                f"Nærmeste lønnsarter i PowerOffice: {listed}. Endre koden på {kind} i SmartDok til "
                "koden til den riktige."
            )
        else:
            suggestion = None
        advice = (
            ""
            if candidates
            else (
                f" Opprett lønnsarten med kode «{code}» i PowerOffice, eller endre koden i "
                "SmartDok til koden lønnsarten har i PowerOffice."
            )
        )
        findings.append(
            report(
                "missing_in_poweroffice",
                code,
                f"{shown} har kode «{code}» i SmartDok, men ingen lønnsart i PowerOffice har nøyaktig den koden, så "
                f"{kind} kan ikke overføres til lønn (R5).{advice}",
                suggestion,
            )
        )
    return findings


CHECK: Check = Check(
    name=NAME,
    description="Tillegg og enhetstillegg (R5): samme kode som lønnsarten i PowerOffice",
    run=run,
    # /Additions answers nothing unless asked for one kind: both kinds, merged by Id.
    reads=[
        Read("smartdok", "Additions", {"all": True, "onlyAddition": True}),
        Read("smartdok", "Additions", {"all": True, "onlyUnitAddition": True}),
        Read("poweroffice", "PayItems"),
    ],
)
