"""SmartDok as master (R1, R2, R7-R13): projects, activities and machines flow to PowerOffice."""

from __future__ import annotations

from grunndata.engine.model import Direction, Flow
from grunndata.plugins.offers import offers

TO_POWEROFFICE = Flow(source="smartdok", target="poweroffice")

grunndata_directions = offers(
    "grunndata_directions",
    lambda: [
        Direction(
            name="smartdok_master",
            master="smartdok",
            flows={
                "projects": TO_POWEROFFICE,
                "subprojects": TO_POWEROFFICE,
                "activities": TO_POWEROFFICE,
                "machines": TO_POWEROFFICE,
            },
            description="SmartDok er master: prosjekter, underprosjekter, aktiviteter og maskiner opprettes i PowerOffice.",
        )
    ],
)
