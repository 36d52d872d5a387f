"""SmartDok v1 emulator: the ASGI app, put together from its parts.

* :mod:`grunndata.sandbox.sd_base`: records, errors, session check, shaping, validation.
* :mod:`grunndata.sandbox.sd_projects`: projects and sub-projects.
* :mod:`grunndata.sandbox.sd_registers`: activities, machines, users, wage types, additions.
* :mod:`grunndata.sandbox.sd_hours`: work hours and goods consumption.
* :mod:`grunndata.sandbox.sd_invoices`: invoice bases, project prices, customers, goods.

Faithful to ``contracts/smartdok-v1.openapi.json`` and the contracts README; the
choices where the spec is silent are in ``docs/SANDBOX.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import sd_hours, sd_invoices, sd_projects, sd_registers
from grunndata.sandbox.common import ApiError
from grunndata.sandbox.control import ControlApp, Vendor, emulator_app
from grunndata.sandbox.sd_base import AUTH_PATH, SD, Gate, SmartDokBase, render_fault, sd_error

if TYPE_CHECKING:
    from grunndata.sandbox.state import State


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return sd_error(exc.status, exc.message, exc.code)


async def on_http_error(request: Request, exc: Exception) -> Response:
    return sd_error(getattr(exc, "status_code", 500), "Not supported by the sandbox.")


def not_emulated(method: str, spec_path: str, path: str) -> Response:
    return sd_error(
        501, f"{method} {spec_path} is part of the SmartDok contract but not emulated by the sandbox.", "NotImplemented"
    )


VENDOR = Vendor(SD, "", Gate, render_fault, not_emulated, on_api_error, on_http_error)
PARTS = (sd_projects.routes, sd_registers.routes, sd_hours.routes, sd_invoices.routes)


def build(state: State) -> ControlApp:
    """The SmartDok ASGI app, served at the root like api.smartdok.no."""
    sd = SmartDokBase(state)
    sign_in = Route(AUTH_PATH, sd.authorize, methods=["POST"])
    return emulator_app(state, VENDOR, [sign_in, *(route for part in PARTS for route in part(sd))])
