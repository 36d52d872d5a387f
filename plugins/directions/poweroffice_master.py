"""PowerOffice as master (R1, R2, R14-R18), the default: projects and activities flow to SmartDok."""
from __future__ import annotations

from typing import Any

from grunndata import hookimpl
from grunndata.engine.model import Direction, Flow

TO_SMARTDOK = Flow(source="poweroffice", target="smartdok")


@hookimpl
def grunndata_directions() -> list[Any]:
    return [Direction(
        name="poweroffice_master",
        master="poweroffice",
        flows={"projects": TO_SMARTDOK, "subprojects": TO_SMARTDOK, "activities": TO_SMARTDOK},
        description="PowerOffice er master: prosjekter, underprosjekter og aktiviteter opprettes i SmartDok.",
    )]
