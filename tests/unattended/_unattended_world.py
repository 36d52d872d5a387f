"""Small worlds, sessions and plans for the unattended tests (no network)."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from grunndata.engine.model import Action, Snapshot
from grunndata.engine.plan import Plan
from grunndata.session import Session, open_session

SHIPPED = Path(__import__("grunndata.rules", fromlist=["x"]).__file__).parent / "unattended.yaml"


def session(tmp_path: Path, *, master: str = "smartdok", rules: str | None = None) -> Session:
    config: dict[str, Any] = {"master": master}
    if master == "smartdok":
        config["standard_project"] = "9000"
    if rules is not None:
        (tmp_path / "kunde.yaml").write_text(rules, encoding="utf-8")
        config["rules"] = ["kunde.yaml"]
    path = tmp_path / "grunndata.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return open_session(str(path))


def shipped_line(key: str) -> int:
    """The line ``key:`` stands on in the shipped rules/unattended.yaml."""
    for n, line in enumerate(SHIPPED.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().startswith(f"{key}:"):
            return n
    raise KeyError(key)


def actions(op: str, n: int, *, target: str = "poweroffice", entity: str = "projects", start: int = 0) -> list[Action]:
    return [Action(op, entity, target, str(1000 + start + i), {}, "", "") for i in range(n)]


def plan(*groups: list[Action], blocked: bool = False) -> Plan:
    return Plan(master="smartdok", actions=[a for g in groups for a in g], fingerprint="x", blocked=blocked)


def world() -> dict[str, Any]:
    """SmartDok master: 2305 new (create), 2301 renamed in SmartDok (update), 2302 finished in
    SmartDok (finish), 2301.1 a new sub-project (create under an existing parent), 2306 new
    with a new sub-project 2306.1 (parent created in the same plan), 2303.1 a new sub-project
    under 2303, which is in step itself; 2399 untouched."""
    return copy.deepcopy({
        "smartdok": {
            "Projects": [
                {"Id": 1, "ProjectNumber": "2301", "ProjectName": "Kirkegata 12 (nytt navn)", "IsActive": True,
                 "Finished": False},
                {"Id": 2, "ProjectNumber": "2302", "ProjectName": "Barnehage Lade", "IsActive": True,
                 "Finished": True},
                {"Id": 5, "ProjectNumber": "2305", "ProjectName": "Kontorbygg Brattøra", "IsActive": True,
                 "Finished": False},
                {"Id": 6, "ProjectNumber": "2306", "ProjectName": "VA-anlegg Byåsen", "IsActive": True,
                 "Finished": False},
                {"Id": 3, "ProjectNumber": "2303", "ProjectName": "Ranheim", "IsActive": True, "Finished": False},
                {"Id": 9, "ProjectNumber": "2399", "ProjectName": "Uendret", "IsActive": True, "Finished": False},
            ],
            "SubProjects": [
                {"Id": 11, "ProjectId": 1, "SubProjectNumber": "1", "SubProjectName": "Riving", "IsActive": True},
                {"Id": 61, "ProjectId": 6, "SubProjectNumber": "1", "SubProjectName": "Grøft", "IsActive": True},
                {"Id": 31, "ProjectId": 3, "SubProjectNumber": "1", "SubProjectName": "Fundament", "IsActive": True},
            ],
        },
        "poweroffice": {
            "Projects": [
                {"Id": 900, "Code": "9000", "Name": "Standard", "ProjectStatus": "Active",
                 "ProjectBillingMethod": "Time"},
                {"Id": 901, "Code": "2301", "Name": "Kirkegata 12", "ProjectStatus": "Active",
                 "ProjectBillingMethod": "Time"},
                {"Id": 902, "Code": "2302", "Name": "Barnehage Lade", "ProjectStatus": "Active",
                 "ProjectBillingMethod": "Time"},
                {"Id": 903, "Code": "2303", "Name": "Ranheim", "ProjectStatus": "Active",
                 "ProjectBillingMethod": "Time"},
                {"Id": 909, "Code": "2399", "Name": "Uendret", "ProjectStatus": "Active",
                 "ProjectBillingMethod": "Time"},
            ],
        },
    })


def snapshot(data: dict[str, Any] | None = None) -> Snapshot:
    data = data if data is not None else world()
    return Snapshot(smartdok=data["smartdok"], poweroffice=data["poweroffice"])
