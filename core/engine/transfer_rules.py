"""How one SmartDok row becomes a PowerOffice line, or is held back, by the transfer rules."""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any, Callable

from grunndata.engine.model import CheckContext, Snapshot
from grunndata.engine.transfer_plan import ANY, F, Line
from grunndata.clients import timetracking as tt

def _get(row: dict[str, Any], path: str | None) -> Any:
    if not path:
        return None
    node: Any = row
    for part in str(path).split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _matches(row: dict[str, Any], conditions: dict[str, Any] | None) -> bool:
    """Every field has the value the rule gives (``null``: empty; ``"*"``: any value)."""
    for name, wanted in (conditions or {}).items():
        have = _get(row, name)
        if wanted is None:
            if have not in (None, "", 0):
                return False
        elif wanted == ANY:
            if have in (None, "", 0):
                return False
        elif isinstance(wanted, list):
            if have not in wanted:
                return False
        elif isinstance(wanted, bool):
            if bool(have) != wanted:
                return False
        elif have != wanted:
            return False
    return True


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
    rx = "".join("(?P<reference>.+)" if p == "{reference}" else "(?P<n>\\d+)" if p == "{n}" else re.escape(p)
                 for p in parts)
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
    """PowerOffice's master data, indexed for mapping rows (built once per run)."""

    def __init__(self, snapshot: Snapshot):
        po, sd = snapshot.poweroffice, snapshot.smartdok
        self.employees = {_text(e.get("Number")): e for e in po.get("Employees") or []
                          if not e.get("IsArchived")}
        hour_types = [h for h in po.get(tt.HOUR_TYPE) or [] if h.get("isActive", True)]
        self.hour_type_by_name = {str(h.get("description")): h for h in hour_types}
        self.hour_type_by_pay_item = {_text(h.get("payItemCode")): h for h in hour_types if h.get("payItemCode")}
        self.projects = {str(p.get("Code")): p for p in po.get("Projects") or []}
        activities = [a for a in po.get(tt.ACTIVITY) or [] if a.get("isActive", True)]
        self.activities = {str(a.get("code")): a for a in activities}
        self.activity_by_product = {}
        for a in activities:
            if a.get("productCode"):
                self.activity_by_product.setdefault(str(a["productCode"]), a)
        self.products = {str(p.get("Code")): p for p in po.get("Products") or [] if not p.get("IsArchived")}
        self.users = {str(u.get("Id")): u for u in sd.get("Users") or []}


@dataclass
class Hold(Exception):
    reason: str
    rule: str
    suggestion: str | None = None


