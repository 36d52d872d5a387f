"""``asyncio.run`` for the commands, without the cost of a large result's repr.

Python 3.11's ``asyncio.run`` restores the Ctrl-C handler at the end through
``signal.getsignal``, which builds a ``ValueError("%r is not a valid Handlers")`` for the
handler it installed: a partial holding the main task, whose repr shows the task's result.
For a snapshot of 10k projects or a plan of 4,600 actions that repr took as long as planning
(later Python versions no longer do this). The result is passed beside the task
instead, so the task's own result is ``None``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` in a fresh event loop and return its result (exceptions propagate)."""
    box: list[T] = []

    async def main() -> None:
        box.append(await coro)

    asyncio.run(main())
    return box[0]
