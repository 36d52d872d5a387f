"""The Plan page stays usable at 10,000 actions: one page of rows, every filter over all of them,
and the cost of a page independent of the plan's size (CPU time ratio in one run, never a
wall-clock bound). ``python -m benchmarks.console_plan`` prints the absolute figures."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from starlette.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for benchmarks/

from benchmarks.console_plan import console_with_plan, cpu_median, synthetic_plan

BIG, SMALL = 10_000, 100
BOUND = 5.0  # CPU per page, 10k-action plan / 100-action plan; a page that grew with the plan is ~100


def client_for(folder: Path, n: int) -> tuple[TestClient, str]:
    app, plan_id = console_with_plan(folder, synthetic_plan(n))
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    client.get(f"/?token={app.state.console.auth.token}")
    return client, plan_id


def rows(page: str) -> list[str]:
    return re.findall(r'<tr class="action op-(\w+)">', page)


def test_ten_thousand_actions_are_paged_and_filtered(tmp_path):
    client, plan_id = client_for(tmp_path, BIG)
    with client:
        first = client.get(f"/plan?id={plan_id}").text
        assert len(rows(first)) == 50 and "side 1 av 200 (1–50 av 10000)" in first
        last = client.get(f"/plan?id={plan_id}&side=200").text
        assert len(rows(last)) == 50 and "(9951–10000 av 10000)" in last
        updates = client.get(f"/plan?id={plan_id}&op=update").text
        assert set(rows(updates)) == {"update"} and "av 1250)" in updates
        one = client.get(f"/plan?id={plan_id}&q=29999").text
        assert len(rows(one)) == 1
        # names with markup stay text on a big page too
        assert "&lt;fase 0&gt;" in first and "<fase 0>" not in first


def test_a_page_costs_the_same_for_a_big_plan_as_for_a_small_one(tmp_path):
    (tmp_path / "big").mkdir()
    (tmp_path / "small").mkdir()
    big, big_id = client_for(tmp_path / "big", BIG)
    small, small_id = client_for(tmp_path / "small", SMALL)
    with big, small:
        for c, pid in ((big, big_id), (small, small_id)):  # warm up: templates compiled, files read
            c.get(f"/plan?id={pid}")
        ratio = (cpu_median(lambda: big.get(f"/plan?id={big_id}&side=100"), 7)
                 / cpu_median(lambda: small.get(f"/plan?id={small_id}&side=1"), 7))
    assert ratio < BOUND, f"a page of the 10k plan costs {ratio:.1f}x a page of the 100-action plan"
