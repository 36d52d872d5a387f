"""grunndata status from stored facts: the JSON shape, health, lag, next, and the text."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from grunndata.unattended.schedule_config import settings_from
from grunndata.unattended.status import (CycleError, CycleFacts, StatusFacts, WaitingPlan, build_status, exit_code,
                                         health_problems, status_text)

OSLO = ZoneInfo("Europe/Oslo")
SETTINGS = settings_from({})  # sync 15m, full daily 03:00, transfer off, alert after 1h


def oslo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


NOW = oslo(2026, 11, 29, 10, 16, 4)


def healthy_facts(**extra) -> StatusFacts:
    sync = CycleFacts(last_started=oslo(2026, 11, 29, 10, 15, 0), last_finished=oslo(2026, 11, 29, 10, 15, 2),
                      last_ok=oslo(2026, 11, 29, 10, 15, 2), mode="incremental")
    full = CycleFacts(last_started=oslo(2026, 11, 29, 3, 0), last_finished=oslo(2026, 11, 29, 3, 4, 30),
                      last_ok=oslo(2026, 11, 29, 3, 4, 30), mode="full")
    args = dict(cycles={"sync": sync, "full": full}, watermarks={"smartdok/Projects": "2026-11-29T09:15:01.123",
                                                                  "poweroffice/Projects": "2026-11-29T09:15:00+00:00"},
                runner_active=True)
    args.update(extra)
    return StatusFacts(**args)


def test_the_documented_shape():
    status = build_status(healthy_facts(), SETTINGS, NOW)
    assert set(status) == {"healthy", "cycles", "waiting", "watermarks", "held_back"}
    assert set(status["cycles"]) == {"sync", "full", "transfer"}
    for cycle in status["cycles"].values():
        assert set(cycle) == {"last_ok", "last_run", "next", "lag_s", "mode", "error"}
    sync = status["cycles"]["sync"]
    assert sync == {"last_ok": "2026-11-29T10:15:02+01:00", "last_run": "2026-11-29T10:15:00+01:00",
                    "next": "2026-11-29T10:30:00+01:00", "lag_s": 0, "mode": "incremental", "error": None}
    assert status["cycles"]["full"]["next"] == "2026-11-30T03:00:00+01:00"
    assert status["cycles"]["transfer"] == {"last_ok": None, "last_run": None, "next": None, "lag_s": None,
                                            "mode": None, "error": None}
    assert status["healthy"] is True and exit_code(status) == 0
    assert list(status["watermarks"]) == ["poweroffice/Projects", "smartdok/Projects"]
    assert status["held_back"] == {"count": 0, "by_reason": {}}
    json.dumps(status)  # plain JSON


def test_timestamps_carry_the_summer_offset():
    facts = StatusFacts(cycles={"sync": CycleFacts(last_started=dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone.utc),
                                                   last_finished=dt.datetime(2026, 7, 1, 8, 1, tzinfo=dt.timezone.utc),
                                                   last_ok=dt.datetime(2026, 7, 1, 8, 1, tzinfo=dt.timezone.utc))})
    status = build_status(facts, SETTINGS, oslo(2026, 7, 1, 10, 5))
    assert status["cycles"]["sync"]["last_run"] == "2026-07-01T10:00:00+02:00"


def test_next_is_null_when_nothing_runs_run():
    status = build_status(healthy_facts(runner_active=False), SETTINGS, NOW)
    assert all(c["next"] is None for c in status["cycles"].values())
    assert status["healthy"]


def test_next_while_a_cycle_runs_is_its_next_slot_or_now_when_overrun():
    running = CycleFacts(last_started=oslo(2026, 11, 29, 10, 15), last_finished=oslo(2026, 11, 29, 10, 0, 3),
                         last_ok=oslo(2026, 11, 29, 10, 0, 3))
    status = build_status(StatusFacts(cycles={"sync": running}, runner_active=True), SETTINGS, NOW)
    assert status["cycles"]["sync"]["next"] == "2026-11-29T10:30:00+01:00"
    late = oslo(2026, 11, 29, 10, 40)
    status = build_status(StatusFacts(cycles={"sync": running}, runner_active=True), SETTINGS, late)
    assert status["cycles"]["sync"]["next"] == "2026-11-29T10:40:00+01:00"


def test_a_failed_last_cycle_is_unhealthy_and_explained():
    failed = CycleFacts(last_started=oslo(2026, 11, 29, 10, 15), last_finished=oslo(2026, 11, 29, 10, 15, 9),
                        last_ok=oslo(2026, 11, 29, 10, 0, 2), mode="incremental",
                        error=CycleError("HTTP 503 from PowerOffice", "PowerOffice svarte ikke; prøver igjen"))
    facts = healthy_facts(cycles={**healthy_facts().cycles, "sync": failed})
    status = build_status(facts, SETTINGS, NOW)
    assert status["healthy"] is False and exit_code(status) == 1
    assert status["cycles"]["sync"]["error"] == {"message": "HTTP 503 from PowerOffice",
                                                 "explanation": "PowerOffice svarte ikke; prøver igjen"}
    assert health_problems(facts, SETTINGS, NOW) == ["siste synk feilet: PowerOffice svarte ikke; prøver igjen"]


def test_a_waiting_plan_is_unhealthy():
    facts = healthy_facts(waiting=[WaitingPlan(42, "180 prosjekter ville blitt avsluttet; grensen er 10 "
                                                   "(rules/unattended.yaml:13)",
                                               {"create": 0, "update": 3, "finish": 180, "skip": 4, "total": 187})])
    status = build_status(facts, SETTINGS, NOW)
    assert status["healthy"] is False
    assert status["waiting"] == [{"run": 42, "reason": "180 prosjekter ville blitt avsluttet; grensen er 10 "
                                                     "(rules/unattended.yaml:13)",
                                  "summary": {"create": 0, "update": 3, "finish": 180}}]


@pytest.mark.parametrize("minutes_late,healthy", [(59, True), (60, True), (61, False)])
def test_lag_over_alert_after_is_unhealthy(minutes_late, healthy):
    # Last good sync finished 09:00:00, so the next was due 09:15; "late" counts from there.
    sync = CycleFacts(last_started=oslo(2026, 11, 29, 8, 59), last_finished=oslo(2026, 11, 29, 9, 0),
                      last_ok=oslo(2026, 11, 29, 9, 0))
    facts = healthy_facts(cycles={**healthy_facts().cycles, "sync": sync})
    now = oslo(2026, 11, 29, 9, 15) + dt.timedelta(minutes=minutes_late)
    status = build_status(facts, SETTINGS, now)
    assert status["cycles"]["sync"]["lag_s"] == minutes_late * 60
    assert status["healthy"] is healthy


def test_a_daily_full_is_not_late_during_the_day_but_is_after_its_slot_plus_alert():
    facts = healthy_facts()
    assert build_status(facts, SETTINGS, oslo(2026, 11, 29, 23, 0))["cycles"]["full"]["lag_s"] == 0
    status = build_status(facts, SETTINGS, oslo(2026, 11, 30, 4, 30))
    assert status["cycles"]["full"]["lag_s"] == 90 * 60 and status["healthy"] is False


def test_alert_after_off_never_alerts_on_lag():
    settings = settings_from({"alert_after": "off"})
    assert build_status(healthy_facts(), settings, oslo(2027, 1, 1))["healthy"] is True


def test_held_back():
    facts = healthy_facts(held_back={"ansattnummeret finnes ikke i PowerOffice": 2, "lønnsarten mangler": 1})
    status = build_status(facts, SETTINGS, NOW)
    assert status["held_back"] == {"count": 3, "by_reason": {"ansattnummeret finnes ikke i PowerOffice": 2,
                                                             "lønnsarten mangler": 1}}
    assert status["healthy"]  # rows held back are reported, not failures


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        build_status(healthy_facts(), SETTINGS, dt.datetime(2026, 1, 1))


def test_text_when_healthy():
    text = status_text(healthy_facts(held_back={"lønnsarten mangler": 1}), SETTINGS, NOW)
    assert text.startswith("Integrasjonen er i orden.\n")
    assert ("Synk (15m): sist i orden 29.11.2026 10:15:02, inkrementell, neste 29.11.2026 10:30:00"
            in text)
    assert "Overføring (av): sist i orden aldri" in text
    assert "smartdok/Projects     2026-11-29T09:15:01.123" in text
    assert "Holdt tilbake fra overføring: 1\n  lønnsarten mangler: 1" in text


def test_text_when_unhealthy():
    failed = CycleFacts(last_started=oslo(2026, 11, 29, 10, 15), last_finished=oslo(2026, 11, 29, 10, 15, 9),
                        last_ok=oslo(2026, 11, 29, 8, 0), error=CycleError("boom", "SmartDok avviste innloggingen"))
    facts = healthy_facts(cycles={**healthy_facts().cycles, "sync": failed},
                          waiting=[WaitingPlan(42, "180 prosjekter ville blitt avsluttet; grensen er 10",
                                               {"create": 0, "update": 3, "finish": 180})], runner_active=False)
    text = status_text(facts, SETTINGS, NOW)
    assert text.splitlines()[:4] == [
        "Integrasjonen trenger tilsyn:",
        "  - siste synk feilet: SmartDok avviste innloggingen",
        "  - synk ligger 2 t 1 min etter tidsplanen; varsles etter 1 t (schedule.alert_after)",
        "  - kjøring 42 venter på godkjenning: 180 prosjekter ville blitt avsluttet; grensen er 10",
    ]
    assert "siste forsøk 29.11.2026 10:15:00 feilet" in text
    assert "neste: ingen «grunndata run» kjører" in text
    assert "Kjøring 42 venter på godkjenning (opprett 0, oppdater 3, avslutt 180):" in text
    assert "Godkjenn: grunndata approve 42   Forkast: grunndata reject 42" in text


def test_an_operator_is_told_the_tenant_commands_for_a_waiting_plan():
    facts = healthy_facts(waiting=[WaitingPlan(7, "for mange endringer", {"create": 300})])
    text = status_text(facts, SETTINGS, NOW, command="grunndata tenant {verb} acme-bygg {run}")
    assert "Godkjenn: grunndata tenant approve acme-bygg 7   Forkast: grunndata tenant reject acme-bygg 7" in text
