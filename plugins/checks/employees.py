"""R3: the employee number in SmartDok must equal the employee number in PowerOffice.

An hour line reaches PowerOffice by the employee number of the SmartDok user
who registered it. So: every SmartDok user needs a number some active
PowerOffice employee has; a number used twice is ambiguous; and one number with
clearly different names on the two sides sends hours to the wrong person.
PowerOffice's ``Number`` is an integer, SmartDok's ``EmployeeNo`` text: both
are compared as text.
"""

from __future__ import annotations

from typing import Any

from grunndata.engine.mapping import as_text
from grunndata.engine.model import Check, CheckContext, Finding, Read
from grunndata.plugins.checks.records import Reporter
from grunndata.plugins.checks.rules import setting
from grunndata.plugins.checks.similar import CodeRules, NameRules, Nearest, PersonRules, quoted
from grunndata.plugins.offers import offers

NAME = "employees"
# The hook answers the CHECK declared below, after the function it runs.
grunndata_checks = offers("grunndata_checks", lambda: [CHECK])


def po_name(emp: dict[str, Any]) -> str:
    return " ".join(str(p).strip() for p in (emp.get("FirstName"), emp.get("LastName")) if p and str(p).strip())


def sd_name(user: dict[str, Any]) -> str:
    return str(user.get("Name") or "").strip()


def _by_number(records: list[dict], number_field: str, trim: bool) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in records:
        n = as_text(r.get(number_field), trim=trim)
        if n is not None:
            out.setdefault(n, []).append(r)
    return out


def _used_twice(by_number: dict[str, list[dict]]) -> list[tuple[str, list[dict]]]:
    return [(number, group) for number, group in by_number.items() if len(group) > 1]


