"""The sandbox: in-process and served emulators of SmartDok v1 and PowerOffice Go v2.

Usage::

    from grunndata.sandbox import Sandbox, SMARTDOK_URL, POWEROFFICE_URL, POWEROFFICE_TOKEN_URL

    sb = Sandbox.from_file("world.yaml")          # or Sandbox({...}) / Sandbox()
    t = sb.transports()
    async with httpx.AsyncClient(transport=t["poweroffice"], base_url=POWEROFFICE_URL) as po:
        ...

World files (one company, or many under ``tenants:``), the control surface and every
choice the emulators make where the specs are silent: ``docs/SANDBOX.md``. Layout:
:mod:`~grunndata.sandbox.state` (the worlds, one per tenant, lock, clock, tokens, rate
windows, stamps; which world serves the request) is all the emulators share;
:mod:`~grunndata.sandbox.smartdok` and :mod:`~grunndata.sandbox.poweroffice` build the
two ASGI apps from their ``sd_*`` and ``po_*`` parts; :mod:`~grunndata.sandbox.control`
wraps each in the ``/_sandbox/`` surface and fault injection; :mod:`~grunndata.sandbox.app`
is the :class:`Sandbox` object tests use. Real HTTP: :func:`serve_in_thread` and
``grunndata sandbox`` (:mod:`grunndata.sandbox.server`). The emulators never import the
engine; ``grunndata demo`` (:mod:`grunndata.cli.demo`) is the one core module that
imports them.

Heavy imports (starlette, uvicorn) happen on first use of ``Sandbox`` and
friends, so the ``grunndata`` command line stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grunndata.lazy import lazy_attributes

SMARTDOK_URL = "http://smartdok.sandbox"
POWEROFFICE_URL = "http://poweroffice.sandbox/v2"
POWEROFFICE_TOKEN_URL = "http://poweroffice.sandbox/OAuth/Token"

if TYPE_CHECKING:
    from grunndata.sandbox.app import Sandbox
    from grunndata.sandbox.server import serve_in_thread
    from grunndata.sandbox.world import load_world

__all__ = ["POWEROFFICE_TOKEN_URL", "POWEROFFICE_URL", "SMARTDOK_URL", "Sandbox", "load_world", "serve_in_thread"]

_LAZY = {
    "Sandbox": "grunndata.sandbox.app",
    "load_world": "grunndata.sandbox.world",
    "serve_in_thread": "grunndata.sandbox.server",
}


__getattr__ = lazy_attributes(__name__, _LAZY)
