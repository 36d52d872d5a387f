"""PowerOffice Go sales orders written: ``POST /SalesOrders/Complete``, the lines, and deleting an order.

Choices where the spec is silent (also in docs/SANDBOX.md):

* ``POST /v2/SalesOrders/Complete`` answers 201 with ``SalesOrderCompleteDto``. What PowerOffice
  checks on import is checked here: the customer (``CustomerId`` or ``CustomerNo``) and the
  project (``ProjectId`` or ``ProjectCode``) exist; a project with a customer refuses another
  customer with 400 "Customer connected to project is not the same as the customer stated in
  the API" (without a customer the order takes the project's); every line's product exists and
  is not archived, a line with a product has a ``Quantity``, ``Allowance`` is -1000..100; a
  second order with the same ``ExternalImportReference`` is 409. An order made through the API
  is ``IsCreatedByCurrentIntegration``. A line takes the order's project unless it names one,
  and the product's name and price unless it sets ``Description``/``ProductUnitPrice``.
* Lines: ``GET``/``POST /v2/SalesOrders/{id}/Lines``, ``GET``/``PATCH``/``DELETE
  /v2/SalesOrders/{id}/Lines/{lineId}``. A line's ``ExternalImportReference`` is unique within
  its order (409). A ``Confirmed`` order refuses every line change with 409.
* ``DELETE /v2/SalesOrders/{id}``: a draft is deleted (200); a confirmed order is 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import ApiError, canonical, empty, json_body, json_response
from grunndata.sandbox.json_patch import apply_patch
from grunndata.sandbox.po_base import PowerOfficeBase
from grunndata.sandbox.po_gateway import PO
from grunndata.sandbox.routing import handles, routes_of

KEY = "SalesOrders"
ORDER_IN = "SalesOrderCompletePostDto"
LINE_IN = "SalesOrderLinePostDto"
LINE_OUT = "SalesOrderLineDto"
CONFIRMED = "Confirmed"
WRONG_CUSTOMER = "Customer connected to project is not the same as the customer stated in the API"


class SalesOrders:
    def __init__(self, po: PowerOfficeBase):
        self.po = po

    # --- shaping ----------------------------------------------------------------------------
    def line_out(self, line: dict[str, Any]) -> dict[str, Any]:
        out = specs.shape(PO, LINE_OUT, line)
        out["NetAmount"] = _net(line)
        return out

    def complete_out(self, rec: dict[str, Any]) -> dict[str, Any]:
        out = self.po.sales_order_out(rec, "SalesOrderCompleteDto")
        out["SalesOrderLines"] = [self.line_out(line) for line in rec.get("SalesOrderLines") or []]
        return out

    # --- records ----------------------------------------------------------------------------
    def _order(self, request: Request) -> dict[str, Any]:
        order_id = _uuid(request.path_params["id"], "id")
        rec = self.po.found(KEY, order_id, "sales order")
        return rec

    @staticmethod
    def _open(order: dict[str, Any]) -> None:
        if (order.get("SalesOrderStatus") or "Draft") == CONFIRMED:
            raise ApiError(409, f"Sales order {order.get('SalesOrderNo')} is confirmed: its lines cannot be changed.")

    @staticmethod
    def _line(order: dict[str, Any], request: Request) -> dict[str, Any]:
        line_id = _uuid(request.path_params["lineId"], "lineId")
        line = next((x for x in order.get("SalesOrderLines") or [] if x.get("Id") == line_id), None)
        if line is None:
            raise ApiError(404, f"No line with id {line_id} on sales order {order.get('Id')}.")
        return line

    def _by_code(self, table: str, field: str, value: Any) -> dict[str, Any] | None:
        return next((r for r in self.po.rows(table) if str(r.get(field)) == str(value)), None)

    @staticmethod
    def _known(rec: dict[str, Any] | None, message: str, field: str | None = None) -> dict[str, Any]:
        """The record a body names, or a 400 (naming ``field`` in ``errors`` when given)."""
        if rec is None:
            raise ApiError(400, message, errors=None if field is None else {field: ["Not found."]})
        return rec

    def _customer(self, body: dict[str, Any]) -> dict[str, Any] | None:
        if body.get("CustomerId") is not None:
            return self._known(
                self.po.get("Customers", body["CustomerId"]),
                f"Customer with id {body['CustomerId']} was not found.",
                "CustomerId",
            )
        if body.get("CustomerNo") is not None:
            return self._known(
                self._by_code("Customers", "Number", body["CustomerNo"]),
                f"Customer with number {body['CustomerNo']} was not found.",
                "CustomerNo",
            )
        return None

    def _project(self, body: dict[str, Any], where: str = "") -> dict[str, Any] | None:
        if body.get("ProjectId") is not None:
            return self._known(
                self.po.get("Projects", body["ProjectId"]), f"{where}Project with id {body['ProjectId']} was not found."
            )
        if body.get("ProjectCode") not in (None, ""):
            return self._known(
                self._by_code("Projects", "Code", body["ProjectCode"]),
                f"{where}Project with code '{body['ProjectCode']}' was not found.",
                "ProjectCode",
            )
        return None

    def _checked_line(self, body: dict[str, Any], order: dict[str, Any], index: int | None) -> dict[str, Any]:
        """A line as stored: product and project resolved, the product's name and price inherited."""
        where = f"Line {index}: " if index is not None else ""
        line = {k: v for k, v in body.items() if v is not None}
        product = None
        if line.get("ProductId") is not None:
            product = self.po.get("Products", line["ProductId"])
        elif line.get("ProductCode") not in (None, ""):
            product = self._by_code("Products", "Code", line["ProductCode"])
        if product is None and (line.get("ProductId") is not None or line.get("ProductCode") not in (None, "")):
            raise ApiError(
                400,
                f"{where}Product with code '{line.get('ProductCode', line.get('ProductId'))}' was not found.",
                errors={"ProductCode": ["Not found."]},
            )
        if product is not None:
            if product.get("IsArchived"):
                raise ApiError(400, f"{where}Product '{product.get('Code')}' is archived.")
            if line.get("Quantity") is None:
                raise ApiError(
                    400,
                    f"{where}Quantity is required on a line with a product.",
                    errors={"Quantity": ["Required with a product."]},
                )
            line["ProductId"], line["ProductCode"] = product["Id"], product.get("Code")
            line.setdefault("Description", product.get("Name"))
            if line.get("ProductUnitPrice") is None and product.get("UnitPrice") is not None:
                line["ProductUnitPrice"] = product["UnitPrice"]
        allowance = line.get("Allowance")
        if allowance is not None and not -1000 <= allowance <= 100:
            raise ApiError(
                400, f"{where}Allowance must be between -1000 and 100.", errors={"Allowance": ["Out of range."]}
            )
        project = self._project(line, where) or self.po.get("Projects", order.get("ProjectId"))
        if project is not None:
            line["ProjectId"], line["ProjectCode"] = project["Id"], project["Code"]
        return line

    def _unique_line_reference(self, order: dict[str, Any], line: dict[str, Any], line_id: Any = None) -> None:
        ref = line.get("ExternalImportReference")
        if ref not in (None, "") and any(
            x.get("ExternalImportReference") == ref and x.get("Id") != line_id
            for x in order.get("SalesOrderLines") or []
        ):
            raise ApiError(409, f"A line with ExternalImportReference '{ref}' already exists on this sales order.")

    # --- endpoints --------------------------------------------------------------------------
    @handles("POST", "/v2/SalesOrders/Complete")
    async def create_complete(self, request: Request) -> Response:
        po = self.po
        raw = await json_body(request)
        body = canonical(raw, specs.properties(PO, ORDER_IN))
        lines_in = body.get("SalesOrderLines")
        if isinstance(lines_in, list):
            body["SalesOrderLines"] = [
                canonical(x, specs.properties(PO, LINE_IN)) if isinstance(x, dict) else x for x in lines_in
            ]
        po.check_types(ORDER_IN, body)
        with po.state.lock:
            ref = body.get("ExternalImportReference")
            if ref not in (None, "") and any(o.get("ExternalImportReference") == ref for o in po.rows(KEY)):
                raise ApiError(409, f"A sales order with ExternalImportReference '{ref}' already exists.")
            customer, project = self._customer(body), self._project(body)
            if project is not None and project.get("CustomerId") is not None:
                if customer is not None and customer["Id"] != project["CustomerId"]:
                    raise ApiError(400, WRONG_CUSTOMER)
                customer = customer or po.get("Customers", project["CustomerId"])
            if customer is None:
                raise ApiError(
                    400,
                    "The sales order needs a customer (CustomerId or CustomerNo).",
                    errors={"CustomerNo": ["Required."]},
                )
            order = {
                k: v for k, v in body.items() if v is not None and k in specs.properties(PO, "SalesOrderCompleteDto")
            }
            order.update(
                CustomerId=customer["Id"],
                IsCreatedByCurrentIntegration=True,
                SalesOrderStatus=body.get("SalesOrderStatus") or "Draft",
                SalesOrderNo=max([10000, *(int(o.get("SalesOrderNo") or 0) for o in po.rows(KEY))]) + 1,
            )
            order.pop("CustomerNo", None)
            order.pop("ProjectCode", None)
            if project is not None:
                order["ProjectId"] = project["Id"]
            lines: list[dict[str, Any]] = []
            for i, line_in in enumerate(body.get("SalesOrderLines") or []):
                line = self._checked_line(line_in, order, i)
                line.setdefault("SortOrder", i)
                self._unique_line_reference({"SalesOrderLines": lines}, line)
                lines.append(line)
            order["SalesOrderLines"] = lines
            stored = po.insert(KEY, order)
            for line in lines:
                line["Id"], line["SalesOrderId"] = str(uuid.uuid4()), stored["Id"]
            return json_response(
                self.complete_out(stored), 201, headers={"Location": f"/v2/SalesOrders/{stored['Id']}/Complete"}
            )

    @handles("GET", "/v2/SalesOrders/{id}/Complete")
    async def get_complete(self, request: Request) -> Response:
        with self.po.state.lock:
            return json_response(self.complete_out(self._order(request)))

    @handles("GET", "/v2/SalesOrders/{id}/Lines")
    async def list_lines(self, request: Request) -> Response:
        with self.po.state.lock:
            lines = self._order(request).get("SalesOrderLines") or []
            return json_response([self.line_out(x) for x in lines]) if lines else empty(204)

    @handles("GET", "/v2/SalesOrders/{id}/Lines/{lineId}")
    async def get_line(self, request: Request) -> Response:
        with self.po.state.lock:
            return json_response(self.line_out(self._line(self._order(request), request)))

    @handles("POST", "/v2/SalesOrders/{id}/Lines")
    async def add_line(self, request: Request) -> Response:
        po = self.po
        body = canonical(await json_body(request), specs.properties(PO, LINE_IN))
        po.check_types(LINE_IN, body)
        with po.state.lock:
            order = self._order(request)
            self._open(order)
            line = self._checked_line(body, order, None)
            self._unique_line_reference(order, line)
            lines = order.setdefault("SalesOrderLines", [])
            line.setdefault("SortOrder", len(lines))
            line["Id"], line["SalesOrderId"] = str(uuid.uuid4()), order["Id"]
            lines.append(line)
            po.touch(KEY, order)
            return json_response(self.line_out(line), 201)

    @handles("PATCH", "/v2/SalesOrders/{id}/Lines/{lineId}")
    async def patch_line(self, request: Request) -> Response:
        po = self.po
        ops = await po.patch_ops(request)
        with po.state.lock:
            order = self._order(request)
            line = self._line(order, request)
            self._open(order)
            fields = specs.properties(PO, LINE_IN)
            current = {k: line.get(k) for k in fields}
            new = apply_patch(current, ops, fields, case_insensitive=False)
            po.check_types(LINE_IN, {k: v for k, v in new.items() if v is not None})
            if new.get("ProductCode") != current.get("ProductCode") and new.get("ProductId") == current.get(
                "ProductId"
            ):
                new["ProductId"] = None  # a new code names a new product
            if new.get("ProjectCode") != current.get("ProjectCode") and new.get("ProjectId") == current.get(
                "ProjectId"
            ):
                new["ProjectId"] = None
            checked = self._checked_line(new, order, None)
            self._unique_line_reference(order, checked, line["Id"])
            keep = {"Id": line["Id"], "SalesOrderId": order["Id"]}
            line.clear()
            line.update({**checked, **keep})
            po.touch(KEY, order)
            return json_response(self.line_out(line))

    @handles("DELETE", "/v2/SalesOrders/{id}/Lines/{lineId}")
    async def delete_line(self, request: Request) -> Response:
        po = self.po
        with po.state.lock:
            order = self._order(request)
            line = self._line(order, request)
            self._open(order)
            order["SalesOrderLines"] = [x for x in order["SalesOrderLines"] if x is not line]
            po.touch(KEY, order)
            return empty(200)

    @handles("DELETE", "/v2/SalesOrders/{id}")
    async def delete_order(self, request: Request) -> Response:
        po = self.po
        with po.state.lock:
            order = self._order(request)
            if (order.get("SalesOrderStatus") or "Draft") == CONFIRMED:
                raise ApiError(409, f"Sales order {order.get('SalesOrderNo')} is confirmed and cannot be deleted.")
            po.delete(KEY, order["Id"])
            return empty(200)


def _net(line: dict[str, Any]) -> float:
    return round(
        (line.get("Quantity") or 0) * (line.get("ProductUnitPrice") or 0) * (1 - (line.get("Allowance") or 0) / 100), 2
    )


def _uuid(value: str, name: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise ApiError(
            400, f"The value '{value}' is not valid.", errors={name: [f"The value '{value}' is not valid."]}
        ) from None
    return value


def routes(po: PowerOfficeBase) -> list[Route]:
    return routes_of(SalesOrders(po))
