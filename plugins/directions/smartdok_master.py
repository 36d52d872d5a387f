"""SmartDok as master (R1, R2, R7-R13): projects, activities and machines flow to PowerOffice."""
from __future__ import annotations

from typing import Any

from grunndata import hookimpl
from grunndata.engine.model import Direction, Flow

TO_POWEROFFICE = Flow(source="smartdok", target="poweroffice")


@hookimpl
def grunndata_directions() -> list[Any]:
    return [Direction(
        name="smartdok_master",
        master="smartdok",
        flows={"projects": TO_POWEROFFICE, "subprojects": TO_POWEROFFICE,
               "activities": TO_POWEROFFICE, "machines": TO_POWEROFFICE},
        description="SmartDok er master: prosjekter, underprosjekter, aktiviteter og maskiner opprettes i PowerOffice.",
    )]