def build_entry(kind: str, cfg: dict[str, Any], row: dict[str, Any], res: Resolver,
                findings: dict[tuple[str, str], Any], where: Callable[..., str]) -> dict[str, Any]:
    """The PowerOffice line a row maps to, or :class:`Hold` with the doctor's reason."""
    fields = cfg.get("fields") or {}
    hold_on = cfg.get("hold_on") or {}
    value = {name: _get(row, path) for name, path in fields.items()}

    def finding(meaning: str, key: str | None) -> None:
        check = hold_on.get(meaning)
        if not check or key is None:
            return
        for k in (key, key.strip()):
            f = findings.get((check, k))
            if f is not None:
                raise Hold(f.message, where(kind, "hold_on", meaning), f.suggestion)

    # R3: the employee, by number (through the SmartDok user where the row names only the user).
    number = _text(value.get("employee"))
    if number is None and value.get("user") is not None:
        user = res.users.get(str(value["user"]))
        number = _text(user.get("EmployeeNo")) if user else None
    raw_number = value.get("employee") if value.get("employee") is not None else number
    if number is None:
        raise Hold("Raden har ikke ansattnummer, så den kan ikke knyttes til en ansatt i PowerOffice (R3).",
                   where(kind, "fields", "employee"), "Gi brukeren i SmartDok ansattnummeret den ansatte har i "
                                                      "PowerOffice.")
    finding("employee", str(raw_number))
    if number not in res.employees:
        raise Hold(f"Ansattnummer {number} finnes ikke blant de aktive ansatte i PowerOffice (R3).",
                   where(kind, "hold_on", "employee"),
                   f"Opprett den ansatte med ansattnummer {number} i PowerOffice, eller rett nummeret i SmartDok.")

    entry: dict[str, Any] = dict(cfg.get("entry_defaults") or {})
    entry[F["employee"]] = number

    # R4/R5: the hour type, by the wage's name, or by the addition's code (its pay item).
    is_addition = any(bool(_get(row, f)) for f in cfg.get("addition_when") or [])
    if is_addition:
        code = _text(value.get("addition_code"))
        finding("addition_code", code)
        hour_type = res.hour_type_by_pay_item.get(code)
        if hour_type is None:
            raise Hold(f"Tillegget med kode «{code}» har ingen timeart i PowerOffice som peker på lønnsarten "
                       f"«{code}», så tillegget kan ikke overføres (R5).", where(kind, "hold_on", "addition_code"),
                       f"Opprett en timeart i PowerOffice med lønnsart «{code}», eller rett koden i SmartDok.")
        entry[F["hour_type"]] = hour_type.get("code")
    elif "wage_name" in fields:
        name = value.get("wage_name")
        if name not in (None, ""):
            finding("wage_name", str(name))
            hour_type = res.hour_type_by_name.get(str(name))
            if hour_type is None:
                raise Hold(f"Lønnsarten «{name}» har ingen aktiv timeart med nøyaktig samme navn i PowerOffice "
                           "(R4).",
                           where(kind, "hold_on", "wage_name"),
                           f"Opprett timearten «{name}» i PowerOffice, eller gi lønnsarten navnet til en timeart "
                           "som finnes.")
            entry[F["hour_type"]] = hour_type.get("code")

    # R6: the project (sub-project as <parent>.<sub>), by number only.
    project, sub = _text(value.get("project")), _text(value.get("subproject"))
    if project is None:
        raise Hold("Raden har ikke prosjektnummer.", where(kind, "fields", "project"))
    template = cfg.get("subproject_code") if sub else cfg.get("project_code")
    code = _format(template or "{project}", project=project, subproject=sub)
    found = res.projects.get(code)
    if found is None or found.get("IsActive") is False:
        state = "finnes ikke" if found is None else "er ikke aktivt"
        raise Hold(f"Prosjekt {code} {state} i PowerOffice (R6).", where(kind, "subproject_code" if sub else
                                                                          "project_code"),
                   "Kjør «grunndata apply» (grunndatasynk) først, eller rett prosjektnummeret i SmartDok.")
    entry[F["project"]] = code

    # The activity: the row's own, or the one carrying the machine's / goods' product (R10).
    if cfg.get("activity_by") == "product":
        product = _text(value.get("product"))
        if product is None:
            raise Hold("Raden har ikke maskin- eller varenummer.", where(kind, "fields", "product"))
        activity = res.activity_by_product.get(product)
        if activity is None:
            known = "finnes som produkt" if product in res.products else "finnes ikke som produkt (R10)"
            raise Hold(f"Produkt {product} {known} i PowerOffice, men ingen aktiv aktivitet har produktkode "
                       f"{product}, så linjen har ingen aktivitet å føres på.", where(kind, "activity_by"),
                       f"Opprett en aktivitet i PowerOffice med produktkode {product}.")
    else:
        code_a = _text(value.get("activity"))
        activity = res.activities.get(code_a) if code_a else None
        if activity is None:
            raise Hold(f"Aktiviteten «{code_a or ''}» finnes ikke (eller er inaktiv) i PowerOffice (R6, R16).",
                       where(kind, "fields", "activity"),
                       "Kjør «grunndata apply», eller legg aktiviteten inn for hånd i PowerOffice.")
    entry[F["activity"]] = activity.get("code")

    date = _text(value.get("date"))
    entry[F["date"]] = date[:10] if date else None
    amount = float(value.get("amount") or 0)
    target = cfg.get("amount_to", "minutes")
    scaled = amount * float(cfg.get("amount_factor", 1))
    entry[target] = int(round(scaled)) if target == "minutes" else round(scaled, 4)
    comment = value.get("comment")
    if comment not in (None, ""):
        entry[F["comment"]] = str(comment)
    return entry


def _locked(entry: dict[str, Any], rule: dict[str, Any]) -> str | None:
    for name, values in (rule or {}).items():
        have = entry.get(name)
        if have in (values if isinstance(values, list) else [values]):
            return str(have)
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-6
    return (str(a) if a is not None else None) == (str(b) if b is not None else None)


