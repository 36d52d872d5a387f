"""How one SmartDok invoice basis becomes a PowerOffice sales order, or is held back (R24-R26).

Every choice is a rule of ``invoice:`` (rules/invoice.yaml) or a rule it shares with the sync:
the sub-project code (``projects.subproject_code``), the machine's product (R10,
``machines.fields.number``), which records count (``records``). The words of a hold are the
doctor's (:mod:`grunndata.engine.invoice_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grunndata.clients.salesorders import LINE_FIELDS as L
from grunndata.clients.salesorders import ORDER_FIELDS as O
from grunndata.engine import invoice_problems as problems
from grunndata.engine.invoice_problems import Problem
from grunndata.engine.mapping import key_text as text
from grunndata.engine.mapping import subproject_code
from grunndata.engine.model import Snapshot
from grunndata.rulebook.conditions import value_at


def _template(template: str, **values: Any) -> str:
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", "" if value is None else str(value))
    return out


@dataclass
class Hold(Exception):
    """The basis cannot become an order: every problem found, the first one leads."""

    found: list[tuple[Problem, str]]  # (problem, rule FILE:LINE)
    order: dict[str, Any] = field(default_factory=dict)  # as far as it could be made

    @property
    def first(self) -> tuple[Problem, str]:
        return self.found[0]


@dataclass
class Mapped:
    """A basis as a PowerOffice order: the body to send, and what a look-up is narrowed by."""

    reference: str
    order: dict[str, Any]
    line_refs: list[str] = field(default_factory=list)
    project: str | None = None
    customer: Any = None


class InvoiceMapper:
    """The snapshot indexed for mapping invoice bases (built once per run)."""

    def __init__(self, snapshot: Snapshot, rules: Any, prices: dict[Any, dict[tuple[str, str], float]] | None = None):
        self.rules = rules
        self.cfg: dict[str, Any] = rules.get("invoice") or {}
        self.po, self.sd = rules.system_name("poweroffice"), rules.system_name("smartdok")
        sd, po = snapshot.smartdok, snapshot.poweroffice
        self.prices = prices or {}
        self.sd_projects = {r.get("Id"): r for r in sd.get("Projects") or []}
        self.sd_subprojects = {r.get("Id"): r for r in sd.get("SubProjects") or []}
        number = rules.get("machines", "fields", "number") or {}
        self.machine_field: str = number.get("smartdok") or ""
        self.registers: dict[str, dict[str, dict]] = {
            "machine": {text(value_at(m, self.machine_field)) or "": m for m in sd.get("Machines") or []},
            "goods": {text(value_at(g, self.cfg["goods_number"])) or "": g for g in sd.get("Goods") or []},
            "activity": {text(a.get("Number")) or "": a for a in sd.get("WorkDescriptions") or []},
        }
        self.po_projects = {str(p.get("Code")): p for p in po.get("Projects") or []}
        self.project_active = rules.active("poweroffice", "Projects")
        customers = po.get("Customers") or []
        self.customers = problems.ProjectCustomers(
            po.get("Projects") or [], customers, rules.active("poweroffice", "Customers").split(customers)[0]
        )
        self.products = {str(p.get("Code")): p for p in po.get("Products") or []}
        self.product_active = rules.active("poweroffice", "Products")
        self.po_activities = {str(a.get("code")): a for a in po.get("TimeTracking/Activity") or []}
        self.sub_template = rules.get("projects", "subproject_code")

    def where(self, *path: Any) -> str:
        return self.rules.where("invoice", *path)

    # ---- the project, its customer -----------------------------------------------------------------
    def check_project(self, code: str, rule: str, found: list[tuple[Problem, str]]) -> dict[str, Any] | None:
        project = self.po_projects.get(code)
        if project is None:
            found.append((problems.project_missing(code, self.po), rule))
            return None
        if not self.project_active.holds(project):
            found.append(
                (
                    problems.project_inactive(code, self.po),
                    self.rules.where("records", "poweroffice", "Projects", "active_when"),
                )
            )
        return project

    def check_customer(
        self, code: str, project: dict[str, Any], basis_customer: str | None, found: list[tuple[Problem, str]]
    ) -> str | None:
        problem = self.customers.problem(code, project, basis_customer, self.po, self.sd)
        if problem is None:
            return basis_customer
        rule = {
            "customer_not_found": self.rules.where("records", "poweroffice", "Customers", "active_when"),
            "customer_unknown": self.where("fields", "customer"),
        }
        found.append((problem, rule.get(problem.kind, self.where("customer"))))
        return None

    # ---- the lines ---------------------------------------------------------------------------------
    def product_of(self, line: dict[str, Any]) -> tuple[str, str | None, dict | None, str]:
        """(kind, product code or None, the SmartDok record, rule) of a line (R25)."""
        fields = self.cfg["line_fields"]
        kind_of = self.cfg["line_types"] or {}
        line_type = text(value_at(line, fields["type"]))
        code = text(value_at(line, fields["code"]))
        if line_type in kind_of:
            kinds, rule, strict = [kind_of[line_type]], self.where("line_types", line_type), True
        else:
            kinds, rule, strict = list(self.cfg["fallback"] or []), self.where("fallback"), False
        for kind in kinds:
            if kind == "none" or code is None:
                return "none", None, None, rule
            record = self.registers[kind].get(code)
            if record is None and not strict:
                continue
            if kind == "activity":
                activity = self.po_activities.get(code)
                product = text(activity.get("productCode")) if activity else None
                return kind, product, record, rule
            return kind, code, record, rule
        return "none", None, None, rule

    def check_product(self, kind: str, code: str, rule: str, found: list[tuple[Problem, str]]) -> None:
        product = self.products.get(code)
        problem = problems.product_problem(
            kind, code, product, product is not None and self.product_active.holds(product), self.po, self.sd
        )
        if problem is not None:
            archived = problem.kind == "product_archived"
            found.append(
                (problem, self.rules.where("records", "poweroffice", "Products", "active_when") if archived else rule)
            )

    def price(
        self, line: dict[str, Any], kind: str, product: str | None, record: dict | None, project_id: Any
    ) -> float | None:
        for source in self.cfg["price"]["from"]:
            value: Any = None
            if source == "line":
                value = value_at(line, self.cfg["line_fields"]["price"])
            elif source == "project" and record is not None:
                value = self.prices.get(project_id, {}).get((kind, str(record.get("Id"))))
            elif source == "product" and product is not None:
                value = (self.products.get(product) or {}).get("UnitPrice")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return round(float(value), int(self.cfg["price"]["decimals"]))
        return None

    def subproject_code(self, project_number: str, sub_id: Any, found: list[tuple[Problem, str]]) -> str | None:
        sub = self.sd_subprojects.get(sub_id)
        number = text(sub.get("SubProjectNumber")) if sub else None
        if number is None:
            found.append(
                (
                    problems.project_missing(f"{project_number} (underprosjekt Id {sub_id} i {self.sd})", self.po),
                    self.where("line_fields", "subproject"),
                )
            )
            return None
        return subproject_code(self.sub_template, project_number, number)

    # ---- one basis ---------------------------------------------------------------------------------
    def reference(self, basis: dict[str, Any]) -> str:
        return _template(self.cfg["reference"], id=value_at(basis, self.cfg["fields"]["id"]))

    def map(self, basis: dict[str, Any]) -> Mapped:
        """The order ``basis`` becomes, or :class:`Hold` with every problem found."""
        cfg, f, lf = self.cfg, self.cfg["fields"], self.cfg["line_fields"]
        found: list[tuple[Problem, str]] = []
        basis_id = value_at(basis, f["id"])
        ref = self.reference(basis)
        sd_project = self.sd_projects.get(value_at(basis, f["project"]))
        number = text(sd_project.get("ProjectNumber")) if sd_project else None
        if number is None:
            found.append(
                (
                    problems.project_missing(f"(Id {value_at(basis, f['project'])} i {self.sd})", self.po),
                    self.where("fields", "project"),
                )
            )
            raise Hold(found, {O["reference"]: ref})
        subs = list(dict.fromkeys(value_at(basis, f["subprojects"]) or []))
        one_sub = subs[0] if len(subs) == 1 else None
        sub_rule = self.rules.where("projects", "subproject_code")
        header = self.subproject_code(number, one_sub, found) if one_sub is not None else number
        if header is None:
            raise Hold(found, {O["reference"]: ref, O["project"]: number})
        project = self.check_project(
            header, sub_rule if one_sub is not None else self.where("fields", "project"), found
        )
        customer = None
        if project is not None:
            customer = self.check_customer(header, project, self._customer_text(basis), found)
        lines, refs = [], []
        for i, line in enumerate(value_at(basis, f["lines"]) or []):
            kind, product, record, rule = self.product_of(line)
            if product is not None:
                self.check_product(kind, product, rule, found)
            line_ref = _template(cfg["line_reference"], id=basis_id, line=value_at(line, lf["id"]))
            body: dict[str, Any] = {L["reference"]: line_ref, L["sort"]: i}
            if product is not None:
                body[L["product"]] = product
            description = value_at(line, lf["description"])
            if text(description) is not None:
                body[L["description"]] = str(description)
            quantity = value_at(line, lf["quantity"])
            body[L["quantity"]] = round(float(quantity or 0), int(cfg["quantity_decimals"]))
            body[L["price"]] = self.price(line, kind, product, record, value_at(basis, f["project"]))
            discount = value_at(line, lf["discount"])
            body[L["allowance"]] = round(float(discount or 0) * float(cfg["discount_factor"]), 4)
            sub_id = value_at(line, lf["subproject"])
            if one_sub is None and sub_id is not None:
                code = self.subproject_code(number, sub_id, found)
                if code is not None:
                    self.check_project(code, sub_rule, found)
                    body[L["project"]] = code
            lines.append(body)
            refs.append(line_ref)
        date = text(value_at(basis, f["date"]))
        order = {
            O["customer"]: _as_number(customer),
            O["project"]: header,
            O["date"]: date[:10] if date else None,
            O["status"]: cfg["status"],
            O["reference"]: ref,
            O["lines"]: lines,
        }
        if found:
            raise Hold(found, {**order, O["customer"]: self._customer_text(basis)})
        return Mapped(ref, order, refs, header, _as_number(customer))

    def _customer_text(self, basis: dict[str, Any]) -> str | None:
        value = value_at(basis, self.cfg["fields"]["customer"])
        if value is None:
            return None
        value = str(value)
        return (value.strip() if self.cfg["customer"]["trim"] else value) or None


def _as_number(value: str | None) -> Any:
    """PowerOffice's customer numbers are integers; the text compared is sent as the number it is."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return value
