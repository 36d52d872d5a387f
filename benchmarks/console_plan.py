"""CPU time for the console to render the Plan page of a 10,000-action plan.

``python -m benchmarks.console_plan [--actions 10000] [--repeat 20]``

A synthetic plan (creates, updates, finishes, skips, manual work and warnings over the four
entities, each citing a line of the shipped rule files, as real plans do) is put in a console
as if just made; the page is then fetched through the app, logged in, as a browser would:
the first page, a page deep in the plan, and with each filter. CPU time of this process
(``time.process_time``: the app's thread included), median of ``--repeat`` renders, so a busy
machine does not inflate it. The issue asks for well under one second per page.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from grunndata.console.app import create_app
from grunndata.console.integration import Integration, SavedPlan
from grunndata.console.plan_view import PlanView, RuleLines
from grunndata.engine.model import Action
from grunndata.engine.plan import Plan
from grunndata.rulebook.ruleset import shipped_rule_files

ENTITIES = ("projects", "subprojects", "activities", "machines")
OPS = ("create", "create", "create", "update", "finish", "skip", "manual", "warn")
RULES = ("rules/projects.yaml:56", "rules/projects.yaml:70", "rules/projects.yaml:80", "rules/activities.yaml:20",
         "rules/machines.yaml:15", "rules/projects.yaml:88")


def synthetic_plan(n: int) -> Plan:
    actions = []
    for i in range(n):
        op, entity = OPS[i % len(OPS)], ENTITIES[(i // 7) % len(ENTITIES)]
        key = f"{20000 + i}"
        if op in ("update", "finish"):
            fields: dict[str, Any] = {"name": {"before": f"Prosjekt {key}", "after": f"Prosjekt {key} (endret)"}}
        else:
            fields = {"number": key, "name": f"Prosjekt {key} Brattøra <fase {i % 5}>", "status": "Pågår"}
        actions.append(Action(op, entity, "poweroffice", key, fields,
                              f"prosjekt {key} finnes i SmartDok, men ikke i PowerOffice", RULES[i % len(RULES)]))
    return Plan(master="smartdok", actions=actions, fingerprint="f" * 64, config_hash="c" * 16,
                entity_order=list(ENTITIES))


def console_with_plan(folder: Path, plan: Plan) -> tuple[Any, str]:
    """A console app (no network needed) whose current plan is ``plan``; returns (app, plan id)."""
    integration = Integration(folder / "grunndata.yaml")
    path = folder / "plan.json"
    plan.save(path)
    files = {display: Path(p) for p, display in shipped_rule_files()}
    saved = SavedPlan("bench", path, PlanView(plan), dt.datetime.now().astimezone(), RuleLines(files))
    integration.add_plan(saved)
    return create_app(integration, port=8765), saved.id


def cpu_median(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def measure(actions: int, repeat: int) -> dict[str, float]:
    from starlette.testclient import TestClient

    with tempfile.TemporaryDirectory() as tmp:
        started = time.process_time()
        app, plan_id = console_with_plan(Path(tmp), synthetic_plan(actions))
        setup = time.process_time() - started
        with TestClient(app, base_url="http://127.0.0.1:8765") as client:
            client.get(f"/?token={app.state.console.auth.token}")
            pages = -(-actions // 50)
            cases = {
                "first page": f"/plan?id={plan_id}",
                "middle page": f"/plan?id={plan_id}&side={pages // 2}",
                "filter: operation": f"/plan?id={plan_id}&op=update",
                "filter: entity + operation": f"/plan?id={plan_id}&entity=machines&op=create",
                "filter: text, many hits": f"/plan?id={plan_id}&q=brattøra",
                "filter: text, no hit": f"/plan?id={plan_id}&q=finnes-ikke",
            }
            out = {"plan made into a page view (once)": setup}
            for name, url in cases.items():
                assert client.get(url).status_code == 200
                out[name] = cpu_median(lambda url=url: client.get(url), repeat)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    results = measure(args.actions, args.repeat)
    print(f"Plan page, {args.actions:,} actions: CPU time per render (median of {args.repeat})")
    for name, seconds in results.items():
        print(f"  {name:<36} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
