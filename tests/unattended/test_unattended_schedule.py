"""The schedule grammar and next_run: durations, daily times, cron lines, DST, overruns."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from grunndata.unattended.schedule import (ScheduleError, is_due, next_run, parse_duration, parse_schedule,
                                           slot_after)
from grunndata.unattended.schedule_config import SCHEDULE_SCHEMA, schedule_settings, settings_from

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.timezone.utc


def oslo(*args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO, fold=fold)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def sched(text):
    return parse_schedule(text, OSLO)


# ---- the grammar -----------------------------------------------------------

@pytest.mark.parametrize("text,every", [("30s", dt.timedelta(seconds=30)), ("15m", dt.timedelta(minutes=15)),
                                        ("2h", dt.timedelta(hours=2)), (" 2s ", dt.timedelta(seconds=2))])
def test_durations(text, every):
    s = sched(text)
    assert s.every == every and s.cron is None and not s.off


def test_daily_is_a_fixed_time_cron_line():
    s = sched("daily 03:00")
    assert s.cron == "0 3 * * *" and s.fixed_times
    assert sched("daily  7:05").cron == "5 7 * * *"


def test_cron_lines_have_five_fields():
    assert sched("*/15 6-18 * * 1-5").cron == "*/15 6-18 * * 1-5"
    assert not sched("*/15 * * * *").fixed_times


@pytest.mark.parametrize("value", ["off", False, " off "])
def test_off(value):
    s = sched(value)
    assert s.off and s.text == "off"
    assert next_run(s, None, None, utc(2026, 1, 1)) is None


@pytest.mark.parametrize("value", ["15 min", "av", "15", 15, True, None, "", "0s", "-5m", "5d", "15M",
                                   "daily 24:00", "daily 03:60", "daily 3", "0 3 * *", "0 3 * * * *",
                                   "@daily", "0 0 30 2 *", "61 * * * *", "9999999h"])
def test_bad_values_get_one_norwegian_line(value):
    with pytest.raises(ScheduleError) as err:
        sched(value)
    shown = "true" if value is True else "" if value is None else value
    assert str(err.value) == (f"«{shown}» er ikke en gyldig tidsplan; skriv f.eks. 15m, daily 03:00 "
                              "eller en cron-linje")


def test_duration_alone():
    assert parse_duration("2m") == dt.timedelta(minutes=2)
    with pytest.raises(ScheduleError, match="er ikke en gyldig varighet"):
        parse_duration("daily 03:00")


# ---- slots -----------------------------------------------------------------

def test_duration_slots_are_real_time_across_dst():
    s = sched("2h")
    # 01:30 CET on the spring-forward day + 2 h real time = 04:30 CEST (the wall clock moved 3 h).
    assert slot_after(s, oslo(2026, 3, 29, 1, 30)) == oslo(2026, 3, 29, 4, 30)


def test_daily_0230_on_the_spring_forward_day_runs_when_the_clock_jumps():
    s = sched("daily 02:30")
    first = slot_after(s, oslo(2026, 3, 28, 2, 30))
    assert first == utc(2026, 3, 29, 1, 0)  # 03:00 CEST: 02:30 does not exist that day
    assert first.astimezone(OSLO).strftime("%H:%M %z") == "03:00 +0200"
    assert slot_after(s, first) == oslo(2026, 3, 30, 2, 30)
    # Before and after, 02:30 is 02:30.
    assert slot_after(s, oslo(2026, 3, 27, 2, 30)) == oslo(2026, 3, 28, 2, 30)


def test_daily_0230_on_the_fall_back_day_runs_once():
    s = sched("daily 02:30")
    first = slot_after(s, oslo(2026, 10, 24, 12, 0))
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, the first pass
    assert slot_after(s, first) == oslo(2026, 10, 26, 2, 30)  # not again at 02:30 CET


def test_fixed_hour_cron_in_the_fall_back_hour_runs_once():
    s = sched("0,30 2 * * *")
    t = oslo(2026, 10, 25, 1, 0)
    runs = []
    while t < oslo(2026, 10, 25, 12, 0):
        t = slot_after(s, t)
        runs.append(t.astimezone(UTC))
    assert runs[:3] == [utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 0)]


def test_hourly_cron_in_the_fall_back_hour_keeps_its_pace():
    s = sched("*/20 * * * *")
    t = oslo(2026, 10, 25, 2, 40)  # first pass, CEST
    runs = []
    for _ in range(6):
        t = slot_after(s, t)
        runs.append(t.astimezone(UTC))
    # 20 real minutes apart through both passes of 02:00-03:00.
    assert runs == [utc(2026, 10, 25, 1, 0) + dt.timedelta(minutes=20 * i) for i in range(6)]
    assert runs[0].astimezone(OSLO).strftime("%H:%M %z") == "02:00 +0100"


def test_hourly_cron_skips_the_missing_hour_on_spring_forward():
    s = sched("30 * * * *")
    t = slot_after(s, oslo(2026, 3, 29, 1, 30))
    assert t == oslo(2026, 3, 29, 3, 30) and t - oslo(2026, 3, 29, 1, 30) == dt.timedelta(hours=1)


def test_slot_needs_an_aware_time():
    with pytest.raises(ValueError):
        slot_after(sched("15m"), dt.datetime(2026, 1, 1))


# ---- next_run --------------------------------------------------------------

def test_first_cycle_runs_now():
    now = utc(2026, 11, 29, 9, 0)
    assert next_run(sched("15m"), None, None, now) == now
    assert next_run(sched("daily 03:00"), None, None, now) == now


def test_next_is_the_slot_after_the_last_start():
    start = utc(2026, 11, 29, 9, 0)
    fin = start + dt.timedelta(minutes=1)
    assert next_run(sched("15m"), start, fin, fin) == start + dt.timedelta(minutes=15)
    assert next_run(sched("daily 03:00"), start, fin, fin) == oslo(2026, 11, 30, 3, 0)


def test_an_overrun_delays_the_next_and_never_overlaps():
    start = oslo(2026, 11, 29, 10, 0)
    running = start + dt.timedelta(minutes=17)
    assert next_run(sched("15m"), start, None, running) is None  # still running: no next yet
    assert next_run(sched("15m"), start, start - dt.timedelta(hours=1), running) is None
    fin = start + dt.timedelta(minutes=20)
    assert next_run(sched("15m"), start, fin, fin) == fin
    # A cron grid keeps its slots: the delayed 10:15 runs at 10:20, the following one at 10:30.
    assert next_run(sched("*/15 * * * *"), start, fin, fin) == fin
    assert next_run(sched("*/15 * * * *"), fin, fin + dt.timedelta(minutes=1), fin) == oslo(2026, 11, 29, 10, 30)


def test_missed_slots_collapse_into_one_run_now():
    start = oslo(2026, 11, 20, 10, 0)
    fin = start + dt.timedelta(minutes=1)
    now = oslo(2026, 11, 29, 10, 7)  # nothing ran for nine days
    assert next_run(sched("15m"), start, fin, now) == now
    assert is_due(sched("daily 03:00"), start, fin, now)


def test_is_due():
    start = oslo(2026, 11, 29, 3, 0)
    fin = start + dt.timedelta(minutes=5)
    s = sched("daily 03:00")
    assert not is_due(s, start, fin, oslo(2026, 11, 29, 23, 59))
    assert is_due(s, start, fin, oslo(2026, 11, 30, 3, 0))
    assert is_due(s, None, None, oslo(2026, 11, 29, 12, 0))
    assert not is_due(sched("off"), None, None, oslo(2026, 11, 29, 12, 0))


def test_times_returned_are_utc():
    start = oslo(2026, 7, 1, 8, 0)
    assert next_run(sched("15m"), start, start, start).tzinfo is UTC
    assert slot_after(sched("daily 03:00"), start).tzinfo is UTC


# ---- the config key --------------------------------------------------------

def test_defaults_live_in_the_schema():
    s = settings_from(None)
    props = SCHEDULE_SCHEMA["properties"]
    assert s.sync.text == props["sync"]["default"] == "15m"
    assert s.transfer.off and props["transfer"]["default"] == "off"
    assert s.full.text == "daily 03:00" and s.alert_after == dt.timedelta(hours=1)
    assert s.tz == OSLO
    assert SCHEDULE_SCHEMA["default"] == {k: v["default"] for k, v in props.items()}
    assert all(p.get("description") for p in props.values())


def test_settings_from_a_partial_key():
    s = settings_from({"sync": "30s", "alert_after": False, "timezone": "UTC"})
    assert s.sync.every == dt.timedelta(seconds=30) and s.full.text == "daily 03:00"
    assert s.alert_after is None and s.of("full") is s.full
    with pytest.raises(KeyError):
        s.of("nope")


def run_check(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    (tmp_path / "grunndata.yaml").write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "grunndata.cli.main", "check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def test_check_reports_each_bad_value_at_its_position(tmp_path):
    result = run_check(tmp_path, "master: poweroffice\nschedule:\n  sync: 15 min\n  full: '0 3 * *'\n"
                                 "  transfer: off\n  alert_after: daily 03:00\n  timezone: Europe/Olso\n")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{tmp_path / 'grunndata.yaml'}:3:9: schedule.sync: «15 min» er ikke en gyldig tidsplan; "
        "skriv f.eks. 15m, daily 03:00 eller en cron-linje",
        f"{tmp_path / 'grunndata.yaml'}:4:9: schedule.full: «0 3 * *» er ikke en gyldig tidsplan; "
        "skriv f.eks. 15m, daily 03:00 eller en cron-linje",
        f"{tmp_path / 'grunndata.yaml'}:6:16: schedule.alert_after: «daily 03:00» er ikke en gyldig varighet; "
        "skriv f.eks. 30s, 15m eller 2h",
        f"{tmp_path / 'grunndata.yaml'}:7:13: schedule.timezone: «Europe/Olso» er ikke en kjent tidssone; "
        "skriv f.eks. Europe/Oslo",
    ]
    assert "Traceback" not in result.stderr


def test_check_accepts_every_form_and_settings_read_it(tmp_path):
    text = ("master: poweroffice\nschedule:\n  sync: 2s\n  full: '15 3 * * 1-5'\n  transfer: daily 04:00\n"
            "  alert_after: 30m\n")
    result = run_check(tmp_path, text)
    assert result.returncode == 0, result.stderr
    from grunndata.config import load_config
    settings = schedule_settings(load_config(str(tmp_path / "grunndata.yaml"), ["poweroffice", "smartdok"]))
    assert settings.sync.every == dt.timedelta(seconds=2)
    assert settings.full.cron == "15 3 * * 1-5" and settings.transfer.cron == "0 4 * * *"


def test_a_config_without_schedule_gets_the_defaults(tmp_path):
    from grunndata.config import load_config
    (tmp_path / "grunndata.yaml").write_text("master: poweroffice\n", encoding="utf-8")
    settings = schedule_settings(load_config(str(tmp_path / "grunndata.yaml"), ["poweroffice"]))
    assert settings == settings_from({})
