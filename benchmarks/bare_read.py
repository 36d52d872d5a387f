"""A bare read: the two clients, and nothing else, reading what ``grunndata plan`` reads.

    python -m benchmarks.bare_read SMARTDOK_URL POWEROFFICE_URL TOKEN_URL

The yardstick of ``plan --json`` in :mod:`benchmarks.cli_output`: the same requests, the same
JSON decoding, in a fresh interpreter, but no rules, no plugins, no plan and no output.
Prints the number of records read.
"""
from __future__ import annotations

import asyncio
import sys


async def read(smartdok_url: str, poweroffice_url: str, token_url: str) -> int:
    from grunndata.clients import PowerOfficeClient, SmartDokClient

    sd = SmartDokClient(smartdok_url, "bench-sd-token")
    po = PowerOfficeClient(poweroffice_url, token_url, "bench-app-key", "bench-client-key", "bench-sub-key",
                           rate_per_second=None)
    try:
        both = await asyncio.gather(sd.read_all(), po.read_all())
    finally:
        await asyncio.gather(sd.aclose(), po.aclose())
    return sum(len(rows) for part in both for rows in part.values())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    print(asyncio.run(read(*args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
