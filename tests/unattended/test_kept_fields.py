"""What a cycle keeps of each record (:mod:`grunndata.unattended.kept_fields`): the fields the
entities and the rules read, collected from the loaded rules. A plan from the cut snapshot equals
the plan from whole records, a rule's condition on a field no field map names still sees it, and
a snapshot kept under another cut is read again whole."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for benchmarks/

from _unattended_world import session
from test_incremental_plan import _change, _copy_lists, _snap
from test_run_once import once
from unattended_env import Env

from benchmarks.worldgen import STANDARD_PROJECT, generate
from grunndata.engine.model import SYSTEMS, Snapshot
from grunndata.engine.planner import make_plan
from grunndata.state import SqliteStateStore
from grunndata.unattended.kept_fields import cut, kept_fields
from grunndata.unattended.watermarks import incremental_rules

# A customer's rule on a field none of the field maps name: absence projects do not count.
ABSENCE = "records:\n  smartdok:\n    Projects:\n      active_when:\n        IsAbsenceProject: {is: false, missing_means: false}\n"
UNREAD = {"DescriptionText": "Tekst ingen regel leser", "Location": {"Lat": 63.4, "Lon": 10.4}, "UserIds": [1, 2]}


def _cut(s: Any, world: dict[str, Any]) -> Snapshot:
    fields = kept_fields(s, incremental_rules(s.rules))
    return Snapshot(
        **{
            system: {name: cut(rows, fields.get(f"{system}/{name}")) for name, rows in world[system].items()}
            for system in SYSTEMS
        }
    )


def _actions(plan: Any) -> list[dict[str, Any]]:
    return [a.to_json() for a in plan.actions]


def _world(seed: int) -> dict[str, Any]:
    """A worldgen world whose records also carry fields no rule reads, some projects absence ones."""
    rng = random.Random(seed)
    world = _copy_lists(generate(60, seed=3))
    for system in SYSTEMS:
        for rows in world[system].values():
            rows[:] = [{**r, **UNREAD} for r in rows]
    sd = world["smartdok"]["Projects"]
    for i in rng.sample(range(len(sd)), 8):
        sd[i] = {**sd[i], "IsAbsenceProject": True, "IsActive": True}
    return world


def test_a_plan_from_the_cut_snapshot_equals_the_plan_from_whole_records(tmp_path):
    for rules in (None, ABSENCE):
        s = session(tmp_path, rules=rules)
        s.config.standard_project = STANDARD_PROJECT
        for seed in range(12):
            rng = random.Random(seed)
            world = _world(seed)
            for _ in range(4):
                world = _copy_lists(world)
                for _ in range(rng.randint(1, 3)):
                    _change(world, rng)
                assert _actions(make_plan(s, _cut(s, world))) == _actions(make_plan(s, _snap(world))), seed


def test_a_condition_on_a_field_no_field_map_names_still_sees_it(tmp_path):
    world = _world(1)
    for rows in world["poweroffice"].values():  # none of the projects in PowerOffice yet: creates
        rows[:] = [r for r in rows if r.get("Code") == STANDARD_PROJECT or "Code" not in r]
    (tmp_path / "plain").mkdir()
    (tmp_path / "ruled").mkdir()
    plain, ruled = session(tmp_path / "plain"), session(tmp_path / "ruled", rules=ABSENCE)
    for s in (plain, ruled):
        s.config.standard_project = STANDARD_PROJECT
    assert "IsAbsenceProject" not in kept_fields(plain, incremental_rules(plain.rules))["smartdok/Projects"]
    assert "IsAbsenceProject" in kept_fields(ruled, incremental_rules(ruled.rules))["smartdok/Projects"]
    creates = {a.key for a in make_plan(plain, _cut(plain, world)).writes if a.entity == "projects"}
    held = {a.key for a in make_plan(ruled, _cut(ruled, world)).writes if a.entity == "projects"}
    absent = {str(p["ProjectNumber"]) for p in world["smartdok"]["Projects"] if p.get("IsAbsenceProject")}
    assert absent & creates and not absent & held  # the rule held them back, read from the cut records
    assert _actions(make_plan(ruled, _cut(ruled, world))) == _actions(make_plan(ruled, _snap(world)))


def test_the_kept_snapshot_holds_only_what_is_read(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    env.sd_change(1, DescriptionText="Ingen regel leser dette")
    once(env)
    kept = SqliteStateStore(env.tmp / "grunndata-journal.sqlite").kept_snapshot()
    assert kept is not None
    project = next(r for r in kept["smartdok/Projects"] if r["Id"] == 1)
    assert "DescriptionText" not in project and {"ProjectNumber", "ProjectName", "Updated"} <= set(project)
    # A change in a field no rule reads changes only the record's stamp in what is kept: nothing to write.
    env.sd_change(2, DescriptionText="Heller ikke dette")
    _, quiet = once(env)
    assert (quiet["mode"], quiet["outcome"], quiet["counts"]["planned_writes"]) == ("incremental", "nothing", 0)
    kept = SqliteStateStore(env.tmp / "grunndata-journal.sqlite").kept_snapshot()
    assert kept is not None and "DescriptionText" not in next(r for r in kept["smartdok/Projects"] if r["Id"] == 2)


def test_a_snapshot_kept_under_another_cut_is_read_whole(env: Env):
    assert env.cli("apply", "--yes").exit_code == 0
    _, first = once(env)
    _, second = once(env)
    assert (first["mode"], second["mode"]) == ("full", "incremental")
    env.write_config(rules=ABSENCE)  # a rule now reads a field the kept snapshot was cut without
    env.sd_change(3, IsAbsenceProject=True)
    _, third = once(env)
    assert third["mode"] == "full"
    kept = SqliteStateStore(env.tmp / "grunndata-journal.sqlite").kept_snapshot()
    assert kept is not None
    assert next(r for r in kept["smartdok/Projects"] if r["Id"] == 3)["IsAbsenceProject"] is True
    _, fourth = once(env)
    assert fourth["mode"] == "incremental"
