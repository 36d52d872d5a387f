"""The schedule grammar, and when the next cycle starts.

One grammar for every schedule: a duration (``30s``, ``15m``, ``2h``), ``daily HH:MM``, a
five-field cron line, or ``off``. Clock times are wall-clock times in the configured time zone
(Europe/Oslo unless the config says otherwise). Around daylight-saving changes a schedule
behaves like Vixie cron, which consultants and operators already know:

- A cron line with a fixed hour (and ``daily HH:MM``, which is one) names wall-clock times, each
  run once: a time the spring-forward skips runs when the clock jumps (02:30 runs at 03:00), and a
  time the fall-back repeats runs only the first time.
- A cron line whose hour field is ``*`` runs hourly or more often; it follows real time: the
  skipped hour has no runs, the repeated hour runs twice (so ``*/15`` keeps its pace).
- A duration is real elapsed time, untouched by the clock change.

Every time taken must be timezone-aware, and every time returned is in UTC.

A cycle that overruns its slot delays the next one and never overlaps it: slots missed while
a cycle ran (or while nothing ran) collapse into one cycle as soon as it is possible.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from grunndata.errors import GrunndataError

OFF = "off"
_DURATION = re.compile(r"^(\d{1,9})([smh])$")
_DAILY = re.compile(r"^daily\s+(\d{1,2}):(\d{2})$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}
# Longer than a year is a typing error, and would overflow datetime arithmetic far sooner.
_LONGEST = dt.timedelta(days=366)
# More than any clock change there is (the largest real one is two hours): how far a wall-clock
# time can sit from its instant's place in the order of wall-clock times.
_MAX_SHIFT = dt.timedelta(hours=3)
_UTC = dt.UTC


class ScheduleError(GrunndataError, ValueError):
    """A schedule value that is not in the grammar; the message is for the consultant."""


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def schedule_message(value: Any) -> str:
    return f"«{_shown(value)}» er ikke en gyldig tidsplan; skriv f.eks. 15m, daily 03:00 eller en cron-linje"


def duration_message(value: Any) -> str:
    return f"«{_shown(value)}» er ikke en gyldig varighet; skriv f.eks. 30s, 15m eller 2h"


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: ``every`` for a duration, ``cron`` for a clock schedule, neither for off.

    ``daily HH:MM`` is kept as the cron line ``MM HH * * *``; ``text`` is what was written.
    """

    text: str
    tz: ZoneInfo
    every: dt.timedelta | None = None
    cron: str | None = None

    @property
    def off(self) -> bool:
        return self.every is None and self.cron is None

    @property
    def fixed_times(self) -> bool:
        """A cron line naming fixed hours: each wall-clock time runs once (see the module doc)."""
        return self.cron is not None and self.cron.split()[1] != "*"


def parse_duration(value: Any) -> dt.timedelta:
    """``30s``, ``15m``, ``2h`` as a positive timedelta; :class:`ScheduleError` otherwise."""
    match = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ScheduleError(duration_message(value))
    amount = dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if not dt.timedelta(0) < amount <= _LONGEST:
        raise ScheduleError(duration_message(value))
    return amount


def _valid_cron(line: str) -> bool:
    # Imported here: only a cron line needs it, which keeps every command's start quick. croniter
    # ships no type hints and the environment has no stub package for it.
    from croniter import CroniterError, croniter  # type: ignore[import-untyped]

    if len(line.split()) != 5 or not croniter.is_valid(line):
        return False
    try:  # a line that never fires (30 February) is valid to croniter, but no schedule
        croniter(line, dt.datetime(2000, 1, 1)).get_next(dt.datetime)
    except (CroniterError, ValueError, OverflowError):
        return False
    return True


def is_off(value: Any) -> bool:
    """``off``; also YAML's false, which is what an unquoted ``off`` (or ``no``) reads as."""
    return value is False or (isinstance(value, str) and value.strip() == OFF)


def parse_schedule(value: Any, tz: ZoneInfo) -> Schedule:
    """A schedule value from the config; :class:`ScheduleError` with a Norwegian message otherwise."""
    if is_off(value):
        return Schedule(OFF, tz)
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(schedule_message(value))
    text = " ".join(value.split())
    if _DURATION.match(text):
        try:
            return Schedule(text, tz, every=parse_duration(text))
        except ScheduleError:
            raise ScheduleError(schedule_message(value)) from None
    daily = _DAILY.match(text)
    if daily:
        hour, minute = int(daily.group(1)), int(daily.group(2))
        if hour > 23 or minute > 59:
            raise ScheduleError(schedule_message(value))
        return Schedule(text, tz, cron=f"{minute} {hour} * * *")
    if _valid_cron(text):
        return Schedule(text, tz, cron=text)
    raise ScheduleError(schedule_message(value))


