"""Overføring, the invoice half: the period's invoice bases (fakturagrunnlag) that become
PowerOffice sales order drafts, those held back grouped by reason, and *Send*."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from grunndata.console import backend_invoice
from grunndata.console.backend import Refusal
from grunndata.console.jobs import Job
from grunndata.console.plan_view import window_preview
from grunndata.console.web import post


def _money(line: dict[str, Any]) -> float:
    quantity = float(line.get("Quantity") or 0)
    price = float(line.get("ProductUnitPrice") or 0)
    allowance = float(line.get("Allowance") or 0)
    return quantity * price * (1 - allowance / 100)


def _basis_row(entry: Any) -> dict[str, Any]:
    fields = entry.fields or {}
    # A correction's ``lines`` are line actions, not order lines: its reason says what changes.
    lines = [line for line in fields.get("lines") or [] if isinstance(line, dict)] if entry.op == "send" else []
    return {
        "key": entry.key,
        "op": entry.op,
        "order": fields.get("order") or {},
        "lines": lines,
        "amount": sum(_money(line) for line in lines) if entry.op == "send" else None,
        "reason": entry.reason,
        "rule": entry.rule,
        "writes": len(entry.writes),
    }


def preview_context(plan: backend_invoice.InvoicePlan, page_number: int) -> dict[str, Any]:
    """Held bases grouped by the rule that holds them (one kind of problem each: project missing,
    inactive, customer, product), each basis with its own reason and suggestion."""
    held: dict[str, dict[str, Any]] = {}
    sends, others = [], []
    for entry in plan.entries:
        if entry.op == "hold":
            fields = entry.fields or {}
            problems = fields.get("problems") or []
            group = held.setdefault(entry.rule, {"rule": entry.rule, "bases": []})
            group["bases"].append(
                {
                    "key": entry.key,
                    "reason": problems[0]["reason"] if problems else entry.reason,
                    "suggestion": fields.get("suggestion"),
                    "more": len(problems) - 1,
                }
            )
        elif entry.op in ("send", "correct"):
            sends.append(_basis_row(entry))
        else:
            others.append(entry)
    return window_preview(
        plan, held.values(), "bases", others, sends, page_number, backend_invoice.invoice_digest(plan)
    )


def load(integration: Any, start: dt.date, end: dt.date, page_number: int) -> dict[str, Any]:
    """The invoice preview's context, or its refusal (the hours preview goes on without it)."""
    try:
        plan = backend_invoice.invoice_preview(integration.session(), integration.reach, start, end)
    except Refusal as exc:
        return {"refusal": exc}
    return {"refusal": None, **preview_context(plan, page_number)}


@post
async def send(request: Request) -> Response:
    from grunndata.console.pages.transfer import start_send  # transfer imports this module

    return await start_send(request, "invoice", backend_invoice.invoice_send)


def job_rows(job: Job) -> list[dict[str, Any]]:
    """Each invoice basis of the run and what became of its order."""
    return [
        {
            "op": b.op,
            "kind": "invoice",
            "target": "poweroffice",
            "key": b.key,
            "reason": b.reason,
            "outcome": b.outcome,
            "remote_id": b.order_id,
            "detail": "; ".join(b.details),
            "marked": None,
        }
        for b in backend_invoice.basis_outcomes(job.report)
    ]