def decide(kind: str, cfg: dict[str, Any], row: dict[str, Any], index: EntryIndex, res: Resolver,
           findings: dict, where: Callable[..., str]) -> Line | None:
    """What happens to one row. ``None``: nothing to do (not this kind's business, or done)."""
    src = cfg.get("source") or {}
    row_id = row.get(src.get("id", "Id"))
    ref = _format(cfg.get("reference", kind + "-{id}"), id=row_id)
    attested = _matches(row, cfg.get("qualify"))
    exported = _matches(row, cfg.get("exported")) if cfg.get("exported") else False
    current = index.current(ref)

    def line(op: str, fields: dict, reason: str, rule: str, **kw: Any) -> Line:
        kw.setdefault("reference", ref)
        return Line(op, kind, ref, fields, reason, rule, row=row, **kw)

    if not attested:
        if current is not None:
            n, entry = current
            return line("report", {"entry": entry.get("id"), "reference": entry.get(F["reference"])},
                        f"Raden er ikke lenger attestert i SmartDok, men ble overført til PowerOffice "
                        f"({entry.get(F['reference'])}). Linjen i PowerOffice slettes ikke: vurder den "
                        "der, og attester raden på nytt i SmartDok om den skal stå.", where(kind, "qualify"))
        return None
    try:
        body = build_entry(kind, cfg, row, res, findings, where)
    except Hold as held:
        if current is None and exported:
            return None  # sent earlier by someone else: not ours to judge
        fields = {"row": {k: _get(row, p) for k, p in (cfg.get("fields") or {}).items()}}
        if held.suggestion:
            fields["suggestion"] = held.suggestion
        reason = "Holdes tilbake: " + held.reason + (f" Forslag: {held.suggestion}" if held.suggestion else "")
        return line("hold", fields, reason, held.rule)
    body[F["reference"]] = ref
    if current is None:
        if exported:
            marked_as = _get(row, cfg.get("exported_reference")) if cfg.get("exported_reference") else None
            if marked_as == ref:
                return line("report", {"reference": ref},
                            f"Raden er merket som overført i SmartDok ({ref}), men linjen finnes ikke i PowerOffice "
                            "(slettet der?). Den sendes ikke på nytt av seg selv: fjern merkingen i SmartDok om den "
                            "skal sendes igjen.", where(kind, "exported"))
            return None  # exported by another integration: not a row for this one
        return line("send", body, f"Attestert rad, ikke overført ennå: sendes til PowerOffice som {ref}.",
                    where(kind, "qualify"), body=body, mark=True)
    n, entry = current
    amount_field = cfg.get("amount_to", "minutes")
    others = [f for f in cfg.get("new_line_when") or [] if not _same(body.get(f), entry.get(f))]
    amount_changed = not _same(body.get(amount_field), entry.get(amount_field))
    entry_ref = entry.get(F["reference"]) or ref
    marked_as = _get(row, cfg["exported_reference"]) if cfg.get("exported_reference") else entry_ref
    if not others and not amount_changed:
        if exported and marked_as == entry_ref:
            return None
        return line("mark", {"reference": entry_ref, "entry": entry.get("id")},
                    f"Linjen finnes allerede i PowerOffice ({entry_ref}), men raden er ikke merket som overført i "
                    "SmartDok (avbrutt kjøring?): merkes nå, sendes ikke på nytt.", where(kind, "exported"),
                    reference=entry_ref, entry_id=entry.get("id"), mark=True)
    state = _locked(entry, cfg.get("locked") or {})
    if state is not None:
        changed = others + ([amount_field] if amount_changed else [])
        return line("report", {f: {"before": entry.get(f), "after": body.get(f)} for f in changed},
                    f"Raden er endret i SmartDok etter overføringen, men linjen {entry_ref} er låst i PowerOffice "
                    f"({state}) og røres ikke. Rett den for hånd i PowerOffice om endringen skal med.",
                    where(kind, "locked"), reference=entry_ref, entry_id=entry.get("id"))
    if others:
        new_ref = _format(cfg.get("new_line_reference", "{reference}-{n}"), reference=ref, n=n + 1)
        body[F["reference"]] = new_ref
        changed = {f: {"before": entry.get(f), "after": body.get(f)} for f in others}
        return line("new_line", {**body, "changed": changed},
                    f"Raden er endret i SmartDok etter overføringen ({', '.join(others)}): endringen blir en ny linje "
                    f"{new_ref}. Den gamle linjen {entry_ref} står urørt i PowerOffice; slett den der om den ikke "
                    "skal stå.", where(kind, "new_line_when"), reference=new_ref, body=body, mark=True)
    return line("update", {amount_field: {"before": entry.get(amount_field), "after": body.get(amount_field)}},
                f"Antallet er endret i SmartDok etter overføringen: linjen {entry_ref} i PowerOffice får "
                "nytt antall.",
                where(kind, "amount_to"), reference=entry_ref, entry_id=entry.get("id"),
                changes={amount_field: body.get(amount_field)}, mark=not exported)
