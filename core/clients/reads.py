"""Reading many lists at once: what the snapshot's declared reads become on one client.

Which lists to read is not the clients' business: entity, check and transfer
plugins declare it (``reads``), and the engine hands each client its share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from grunndata.clients.base import gather_dict


class Lister(Protocol):
    async def list(self, resource: str, params: dict | None = None) -> list[dict]: ...


async def read_union(client: Lister, reads: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, list[dict]]:
    """Each (resource, query parameters) list read once, concurrently (the client bounds how many
    at a time), keyed by resource in the order first asked for. A resource read with several sets
    of parameters is the union of their records by id (SmartDok's ``Additions``, one read per kind).
    The first failure cancels the rest and is raised as itself."""
    distinct: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for resource, params in reads:
        distinct.setdefault((resource, repr(sorted(dict(params).items()))), (resource, dict(params)))
    answers = await gather_dict(
        {str(i): client.list(resource, params) for i, (resource, params) in enumerate(distinct.values())}
    )
    out: dict[str, list[dict]] = {}
    for (resource, _), records in zip(distinct.values(), answers.values(), strict=True):
        out[resource] = union_by_id(out[resource], records) if resource in out else records
    return out


def union_by_id(*lists: list[dict]) -> list[dict]:
    """The records of several reads of one resource, each id once (the first copy); records
    without an id are all kept, since nothing says two of them are one."""
    merged: dict[Any, dict] = {}
    anonymous: list[dict] = []
    for records in lists:
        for record in records:
            rid = record.get("Id", record.get("id"))
            if rid is None:
                anonymous.append(record)
            else:
                merged.setdefault(rid, record)
    return list(merged.values()) + anonymous
