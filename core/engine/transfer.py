"""Transfers: attested SmartDok rows (hours, machine hours, goods) to PowerOffice, each exactly once.

The shared engine behind ``grunndata transfer``. Transfer plugins
(``grunndata_transfers``) only read their SmartDok rows for a date window and
mark a row as sent; everything else is a rule in the plugin's section of the
rule files (``rules/transfer.yaml``): which rows belong to the kind and
qualify, the field mapping, the ``externalImportReference`` format, the window
size, what counts as locked in PowerOffice, which doctor checks hold a row back.

Exactly once: every PowerOffice line carries a reference derived from the
SmartDok row's id, and PowerOffice refuses a second line with one reference.
A run first reads every line PowerOffice has; a row whose reference is there
is never sent again (only marked in SmartDok, if a crash came between the two
steps). A send whose answer was lost is looked up by its reference before
anything else happens. The journal records both steps per row.

PowerOffice's home for every kind is ``TimeTracking/TimeTrackingEntry`` (the
only documented resource that carries an import reference and lands on a
project's invoice basis); the adapter ``grunndata.clients.timetracking`` keeps
its paths and shapes in one place.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import string
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from grunndata.clients import timetracking as tt
from grunndata.engine.model import CheckContext, Snapshot
from grunndata.errors import GrunndataError

OPS = ("send", "update", "new_line", "mark", "hold", "report")
WRITES = ("send", "update", "new_line", "mark")
ENTRY = tt.ENTRY
F = tt.ENTRY_FIELDS  # the entry's field names, by meaning (the adapter's business)
ANY = "*"  # in ``select``/``qualify``: the field has a value


# ---- what a plugin offers ---------------------------------------------------------------------
class Transfer(Protocol):
    """One kind of row to transfer. ``name`` is the kind and the rule key of its section."""

    name: str
    order: int
    description: str

    async def read(self, ctx: TransferContext, start: dt.date, end: dt.date) -> list[dict]: ...

    async def mark(self, ctx: TransferContext, row: dict, reference: str) -> None: ...


@dataclass
class TransferContext:
    snapshot: Snapshot
    rules: Any
    config: Any
    smartdok: Any
    poweroffice: Any
    cache: dict[Any, Any] = field(default_factory=dict)

    def section(self, kind: str) -> dict[str, Any]:
        return self.rules.get(kind, default={}) or {}


async def read_source(ctx: TransferContext, kind: str, start: dt.date, end: dt.date) -> list[dict]:
    """The SmartDok rows the kind's ``source`` rule names, for one window (read once per run,
    so kinds sharing a resource, such as hours and machine hours, share the request)."""
    src = ctx.section(kind).get("source") or {}
    to = end.isoformat() + (f"T{src['to_time']}" if src.get("to_time") else "")
    params = {**(src.get("params") or {}), src.get("from_param", "fromDate"): start.isoformat(),
              src.get("to_param", "toDate"): to}
    key = ("source", src.get("resource"), tuple(sorted((k, str(v)) for k, v in params.items())))
    if key not in ctx.cache:
        ctx.cache[key] = asyncio.ensure_future(ctx.smartdok.list(src["resource"], params))
    return list(await ctx.cache[key])


# ---- the preview ------------------------------------------------------------------------------
@dataclass
class Line:
    """One line of the preview: what happens to one SmartDok row, why, and by which rule."""

    op: str
    kind: str
    key: str
    fields: dict[str, Any]
    reason: str
    rule: str
    # Not shown: what carrying the line out needs.
    row: dict[str, Any] = field(default_factory=dict, repr=False)
    reference: str = ""
    entry_id: Any = None
    body: dict[str, Any] | None = None
    changes: dict[str, Any] | None = None
    mark: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "kind": self.kind, "key": self.key, "fields": self.fields,
                "reason": self.reason, "rule": self.rule}

    @property
    def writes(self) -> bool:
        return self.op in WRITES


@dataclass
class TransferPlan:
    start: dt.date
    end: dt.date
    lines: list[Line]
    windows: list[tuple[dt.date, dt.date]]
    done: Counter = field(default_factory=Counter)  # rows already in PowerOffice and marked, per kind

    @property
    def writes(self) -> list[Line]:
        return [line for line in self.lines if line.writes]

    def summary(self) -> dict[str, Any]:
        counts = Counter(line.op for line in self.lines)
        out: dict[str, Any] = {op: counts.get(op, 0) for op in OPS}
        out["already_transferred"] = sum(self.done.values())
        out["total"] = len(self.lines)
        out["windows"] = [{"from": a.isoformat(), "to": b.isoformat()} for a, b in self.windows]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"period": {"from": self.start.isoformat(), "to": self.end.isoformat()},
                "lines": [line.to_json() for line in self.lines], "summary": self.summary()}


def windows(start: dt.date, end: dt.date, days: int) -> list[tuple[dt.date, dt.date]]:
    """``start``..``end`` (inclusive) in pieces of at most ``days`` days (SmartDok's 93-day limit)."""
    if end < start:
        raise GrunndataError(f"the period ends ({end}) before it starts ({start})")
    out, step = [], dt.timedelta(days=max(1, int(days)) - 1)
    while start <= end:
        stop = min(end, start + step)
        out.append((start, stop))
        start = stop + dt.timedelta(days=1)
    return out


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


async def preview(session: Any, conn: Any, start: dt.date, end: dt.date,
                  kinds: list[str] | None = None) -> tuple[TransferPlan, TransferContext]:
    """Read both systems and decide every line. Writes nothing."""
    from grunndata.engine.runner import read_snapshot

    snapshot, entries = await asyncio.gather(read_snapshot(conn), conn.poweroffice.list(ENTRY))
    ctx = TransferContext(snapshot=snapshot, rules=session.rules, config=session.config,
                          smartdok=conn.smartdok, poweroffice=conn.poweroffice)
    transfers = sorted((t for name, t in session.host.transfers.items() if kinds is None or name in kinds),
                       key=lambda t: (t.order, t.name))
    checks = {c for t in transfers for c in (ctx.section(t.name).get("hold_on") or {}).values()}
    findings = doctor_findings(session, snapshot, checks)
    res = Resolver(snapshot)
    where = session.rules.where
    lines: list[Line] = []
    done: Counter = Counter()
    all_windows: list[tuple[dt.date, dt.date]] = []
    for t in transfers:
        cfg = ctx.section(t.name)
        index = EntryIndex(entries, _revision_pattern(cfg.get("new_line_reference", "{reference}-{n}")))
        spans = windows(start, end, cfg.get("window_days", 93))
        all_windows = all_windows if len(all_windows) >= len(spans) else spans
        rows_by_window = await asyncio.gather(*(t.read(ctx, a, b) for a, b in spans))
        seen: set[Any] = set()
        id_field = (cfg.get("source") or {}).get("id", "Id")
        for rows in rows_by_window:
            for row in rows:
                if row.get(id_field) in seen or not _matches(row, cfg.get("select")):
                    continue
                seen.add(row.get(id_field))
                decided = decide(t.name, cfg, row, index, res, findings, where)
                if decided is None:
                    if index.current(_format(cfg.get("reference", ""), id=row.get(id_field))) is not None:
                        done[t.name] += 1
                    continue
                lines.append(decided)
    ctx.cache["transfers"] = {t.name: t for t in transfers}
    return TransferPlan(start, end, lines, all_windows, done), ctx


# ---- carrying it out --------------------------------------------------------------------------
@dataclass
class LineResult:
    line: Line
    status: str  # ok | recovered | failed | locked
    entry_id: Any = None
    marked: bool = False
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**self.line.to_json(), "reference": self.line.reference, "outcome": self.status,
                "remote_id": self.entry_id, "marked": self.marked, "detail": self.detail}


