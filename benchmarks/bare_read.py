"""A bare read: the two clients, and nothing else, reading what ``grunndata plan`` reads.

    python -m benchmarks.bare_read SMARTDOK_URL POWEROFFICE_URL TOKEN_URL [READS_JSON]

The yardstick of ``plan --json`` in :mod:`benchmarks.cli_output`: the same requests, the same
JSON decoding, in a fresh interpreter, but no rules, no plugins, no plan and no output.
``READS_JSON`` is the list of reads the loaded plugins declare (``[[system, resource, params],
...]``, see :func:`declared_reads`), worked out by the caller so that finding them is not timed;
without it they are found here (which loads the plugins). Prints the number of records read.
"""
from __future__ import annotations

import asyncio
import json
import sys
from typing import Any


def declared_reads() -> list[list[Any]]:
    """Every distinct read the installed plugins declare, as JSON-able ``[system, resource, params]``."""
    from grunndata.plugin.manager import load_host

    return [[r.system, r.resource, dict(r.params)] for r in dict.fromkeys(load_host().reads)]


async def read(smartdok_url: str, poweroffice_url: str, token_url: str, reads: list[list[Any]]) -> int:
    from grunndata.clients import PowerOfficeClient, SmartDokClient

    share: dict[str, list[tuple[str, dict[str, Any]]]] = {"smartdok": [], "poweroffice": []}
    for system, resource, params in reads:
        share[system].append((resource, params))
    sd = SmartDokClient(smartdok_url, "bench-sd-token")
    po = PowerOfficeClient(poweroffice_url, token_url, "bench-app-key", "bench-client-key", "bench-sub-key",
                           rate_per_second=None)
    try:
        both = await asyncio.gather(sd.read_all(share["smartdok"]), po.read_all(share["poweroffice"]))
    finally:
        await asyncio.gather(sd.aclose(), po.aclose())
    return sum(len(rows) for part in both for rows in part.values())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    reads = json.loads(args[3]) if len(args) == 4 else declared_reads()
    print(asyncio.run(read(args[0], args[1], args[2], reads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
