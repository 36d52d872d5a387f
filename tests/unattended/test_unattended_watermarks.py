"""Incremental reads: merging a change set by id, watermarks from the server's own stamps, overlap."""
from __future__ import annotations

import datetime as dt

import pytest

from grunndata.engine.model import Snapshot
from grunndata.unattended.watermarks import (ChangeFilter, IncrementalRules, filter_value, id_positions,
                                             incremental_rules, merge_changes, merge_snapshot, next_watermark,
                                             next_watermarks, parse_stamp, read_params)

from _unattended_world import session

UTC = dt.timezone.utc
PO = ChangeFilter("poweroffice", "Projects", "Id",
                  {"lastChangedDateTimeOffsetGreaterThan": "LastChangedDateTimeOffset"})
SD = ChangeFilter("smartdok", "Projects", "Id", {"updatedSince": "Updated", "createdSince": "Created"})
INC = IncrementalRules(dt.timedelta(minutes=2), dt.timedelta(hours=24), {PO.name: PO, SD.name: SD})


def po(i: int, name: str, stamp: str | None) -> dict:
    return {"Id": i, "Code": str(2300 + i), "Name": name, "LastChangedDateTimeOffset": stamp}


# ---- the rules -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    return incremental_rules(session(tmp_path_factory.mktemp("inc")).rules)


def test_shipped_rules_follow_the_contracts(shipped):
    assert shipped.overlap == dt.timedelta(minutes=2) and shipped.max_stamp_ahead == dt.timedelta(hours=24)
    assert shipped.filter_of("smartdok", "Projects").filters == {"updatedSince": "Updated",
                                                                 "createdSince": "Created"}
    assert shipped.filter_of("smartdok", "SubProjects").filters == {"updatedSince": "Updated"}
    assert shipped.filter_of("smartdok", "WorkHours").id_field == "WorkHourID"
    for resource in ("Projects", "Products", "Employees", "PayItems", "Customers", "SalesOrders"):
        cf = shipped.filter_of("poweroffice", resource)
        assert cf.filters == {"lastChangedDateTimeOffsetGreaterThan": "LastChangedDateTimeOffset"}, resource
    # No change filter: read whole.
    for system, resource in (("smartdok", "WorkDescriptions"), ("smartdok", "Machines"), ("smartdok", "Users"),
                             ("poweroffice", "TimeTracking/Activity")):
        assert shipped.filter_of(system, resource) is None


def test_a_customer_can_change_the_overlap_and_add_a_resource(tmp_path):
    s = session(tmp_path, rules="incremental:\n  overlap: 0s\n  resources:\n"
                                "    poweroffice/Departments: {id: Id, filters: {lastChangedDateTimeOffsetGreaterThan: "
                                "LastChangedDateTimeOffset}}\n")
    inc = incremental_rules(s.rules)
    assert inc.overlap == dt.timedelta(0)
    assert inc.filter_of("poweroffice", "Departments") is not None
    assert inc.filter_of("poweroffice", "Projects") is not None  # merged key by key with the shipped table


# ---- merging ---------------------------------------------------------------------------------

def test_changes_replace_by_id_and_new_records_are_appended():
    kept = [po(1, "A", "2026-11-29T09:00:00+00:00"), po(2, "B", "2026-11-29T09:00:00+00:00")]
    changes = [po(2, "B2", "2026-11-29T09:10:00+00:00"), po(3, "C", "2026-11-29T09:11:00+00:00")]
    result = merge_changes(kept, changes, PO)
    assert [(r["Id"], r["Name"]) for r in result.records] == [(1, "A"), (2, "B2"), (3, "C")]
    assert (result.added, result.replaced) == (1, 1)
    assert kept[1]["Name"] == "B"  # the kept list itself is not changed


def test_a_record_seen_twice_in_the_overlap_is_kept_once():
    rec = po(2, "B", "2026-11-29T09:10:00+00:00")
    result = merge_changes([rec], [dict(rec), dict(rec)], PO)
    assert result.records == [rec] and result.replaced == 2


def test_the_newest_wins_even_when_an_older_copy_is_read_later():
    newer = po(2, "B-ny", "2026-11-29T09:10:00+00:00")
    older = po(2, "B-gammel", "2026-11-29T09:05:00+00:00")
    result = merge_changes([newer], [older], PO)
    assert result.records == [newer] and result.kept_newer == 1
    # Twice in one change set (two filters, or a page that shifted): the newest of the two.
    assert merge_changes([], [newer, older], PO).records == [newer]
    assert merge_changes([], [older, newer], PO).records == [newer]


