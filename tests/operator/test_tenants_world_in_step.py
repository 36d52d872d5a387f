"""The operator benchmark's worlds: a tenant's in-step projects are what a finished sync leaves, so
its first plan creates only the projects missing in PowerOffice and their sub-projects — nothing
to update, nothing for the in-step ones (the plan of ``grunndata plan --json`` against the world)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from operator_env import secret_env

from grunndata.cli.main import cli
from grunndata.sandbox import Sandbox
from grunndata.sandbox.server import serve_in_thread
from grunndata.sandbox.tenants_world import tenants_world


def first_plan(world: dict[str, Any], tmp: Path) -> list[dict[str, Any]]:
    [name] = world["tenants"]
    with serve_in_thread(Sandbox(world)) as urls:
        cfg = {"master": "smartdok", "standard_project": "9000", "smartdok": {"base_url": urls.smartdok},
               "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token}}
        (tmp / "grunndata.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
        env = {k.split("__", 1)[1]: v for k, v in secret_env(name).items()}
        result = CliRunner().invoke(cli, ["plan", "--json", "--config", str(tmp / "grunndata.yaml")], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["actions"]


@pytest.mark.parametrize("in_step", [1.0, 0.8])
def test_onboarding_writes_only_what_is_missing(in_step, tmp_path):
    world = tenants_world(1, projects=[60], in_step=in_step, seed=14)
    [tenant] = world["tenants"].values()
    in_po = {p["Code"] for p in tenant["poweroffice"]["Projects"]}
    numbers = {p["Id"]: p["ProjectNumber"] for p in tenant["smartdok"]["Projects"]}
    missing = sorted(n for n in numbers.values() if n not in in_po)
    missing_subs = sorted(f"{numbers[s['ProjectId']]}.{s['SubProjectNumber']}" for s in tenant["smartdok"]["SubProjects"]
                          if numbers[s["ProjectId"]] in missing)
    actions = first_plan(world, tmp_path)
    assert {a["op"] for a in actions} <= {"create"}
    assert sorted(a["key"] for a in actions if a["entity"] == "projects") == missing
    assert sorted(a["key"] for a in actions if a["entity"] == "subprojects") == missing_subs
    if in_step == 1.0:
        assert actions == []
    else:
        assert missing and missing_subs  # the seed leaves some of each to create
