"""SmartDok as master (R1, R2, R7-R13): projects, activities and machines flow to PowerOffice."""

from __future__ import annotations

from grunndata.engine.model import Flow
from grunndata.plugins.directions import offers_direction

grunndata_directions = offers_direction(
    "smartdok_master",
    Flow(source="smartdok", target="poweroffice"),
    ("projects", "subprojects", "activities", "machines"),
    "SmartDok er master: prosjekter, underprosjekter, aktiviteter og maskiner opprettes i PowerOffice.",
)