def _status(exc: Exception) -> int | None:
    return getattr(exc, "status", None) or getattr(exc, "status_code", None)


async def _find(po: Any, reference: str) -> dict | None:
    found = await po.find(ENTRY, **{F["reference"]: reference})
    return found[0] if found else None


async def _send_once(po: Any, line: Line) -> tuple[str, Any, str]:
    """Send, or find the line a lost answer (or an earlier run) already created."""
    try:
        created = await po.create(ENTRY, line.body, key=line.reference)
        return "ok", created.get("id"), ""
    except Exception as exc:
        if not (getattr(exc, "ambiguous", False) or _status(exc) == 409):
            raise
        found = await _find(po, line.reference)
        if found is not None:
            return "recovered", found.get("id"), "fantes allerede i PowerOffice (svaret gikk tapt): ikke sendt på nytt"
        if _status(exc) == 409:
            raise
        created = await po.create(ENTRY, line.body, key=line.reference)
        return "ok", created.get("id"), "sendt på nytt: den første forespørselen nådde aldri PowerOffice"


async def carry_out(plan: TransferPlan, ctx: TransferContext, *, journal: Any = None, run_id: int | None = None,
                    concurrency: int = 4, progress: Callable[[LineResult], None] | None = None) -> list[LineResult]:
    """Send, update and mark; one failed line does not stop the others."""
    transfers = ctx.cache.get("transfers") or {}
    gate = asyncio.Semaphore(concurrency)
    po = ctx.poweroffice

    async def one(seq: int, line: Line) -> LineResult:
        jrow = journal.line_started(run_id, seq, line) if journal is not None else None
        result = LineResult(line, "ok", line.entry_id)
        async with gate:
            try:
                if line.op in ("send", "new_line"):
                    result.status, result.entry_id, result.detail = await _send_once(po, line)
                elif line.op == "update":
                    try:
                        await po.update(ENTRY, line.entry_id, line.changes or {}, key=line.reference)
                    except Exception as exc:
                        if _status(exc) != 409:
                            raise
                        result.status, result.detail = "locked", ("linjen ble låst i PowerOffice etter "
                                                                  "forhåndsvisningen; ikke endret")
                if journal is not None and result.status != "locked":
                    journal.line_po_accepted(jrow, result.status, result.entry_id, result.detail)
                if line.mark and result.status != "locked":
                    await transfers[line.kind].mark(ctx, line.row, line.reference)
                    result.marked = True
                    if journal is not None:
                        journal.line_marked(jrow)
            except Exception as exc:  # reported per line; the batch goes on
                result.status = "failed"
                result.detail = str(exc) if isinstance(exc, GrunndataError) else f"{type(exc).__name__}: {exc}"
        if journal is not None:
            journal.line_done(jrow, result.status, result.entry_id, result.detail)
        if progress is not None:
            progress(result)
        return result

    writes = plan.writes
    return list(await asyncio.gather(*(one(i, line) for i, line in enumerate(writes))))


