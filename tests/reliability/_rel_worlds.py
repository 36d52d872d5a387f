"""A tiny, deterministic generator of big worlds for the reliability tests.

``big_world(n, seed)`` gives a SmartDok-master company with ``n`` projects in SmartDok,
a sub-project under every tenth project, 60 activities and 30 machines; PowerOffice holds
the standard project 9000 plus every seventh project already (a few with a drifted name,
so apply also updates). Same seed, same world. The format is the sandbox world file.
"""
from __future__ import annotations

import random
from typing import Any

STANDARD = "9000"
SUB_EVERY = 10
PO_EVERY = 7
ACTIVITIES = 60
MACHINES = 30


def big_world(n: int, seed: int = 7, *, activities: int = ACTIVITIES, machines: int = MACHINES) -> dict[str, Any]:
    rng = random.Random(seed)
    words = ["Kirkegata", "Lade", "Ranheim", "Nyhavna", "Brattøra", "Byåsen", "Heimdal", "Tiller",
             "Stavset", "Lademoen", "Øya", "Møllenberg", "Singsaker", "Ila", "Rosenborg"]
    kinds = ["Rehabilitering", "Nybygg", "Riving", "VA-anlegg", "Tilbygg", "Fjernvarme", "Rundkjøring"]
    sd_projects, sd_subs, po_projects = [], [], []
    po_projects.append({"Id": 1, "Code": STANDARD, "Name": "Malprosjekt", "ProjectStatus": "NotStarted",
                        "ProjectBillingMethod": "Time", "IsActive": True})
    for i in range(n):
        number = str(100000 + i)
        name = f"{rng.choice(kinds)} {rng.choice(words)} {i}"
        sd_projects.append({"Id": i + 1, "ProjectNumber": number, "ProjectName": name, "IsActive": True,
                            "Finished": False, "StartDate": "2026-01-01T00:00:00"})
        if i % SUB_EVERY == 0:
            sd_subs.append({"Id": len(sd_subs) + 1, "ProjectId": i + 1, "SubProjectNumber": "1",
                            "SubProjectName": f"Etappe 1 {name}"[:70], "IsActive": True})
        if i % PO_EVERY == 0:
            po_name = name if rng.random() < 0.7 else name + " (gammelt navn)"
            po_projects.append({"Id": len(po_projects) + 1, "Code": number, "Name": po_name,
                                "ProjectStatus": "Active", "ProjectBillingMethod": "Time", "IsActive": True,
                                "StartDate": "2026-01-01"})
    activities = [{"Id": i + 1, "Number": str(500 + i), "Name": f"Aktivitet {i}", "IsActive": True}
                  for i in range(activities)]
    machines = [{"Id": i + 1, "InternalNumber": f"M{i:03d}", "Name": f"Maskin {i}", "PricePerHour": 900 + i,
                 "InternalCost": 600, "IsActive": True} for i in range(machines)]
    return {
        "smartdok": {"Projects": sd_projects, "SubProjects": sd_subs, "WorkDescriptions": activities,
                     "Machines": machines},
        "poweroffice": {"Projects": po_projects},
    }


def config_for(urls: Any, *, master: str = "smartdok") -> dict[str, Any]:
    cfg: dict[str, Any] = {"master": master,
                           "smartdok": {"base_url": urls.smartdok},
                           "poweroffice": {"base_url": urls.poweroffice, "token_url": urls.token}}
    if master == "smartdok":
        cfg["standard_project"] = STANDARD
    return cfg


def po_master_world(n: int, seed: int = 7) -> dict[str, Any]:
    """PowerOffice as master: ``n`` active Time projects (a sub-project under every tenth) and
    40 activities in PowerOffice; SmartDok has every fifth project already. Apply creates in SmartDok."""
    rng = random.Random(seed)
    po_projects, sd_projects, activities = [], [], []
    for i in range(n):
        number = str(200000 + i)
        name = f"Prosjekt {rng.choice(['Lade', 'Øya', 'Ila', 'Tiller'])} {i}"
        po_projects.append({"Id": i + 1, "Code": number, "Name": name, "ProjectStatus": "Active",
                            "ProjectBillingMethod": "Time", "IsActive": True, "StartDate": "2026-02-01"})
        if i % SUB_EVERY == 0:
            po_projects.append({"Id": 100000 + i, "Code": f"{number}.1", "Name": f"Fase 1 {name}",
                                "ProjectStatus": "Active", "ProjectBillingMethod": "Time", "IsActive": True,
                                "ParentProjectCode": number})
        if i % 5 == 0:
            sd_projects.append({"Id": len(sd_projects) + 1, "ProjectNumber": number, "ProjectName": name,
                                "IsActive": True, "Finished": False, "StartDate": "2026-02-01T00:00:00"})
    for i in range(40):
        activities.append({"id": i + 1, "code": str(700 + i), "name": f"Aktivitet {i}", "activityType": "Billable",
                           "isActive": True})
    return {"smartdok": {"Projects": sd_projects},
            "poweroffice": {"Projects": po_projects, "TimeTracking/Activity": activities}}
