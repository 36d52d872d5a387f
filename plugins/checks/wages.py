"""R4: every SmartDok wage type (lønnsart) name must equal a PowerOffice hour type (timeart).

An hour line gets its hour type in PowerOffice by the *name* of its SmartDok
wage type, letter for letter. Hour types without a SmartDok wage type are fine:
PowerOffice may have more.
"""

from __future__ import annotations

from grunndata.engine.model import Check, CheckContext, Finding, Read
from grunndata.plugins.checks.records import Reporter
from grunndata.plugins.checks.rules import setting
from grunndata.plugins.checks.similar import NameRules, Nearest, quoted
from grunndata.plugins.offers import offers

NAME = "wages"
# The hook answers the CHECK declared below, after the function it runs.
grunndata_checks = offers("grunndata_checks", lambda: [CHECK])
HOUR_TYPES = "TimeTracking/HourType"


def _text(value) -> str:
    return "" if value is None else str(value)


def run(ctx: CheckContext) -> list[Finding]:
    rules = ctx.rules
    report = Reporter(NAME, rules)
    names = NameRules.from_rules(setting(rules, "similar", "names"))
    wages, _ = rules.active("smartdok", "Wages").split(ctx.snapshot.records("smartdok", "Wages"))
    hour_types, inactive = rules.active("poweroffice", HOUR_TYPES).split(
        ctx.snapshot.records("poweroffice", HOUR_TYPES)
    )
    exact = {_text(h.get("description")) for h in hour_types}
    inactive_names = {_text(h.get("description")) for h in inactive}
    nearest = Nearest(
        hour_types,
        lambda h: h.get("description"),
        names.normalise,
        names.max_suggestions,
        close_enough=names.close_enough,
    )
    findings = []
    for wage in wages:
        name = _text(wage.get("Name"))
        if name in exact:
            continue
        number = wage.get("Number")
        shown = f"Lønnsarten «{name}»" + (f" (nr. {number})" if number not in (None, "") else "")
        if name in inactive_names:
            findings.append(
                report(
                    "inactive_in_poweroffice",
                    name,
                    f"{shown} i SmartDok har en timeart med samme navn i PowerOffice, men timearten er inaktiv, så "
                    "timer ført på lønnsarten kan ikke overføres (R4).",
                    f"Aktiver timearten «{name}» i PowerOffice, eller gjør lønnsarten inaktiv i SmartDok.",
                )
            )
            continue
        candidates, alike = nearest.suggest(name)
        found = [_text(h.get("description")) for h in candidates]
        if not found:
            suggestion = None
            advice = f" Opprett timearten «{name}» i PowerOffice, eller gi lønnsarten navnet til en timeart som finnes."
        elif alike and len(found) == 1:
            suggestion = (
                f"Timearten i PowerOffice heter «{found[0]}»: gi lønnsarten i SmartDok nøyaktig det navnet "
                "(eller endre navnet på timearten)."
            )
            advice = ""
        elif alike:
            suggestion = (
                f"Timeartene {quoted(found)} i PowerOffice har nesten samme navn: gi lønnsarten nøyaktig "
                "samme navn som den riktige."
            )
            advice = ""
        else:
            suggestion = (
                f"Mente du {quoted(found, 'eller')}? Det er de nærmeste timeartene i PowerOffice; gi "
                "lønnsarten nøyaktig samme navn som den riktige, eller opprett en ny timeart."
            )
            advice = ""
        findings.append(
            report(
                "missing_in_poweroffice",
                name,
                f"{shown} i SmartDok har ingen timeart med nøyaktig samme navn i PowerOffice, så timer ført på den "
                f"får ingen timeart ved overføring (R4).{advice}",
                suggestion,
            )
        )
    return findings


CHECK: Check = Check(
    name=NAME,
    description="Lønnsarter og timearter (R4): samme navn i begge systemer",
    run=run,
    reads=[Read("smartdok", "Wages", {"all": True}), Read("poweroffice", HOUR_TYPES)],
)