@dataclass
class TransferReport:
    plan: TransferPlan
    results: list[LineResult] = field(default_factory=list)
    run_id: int | None = None
    declined: bool = False

    @property
    def failed(self) -> list[LineResult]:
        return [r for r in self.results if r.status == "failed"]

    def summary(self) -> dict[str, Any]:
        counts = Counter(r.status for r in self.results)
        return {"planned_writes": len(self.plan.writes), "ok": counts.get("ok", 0),
                "recovered": counts.get("recovered", 0), "locked": counts.get("locked", 0),
                "failed": counts.get("failed", 0), "marked": sum(1 for r in self.results if r.marked),
                "held": sum(1 for line in self.plan.lines if line.op == "hold"),
                "reported": sum(1 for line in self.plan.lines if line.op == "report"),
                "declined": self.declined}

    def to_json(self) -> dict[str, Any]:
        return {**self.plan.to_json(), "run": self.run_id, "results": [r.to_json() for r in self.results],
                "outcome": self.summary()}


async def transfer(session: Any, conn: Any, start: dt.date, end: dt.date, *, journal: Any = None,
                   confirm: Callable[[TransferPlan], bool] | None = None,
                   on_plan: Callable[[TransferPlan], None] | None = None,
                   progress: Callable[[LineResult], None] | None = None) -> TransferReport:
    """Preview, confirm, carry out, journal: the whole of ``grunndata transfer``."""
    plan, ctx = await preview(session, conn, start, end)
    if on_plan is not None:
        on_plan(plan)
    report = TransferReport(plan)
    if not plan.writes:
        return report
    if confirm is not None and not confirm(plan):
        report.declined = True
        return report
    if journal is not None:
        from grunndata.engine.planner import config_hash

        report.run_id = journal.start_run(session.config.master, config_hash(session), f"{start}..{end}",
                                          kind="transfer")
    try:
        report.results = await carry_out(plan, ctx, journal=journal, run_id=report.run_id, progress=progress)
    finally:
        if journal is not None:
            status = "interrupted" if len(report.results) < len(plan.writes) else \
                ("failed" if report.failed else "ok")
            journal.finish_run(report.run_id, status, report.summary())
    return report


