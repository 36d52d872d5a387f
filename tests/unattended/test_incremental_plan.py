"""An incremental plan (a running ``run``, :mod:`grunndata.engine.incremental`) equals the full
plan of the same snapshot, for random small changes in either system (a seeded loop)."""
from __future__ import annotations

import copy
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for benchmarks/

from _unattended_world import session

from benchmarks.worldgen import STANDARD_PROJECT, generate
from grunndata.engine.incremental import PlanMemo
from grunndata.engine.model import Snapshot
from grunndata.engine.planner import make_plan

SEEDS = 40
ROUNDS = 4


def _snap(world: dict[str, Any]) -> Snapshot:
    return Snapshot(smartdok=world["smartdok"], poweroffice=world["poweroffice"])


def _copy_lists(world: dict[str, Any]) -> dict[str, Any]:
    """The next cycle's snapshot: new lists, the same record objects (as merge_changes makes it)."""
    return {s: {r: list(rows) for r, rows in world[s].items()} for s in ("smartdok", "poweroffice")}


def _change(world: dict[str, Any], rng: random.Random) -> None:
    sd, po = world["smartdok"], world["poweroffice"]
    sdp, pop, subs = sd["Projects"], po["Projects"], sd.get("SubProjects", [])
    kind = rng.randrange(16)
    i, j = rng.randrange(len(sdp)), rng.randrange(len(pop))
    if kind == 0:  # renamed in the master
        sdp[i] = {**sdp[i], "ProjectName": f"Nytt navn {rng.randrange(99)}"}
    elif kind == 1:  # renamed in the receiving system
        pop[j] = {**pop[j], "Name": f"Annet navn {rng.randrange(99)}"}
    elif kind == 2:  # finished in the master
        sdp[i] = {**sdp[i], "Finished": not sdp[i].get("Finished")}
    elif kind == 3:  # gone from the receiving system
        del pop[j]
    elif kind == 4:  # gone from the master
        del sdp[i]
    elif kind == 5:  # new in the master, named like a project in the receiving system (R13)
        sdp.append({**sdp[i], "Id": 900000 + rng.randrange(10**5), "ProjectNumber": f"77{rng.randrange(999)}",
                    "ProjectName": pop[j].get("Name")})
    elif kind == 6:  # new in the master, a number that differs only by a leading zero (R18)
        sdp.append({**sdp[i], "Id": 900000 + rng.randrange(10**5), "ProjectNumber": "0" + str(pop[j].get("Code"))})
    elif kind == 7:  # the same number twice in the master
        sdp.append({**sdp[i], "Id": 900000 + rng.randrange(10**5)})
    elif kind == 8:  # a number changed (a parent of sub-projects, perhaps)
        sdp[i] = {**sdp[i], "ProjectNumber": f"88{rng.randrange(999)}"}
    elif kind == 9 and subs:  # a sub-project moved to another parent
        k = rng.randrange(len(subs))
        subs[k] = {**subs[k], "ProjectId": sdp[i].get("Id")}
    elif kind == 10:  # a field that is not a plain value
        sdp[i] = {**sdp[i], "ProjectName": ["ikke", "tekst"]}
    elif kind == 11:  # a project in the receiving system becomes a sub-project, or the other way
        pop[j] = {**pop[j], "ParentProjectCode": None if pop[j].get("ParentProjectCode") else sdp[i].get("ProjectNumber")}
    elif kind == 12:  # read again, unchanged (a new object, equal)
        pop[j] = dict(pop[j])
    elif kind == 13:  # a resource without a change filter, read whole: every object new
        for system in (sd, po):
            for name in list(system):
                if name not in ("Projects", "SubProjects"):
                    system[name] = copy.deepcopy(system[name])
    elif kind == 14:  # the standard project changed
        std = next((n for n, p in enumerate(pop) if p.get("Code") == STANDARD_PROJECT), None)
        if std is not None:
            pop[std] = {**pop[std], "Name": "Standard (endret)", "ProjectBillingMethod": rng.choice(
                [pop[std].get("ProjectBillingMethod"), "FixedPrice"])}
    elif kind == 15:  # the receiving system's copy changed back to the master's values
        number = sdp[i].get("ProjectNumber")
        k = next((n for n, p in enumerate(pop) if p.get("Code") == number), None)
        if k is not None:
            pop[k] = {**pop[k], "Name": sdp[i].get("ProjectName")}


def _actions(plan: Any) -> list[dict[str, Any]]:
    return [a.to_json() for a in plan.actions]


def test_incremental_plans_equal_full_plans(tmp_path):
    s = session(tmp_path)
    s.config.standard_project = STANDARD_PROJECT
    base = generate(60, seed=3)
    incremental_rounds = 0
    for seed in range(SEEDS):
        rng = random.Random(seed)
        world = _copy_lists(copy.deepcopy(base))
        memo = PlanMemo()
        first = make_plan(s, _snap(world), memo, incremental=True)  # nothing kept yet: full
        assert _actions(first) == _actions(make_plan(s, _snap(world)))
        assert first.fingerprint == _snap(world).fingerprint()
        for _ in range(ROUNDS):
            world = _copy_lists(world)
            for _ in range(rng.randint(1, 3)):
                _change(world, rng)
            inc = make_plan(s, _snap(world), memo, incremental=True)
            full = make_plan(s, _snap(world))
            assert _actions(inc) == _actions(full), f"seed {seed}"
            assert inc.blocked == full.blocked
            incremental_rounds += memo.incremental
    assert incremental_rounds > SEEDS  # most rounds were planned incrementally, not whole


def test_an_incremental_plan_turns_only_changed_records_neutral(tmp_path):
    s = session(tmp_path)
    s.config.standard_project = STANDARD_PROJECT
    world = _copy_lists(generate(200, seed=5))
    memo = PlanMemo()
    make_plan(s, _snap(world), memo)
    whole = memo.last_made
    again = make_plan(s, _snap(_copy_lists(world)), memo, incremental=True)  # nothing changed
    assert memo.incremental
    pending = memo.last_made  # the records of the keys the plan has actions for, made again
    assert pending <= 2 * len({(a.entity, a.key) for a in again.actions}) < whole
    world = _copy_lists(world)
    world["smartdok"]["Projects"][7] = {**world["smartdok"]["Projects"][7], "ProjectName": "Nytt navn"}
    inc = make_plan(s, _snap(world), memo, incremental=True)
    assert memo.incremental
    assert memo.last_made <= pending + 2  # the changed record, and its counterpart
    assert _actions(inc) == _actions(make_plan(s, _snap(world)))


def test_a_plan_leaves_no_reference_cycles_behind(tmp_path):
    """A running ``run`` keeps its memo for good; a plan's context must be freed as soon as the
    plan is made, not at some later full collection (which at 100k projects costs a quiet cycle
    a third of a second, and holds half a million objects until then)."""
    import gc

    s = session(tmp_path)
    s.config.standard_project = STANDARD_PROJECT
    world = _copy_lists(generate(200, seed=5))
    memo = PlanMemo()
    gc.collect()
    make_plan(s, _snap(world), memo)
    # Not 0: the test runner's own threads may leave a little cyclic garbage meanwhile. A plan's
    # context in a cycle is thousands of objects at this size (1753 when it was one).
    assert gc.collect() < 50
    world = _copy_lists(world)
    world["poweroffice"]["Projects"] = world["poweroffice"]["Projects"][:-3]  # creates: namesakes, indexes
    make_plan(s, _snap(world), memo, incremental=True)
    assert gc.collect() < 50
