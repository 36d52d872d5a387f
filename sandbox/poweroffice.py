"""PowerOffice Go v2 emulator: the ASGI app, put together from its parts.

* :mod:`grunndata.sandbox.po_gateway`: subscription key, rate limit, token check, error bodies.
* :mod:`grunndata.sandbox.po_base`: records, paging, shaping, ``POST /OAuth/Token``.
* :mod:`grunndata.sandbox.po_lists`: lists with filters and single records.
* :mod:`grunndata.sandbox.po_writes`: projects and products written.
* :mod:`grunndata.sandbox.po_departments`: departments written.
* :mod:`grunndata.sandbox.po_salesorders`: sales orders and their lines written.
* :mod:`grunndata.sandbox.po_timetracking`: the time-tracking resources (v1 shapes).

Faithful to the v2 spec in ``contracts/`` and to the quirks in the contracts README;
the choices where the spec is silent are in ``docs/SANDBOX.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import po_departments, po_lists, po_salesorders, po_timetracking, po_writes
from grunndata.sandbox.common import ApiError
from grunndata.sandbox.control import ControlApp, Vendor, emulator_app
from grunndata.sandbox.po_base import PowerOfficeBase
from grunndata.sandbox.po_gateway import PO, TOKEN_PATH, Gate, gateway_error, phrase, problem, render_fault

if TYPE_CHECKING:
    from grunndata.sandbox.state import State


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return problem(exc.status, exc.message, request.url.path, errors=exc.errors)


async def on_http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    if status == 404:
        return gateway_error(404, "Resource not found")
    return problem(status, phrase(status), request.url.path)


def not_emulated(method: str, spec_path: str, path: str) -> Response:
    return problem(
        501, f"{method} /v2{spec_path} is part of the PowerOffice Go contract but not emulated by the sandbox.", path
    )


VENDOR = Vendor(PO, "/v2", Gate, render_fault, not_emulated, on_api_error, on_http_error)
PARTS = (po_lists.routes, po_writes.routes, po_departments.routes, po_salesorders.routes, po_timetracking.routes)


def build(state: State) -> ControlApp:
    """The PowerOffice ASGI app: token at /OAuth/Token, API under /v2, control under /_sandbox."""
    po = PowerOfficeBase(state)
    token = Route(TOKEN_PATH, po.token, methods=["POST"])  # not part of the v2 contract
    return emulator_app(state, VENDOR, [route for part in PARTS for route in part(po)], unchecked=[token])
