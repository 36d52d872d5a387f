"""SmartDok invoice bases (fakturagrunnlag), project prices, and the customer and goods registers.

Choices where the spec is silent (also in docs/SANDBOX.md):

* ``GET /Invoices?fromDate=&toDate=`` lists the invoice bases whose period (``DateFrom`` ..
  ``DateTo``) overlaps the asked period, compared by day; without a parameter that side is
  open. Drafts and credited bases are listed too (``IsDraft``, ``Credited`` say so). A bare
  array, each basis with its ``InvoiceLines``.
* ``GET /Projects/{id}/Prices`` answers ``{Count, Offset, TotalCount, Items}`` of the world's
  ``Prices`` for that project (``type`` filters by ``EntityType``); an unknown project is 404.
* ``GET /Customers`` lists every customer unless ``all=false`` (then ``active``, default
  true, decides); ``GET /Goods`` lists active goods only unless ``all=true`` (the spec's defaults).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import Query, json_response, parse_timestamp
from grunndata.sandbox.routing import handles, routes_of
from grunndata.sandbox.sd_base import SD, SmartDokBase, number_and_name, since


def _day(value: Any) -> dt.date | None:
    parsed = parse_timestamp(value)
    return parsed.date() if parsed is not None else None


class Invoices:
    def __init__(self, sd: SmartDokBase):
        self.sd = sd

    def invoice_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "InvoiceOutput", rec)
        out["InvoiceLines"] = [self.line_out(line) for line in rec.get("InvoiceLines") or []]
        if rec.get("TotalPrice") is None:
            out["TotalPrice"] = round(sum(line["Sum"] for line in out["InvoiceLines"]), 2)
        return out

    @staticmethod
    def line_out(line: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(SD, "InvoiceLineOutput", line)
        if line.get("Sum") is None:  # read only: the line's amount after its discount (a percentage)
            out["Sum"] = round(out["Quantity"] * out["Price"] * (1 - out["Discount"] / 100), 2)
        return out

    @handles("GET", "/Invoices")
    async def list_invoices(self, request: Request) -> Response:
        q = Query(request)
        start, end = q.timestamp("fromDate"), q.timestamp("toDate")
        first, last = (start.date() if start else None), (end.date() if end else None)

        def keep(inv: dict[str, Any]) -> bool:
            begins, ends = _day(inv.get("DateFrom")), _day(inv.get("DateTo"))
            return (first is None or (ends is not None and ends >= first)) and (
                last is None or (begins is not None and begins <= last)
            )

        with self.sd.state.lock:
            return json_response([self.invoice_out(inv) for inv in self.sd.rows("Invoices") if keep(inv)])

    @handles("GET", "/Invoices/{id}")
    async def get_invoice(self, request: Request) -> Response:
        return self.sd.one(request, "Invoices", self.invoice_out)

    @handles("GET", "/Projects/{id}/Prices")
    async def project_prices(self, request: Request) -> Response:
        q = Query(request)
        kind = q.choice("type", ("Activity", "Machine", "Goods", "Wage"))
        project_id = self.sd.int_id(request)
        with self.sd.state.lock:
            self.sd.found("Projects", project_id)
            return self.sd.wrapped(
                [
                    specs.shape(SD, "PriceOutput", p)
                    for p in self.sd.rows("Prices")
                    if p.get("ProjectId") == project_id and (kind is None or p.get("EntityType") == kind)
                ]
            )

    @handles("GET", "/Customers")
    async def list_customers(self, request: Request) -> Response:
        q = Query(request)
        keep = self.sd.active_filter(q, True, True, lambda r: bool(r.get("IsActive")))
        named = number_and_name(q, "customerNumber", "customerName", "CustomerNumber", "CustomerName")
        updated = q.timestamp("updatedSince")
        with self.sd.state.lock:
            return self.sd.wrapped(
                [
                    specs.shape(SD, "CustomerOutput", c)
                    for c in self.sd.rows("Customers")
                    if keep(c) and named(c) and since(c.get("Updated"), updated)
                ]
            )

    @handles("GET", "/Goods")
    async def list_goods(self, request: Request) -> Response:
        q = Query(request)
        keep = self.sd.active_filter(q, False, True, lambda r: bool(r.get("IsActive")))
        named = number_and_name(q, "goodsNumber", "goodsName")
        with self.sd.state.lock:
            return self.sd.wrapped(
                [specs.shape(SD, "GoodsOutputBase", g) for g in self.sd.rows("Goods") if keep(g) and named(g)]
            )

    @handles("GET", "/Goods/{id}")
    async def get_goods(self, request: Request) -> Response:
        return self.sd.one(request, "Goods", lambda rec: specs.shape(SD, "GoodsOutputBase", rec))


def routes(sd: SmartDokBase) -> list[Route]:
    return routes_of(Invoices(sd))