def _utc(instant: dt.datetime, name: str) -> dt.datetime:
    """``instant`` in UTC. Everything is compared and added in UTC: Python compares and adds two
    times that share a tzinfo by their wall-clock reading, which is wrong across a clock change."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {instant!r}")
    return instant.astimezone(_UTC)


def _wall(instant: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _jump_instant(wall: dt.datetime, tz: ZoneInfo, early: dt.datetime, late: dt.datetime) -> dt.datetime:
    """The instant the clock jumps past ``wall``, a time the spring-forward skips: the first
    whole second between ``early`` and ``late`` whose wall-clock time is not before ``wall``."""
    lo, hi = int(early.timestamp()), int(late.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall(dt.datetime.fromtimestamp(mid, _UTC), tz) >= wall:
            hi = mid
        else:
            lo = mid
    return dt.datetime.fromtimestamp(hi, _UTC)


def _instants(wall: dt.datetime, tz: ZoneInfo, fixed: bool) -> list[dt.datetime]:
    """The instants at which a matching wall-clock time runs (none, one or two)."""
    first = wall.replace(tzinfo=tz, fold=0).astimezone(_UTC)
    second = wall.replace(tzinfo=tz, fold=1).astimezone(_UTC)
    if first == second:
        return [first]
    if _wall(first, tz) == wall:  # the fall-back repeats this time; fold 0 is the first pass
        return [first] if fixed else [first, second]
    # The spring-forward skips this time (fold 0 reads it with the old offset, so lands after).
    return [_jump_instant(wall, tz, second, first)] if fixed else []


def _offset_spread(instant: dt.datetime, tz: ZoneInfo) -> dt.timedelta:
    offsets = [
        (instant + d).astimezone(tz).utcoffset() or dt.timedelta(0) for d in (-_MAX_SHIFT, dt.timedelta(0), _MAX_SHIFT)
    ]
    return max(offsets) - min(offsets)


def _cron_after(schedule: Schedule, after: dt.datetime) -> dt.datetime:
    from croniter import croniter

    tz, fixed = schedule.tz, schedule.fixed_times
    assert schedule.cron is not None
    after = after.astimezone(_UTC)
    # Wall-clock times repeat in a fall-back hour, so a matching wall-clock time somewhat before
    # the wall-clock time of ``after`` can still be a later instant: start early, take the least.
    offsets = [
        (after + d).astimezone(tz).utcoffset() or dt.timedelta(0) for d in (-_MAX_SHIFT, dt.timedelta(0), _MAX_SHIFT)
    ]
    start = (after.astimezone(_UTC) + min(offsets)).replace(tzinfo=None) - dt.timedelta(seconds=1)
    walls = croniter(schedule.cron, start)
    best: dt.datetime | None = None
    horizon = dt.datetime.max
    while True:
        wall = walls.get_next(dt.datetime)
        if wall > horizon:
            assert best is not None
            return best
        for instant in _instants(wall, tz, fixed):
            if instant > after and (best is None or instant < best):
                best = instant
                # A later wall-clock time maps to a later instant unless the offset changes
                # near ``best``; by at most that much, so look that far past it and stop.
                horizon = _wall(best, tz) + _offset_spread(best, tz)


def slot_after(schedule: Schedule, instant: dt.datetime) -> dt.datetime | None:
    """The schedule's first slot after ``instant`` (None when off), in UTC. A duration's slot is
    ``instant`` plus the duration; a clock schedule's is its next matching time."""
    instant = _utc(instant, "instant")
    if schedule.off:
        return None
    if schedule.every is not None:
        return instant + schedule.every
    return _cron_after(schedule, instant)


def next_run(
    schedule: Schedule, last_started: dt.datetime | None, last_finished: dt.datetime | None, now: dt.datetime
) -> dt.datetime | None:
    """When the next cycle on ``schedule`` starts, never before ``now``; in UTC (show it with
    ``.astimezone(schedule.tz)``: an Oslo time in the repeated autumn hour never compares equal
    to a time in another zone, PEP 495).

    None when the schedule is off, or when the last cycle is still running (started and not
    finished since): the next one is decided when it finishes, so cycles never overlap. With no
    earlier cycle it is ``now``. Otherwise it is the first slot after the last start, delayed to
    the last finish when the cycle overran it; slots missed meanwhile collapse into that one run.
    """
    now = _utc(now, "now")
    if schedule.off:
        return None
    if last_started is None:
        return now
    started = _utc(last_started, "last_started")
    if last_finished is None or _utc(last_finished, "last_finished") < started:
        return None
    slot = slot_after(schedule, started)
    assert slot is not None
    return max(slot, _utc(last_finished, "last_finished"), now)


def is_due(
    schedule: Schedule, last_started: dt.datetime | None, last_finished: dt.datetime | None, now: dt.datetime
) -> bool:
    """Whether a cycle on ``schedule`` should start now (``run --once`` asks this of ``full``)."""
    when = next_run(schedule, last_started, last_finished, now)
    return when is not None and when <= _utc(now, "now")