def test_equal_or_missing_stamps_let_the_later_read_win():
    first = po(2, "B", "2026-11-29T09:10:00+00:00")
    same_instant = po(2, "B (samme stempel)", "2026-11-29T10:10:00+01:00")
    assert merge_changes([first], [same_instant], PO).records == [same_instant]
    unstamped = po(2, "B uten stempel", None)
    assert merge_changes([first], [unstamped], PO).records == [unstamped]


def test_a_smartdok_project_stamped_only_created_merges_with_its_update():
    created = {"Id": 7, "ProjectNumber": "2307", "Created": "2026-11-29T09:00:00", "Updated": None}
    updated = {"Id": 7, "ProjectNumber": "2307", "ProjectName": "Ny", "Created": "2026-11-29T09:00:00",
               "Updated": "2026-11-29T09:30:00"}
    # The updatedSince read and the createdSince read both return project 7.
    assert merge_changes([], [updated, created], SD).records == [updated]


def test_records_without_a_usable_id_are_left_to_the_full_read():
    result = merge_changes([], [{"Name": "uten id"}, {"Id": ["x"]}, {"Id": True}, "not a record"], PO)
    assert result.records == [] and result.without_id == 4


def test_a_record_read_again_equal_leaves_the_kept_object_and_changes_are_found_by_position():
    kept = [po(1, "A", "2026-11-29T09:00:00+00:00"), po(2, "B", "2026-11-29T09:00:00+00:00")]
    result = merge_changes(kept, [dict(kept[0]), po(2, "B2", "2026-11-29T09:10:00+00:00"),
                                  po(3, "C", "2026-11-29T09:11:00+00:00")], PO)
    assert result.records[0] is kept[0]  # equal: what was worked out from it last cycle still holds
    assert (result.replaced, result.added, result.changed_at) == (2, 1, [1, 2])
    assert merge_changes(kept, [dict(kept[1])], PO).changed_at == []


def test_the_positions_kept_between_cycles_follow_the_merges():
    kept = [po(1, "A", "2026-11-29T09:00:00+00:00"), po(2, "B", "2026-11-29T09:00:00+00:00")]
    where = id_positions(kept, PO)
    first = merge_changes(kept, [po(3, "C", "2026-11-29T09:11:00+00:00")], PO, where)
    assert where == {1: 0, 2: 1, 3: 2} == id_positions(first.records, PO)
    second = merge_changes(first.records, [po(3, "C2", "2026-11-29T09:12:00+00:00")], PO, where)
    assert [r["Name"] for r in second.records] == ["A", "B", "C2"] and second.added == 0
    # Ids no record may use are not indexed; the first of two records with one id is.
    odd = [{"Id": True}, {"Id": None}, {"Id": ["x"]}, "not a record", {"Id": 1}, {"Id": 1, "Name": "to"}]
    assert id_positions(odd, PO) == {1: 4}
    assert id_positions([{"Id": 5}, {"Id": "5"}, {"Id": 5}], PO) == {5: 0, "5": 1}


def test_merge_snapshot_merges_filtered_resources_and_replaces_whole_ones():
    kept = Snapshot(smartdok={"WorkDescriptions": [{"Id": 1, "Number": "10"}],
                              "Projects": [{"Id": 1, "ProjectNumber": "2301", "Updated": "2026-11-29T08:00:00"}]},
                    poweroffice={"Projects": [po(1, "A", "2026-11-29T08:00:00+00:00")],
                                 "Products": [{"Id": 5, "Code": "M1"}]})
    read = {("smartdok", "WorkDescriptions"): [{"Id": 2, "Number": "20"}],
            ("poweroffice", "Projects"): [po(1, "A2", "2026-11-29T09:00:00+00:00")]}
    fresh, results = merge_snapshot(kept, read, INC)
    assert fresh.smartdok["WorkDescriptions"] == [{"Id": 2, "Number": "20"}]  # no filter: read whole
    assert fresh.poweroffice["Projects"][0]["Name"] == "A2"
    assert fresh.poweroffice["Products"] is kept.poweroffice["Products"]  # not read: kept
    assert fresh.smartdok["Projects"] is kept.smartdok["Projects"]
    assert kept.poweroffice["Projects"][0]["Name"] == "A"
    assert results["poweroffice/Projects"].replaced == 1


