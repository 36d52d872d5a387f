"""PowerOffice as master (R1, R2, R14-R18), the default: projects and activities flow to SmartDok."""

from __future__ import annotations

from grunndata.engine.model import Direction, Flow
from grunndata.plugins.offers import offers

TO_SMARTDOK = Flow(source="poweroffice", target="smartdok")

grunndata_directions = offers(
    "grunndata_directions",
    lambda: [
        Direction(
            name="poweroffice_master",
            master="poweroffice",
            flows={"projects": TO_SMARTDOK, "subprojects": TO_SMARTDOK, "activities": TO_SMARTDOK},
            description="PowerOffice er master: prosjekter, underprosjekter og aktiviteter opprettes i SmartDok.",
        )
    ],
)
