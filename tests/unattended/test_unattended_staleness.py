"""A waiting plan is stale only if a record it writes or depends on has changed since."""
from __future__ import annotations

import json

import pytest

from grunndata.engine.planner import make_plan
from grunndata.unattended.staleness import (PlanDependencies, RecordRef, changed_refs, plan_dependencies,
                                            stale_actions, stale_records)

from _unattended_world import session, snapshot, world


@pytest.fixture(scope="module")
def waiting(tmp_path_factory):
    """A plan made from the world, and its dependencies, as a cycle would store them."""
    s = session(tmp_path_factory.mktemp("stale"))
    snap = snapshot()
    plan = make_plan(s, snap)
    return s, plan, plan_dependencies(plan, snap, s)


def project(data, system, number):
    field = "ProjectNumber" if system == "smartdok" else "Code"
    return next(p for p in data[system]["Projects"] if p[field] == number)


def test_the_world_plans_what_the_tests_expect(waiting):
    _, plan, deps = waiting
    got = [(a.op, a.entity, a.key) for a in plan.writes]
    assert got == [("update", "projects", "2301"), ("finish", "projects", "2302"), ("create", "projects", "2305"),
                   ("create", "projects", "2306"), ("create", "subprojects", "2301.1"),
                   ("create", "subprojects", "2306.1"), ("create", "subprojects", "2303.1")]
    assert set(deps.actions) == {i for i, a in enumerate(plan.actions) if a.writes}


def test_an_unchanged_world_is_not_stale(waiting):
    s, _, deps = waiting
    assert stale_records(deps, snapshot(), s) == []


def test_changes_elsewhere_do_not_make_it_stale(waiting):
    s, _, deps = waiting
    data = world()
    project(data, "smartdok", "2399")["ProjectName"] = "Endret i SmartDok"
    project(data, "poweroffice", "2399")["Name"] = "Endret i PowerOffice"
    data["smartdok"]["Projects"].append({"Id": 77, "ProjectNumber": "2377", "ProjectName": "Ny",
                                         "IsActive": True, "Finished": False})
    data["poweroffice"]["Projects"].append({"Id": 977, "Code": "2388", "Name": "Bare i PowerOffice"})
    assert stale_records(deps, snapshot(data), s) == []


def test_a_field_no_rule_reads_and_a_new_change_stamp_do_not_make_it_stale(waiting):
    s, _, deps = waiting
    data = world()
    project(data, "poweroffice", "2301")["LastChangedDateTimeOffset"] = "2026-11-29T10:00:00+00:00"
    project(data, "poweroffice", "2302")["IsActive"] = True  # not mapped for projects
    project(data, "smartdok", "2305")["Updated"] = "2026-11-29T10:00:00"
    assert stale_records(deps, snapshot(data), s) == []


def test_the_source_of_an_update_changed(waiting):
    s, plan, deps = waiting
    data = world()
    project(data, "smartdok", "2301")["ProjectName"] = "Kirkegata 12 (nyere navn)"
    assert stale_records(deps, snapshot(data), s) == ["prosjekt 2301 i SmartDok er endret"]
    changed = [ref for ref, _ in changed_refs(deps, snapshot(data), s)]
    # Only the update: the sub-project 2301.1 goes under PowerOffice's 2301, which did not change.
    assert [plan.actions[i].key for i in stale_actions(deps, changed)] == ["2301"]


def test_the_record_a_finish_writes_changed(waiting):
    s, _, deps = waiting
    data = world()
    project(data, "poweroffice", "2302")["ProjectStatus"] = "Complete"
    assert stale_records(deps, snapshot(data), s) == ["prosjekt 2302 i PowerOffice er endret"]


def test_a_record_a_create_would_make_now_exists(waiting):
    s, _, deps = waiting
    data = world()
    data["poweroffice"]["Projects"].append({"Id": 905, "Code": "2305", "Name": "Kontorbygg Brattøra"})
    assert stale_records(deps, snapshot(data), s) == [
        "prosjekt 2305 i PowerOffice finnes nå, men fantes ikke da planen ble laget"]


def test_a_record_that_vanished(waiting):
    s, _, deps = waiting
    data = world()
    data["smartdok"]["SubProjects"] = [r for r in data["smartdok"]["SubProjects"] if r["Id"] != 61]
    assert stale_records(deps, snapshot(data), s) == ["underprosjekt 2306.1 i SmartDok finnes ikke lenger"]


def test_the_parent_of_a_sub_project_create_changed(waiting):
    s, plan, deps = waiting
    data = world()
    project(data, "poweroffice", "2303")["Name"] = "Ranheim (endret i PowerOffice)"
    fresh = snapshot(data)
    assert stale_records(deps, fresh, s) == ["prosjekt 2303 i PowerOffice er endret"]
    assert [plan.actions[i].key for i in stale_actions(deps, [r for r, _ in changed_refs(deps, fresh, s)])] \
        == ["2303.1"]


def test_the_standard_project_creates_inherit_from_changed(waiting):
    s, plan, deps = waiting
    data = world()
    project(data, "poweroffice", "9000")["ProjectBillingMethod"] = "TimeAndExpenses"
    fresh = snapshot(data)
    assert stale_records(deps, fresh, s) == ["prosjekt 9000 i PowerOffice er endret"]
    hit = stale_actions(deps, [r for r, _ in changed_refs(deps, fresh, s)])
    assert {plan.actions[i].op for i in hit} == {"create"} and len(hit) == 5


def test_several_changes_are_all_named(waiting):
    s, _, deps = waiting
    data = world()
    project(data, "smartdok", "2302")["Finished"] = False
    project(data, "poweroffice", "2301")["Name"] = "Noe annet"
    assert stale_records(deps, snapshot(data), s) == ["prosjekt 2301 i PowerOffice er endret",
                                                      "prosjekt 2302 i SmartDok er endret"]


def test_dependencies_survive_json(waiting):
    s, _, deps = waiting
    again = PlanDependencies.from_json(json.loads(json.dumps(deps.to_json())))
    assert again.records == deps.records and again.actions == deps.actions
    data = world()
    project(data, "smartdok", "2301")["ProjectName"] = "x"
    assert stale_records(again, snapshot(data), s) == ["prosjekt 2301 i SmartDok er endret"]
    with pytest.raises(ValueError):
        PlanDependencies.from_json({"format": 99})


def test_a_blocked_plan_depends_on_nothing(tmp_path):
    s = session(tmp_path)
    data = world()
    data["poweroffice"]["Projects"] = [p for p in data["poweroffice"]["Projects"] if p["Code"] != "9000"]
    plan = make_plan(s, snapshot(data))
    assert plan.blocked
    assert plan_dependencies(plan, snapshot(data), s).records == {}


def test_an_entity_without_key_matching_depends_on_everything_read(tmp_path):
    from grunndata.engine.model import Action
    from grunndata.engine.plan import Plan

    s = session(tmp_path)
    plan = Plan("smartdok", [Action("create", "gadgets", "poweroffice", "1", {}, "", "")], "x")
    deps = plan_dependencies(plan, snapshot(), s)
    assert list(deps.records) == [RecordRef("poweroffice", "gadgets", "*")]
    data = world()
    project(data, "smartdok", "2399")["ProjectName"] = "x"
    assert stale_records(deps, snapshot(data), s) == ["det som ble lest av «gadgets» i PowerOffice er endret"]
