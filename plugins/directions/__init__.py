"""directions: which system is master, and which entities flow from it to the other."""

from __future__ import annotations

from collections.abc import Callable

from grunndata.engine.model import Direction, Flow
from grunndata.plugins.offers import offers


def offers_direction(
    name: str, flow: Flow, entities: tuple[str, ...], description: str
) -> Callable[[], list[Direction]]:
    """The ``grunndata_directions`` hook of one direction: ``flow.source`` is master of ``entities``."""
    return offers(
        "grunndata_directions",
        lambda: [
            Direction(name=name, master=flow.source, flows=dict.fromkeys(entities, flow), description=description)
        ],
    )
