"""What a person must do by hand (R12, R16, R17): the plan's ``manual`` actions, as findings.

The doctor does not decide this itself: it reports what ``grunndata plan``
shows, from the plan ``make_plan`` made for this very snapshot. A plan that is
stopped (R7: no valid standard project) has no manual actions to show; its
blockers are reported instead, since nothing can be synced until they are fixed.
"""

from __future__ import annotations

from grunndata.engine.model import Check, CheckContext, Finding
from grunndata.plugins.checks.rules import setting
from grunndata.plugins.offers import offers

NAME = "manual"
# The hook answers the CHECK declared below, after the function it runs.
grunndata_checks = offers("grunndata_checks", lambda: [CHECK])


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def run(ctx: CheckContext) -> list[Finding]:
    plan = ctx.plan
    if plan is None:
        return []
    by_entity = setting(ctx.rules, NAME, "severity")
    default = setting(ctx.rules, NAME, "default_severity")
    if plan.blocked:
        severity = setting(ctx.rules, NAME, "blocked_severity")
        return [Finding(check=NAME, severity=severity, key=a.key, message=_sentence(a.reason)) for a in plan.actions]
    findings = []
    for action in plan.actions:
        if action.op != "manual":
            continue
        name = (action.fields or {}).get("name")
        what = f"{action.key} «{name}»" if name else action.key
        findings.append(
            Finding(
                check=NAME,
                severity=by_entity.get(action.entity, default),
                key=action.key,
                message=_sentence(action.reason),
                suggestion=f"Legg inn {what} for hånd i {ctx.rules.system_name(action.target)}, med nøyaktig samme nummer.",
            )
        )
    return findings


CHECK: Check = Check(
    name=NAME, description="Manuelt arbeid (R12, R16, R17): det grunndatasynken ikke gjør selv", run=run
)
