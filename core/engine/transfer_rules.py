"""How one SmartDok row becomes a PowerOffice line, or is held back, by the transfer rules."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from grunndata.clients import timetracking as tt
from grunndata.engine.mapping import subproject_code
from grunndata.engine.model import CheckContext, Snapshot
from grunndata.engine.transfer_plan import F, Line
from grunndata.engine.transfer_schema import KindRules
from grunndata.rulebook.conditions import value_at


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class _Formatter(string.Formatter):
    def get_value(self, key, args, kwargs):  # missing values format as empty text
        return kwargs.get(key, "") if isinstance(key, str) else super().get_value(key, args, kwargs)


_FMT = _Formatter()


def _format(template: str, **values: Any) -> str:
    return _FMT.format(template, **{k: ("" if v is None else v) for k, v in values.items()})


# ---- PowerOffice lines by reference -------------------------------------------------------------
class EntryIndex:
    """PowerOffice's lines by reference; corrections (new lines) carry a numbered suffix."""

    def __init__(self, entries: list[dict], revision: re.Pattern[str]):
        self.by_ref: dict[str, dict] = {}
        self.latest: dict[str, tuple[int, dict]] = {}
        for e in entries:
            ref = e.get(F["reference"])
            if not ref:
                continue
            self.by_ref[ref] = e
            m = revision.fullmatch(ref)
            base, n = (m.group("reference"), int(m.group("n"))) if m else (ref, 1)
            if base not in self.latest or self.latest[base][0] < n:
                self.latest[base] = (n, e)

    def current(self, reference: str) -> tuple[int, dict] | None:
        return self.latest.get(reference)


def _revision_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{reference\}|\{n\})", template)
    rx = "".join(
        "(?P<reference>.+)" if p == "{reference}" else "(?P<n>\\d+)" if p == "{n}" else re.escape(p) for p in parts
    )
    return re.compile(rx)


# ---- holding back on the doctor's findings --------------------------------------------------------
def doctor_findings(session: Any, snapshot: Snapshot, names: set[str]) -> dict[tuple[str, str], Any]:
    """Error findings of the named checks (R3-R5), by (check, key): the doctor's own words."""
    from grunndata.engine.doctor import run_checks

    checks = [session.host.checks[n] for n in sorted(names) if n in session.host.checks]
    ctx = CheckContext(snapshot=snapshot, rules=session.rules, config=session.config, plan=None)
    out: dict[tuple[str, str], Any] = {}
    for f in run_checks(ctx, checks):
        if f.severity == "error":
            out.setdefault((f.check, str(f.key)), f)
    return out


class Resolver:
    """PowerOffice's master data, indexed for mapping rows (built once per run). Which records
    count is the rules' ``records`` (the same rule doctor and the sync use)."""

    def __init__(self, snapshot: Snapshot, rules: Any):
        po, sd = snapshot.poweroffice, snapshot.smartdok
        self.po, self.sd = rules.system_name("poweroffice"), rules.system_name("smartdok")

        def active(resource: str) -> list[dict]:
            return rules.active("poweroffice", resource).split(po.get(resource) or [])[0]

        self.employees = {_text(e.get("Number")): e for e in active("Employees")}
        hour_types = active(tt.HOUR_TYPE)
        self.hour_type_by_name = {str(h.get("description")): h for h in hour_types}
        self.hour_type_by_pay_item = {_text(h.get("payItemCode")): h for h in hour_types if h.get("payItemCode")}
        self.projects = {str(p.get("Code")): p for p in po.get("Projects") or []}
        self.project_active = rules.active("poweroffice", "Projects")
        activities = active(tt.ACTIVITY)
        self.activities = {str(a.get("code")): a for a in activities}
        self.activity_by_product: dict[str, dict] = {}
        for a in activities:
            if a.get("productCode"):
                self.activity_by_product.setdefault(str(a["productCode"]), a)
        self.products = {str(p.get("Code")): p for p in active("Products")}
        self.users = {str(u.get("Id")): u for u in sd.get("Users") or []}


@dataclass
class Hold(Exception):
    reason: str
    rule: str
    suggestion: str | None = None


