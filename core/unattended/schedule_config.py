"""The ``schedule:`` key of ``grunndata.yaml``: its schema (with the defaults, which live only
here), the grammar check that gives each bad value one Norwegian line at ``FILE:LINE:COL``, and
the settings ``grunndata run`` and ``grunndata status`` read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grunndata.rulebook.yamlpos import Located, Pos, Problem
from grunndata.unattended.schedule import Schedule, ScheduleError, is_off, parse_duration, parse_schedule

if TYPE_CHECKING:
    from grunndata.config import Config

KEY = "schedule"
KINDS = ("sync", "full", "transfer")
# Kinds ``grunndata run`` schedules: the status kinds and the invoice cycle (default off).
RUN_KINDS = (*KINDS, "invoice")
_GRAMMAR = (
    "En varighet (30s, 15m, 2h), «daily HH:MM», en cron-linje med fem felt (minutt time dag måned ukedag), eller «off»."
)


def _schedule(description: str, default: str) -> dict[str, Any]:
    # No "type": every value that is not in the grammar gets the one Norwegian line from
    # schedule_problems, rather than a second, generic message from the schema.
    return {"description": f"{description} {_GRAMMAR}", "default": default}


SCHEDULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Når integrasjonen kjører av seg selv (grunndata run). Klokkeslett og cron-linjer gjelder "
    "i tidssonen «timezone». En syklus som varer lenger enn til neste tidspunkt, utsetter neste "
    "syklus; to sykluser kjører aldri samtidig.",
    "properties": {
        "sync": _schedule("Hvor ofte grunndata synkroniseres (bare det som er endret siden sist).", "15m"),
        "transfer": _schedule("Hvor ofte timer, maskintimer og varer overføres til PowerOffice.", "off"),
        "invoice": _schedule("Hvor ofte fakturagrunnlag sendes til PowerOffice som salgsordreutkast.", "off"),
        "full": _schedule(
            "Når alt leses på nytt (full avstemming), som fanger slettede, arkiverte og bortfiltrerte poster.",
            "daily 03:00",
        ),
        "alert_after": {
            "description": "Hvor lenge en syklus kan ligge etter tidsplanen før «grunndata status» "
            "melder feil (exit-kode 1). En varighet (30s, 15m, 2h) eller «off».",
            "default": "1h",
        },
        "timezone": {
            "type": "string",
            "description": "Tidssonen klokkeslett og cron-linjer gjelder i (IANA-navn).",
            "default": "Europe/Oslo",
        },
    },
}
SCHEDULE_SCHEMA["default"] = {k: v["default"] for k, v in SCHEDULE_SCHEMA["properties"].items()}


def default(name: str) -> Any:
    return SCHEDULE_SCHEMA["properties"][name]["default"]


def zone_message(value: Any) -> str:
    return f"«{value}» er ikke en kjent tidssone; skriv f.eks. {default('timezone')}"


def _zone(value: Any) -> ZoneInfo:
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(zone_message(value))
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(zone_message(value)) from None


def _alert_after(value: Any) -> dt.timedelta | None:
    return None if is_off(value) else parse_duration(value)


@dataclass(frozen=True)
class ScheduleSettings:
    """The ``schedule:`` key, parsed. ``alert_after`` None means lag never makes status unhealthy."""

    sync: Schedule
    full: Schedule
    transfer: Schedule
    alert_after: dt.timedelta | None
    tz: ZoneInfo
    invoice: Schedule | None = None  # None only when built by hand: off

    def of(self, kind: str) -> Schedule:
        """The schedule of one cycle kind: ``sync``, ``full``, ``transfer`` or ``invoice``."""
        if kind not in RUN_KINDS:
            raise KeyError(kind)
        schedule: Schedule | None = getattr(self, kind)
        return schedule if schedule is not None else parse_schedule("off", self.tz)


def settings_from(raw: Any) -> ScheduleSettings:
    """Settings from the ``schedule:`` mapping as written (None or missing keys: the defaults).

    Raises :class:`ScheduleError` (Norwegian, without position) on a bad value; a config that
    passed :func:`schedule_problems` never does.
    """
    raw = raw if isinstance(raw, dict) else {}

    def value(name: str) -> Any:
        return raw[name] if name in raw else default(name)

    tz = _zone(value("timezone"))
    kinds = {k: parse_schedule(value(k), tz) for k in RUN_KINDS}
    return ScheduleSettings(alert_after=_alert_after(value("alert_after")), tz=tz, **kinds)


def schedule_settings(config: Config) -> ScheduleSettings:
    """The schedule of a loaded config (``grunndata run``, ``grunndata status``)."""
    data = config.doc.data if config.doc is not None and isinstance(config.doc.data, dict) else {}
    return settings_from(data.get(KEY))


def schedule_problems(doc: Located) -> list[Problem]:
    """Every bad value under ``schedule:`` as ``FILE:LINE:COL: schedule.KEY: …`` (Norwegian).

    Unknown keys and a non-mapping are left to the schema, which reports them already.
    """
    data = doc.data if isinstance(doc.data, dict) else {}
    raw = data.get(KEY)
    if not isinstance(raw, dict):
        return []
    problems = []
    tz = _zone(default("timezone"))  # the grammar does not depend on the zone; the zone is checked below
    if "timezone" in raw:
        try:
            tz = _zone(raw["timezone"])
        except ScheduleError as exc:
            problems.append(("timezone", str(exc)))

    def schedule(value: Any) -> Schedule:
        return parse_schedule(value, tz)

    checks: dict[str, Callable[[Any], object]] = {k: schedule for k in RUN_KINDS}
    checks["alert_after"] = _alert_after
    for name, check in checks.items():
        if name not in raw:
            continue
        try:
            check(raw[name])
        except ScheduleError as exc:
            problems.append((name, str(exc)))
    fallback = Pos(str(doc.value_pos.get((), Pos("grunndata.yaml", 1, 1)).file), 1, 1)
    return [
        Problem(doc.value_pos.get((KEY, name)) or doc.pos((KEY, name)) or fallback, f"{KEY}.{name}: {message}")
        for name, message in problems
    ]
