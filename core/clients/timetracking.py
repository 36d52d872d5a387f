"""Where PowerOffice's time-tracking resources live, and how they are spoken to.

Time tracking is missing from the v2 spec snapshot; the documented resources are the v1 ones
(camelCase fields). Every path, casing and body-shape decision about them is here, so that
moving to a v2 time-tracking API is a change to this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACTIVITY = "TimeTracking/Activity"
HOUR_TYPE = "TimeTracking/HourType"
ENTRY = "TimeTracking/TimeTrackingEntry"
PROJECT_ACTIVITY = "Project/Activity"  # one list per project, not in RESOURCES


@dataclass(frozen=True)
class TimeTrackingResource:
    name: str
    collection: str  # path template relative to the PowerOffice base URL
    item: str  # path template of one record
    key_field: str | None  # the natural key, for client-side find
    paged: bool = True


RESOURCES: dict[str, TimeTrackingResource] = {
    ACTIVITY: TimeTrackingResource(ACTIVITY, "/TimeTracking/Activity", "/TimeTracking/Activity/{id}", "code"),
    HOUR_TYPE: TimeTrackingResource(HOUR_TYPE, "/TimeTracking/HourType", "/TimeTracking/HourType/{id}", "description"),
    ENTRY: TimeTrackingResource(
        ENTRY, "/TimeTracking/TimeTrackingEntry", "/TimeTracking/TimeTrackingEntry/{id}", "externalImportReference"
    ),
}


# A time-tracking entry is where transferred hours, machine hours and goods land: its fields by
# meaning, so that the transfer engine never spells the v1 names itself.
ENTRY_FIELDS = {
    "employee": "employeeCode",
    "hour_type": "hourType",
    "project": "projectCode",
    "activity": "activityCode",
    "date": "date",
    "comment": "comment",
    "reference": "externalImportReference",
}

_ENVELOPE = {"data", "success", "count", "message", "validation"}


def project_activity_path(project_id: Any) -> tuple[str, str]:
    """(template, concrete path) of a project's activity list."""
    return "/Project/{id}/Activity", f"/Project/{project_id}/Activity"


def is_time_tracking(resource: str) -> bool:
    return resource in RESOURCES


def patch_path(field: str) -> str:
    """JSON Patch path for a field: the v1 resources take their own camelCase names as given."""
    return "/" + field.lstrip("/")


def unwrap(body: Any) -> Any:
    """v1 answered ``{"data": …, "success": true}``; v2 answers the payload bare. Accept both."""
    if isinstance(body, dict):
        names = {k.lower(): k for k in body}
        failed = "success" in names and body[names["success"]] is False
        if "data" in names and set(names) <= _ENVELOPE and not failed:
            return body[names["data"]]
    return body


def matches(record: dict, filters: dict[str, Any]) -> bool:
    """Client-side filtering: these resources offer no documented server-side filters."""
    for name, wanted in filters.items():
        values = {
            str(v).strip() for v in (wanted if isinstance(wanted, (list, tuple, set)) else str(wanted).split(","))
        }
        have = record.get(name)
        if have is None:
            lowered = {k.lower(): v for k, v in record.items()}
            have = lowered.get(name.lower())
        if str(have).strip() not in values:
            return False
    return True