def build_entry(
    k: KindRules, row: dict[str, Any], res: Resolver, findings: dict[tuple[str, str], Any], sub_code: tuple[str, str]
) -> dict[str, Any]:
    """The PowerOffice line a row maps to, or :class:`Hold` with the doctor's reason.
    ``sub_code``: the sub-project code template and where it is written."""
    cfg = k.cfg
    fields = cfg["fields"]
    hold_on = cfg["hold_on"]
    value = {name: value_at(row, path) for name, path in fields.items()}
    po, sd = res.po, res.sd

    def finding(meaning: str, key: str | None) -> None:
        check = hold_on.get(meaning)
        if not check or key is None:
            return
        for key_ in (key, key.strip()):
            f = findings.get((check, key_))
            if f is not None:
                raise Hold(f.message, k.where("hold_on", meaning), f.suggestion)

    # R3: the employee, by number (through the SmartDok user where the row names only the user).
    number = _text(value.get("employee"))
    if number is None and value.get("user") is not None:
        user = res.users.get(str(value["user"]))
        number = _text(user.get("EmployeeNo")) if user else None
    raw_number = value.get("employee") if value.get("employee") is not None else number
    if number is None:
        raise Hold(
            f"Raden har ikke ansattnummer, så den kan ikke knyttes til en ansatt i {po} (R3).",
            k.where("fields", "employee"),
            f"Gi brukeren i {sd} ansattnummeret den ansatte har i {po}.",
        )
    finding("employee", str(raw_number))
    if number not in res.employees:
        raise Hold(
            f"Ansattnummer {number} finnes ikke blant de aktive ansatte i {po} (R3).",
            k.where("hold_on", "employee"),
            f"Opprett den ansatte med ansattnummer {number} i {po}, eller rett nummeret i {sd}.",
        )

    entry: dict[str, Any] = dict(cfg["entry_defaults"] or {})
    entry[F["employee"]] = number

    # R4/R5: the hour type, by the wage's name, or by the addition's code (its pay item).
    hour_type: dict[str, Any] | None = None
    if k.condition("addition_when").holds(row):
        code = _text(value.get("addition_code"))
        finding("addition_code", code)
        hour_type = res.hour_type_by_pay_item.get(code)
        if hour_type is None:
            raise Hold(
                f"Tillegget med kode «{code}» har ingen timeart i {po} som peker på lønnsarten "
                f"«{code}», så tillegget kan ikke overføres (R5).",
                k.where("hold_on", "addition_code"),
                f"Opprett en timeart i {po} med lønnsart «{code}», eller rett koden i {sd}.",
            )
    elif "wage_name" in fields:
        name = value.get("wage_name")
        if name not in (None, ""):
            finding("wage_name", str(name))
            hour_type = res.hour_type_by_name.get(str(name))
            if hour_type is None:
                raise Hold(
                    f"Lønnsarten «{name}» har ingen aktiv timeart med nøyaktig samme navn i {po} (R4).",
                    k.where("hold_on", "wage_name"),
                    f"Opprett timearten «{name}» i {po}, eller gi lønnsarten navnet til en timeart som finnes.",
                )
    if hour_type is not None:
        entry[F["hour_type"]] = hour_type.get("code")

    # R6: the project by number only; a sub-project by the sync's own code template.
    project, sub = _text(value.get("project")), _text(value.get("subproject"))
    if project is None:
        raise Hold("Raden har ikke prosjektnummer.", k.where("fields", "project"))
    template, template_at = sub_code
    code = subproject_code(template, project, sub) if sub else project
    found = res.projects.get(code)
    if found is None or not res.project_active.holds(found):
        state = "finnes ikke" if found is None else "er ikke aktivt"
        raise Hold(
            f"Prosjekt {code} {state} i {po} (R6).",
            template_at if sub else k.where("fields", "project"),
            f"Kjør «grunndata apply» (grunndatasynk) først, eller rett prosjektnummeret i {sd}.",
        )
    entry[F["project"]] = code

    # The activity: the row's own, or the one carrying the machine's / goods' product (R10).
    if cfg["activity_by"] == "product":
        product = _text(value.get("product"))
        if product is None:
            raise Hold("Raden har ikke maskin- eller varenummer.", k.where("fields", "product"))
        activity = res.activity_by_product.get(product)
        if activity is None:
            known = "finnes som produkt" if product in res.products else "finnes ikke som produkt (R10)"
            raise Hold(
                f"Produkt {product} {known} i {po}, men ingen aktiv aktivitet har produktkode "
                f"{product}, så linjen har ingen aktivitet å føres på.",
                k.where("activity_by"),
                f"Opprett en aktivitet i {po} med produktkode {product}.",
            )
    else:
        code_a = _text(value.get("activity"))
        activity = res.activities.get(code_a) if code_a else None
        if activity is None:
            raise Hold(
                f"Aktiviteten «{code_a or ''}» finnes ikke (eller er inaktiv) i {po} (R6, R16).",
                k.where("fields", "activity"),
                f"Kjør «grunndata apply», eller legg aktiviteten inn for hånd i {po}.",
            )
    entry[F["activity"]] = activity.get("code")

    date = _text(value.get("date"))
    entry[F["date"]] = date[:10] if date else None
    amount = float(value.get("amount") or 0)
    target = cfg["amount_to"]
    scaled = amount * float(cfg["amount_factor"])
    entry[target] = round(scaled) if target == "minutes" else round(scaled, 4)
    comment = value.get("comment")
    if comment not in (None, ""):
        entry[F["comment"]] = str(comment)
    return entry


def _locked(k: KindRules, entry: dict[str, Any]) -> str | None:
    """The values that make a PowerOffice line locked (``locked``), or None when it is not."""
    rule = k.condition("locked")
    if rule.empty or not rule.holds(entry):
        return None
    return ", ".join(str(value_at(entry, f)) for f in rule.fields)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-6
    return (str(a) if a is not None else None) == (str(b) if b is not None else None)


