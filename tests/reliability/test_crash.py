"""SIGKILL ``grunndata apply`` at 20 random moments on a 300-project world: nothing lost, nothing twice.

The experiment is ``crash_run.run_crashes`` (also a script: ``python tests/reliability/crash_run.py``):
one sandbox served on loopback, a clean run for reference, then 20 applies as subprocesses each
killed after a delay from ``random.Random(SEED)``, then a last apply; the final state must equal
the clean run's. Every kill is kept; the world is smaller than the script's 2,000 projects (whose
figures are in docs/RELIABILITY.md) because each of the 22 runs reads and plans all of it, and
a kill proves the same on 300 projects (about 400 writes, a kill every ~40 writes) as on 2,000.
``GRUNNDATA_CRASH_PROJECTS`` / ``GRUNNDATA_CRASH_KILLS`` change the size.
"""
from __future__ import annotations

import os

from crash_run import run_crashes

SEED = 20261128
PROJECTS = int(os.environ.get("GRUNNDATA_CRASH_PROJECTS", "300"))
KILLS = int(os.environ.get("GRUNNDATA_CRASH_KILLS", "20"))


def test_sigkill_at_random_moments_converges_to_the_clean_runs_state(tmp_path):
    r = run_crashes(PROJECTS, KILLS, SEED, tmp_path)
    assert r.planned_writes > PROJECTS * 0.8  # the world really needs writing
    assert r.killed_while_running + r.exited_before_kill == KILLS
    assert r.killed_while_writing >= KILLS // 4, r.delays  # the kills did land mid-write
    assert r.duplicate_total == 0, r.duplicates
    assert r.lost == 0 and r.unexpected == 0
    assert r.equal
    assert r.final_summary["failed"] == 0
    assert not r.stderr, r.stderr[0]  # never an internal error or a traceback
    # The journal survived every kill, and shows each killed run as not finished.
    assert r.journal_integrity == "ok"
    assert "running" not in r.journal_statuses
    assert r.journal_statuses.count("interrupted") >= r.killed_while_writing
    assert r.journal_statuses[-1] in ("ok", "interrupted") and r.journal_statuses.count("ok") <= 1