# ---- watermarks ------------------------------------------------------------------------------

def test_the_watermark_is_the_newest_stamp_the_server_returned_as_it_wrote_it():
    records = [po(1, "A", "2026-11-29T09:00:00.1234567+00:00"), po(2, "B", "2026-11-29T10:30:00.5+01:00"),
               po(3, "C", None), po(4, "D", "ikke en tid")]
    assert next_watermark(None, records, PO) == "2026-11-29T10:30:00.5+01:00"


def test_a_watermark_never_goes_back_and_stays_when_nothing_changed():
    mark = "2026-11-29T09:30:00+00:00"
    assert next_watermark(mark, [po(1, "A", "2026-11-29T09:00:00+00:00")], PO) == mark
    assert next_watermark(mark, [], PO) == mark
    assert next_watermark(None, [], PO) is None


def test_equal_stamps_keep_the_watermark():
    mark = "2026-11-29T09:30:00+00:00"
    assert next_watermark(mark, [po(1, "A", "2026-11-29T10:30:00+01:00")], PO) == mark


def test_clock_skew_the_server_clock_decides_not_ours():
    # The server runs 40 minutes behind us: our clock would skip everything stamped in those 40 minutes.
    ours = dt.datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    behind = [po(1, "A", "2026-11-29T09:20:00+00:00")]
    marks = next_watermarks({}, {("poweroffice", "Projects"): behind}, INC, now=ours)
    assert marks == {"poweroffice/Projects": "2026-11-29T09:20:00+00:00"}
    assert read_params("poweroffice", "Projects", marks, INC) == [
        {"lastChangedDateTimeOffsetGreaterThan": "2026-11-29T09:18:00+00:00"}]
    # The server runs 10 minutes ahead: its stamps are in our future, and still the watermark.
    ahead = [po(1, "A", "2026-11-29T10:10:00+00:00")]
    marks = next_watermarks({}, {("poweroffice", "Projects"): ahead}, INC, now=ours)
    assert marks == {"poweroffice/Projects": "2026-11-29T10:10:00+00:00"}


def test_a_stamp_far_in_the_future_does_not_stop_later_reads():
    ours = dt.datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    records = [po(1, "A", "2026-11-29T09:50:00+00:00"), po(2, "feil dato", "9999-01-01T00:00:00+00:00")]
    marks = next_watermarks({}, {("poweroffice", "Projects"): records}, INC, now=ours)
    assert marks == {"poweroffice/Projects": "2026-11-29T09:50:00+00:00"}


def test_watermarks_only_for_filtered_resources_and_kept_for_resources_not_read():
    previous = {"smartdok/Projects": "2026-11-29T08:00:00", "poweroffice/Projects": "2026-11-29T08:00:00+00:00"}
    read = {("smartdok", "Projects"): [{"Id": 1, "Updated": None, "Created": "2026-11-29T09:00:00"}],
            ("smartdok", "WorkDescriptions"): [{"Id": 1}]}
    assert next_watermarks(previous, read, INC) == {"smartdok/Projects": "2026-11-29T09:00:00",
                                                    "poweroffice/Projects": "2026-11-29T08:00:00+00:00"}


def test_naive_stamps_compare_as_utc_and_keep_their_form_in_the_filter():
    assert parse_stamp("2026-11-29T09:00:00") == dt.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert filter_value("2026-11-29T09:00:00.123", dt.timedelta(minutes=2)) == "2026-11-29T08:58:00.123000"
    assert filter_value("2026-11-29T09:00:00Z", dt.timedelta(minutes=2)) == "2026-11-29T08:58:00+00:00"
    assert filter_value("ødelagt", dt.timedelta(minutes=2)) is None


def test_read_params_one_request_per_filter_or_whole():
    marks = {"smartdok/Projects": "2026-11-29T09:00:00"}
    assert read_params("smartdok", "Projects", marks, INC) == [{"updatedSince": "2026-11-29T08:58:00"},
                                                               {"createdSince": "2026-11-29T08:58:00"}]
    assert read_params("poweroffice", "Projects", marks, INC) is None  # no watermark yet: read whole
    assert read_params("smartdok", "WorkDescriptions", marks, INC) is None  # no filter: read whole
    assert read_params("smartdok", "Projects", {"smartdok/Projects": "tull"}, INC) is None