def decide(
    k: KindRules, row: dict[str, Any], index: EntryIndex, res: Resolver, findings: dict, sub_code: tuple[str, str]
) -> Line | None:
    """What happens to one row. ``None``: nothing to do (not this kind's business, or done)."""
    kind, cfg = k.kind, k.cfg
    po, sd = res.po, res.sd
    ref = _format(cfg["reference"], id=row.get(cfg["source"]["id"]))
    attested = k.condition("qualify").holds(row)
    marker = k.condition("exported")
    exported = not marker.empty and marker.holds(row)  # {}: the source has no export marker
    current = index.current(ref)

    def line(op: str, fields: dict, reason: str, rule: str, **kw: Any) -> Line:
        kw.setdefault("reference", ref)
        return Line(op, kind, ref, fields, reason, rule, row=row, **kw)

    if not attested:
        if current is not None:
            n, entry = current
            return line(
                "report",
                {"entry": entry.get("id"), "reference": entry.get(F["reference"])},
                f"Raden er ikke lenger attestert i {sd}, men ble overført til {po} "
                f"({entry.get(F['reference'])}). Linjen i {po} slettes ikke: vurder den "
                f"der, og attester raden på nytt i {sd} om den skal stå.",
                k.where("qualify"),
            )
        return None
    try:
        body = build_entry(k, row, res, findings, sub_code)
    except Hold as held:
        if current is None and exported:
            return None  # sent earlier by someone else: not ours to judge
        fields: dict[str, Any] = {"row": {name: value_at(row, p) for name, p in cfg["fields"].items()}}
        if held.suggestion:
            fields["suggestion"] = held.suggestion
        reason = "Holdes tilbake: " + held.reason + (f" Forslag: {held.suggestion}" if held.suggestion else "")
        return line("hold", fields, reason, held.rule)
    body[F["reference"]] = ref
    marked_field = cfg["exported_reference"]
    if current is None:
        if exported:
            marked_as = value_at(row, marked_field) if marked_field else None
            if marked_as == ref:
                return line(
                    "report",
                    {"reference": ref},
                    f"Raden er merket som overført i {sd} ({ref}), men linjen finnes ikke i {po} "
                    f"(slettet der?). Den sendes ikke på nytt av seg selv: fjern merkingen i {sd} om den "
                    "skal sendes igjen.",
                    k.where("exported"),
                )
            return None  # exported by another integration: not a row for this one
        return line(
            "send",
            body,
            f"Attestert rad, ikke overført ennå: sendes til {po} som {ref}.",
            k.where("qualify"),
            body=body,
            mark=True,
        )
    n, entry = current
    amount_field = cfg["amount_to"]
    others = [f for f in cfg["new_line_when"] or [] if not _same(body.get(f), entry.get(f))]
    amount_changed = not _same(body.get(amount_field), entry.get(amount_field))
    entry_ref = entry.get(F["reference"]) or ref
    marked_as = value_at(row, marked_field) if marked_field else entry_ref
    if not others and not amount_changed:
        if exported and marked_as == entry_ref:
            return None
        return line(
            "mark",
            {"reference": entry_ref, "entry": entry.get("id")},
            f"Linjen finnes allerede i {po} ({entry_ref}), men raden er ikke merket som overført i "
            f"{sd} (avbrutt kjøring?): merkes nå, sendes ikke på nytt.",
            k.where("exported"),
            reference=entry_ref,
            entry_id=entry.get("id"),
            mark=True,
        )
    state = _locked(k, entry)
    if state is not None:
        touched = others + ([amount_field] if amount_changed else [])
        return line(
            "report",
            {f: {"before": entry.get(f), "after": body.get(f)} for f in touched},
            f"Raden er endret i {sd} etter overføringen, men linjen {entry_ref} er låst i {po} "
            f"({state}) og røres ikke. Rett den for hånd i {po} om endringen skal med.",
            k.where("locked"),
            reference=entry_ref,
            entry_id=entry.get("id"),
        )
    if others:
        new_ref = _format(cfg["new_line_reference"], reference=ref, n=n + 1)
        body[F["reference"]] = new_ref
        changed = {f: {"before": entry.get(f), "after": body.get(f)} for f in others}
        return line(
            "new_line",
            {**body, "changed": changed},
            f"Raden er endret i {sd} etter overføringen ({', '.join(others)}): endringen blir en ny linje "
            f"{new_ref}. Den gamle linjen {entry_ref} står urørt i {po}; slett den der om den ikke "
            "skal stå.",
            k.where("new_line_when"),
            reference=new_ref,
            body=body,
            mark=True,
        )
    return line(
        "update",
        {amount_field: {"before": entry.get(amount_field), "after": body.get(amount_field)}},
        f"Antallet er endret i {sd} etter overføringen: linjen {entry_ref} i {po} får nytt antall.",
        k.where("amount_to"),
        reference=entry_ref,
        entry_id=entry.get("id"),
        changes={amount_field: body.get(amount_field)},
        mark=not exported,
    )
