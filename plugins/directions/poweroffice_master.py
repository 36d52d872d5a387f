"""PowerOffice as master (R1, R2, R14-R18), the default: projects and activities flow to SmartDok."""

from __future__ import annotations

from grunndata.engine.model import Flow
from grunndata.plugins.directions import offers_direction

grunndata_directions = offers_direction(
    "poweroffice_master",
    Flow(source="poweroffice", target="smartdok"),
    ("projects", "subprojects", "activities"),
    "PowerOffice er master: prosjekter, underprosjekter og aktiviteter opprettes i SmartDok.",
)
