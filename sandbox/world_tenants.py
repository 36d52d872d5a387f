"""World files with ``tenants:``: one sandbox serving many companies.

::

    tenants:
      acme-bygg:
        credentials:
          smartdok: {api_token: acme-sd-token}
          poweroffice: {application_key: app, client_key: acme-client, subscription_key: sub-1}
        smartdok: {Projects: [...]}
        poweroffice: {Projects: [...]}
      fjordbygg: {...}

Each tenant's block is a world of its own (the same keys and checks as a world file
without tenants; errors name ``tenants.NAME.…``). ``tenants`` stands alone at the top
level. A tenant needs ``credentials.smartdok.api_token`` and
``credentials.poweroffice.client_key``: they pick its world for each request, so no two
tenants may share one. Subscription keys may be shared (they usually are: the rate limit
is per key). Names: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from grunndata.errors import GrunndataError
from grunndata.sandbox.resources import PO, SD

NAME = re.compile(r"^[^\W_][\w.-]{0,99}$")
# The credential that picks a tenant's world, by system.
SELECTORS = {SD: "api_token", PO: "client_key"}


class Loader(Protocol):
    """What this module needs of :mod:`grunndata.sandbox.world`'s loader (no import: it imports us)."""

    source: str
    prefix: str

    def __init__(self, source: str, prefix: str = "") -> None: ...

    def fail(self, where: str, message: str) -> GrunndataError: ...

    def normalise(self, data: Any) -> dict[str, Any]: ...


def normalise_tenants(data: dict[str, Any], loader: Loader) -> dict[str, Any]:
    """``{"tenants": {NAME: normalised world}}`` from a world file's data (``tenants`` in it)."""
    others = [key for key in data if key != "tenants"]
    if others:
        raise loader.fail(
            others[0],
            "a world with tenants keeps each company's smartdok, poweroffice and "
            "credentials under its tenant (tenants.NAME.…)",
        )
    block = data["tenants"]
    if not isinstance(block, dict) or not block:
        raise loader.fail("tenants", "must be a mapping of tenant name to that tenant's world (at least one)")
    out: dict[str, Any] = {}
    for name, world in block.items():
        name = str(name)
        where = f"tenants.{name}"
        if not NAME.match(name):
            raise loader.fail(
                where,
                "a tenant name is letters, digits, '.', '_' and '-' (at most 100), starting with a letter or digit",
            )
        if world is None:
            world = {}
        if not isinstance(world, dict):
            raise loader.fail(where, "must be a mapping with keys smartdok, poweroffice, credentials")
        if "tenants" in world:
            raise loader.fail(f"{where}.tenants", "tenants do not nest")
        normalised = type(loader)(loader.source, f"{loader.prefix}{where}.").normalise(world)
        check_tenant_world(normalised, f"{loader.source}: {loader.prefix}{where}", None)
        out[name] = normalised
    check_selectors_unique(
        {name: world.get("credentials", {}) for name, world in out.items()}, f"{loader.source}: {loader.prefix}tenants"
    )
    return {"tenants": out}


def check_tenant_world(world: dict[str, Any], source: str, tenant: str | None) -> None:
    """A tenant's world has no tenants of its own and the credentials that pick it."""
    prefix = f"{source}: " if tenant is None else f"{source}: tenant {tenant}: "
    if "tenants" in world:
        raise GrunndataError(f"{prefix}a tenant's world has no tenants of its own")
    creds = world.get("credentials", {})
    missing = [
        f"credentials.{system}.{name}" for system, name in SELECTORS.items() if not creds.get(system, {}).get(name)
    ]
    if missing:
        raise GrunndataError(f"{prefix}a tenant needs {' and '.join(missing)}: they pick its world for each request")


def check_selectors_unique(credentials: dict[Any, dict[str, dict[str, str]]], source: str) -> None:
    """No two tenants share an API token or a client key (the message names tenants, never the secret)."""
    seen: dict[tuple[str, str], Any] = {}
    for tenant, creds in credentials.items():
        if tenant is None:
            continue
        for system, field in SELECTORS.items():
            value = creds.get(system, {}).get(field)
            if value is None:
                continue
            other = seen.setdefault((system, value), tenant)
            if other != tenant:
                raise GrunndataError(
                    f"{source}: tenants {other} and {tenant} have the same "
                    f"credentials.{system}.{field}: each tenant needs its own"
                )
