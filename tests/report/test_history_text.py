"""``grunndata history`` tells what the journal says: a kind column, a transfer run with its lines
and no empty list of actions, times in Norway's time with their offset (the journal keeps UTC)."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from click.testing import CliRunner

from grunndata.cli.main import cli
from grunndata.journal import Journal
from grunndata.report.history_text import local_time, run_lines, runs_lines
from grunndata.report.words import Words

WORDS = Words.default()


def test_utc_is_shown_in_norwegian_time_with_its_offset():
    assert local_time("2026-01-15T13:00:00+00:00") == "2026-01-15 14:00:00+01:00"  # winter
    assert local_time("2026-07-01T10:00:00+00:00") == "2026-07-01 12:00:00+02:00"  # summer
    assert local_time("2026-03-29T00:59:59+00:00") == "2026-03-29 01:59:59+01:00"  # the hour before DST
    assert local_time("2026-03-29T01:00:00+00:00") == "2026-03-29 03:00:00+02:00"
    assert local_time("2026-01-15T13:00:00") == "2026-01-15 14:00:00+01:00"  # no offset: UTC, as written
    assert local_time(None) == "–"
    assert local_time("ikke en tid\x1b") == "ikke en tid\\x1b"


@pytest.fixture
def journal_file(tmp_path):
    """One apply run and one interrupted transfer run, at known UTC times, written the way the
    journal writes them (its own schema; the rows as the write engine leaves them)."""
    path = tmp_path / "journal.sqlite"
    Journal(path).close()  # the schema
    db = sqlite3.connect(path)
    run = ("INSERT INTO runs (kind, started_at, finished_at, master, config_hash, fingerprint, status, summary) "
           "VALUES (?, '2026-01-15T13:00:00+00:00', '2026-01-15T13:00:05+00:00', 'smartdok', 'abc123', 'fp', ?, ?)")
    apply_id = db.execute(run, ("apply", "ok", json.dumps({"planned_writes": 1, "ok": 1, "recovered": 0,
                                                           "failed": 0, "declined": False}))).lastrowid
    db.execute("INSERT INTO actions (run_id, seq, op, entity, target, key, fields, reason, rule, outcome, remote_id, "
               "detail, at) VALUES (?, 1, 'create', 'projects', 'poweroffice', '2305', ?, 'r', 'rules/projects.yaml:56', "
               "'ok', '77', '', '2026-01-15T13:00:01+00:00')",
               (apply_id, json.dumps({"name": "Kontorbygg [/] Brattøra"}, ensure_ascii=False)))
    transfer_id = db.execute(run, ("transfer", "interrupted", json.dumps({
        "planned_writes": 2, "ok": 1, "recovered": 0, "failed": 0, "marked": 1, "held": 0, "reported": 0,
        "declined": False}))).lastrowid
    line = ("INSERT INTO transfer_lines (run_id, seq, op, kind, key, reference, fields, reason, rule, outcome, "
            "remote_id, po_accepted_at, sd_marked_at, detail, at) VALUES (?, ?, 'send', 'hours', ?, ?, '{}', 'r', "
            "'rules/transfer.yaml:15', ?, ?, ?, ?, '', '2026-07-01T10:00:01+00:00')")
    db.execute(line, (transfer_id, 1, "smartdok-workhour-1", "smartdok-workhour-1", "ok", "501",
                      "2026-07-01T10:00:00+00:00", "2026-07-01T10:00:01+00:00"))
    db.execute(line, (transfer_id, 2, "smartdok-workhour-2", "smartdok-workhour-2", "started", None, None, None))
    db.commit()
    db.close()
    return path, apply_id, transfer_id


def history(path, *args):
    result = CliRunner().invoke(cli, ["history", "--state", str(path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_list_has_a_kind_column_and_local_times(journal_file, tmp_path, monkeypatch):
    path, apply_id, transfer_id = journal_file
    monkeypatch.chdir(tmp_path)
    lines = history(path).splitlines()
    header = next(line for line in lines if line.startswith("kjøring"))
    assert header.split() == ["kjøring", "type", "startet", "ferdig", "master", "status", "skrevet/sendt", "feilet"]
    rows = {line.split()[0]: line.split() for line in lines[lines.index(header) + 1:]}
    assert rows[str(transfer_id)][1] == "transfer" and rows[str(apply_id)][1] == "apply"
    assert rows[str(transfer_id)][2:5] == ["2026-01-15", "14:00:00+01:00", "14:00:05+01:00"]  # ended the same day
    assert rows[str(transfer_id)][6] == "avbrutt" and rows[str(transfer_id)][7:] == ["1", "0"]  # as the journal says
    # The JSON keeps the journal's own values (UTC, English status words).
    data = json.loads(history(path, "--json"))
    assert data[0]["started_at"] == "2026-01-15T13:00:00+00:00" and data[0]["status"] == "interrupted"


def test_a_transfer_run_shows_its_lines_and_no_empty_action_list(journal_file, tmp_path, monkeypatch):
    path, _, transfer_id = journal_file
    monkeypatch.chdir(tmp_path)
    lines = history(path, str(transfer_id)).splitlines()
    assert lines[0].startswith(f"Kjøring {transfer_id}: avbrutt (transfer), startet 2026-01-15 14:00:00+01:00")
    assert lines[1] == "Sendt: 1, feilet: 0."
    assert not any(line.startswith("Handlinger") for line in lines)
    assert "Linjer (2):" in lines
    sent = next(line for line in lines if "smartdok-workhour-1 " in line)
    assert "id 501" in sent and "PowerOffice: 2026-07-01 12:00:00+02:00" in sent
    assert "SmartDok merket: 2026-07-01 12:00:01+02:00" in sent
    unsent = next(line for line in lines if "smartdok-workhour-2 " in line)
    assert unsent.split()[1] == "startet" and "PowerOffice: –" in unsent


def test_an_apply_run_shows_its_actions_with_names_as_data(journal_file, tmp_path, monkeypatch):
    path, apply_id, _ = journal_file
    monkeypatch.chdir(tmp_path)
    lines = history(path, str(apply_id)).splitlines()
    assert lines[0].startswith(f"Kjøring {apply_id}: ok (apply)")
    assert "  1  ok  + prosjekt 2305 «Kontorbygg [/] Brattøra» → PowerOffice  id 77" in lines
    assert not any(line.startswith("Linjer") for line in lines)


def test_an_empty_journal_and_a_run_with_nothing_written():
    assert runs_lines([], WORDS) == ["Ingen kjøringer i journalen ennå."]
    lines = run_lines({"id": 3, "kind": "apply", "status": "running", "master": "poweroffice",
                       "started_at": dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc).isoformat(), "finished_at": None,
                       "config_hash": "h", "summary": None, "actions": []}, WORDS)
    assert lines[0] == ("Kjøring 3: pågår (apply), startet 2026-01-02 01:00:00+01:00, ferdig –, master PowerOffice, "
                        "regler h")
    assert lines[1] == "Skrevet: –, feilet: –."
    assert lines[-1] == "Ingen handlinger eller linjer ble skrevet i denne kjøringen."