# ---- the rule section every transfer plugin owns ----------------------------------------------
def _prop(kind: str | list, description: str, default: Any, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "description": description, "default": default, **extra}


def _conditions(description: str, default: dict[str, Any]) -> dict[str, Any]:
    return _prop("object", description + " Verdien «null» betyr tomt felt, «*» betyr at feltet har en verdi, "
                 "en liste betyr én av verdiene.", default,
                 additionalProperties={"type": ["boolean", "string", "integer", "null", "array"],
                                       "description": "Verdien feltet må ha.", "default": True})


def section_schema(description: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema of one transfer kind's rule section; ``defaults`` are the plugin's shipped values."""
    d = defaults
    src = d.get("source", {})
    fields = d.get("fields", {})
    field_names = ("employee", "user", "date", "amount", "project", "subproject", "activity", "product",
                   "wage_name", "addition_code", "comment")
    meaning = {
        "employee": "Ansattnummeret (R3).", "user": "Brukerens Id, når raden ikke har ansattnummer selv.",
        "date": "Datoen.", "amount": "Antallet (timer eller mengde).", "project": "Prosjektnummeret (R6).",
        "subproject": "Underprosjektnummeret.", "activity": "Aktivitetskoden (R6).",
        "product": "Maskinens eller varens nummer: produktkoden i PowerOffice (R10).",
        "wage_name": "Lønnsartens navn: blir timearten med samme navn (R4).",
        "addition_code": "Tilleggets kode: lønnsarten i PowerOffice (R5).", "comment": "Kommentaren.",
    }
    props = {
        "window_days": _prop("integer", "Høyst så mange dager per spørring mot SmartDok (SmartDok tillater 93); "
                                        "en lengre periode deles opp.", d.get("window_days", 93), minimum=1),
        "source": _prop("object", "Hvor radene leses i SmartDok.", src, additionalProperties=False, properties={
            "resource": _prop("string", "Ressursen i SmartDok-API-et.", src.get("resource", "")),
            "id": _prop("string", "Feltet med radens id (grunnlaget for referansen).", src.get("id", "Id")),
            "from_param": _prop("string", "Spørreparameteren for fra-dato.", src.get("from_param", "fromDate")),
            "to_param": _prop("string", "Spørreparameteren for til-dato.", src.get("to_param", "toDate")),
            "to_time": _prop(["string", "null"], "Klokkeslett lagt til til-datoen (tomt: bare datoen).",
                             src.get("to_time")),
            "params": _prop("object", "Andre spørreparametre.", src.get("params", {}),
                            additionalProperties={"type": ["boolean", "string", "integer"], "default": "",
                                                  "description": "Verdien parameteren får."}),
        }),
        "select": _conditions("Hvilke rader som hører til denne typen.", d.get("select", {})),
        "qualify": _conditions("Hvilke rader som kan overføres (attestert).", d.get("qualify", {})),
        "exported": _conditions("Når en rad regnes som merket overført i SmartDok.", d.get("exported", {})),
        "exported_reference": _prop(["string", "null"], "Feltet i SmartDok som viser referansen raden ble "
                                                        "merket med (tomt: ingen slikt felt).",
                                    d.get("exported_reference")),
        "reference": _prop("string", "Referansen (externalImportReference) hver linje får i PowerOffice, laget av "
                                     "radens id: {id}. PowerOffice avviser en ny linje med samme referanse.",
                           d.get("reference", "")),
        "new_line_reference": _prop("string", "Referansen til en rettelse som blir ny linje: {reference} er den "
                                              "første referansen, {n} nummeret på rettelsen (2, 3, …).",
                                    d.get("new_line_reference", "{reference}-endring-{n}")),
        "fields": _prop("object", "Hvilket felt i SmartDok-raden som gir hva (punktum for felt inni felt).",
                        fields, additionalProperties=False,
                        properties={n: _prop("string", meaning[n], fields.get(n, "")) for n in field_names}),
        "addition_when": _prop("array", "Raden er et tillegg (R5) når ett av disse feltene er sant.",
                               d.get("addition_when", []), items={"type": "string", "default": "",
                                                                  "description": "Et felt i SmartDok-raden."}),
        "project_code": _prop("string", "Prosjektkoden i PowerOffice: {project}.", d.get("project_code", "{project}")),
        "subproject_code": _prop("string", "Koden til et underprosjekt i PowerOffice: {project} og {subproject}.",
                                 d.get("subproject_code", "{project}.{subproject}")),
        "activity_by": _prop("string", "«activity»: radens egen aktivitet; «product»: aktiviteten i PowerOffice "
                                       "som har produktkoden til maskinen eller varen.",
                             d.get("activity_by", "activity"), enum=["activity", "product"]),
        "amount_to": _prop("string", "Feltet i PowerOffice-linjen antallet går til: «minutes» (timer) eller "
                                     "«billableHours» (mengde).", d.get("amount_to", "minutes"),
                           enum=["minutes", "billableHours"]),
        "amount_factor": _prop("number", "Antallet ganges med dette (60: timer til minutter).",
                               d.get("amount_factor", 1)),
        "entry_defaults": _prop("object", "Faste verdier i hver linje.", d.get("entry_defaults", {}),
                                additionalProperties={"type": ["string", "integer", "number", "boolean"],
                                                      "default": "", "description": "Verdien feltet får."}),
        "new_line_when": _prop("array", "Endres ett av disse feltene etter overføringen, blir endringen en ny "
                                        "linje; endres bare antallet, oppdateres linjen.",
                               d.get("new_line_when", []), items={"type": "string", "default": "",
                                                                  "description": "Et felt i PowerOffice-linjen."}),
        "locked": _prop("object", "Når en linje i PowerOffice er låst (godkjent, utbetalt): da røres den aldri, "
                                  "bare rapporteres.", d.get("locked", {}),
                        additionalProperties={"type": "array", "default": [],
                                              "description": "Verdiene feltet har når linjen er låst.",
                                              "items": {"type": "string", "default": "",
                                                        "description": "En verdi."}}),
        "hold_on": _prop("object", "Hvilken doctor-sjekk (R3-R5) som holder tilbake en rad som ikke stemmer; "
                                   "meldingen og forslaget er doctorens.", d.get("hold_on", {}),
                         additionalProperties=False, properties={
                             n: _prop("string", f"Sjekken for {meaning[n][:-1].lower()}.",
                                      d.get("hold_on", {}).get(n, ""))
                             for n in ("employee", "wage_name", "addition_code")}),
    }
    return {"type": "object", "description": description, "default": d, "additionalProperties": False,
            "properties": props}
