"""SIGKILL ``grunndata invoice --yes`` mid-run 10 times, then run it to the end: every order once, every line once.

The experiment is ``benchmarks.invoice_month.run_crashes``; ``python -m benchmarks.invoice_month``
runs it on the issue's month of 500 invoice bases (figures in benchmarks/RESULTS.md). Here the
month is 60 bases of 5 lines, so ten subprocess runs cost a few seconds of CPU; a kill proves the
same on 60 orders as on 500: it lands at a random point of the writes of a run.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for benchmarks/

from benchmarks.invoice_month import run_crashes  # noqa: E402

SEED = 20261130


def test_ten_sigkills_mid_run_then_a_rerun_give_every_order_and_line_exactly_once(tmp_path):
    r = run_crashes(60, 5, 10, SEED, tmp_path)
    assert r.killed_while_running + r.exited_before_kill == 10
    assert r.killed_while_writing >= 5, r.moments  # the kills did land mid-write
    assert r.check["orders_twice"] == 0 and r.check["lines_twice"] == 0, r.check
    assert r.check["lines_missing"] == 0 and r.check["unexpected"] == 0, r.check
    assert r.check["orders"] == 58 and r.check["held"] == 2  # every basis but the two held back
    assert r.final["outcome"]["failed"] == 0
    assert r.again["outcome"]["planned_writes"] == 0 and r.again["exit"] == 0  # the same period again sends nothing
    assert not r.stderr, r.stderr[0]  # never an internal error or a traceback
    assert "running" not in r.statuses and r.statuses.count("interrupted") >= r.killed_while_writing
