"""What happens to one invoice basis: sent, brought in line, held back, reported, or nothing (R24-R27).

"Sent before" is what PowerOffice holds (the drafts and confirmed orders this integration made,
by reference) or what the journal records (orders that have since become invoices are no longer
listed). A basis unchanged since its last successful write needs no look at its order; a changed
one is compared with the order as it is now: a draft is brought in line line by line, a
confirmed or invoiced order is reported for a person. A credited basis is reported, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grunndata.clients.salesorders import LINE_FIELDS as L
from grunndata.clients.salesorders import ORDER_FIELDS as O
from grunndata.engine.invoice_map import Hold, InvoiceMapper, Mapped, text
from grunndata.engine.invoice_plan import Entry, Write, digest

DRAFT = "Draft"
COMPARED = ("product", "description", "quantity", "price", "allowance", "project")
HEADER = ("customer", "project", "date")


@dataclass(frozen=True)
class Known:
    """What the journal knows of one basis: whether its order was created, and the digest of the order
    as the last run wrote it when every write of that run succeeded (else None: look at the order);
    ``last_good``: the same of the last run whose writes all succeeded."""

    sent: bool = False
    order_id: Any = None
    digest: str | None = None
    last_good: str | None = None


def header(order: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in order.items() if k != O["lines"]}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-6
    return text(a) == text(b)


class Decider:
    def __init__(self, mapper: InvoiceMapper):
        self.m = mapper
        self.po, self.sd = mapper.po, mapper.sd

    def where(self, *path: Any) -> str:
        return self.m.where(*path)

    # ---- an order never sent ------------------------------------------------------------------------
    def send(self, mapped: Mapped, retried: bool) -> Entry:
        order = mapped.order
        ref = mapped.reference
        lines = order[O["lines"]]
        again = (
            f" Et tidligere forsøk ble ikke fullført, og {self.po} har ingen ordre med referansen: den sendes nå."
            if retried
            else ""
        )
        reason = f"Ferdig fakturagrunnlag, ikke overført ennå: blir ordreutkast i {self.po} som {ref}.{again}"
        write = Write(
            "create",
            ref,
            ref,
            {"order": header(order), "lines": lines},
            reason,
            self.where("qualify"),
            body=order,
            digest=digest(order),
            narrow={"project": mapped.project, "customer": mapped.customer},
        )
        return Entry(
            "send", ref, {"order": header(order), "lines": lines}, reason, self.where("qualify"), writes=[write]
        )

    # ---- held back ---------------------------------------------------------------------------------
    def hold(self, ref: str, held: Hold) -> Entry:
        problem, rule = held.first
        reason = (
            "Holdes tilbake: " + problem.message + (f" Forslag: {problem.suggestion}" if problem.suggestion else "")
        )
        fields: dict[str, Any] = {
            "order": header(held.order),
            "lines": held.order.get(O["lines"], []),
            "problems": [{"reason": p.message, "suggestion": p.suggestion, "rule": r} for p, r in held.found],
        }
        if problem.suggestion:
            fields["suggestion"] = problem.suggestion
        return Entry("hold", ref, fields, reason, rule)

    # ---- for a person ------------------------------------------------------------------------------
    def report(
        self,
        ref: str,
        reason: str,
        rule: str,
        order: dict[str, Any] | None = None,
        lines: list[dict[str, Any]] | None = None,
    ) -> Entry:
        return Entry("report", ref, {"order": order or {O["reference"]: ref}, "lines": lines or []}, reason, rule)

    def credited(self, ref: str, po_order: dict[str, Any] | None) -> Entry:
        where = (
            f"ordre {po_order.get(O['number'])} i {self.po}" if po_order else f"en ordre i {self.po} som er fakturert"
        )
        return self.report(
            ref,
            f"Fakturagrunnlaget er kreditert i {self.sd} etter at det ble overført ({where}). "
            f"Ordren slettes ikke og krediteres ikke automatisk: lag en kreditnota for hånd i "
            f"{self.po} om det skal krediteres (R27).",
            self.where("credited"),
            header(po_order) if po_order else None,
        )

    def no_longer_qualifies(self, ref: str, po_order: dict[str, Any] | None) -> Entry:
        return self.report(
            ref,
            f"Fakturagrunnlaget er overført til {self.po}, men er ikke lenger ferdig i {self.sd} "
            f"(f.eks. et utkast igjen). Ordren røres ikke: sjekk den i {self.po} (R27).",
            self.where("qualify"),
            header(po_order) if po_order else None,
        )

    def invoiced_and_changed(self, ref: str) -> Entry:
        return self.report(
            ref,
            f"Fakturagrunnlaget er endret i {self.sd} etter at ordren ble fakturert (eller "
            f"slettet) i {self.po}. Endringen overføres ikke: rett fakturaen for hånd, f.eks. med "
            f"en kreditnota (R27).",
            self.where("reference"),
        )

    def held_but_sent(self, ref: str, held: Hold) -> Entry:
        problem, rule = held.first
        return self.report(
            ref,
            f"Fakturagrunnlaget er overført til {self.po}, men kan ikke sammenlignes med ordren "
            f"nå: {problem.message} Ordren røres ikke.",
            rule,
        )

    # ---- an order there already: compare ------------------------------------------------------------
    def compare(self, mapped: Mapped, po_order: dict[str, Any]) -> Entry | None:
        """The changes that bring ``po_order`` (read with its lines) in line with ``mapped``; None when in step."""
        ref = mapped.reference
        want = mapped.order
        have_lines = {x.get(L["reference"]): x for x in po_order.get(O["lines"]) or [] if x.get(L["reference"])}
        changes: list[Write] = []
        order_id = po_order.get(O["id"])
        new_digest = digest(want)
        rule = self.where("line_reference")
        for line in want[O["lines"]]:
            line_ref = line[L["reference"]]
            have = have_lines.pop(line_ref, None)
            if have is None:
                changes.append(
                    Write(
                        "add_line",
                        ref,
                        line_ref,
                        line,
                        f"Linjen {line_ref} er lagt til i fakturagrunnlaget i {self.sd}: legges til på ordren.",
                        rule,
                        order_id=order_id,
                        body=line,
                        digest=new_digest,
                    )
                )
                continue
            diff = self._line_diff(line, have, want[O["project"]])
            if diff:
                names = ", ".join(diff)
                changes.append(
                    Write(
                        "update_line",
                        ref,
                        line_ref,
                        {k: v for k, v in diff.items()},
                        f"Linjen {line_ref} er endret i {self.sd} ({names}): rettes på ordren.",
                        rule,
                        order_id=order_id,
                        line_id=have.get(L["id"]),
                        digest=new_digest,
                        changes={k: v["after"] for k, v in diff.items()},
                    )
                )
        prefix = ref + "-"
        for line_ref, have in have_lines.items():
            if str(line_ref).startswith(prefix):  # ours; a line a person added has no such reference
                changes.append(
                    Write(
                        "delete_line",
                        ref,
                        line_ref,
                        {L["description"]: have.get(L["description"])},
                        f"Linjen {line_ref} finnes ikke lenger i fakturagrunnlaget i {self.sd}: fjernes fra ordren.",
                        rule,
                        order_id=order_id,
                        line_id=have.get(L["id"]),
                        digest=new_digest,
                    )
                )
        head = {
            O[k]: {"before": po_order.get(O[k]), "after": want[O[k]]}
            for k in HEADER
            if not _same(str(po_order.get(O[k]) or "")[:10] if k == "date" else po_order.get(O[k]), want[O[k]])
        }
        if not changes and not head:
            return None
        number = po_order.get(O["number"])
        lines = [{"op": w.op, "reference": w.reference, "fields": w.fields, "reason": w.reason} for w in changes]
        fields = {"order": {**header(want), O["id"]: order_id, O["number"]: number, "changed": head}, "lines": lines}
        head_note = (
            f" Ordrehodet ({', '.join(head)}) rettes ikke automatisk: rett det for hånd i {self.po}." if head else ""
        )
        status = po_order.get(O["status"]) or DRAFT
        if status != DRAFT:
            return Entry(
                "report",
                ref,
                fields,
                f"Fakturagrunnlaget er endret i {self.sd} etter overføringen, men ordre {number} er "
                f"{status} i {self.po} og røres ikke: rett den for hånd om endringen skal med (R27)." + head_note,
                self.where("status"),
            )
        if not changes:
            return Entry(
                "report",
                ref,
                fields,
                f"Fakturagrunnlaget er endret i {self.sd} etter overføringen." + head_note,
                self.where("reference"),
            )
        return Entry(
            "correct",
            ref,
            fields,
            f"Fakturagrunnlaget er endret i {self.sd} etter overføringen; ordre {number} er fortsatt et "
            f"utkast i {self.po}: {len(changes)} linjeendringer bringer den i samsvar (R27)." + head_note,
            self.where("line_reference"),
            writes=changes,
        )

    def _line_diff(self, want: dict[str, Any], have: dict[str, Any], order_project: Any) -> dict[str, Any]:
        diff: dict[str, Any] = {}
        for meaning in COMPARED:
            name = L[meaning]
            after = want.get(name)
            before = have.get(name)
            if meaning == "project":
                after = after or order_project
            if meaning == "description" and after is None:
                continue  # PowerOffice shows the product's name: nothing of ours to compare
            if meaning == "price" and after is None:
                continue
            if meaning == "allowance":
                before, after = before or 0, after or 0
            if not _same(before, after):
                diff[name] = {"before": before, "after": after}
        return diff