def run(ctx: CheckContext) -> list[Finding]:
    rules = ctx.rules
    report = Reporter(NAME, rules)
    trim = bool(setting(rules, NAME, "trim"))
    names = NameRules.from_rules(setting(rules, "similar", "names"))
    codes = CodeRules.from_rules(setting(rules, "similar", "codes"))
    person = PersonRules.from_rules(setting(rules, NAME, "same_person"))

    users, ended = rules.active("smartdok", "Users").split(ctx.snapshot.records("smartdok", "Users"))
    employees, archived = rules.active("poweroffice", "Employees").split(
        ctx.snapshot.records("poweroffice", "Employees")
    )
    sd = _by_number(users, "EmployeeNo", trim)
    po = _by_number(employees, "Number", trim)
    po_archived = _by_number(archived, "Number", trim)
    sd_ended = _by_number(ended, "EmployeeNo", trim)
    findings: list[Finding] = []

    for user in users:
        if as_text(user.get("EmployeeNo"), trim=trim) is None:
            who = sd_name(user) or str(user.get("UserName") or user.get("Id") or "?")
            findings.append(
                report(
                    "no_number",
                    who,
                    f"Brukeren «{who}» i SmartDok har ikke ansattnummer, så timene brukeren fører kan ikke overføres "
                    "til PowerOffice (R3). Legg inn ansattnummeret den ansatte har i PowerOffice på brukeren i SmartDok.",
                )
            )

    findings += [
        report(
            "duplicate_number",
            n,
            f"Ansattnummer {n} brukes av {len(g)} brukere i SmartDok: "
            f"{quoted(sd_name(u) for u in g)}. Timene deres kan havne hos feil person i PowerOffice (R3). "
            "Gi hver bruker sitt eget ansattnummer, det samme som den ansatte har i PowerOffice.",
        )
        for n, g in _used_twice(sd)
    ]
    findings += [
        report(
            "duplicate_number",
            n,
            f"Ansattnummer {n} brukes av {len(g)} ansatte i PowerOffice: "
            f"{quoted(po_name(e) for e in g)}. Timer med dette nummeret kan havne hos feil person (R3). "
            "Gi hver ansatt sitt eget ansattnummer i PowerOffice.",
        )
        for n, g in _used_twice(po)
    ]

    # Active PowerOffice employees no SmartDok user has the number of; a SmartDok user that
    # plainly means one of them (same person, number differing only by zeros or spaces, or the
    # same name) takes it, so that one mistake is reported once.
    unmatched = [e for n, group in po.items() if n not in sd for e in group]
    by_loose_number = Nearest(unmatched, lambda e: as_text(e.get("Number")), codes.normalise, codes.max_suggestions)
    by_name = Nearest(unmatched, po_name, names.normalise, names.max_suggestions)
    everyone_by_name = Nearest(employees, po_name, names.normalise, names.max_suggestions)
    users_by_name = Nearest(users, sd_name, names.normalise, names.max_suggestions)
    claimed: set[int] = set()

    for number, group in sd.items():
        user = group[0]
        name = sd_name(user)
        if number in po:
            if len(group) == 1 and len(po[number]) == 1:
                other = po_name(po[number][0])
                if not person.same_person(name, other, names):
                    findings.append(_name_differs(report, number, name, other, everyone_by_name, users_by_name, trim))
            continue
        if number in po_archived:
            other = po_name(po_archived[number][0])
            findings.append(
                report(
                    "archived_in_poweroffice",
                    number,
                    f"Brukeren «{name}» har ansattnummer {number} i SmartDok, men den ansatte med det nummeret i "
                    f"PowerOffice («{other}») er arkivert, så timene kan ikke overføres (R3). Gjenopprett den ansatte "
                    "i PowerOffice, eller avslutt brukeren i SmartDok.",
                )
            )
            continue
        hints = []
        seen: set[int] = set()
        for emp in by_loose_number.exact(number):
            if id(emp) not in seen and person.same_person(name, po_name(emp), names):
                seen.add(id(emp))
                n = as_text(emp.get("Number"))
                hints.append(
                    f"PowerOffice har ansatt {n} «{po_name(emp)}»: rett ansattnummeret i SmartDok "
                    f"fra «{number}» til «{n}»."
                )
        for emp in by_name.exact(name):
            if id(emp) not in seen:
                seen.add(id(emp))
                hints.append(
                    f"«{po_name(emp)}» har ansattnummer {as_text(emp.get('Number'))} i PowerOffice: "
                    "bruk samme nummer i begge systemer."
                )
        claimed.update(seen)
        findings.append(
            report(
                "missing_in_poweroffice",
                number,
                f"Brukeren «{name}» har ansattnummer {number} i SmartDok, men ingen ansatt i PowerOffice har det "
                f"nummeret, så timene brukeren fører kan ikke overføres (R3). "
                + (
                    ""
                    if hints
                    else f"Opprett den ansatte i PowerOffice med ansattnummer {number}, eller rett nummeret i SmartDok."
                ),
                " ".join(hints) or None,
            )
        )

    for emp in unmatched:
        if id(emp) in claimed:
            continue
        po_number = as_text(emp.get("Number"), trim=trim)
        name = po_name(emp)
        note = ""
        if po_number in sd_ended:
            note = f" (brukeren «{sd_name(sd_ended[po_number][0])}» med dette nummeret er avsluttet i SmartDok)"
        findings.append(
            report(
                "missing_in_smartdok",
                po_number,
                f"Den ansatte «{name}» har ansattnummer {po_number} i PowerOffice, men ingen aktiv bruker i SmartDok har "
                f"det nummeret{note}. Skal den ansatte føre timer i SmartDok, må brukeren der ha ansattnummer "
                f"{po_number} (R3).",
            )
        )
    return findings


def _name_differs(
    report: Reporter, number: str, sd: str, po: str, po_by_name: Nearest, sd_by_name: Nearest, trim: bool
) -> Finding:
    hints = []
    for emp in po_by_name.exact(sd):
        n = as_text(emp.get("Number"), trim=trim)
        if n != number:
            hints.append(f"I PowerOffice har «{po_name(emp)}» ansattnummer {n}.")
    for user in sd_by_name.exact(po):
        n = as_text(user.get("EmployeeNo"), trim=trim)
        if n != number:
            hints.append(f"I SmartDok har «{sd_name(user)}» ansattnummer {n}.")
    return report(
        "name_differs",
        number,
        f"Ansattnummer {number} tilhører «{sd}» i SmartDok, men «{po}» i PowerOffice: timene «{sd}» fører, "
        f"havner hos «{po}» (R3). Finn ut hvem som skal ha nummer {number}, og rett nummeret i systemet som er feil.",
        " ".join(hints) or None,
    )


CHECK: Check = Check(
    name=NAME,
    description="Ansattnummer (R3): samme nummer og samme person i begge systemer",
    run=run,
    reads=[Read("smartdok", "Users", {"all": True}), Read("poweroffice", "Employees")],
)
