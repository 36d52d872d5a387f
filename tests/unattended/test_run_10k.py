"""Issue 13's done-when at its own scale: ``grunndata run`` on a 2-second schedule over a
10,000-project sandbox carries every change made through the vendors' APIs between cycles over
exactly once: the renames, the new projects and the master winning over a change made in the
follower, each written once, nothing else written, both systems in step at the end."""
from __future__ import annotations

import signal

import pytest
from test_run_signals import converged, sync_cycles
from unattended_env import Env, served, small_world, wait_for

PROJECTS = 10_000
FIRST = 100_000  # project numbers and PowerOffice ids from here (clear of the standard project 9000)


def world_10k() -> dict:
    """small_world's shape at 10,000 projects, in step on both sides."""
    world = small_world(0)
    sd, po = world["smartdok"]["Projects"], world["poweroffice"]["Projects"]
    for i in range(PROJECTS):
        number = str(FIRST + i)
        sd.append({"Id": 1 + i, "ProjectNumber": number, "ProjectName": f"Prosjekt {number}", "IsActive": True,
                   "Finished": False})
        po.append({"Id": FIRST + i, "Code": number, "Name": f"Prosjekt {number}", "ProjectStatus": "Active",
                   "ProjectBillingMethod": "Time"})
    return world


def writes(env: Env, before: dict[str, int]) -> tuple[int, int]:
    """PowerOffice project creates and patches since ``before``."""
    now = env.sb.stats()["poweroffice"]
    return tuple(now.get(k, 0) - before.get(k, 0) for k in ("POST /v2/Projects", "PATCH /v2/Projects/{id}"))


@pytest.fixture
def env_10k(tmp_path, monkeypatch):
    with served(world_10k(), tmp_path, monkeypatch, schedule={"sync": "2s", "full": "off"}) as e:
        yield e


def test_run_every_two_seconds_over_10k_projects_carries_each_change_exactly_once(env_10k: Env):
    env = env_10k
    assert len(env.records("smartdok", "Projects")) == PROJECTS
    # the first apply, by a person: the systems are in step, nothing to write, and from here the
    # cycles may write by themselves
    assert env.cli("apply", "--yes").exit_code == 0
    before = env.sb.stats()["poweroffice"]
    proc = env.child("run", "--log-format", "json")
    try:
        wait_for(lambda: sync_cycles(env) >= 1, "the first cycle", timeout=180, proc=proc)
        # between cycles, as people would in each system: three renames and a new project in the
        # master, then a change in the follower that the master must undo
        for project_id, number in ((5, "100004"), (4_000, "103999"), (9_999, "109998")):
            env.sd_change(project_id, ProjectName=f"Omdøpt {number}")
        env.sd_new("200001", "Nytt under run")
        # waiting on the sandbox's counters, not on a copy of its 10,000-project world per poll
        wait_for(lambda: all(n >= m for n, m in zip(writes(env, before), (1, 3), strict=True)), "the first changes", timeout=180, proc=proc)
        env.sd_new("200002", "Nytt i neste syklus")
        env.po_change(FIRST + 7_000, Name="Endret i PowerOffice")  # PowerOffice project 107000
        wait_for(lambda: all(n >= m for n, m in zip(writes(env, before), (2, 5), strict=True)), "the second changes", timeout=180, proc=proc)
        seen = sync_cycles(env)
        wait_for(lambda: sync_cycles(env) >= seen + 2, "two quiet cycles", timeout=180, proc=proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    # two creates; three renames carried over, the drift put right, and the test's own PATCH
    assert writes(env, before) == (2, 5)
    assert converged(env)
    po = env.po_by_code()
    assert all(len(records) == 1 for records in po.values())
    assert po["200001"][0]["Name"] == "Nytt under run" and po["200002"][0]["Name"] == "Nytt i neste syklus"
    assert [po[c][0]["Name"] for c in ("100004", "103999", "109998")] == ["Omdøpt 100004", "Omdøpt 103999",
                                                                          "Omdøpt 109998"]
    assert po["107000"][0]["Name"] == "Prosjekt 107000"  # the master won
