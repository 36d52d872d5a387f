"""Worlds of many companies for one sandbox: an operator's customers, deterministic by seed.

    from grunndata.sandbox.tenants_world import tenants_world
    world = tenants_world(200, projects=(50, 5000), subscription_keys=1, seed=1)
    Sandbox(world)                     # or write it out and run `grunndata sandbox --world FILE`

    python -m grunndata.sandbox.tenants_world --tenants 200 --projects 50-5000 -o tenants.json

Each tenant is a construction company (:func:`company_world`): main projects in SmartDok
with about 20 % as many sub-projects, and the registers both systems need to be synced
(activities, machines ↔ products, employees, wage types ↔ hour types, additions ↔ pay
items, customers, PowerOffice's standard project ``9000``). PowerOffice holds
``in_step`` of the projects already (0: a company being onboarded, 1: one in step), each as a
finished sync leaves it — its start date, and its sub-projects under the standard rules' code —
so a first sync writes only the projects still missing and their sub-projects.

Tenants are named ``firma-0001``, ``firma-0002``, …; project counts are drawn
log-uniformly between the bounds (small companies are common, large ones rare), or given
one per tenant. Credentials follow from the name, so an operator can write each
tenant's secrets without reading the world back (:func:`tenant_credentials`): every
tenant shares one application key (one integration) and the ``subscription_keys`` keys
are dealt round-robin (``sandbox-sub-1``, ``sandbox-sub-2``, …).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

STANDARD_PROJECT = "9000"
APPLICATION_KEY = "grunndata-sandbox-app"
FIRST_NUMBER = 100000
KINDS = [
    "Rehabilitering",
    "Nybygg",
    "Tilbygg",
    "Ombygging",
    "VA-anlegg",
    "Fjernvarme",
    "Boligfelt",
    "Riving",
    "Kontorbygg",
    "Barnehage",
    "Skole",
    "Omsorgsboliger",
    "Bru",
    "Veiutbedring",
]
PLACES = [
    "Kirkegata",
    "Lade",
    "Ranheim",
    "Nyhavna",
    "Byåsen",
    "Heimdal",
    "Tiller",
    "Moholt",
    "Bjørvika",
    "Lysaker",
    "Sandvika",
    "Åsane",
    "Fana",
    "Forus",
    "Hamar",
    "Gjøvik",
    "Moss",
    "Larvik",
    "Bodø",
]
PHASES = [
    "Rigg og drift",
    "Grunnarbeid",
    "Råbygg",
    "Betongarbeid",
    "Tømrerarbeid",
    "Tak og tekking",
    "Fasade",
    "VVS",
    "Elektro",
    "Utomhus",
]
ACTIVITIES = [
    "Graving",
    "Forskaling",
    "Armering",
    "Støping",
    "Muring",
    "Snekring",
    "Rørlegging",
    "Maling",
    "Stillas",
    "Transport",
    "Prosjektledelse",
    "Montering",
]
MACHINES = ["Gravemaskin", "Hjullaster", "Minigraver", "Dumper", "Mobilkran", "Valse", "Lift", "Lastebil"]
WAGES = ["Ordinær time", "Overtid 50 %", "Overtid 100 %", "Reisetid"]
ADDITIONS = ["Smusstillegg", "Høydetillegg", "Kost", "Bompenger"]
NAMES = ["Kari Nordmann", "Ola Hansen", "Ingrid Olsen", "Lars Berg", "Sofie Lie", "Per Moen"]


def tenant_name(index: int) -> str:
    """The name of tenant ``index`` (from 1): ``firma-0001``."""
    return f"firma-{index:04d}"


def tenant_credentials(name: str, key: int = 1) -> dict[str, dict[str, str]]:
    """The credentials :func:`tenants_world` gives tenant ``name`` on subscription key number ``key``."""
    return {
        "smartdok": {"api_token": f"sd-token-{name}"},
        "poweroffice": {
            "application_key": APPLICATION_KEY,
            "client_key": f"po-client-{name}",
            "subscription_key": f"sandbox-sub-{key}",
        },
    }


def project_counts(tenants: int, projects: int | tuple[int, int] | Sequence[int], seed: int = 1) -> list[int]:
    """One project count per tenant: the same for all, log-uniform in ``(low, high)``, or as listed."""
    if isinstance(projects, int):
        return [projects] * tenants
    if isinstance(projects, tuple) and len(projects) == 2:
        low, high = projects
        if not 1 <= low <= high:
            raise ValueError("projects must be (low, high) with 1 <= low <= high")
        rng = random.Random(seed)
        return [round(math.exp(rng.uniform(math.log(low), math.log(high)))) for _ in range(tenants)]
    counts = list(projects)
    if len(counts) != tenants:
        raise ValueError(f"{len(counts)} project counts for {tenants} tenants")
    return counts


def tenants_world(
    tenants: int,
    *,
    projects: int | tuple[int, int] | Sequence[int] = (50, 5000),
    subscription_keys: int = 1,
    in_step: float = 0.0,
    seed: int = 1,
) -> dict[str, Any]:
    """A world file's data with ``tenants`` companies (see the module's doc)."""
    if tenants < 1 or subscription_keys < 1:
        raise ValueError("tenants and subscription_keys must be at least 1")
    out: dict[str, Any] = {}
    for i, count in enumerate(project_counts(tenants, projects, seed), start=1):
        name = tenant_name(i)
        world = company_world(count, seed=seed * 100_003 + i, in_step=in_step)
        out[name] = {"credentials": tenant_credentials(name, (i - 1) % subscription_keys + 1), **world}
    return {"tenants": out}


def company_world(projects: int, *, seed: int = 1, in_step: float = 0.0) -> dict[str, Any]:
    """One company in world-file format: ``projects`` main projects, ``in_step`` of them in PowerOffice."""
    if projects < 1:
        raise ValueError("projects must be at least 1")
    rng = random.Random(seed)
    sd: dict[str, list[dict[str, Any]]] = {"Projects": [], "SubProjects": []}
    po: dict[str, list[dict[str, Any]]] = {
        "Projects": [_po_project(1, STANDARD_PROJECT, "Malprosjekt", ProjectStatus="NotStarted")]
    }
    in_po: dict[int, dict[str, Any]] = {}  # SmartDok project id → its PowerOffice project
    for i in range(projects):
        number = str(FIRST_NUMBER + i)
        name = f"{rng.choice(KINDS)} {rng.choice(PLACES)} {i + 1}"
        start = f"2026-{rng.randint(1, 12):02d}-01"
        sd["Projects"].append(
            {"Id": i + 1, "ProjectNumber": number, "ProjectName": name, "IsActive": True, "Finished": False}
            | {"StartDate": start}
        )
        if rng.random() < in_step:
            # In step means what a finished sync leaves: every field the rules carry over is equal.
            in_po[i + 1] = _po_project(i + 2, number, name, StartDate=start)
            po["Projects"].append(in_po[i + 1])
    template = _subproject_code_template()
    for j in range(projects // 5):
        parent = sd["Projects"][rng.randrange(projects)]
        sub = {
            "Id": j + 1,
            "ProjectId": parent["Id"],
            "SubProjectNumber": f"{j + 1:02d}",
            "SubProjectName": PHASES[j % len(PHASES)],
            "IsActive": True,
        }
        sd["SubProjects"].append(sub)
        po_parent = in_po.get(parent["Id"])
        if po_parent is not None:  # the sync created the sub-projects of the projects it created
            code = template.replace("{parent}", po_parent["Code"]).replace("{sub}", sub["SubProjectNumber"])
            po["Projects"].append(
                _po_project(projects + 2 + j, code, sub["SubProjectName"])
                | {"ParentProjectId": po_parent["Id"], "ParentProjectCode": po_parent["Code"]}
            )
    _add_registers(sd, po, max(4, projects // 25))
    return {"smartdok": sd, "poweroffice": po}


def _po_project(id: int, code: str, name: str, **fields: Any) -> dict[str, Any]:
    base = {"Id": id, "Code": code, "Name": name, "ProjectStatus": "Active", "ProjectBillingMethod": "Time"}
    return base | fields | {"IsActive": True}


def _subproject_code_template() -> str:
    """The standard rules' sub-project code (``projects.subproject_code``): the rule lives once, in
    the rules, and the world holds what the sync would have written with it."""
    data = yaml.safe_load(resources.files("grunndata.rules").joinpath("projects.yaml").read_text(encoding="utf-8"))
    return str(data["projects"]["subproject_code"])


def _add_registers(sd: dict[str, list[dict[str, Any]]], po: dict[str, list[dict[str, Any]]], registers: int) -> None:
    """The registers both systems need, each of SmartDok's paired with PowerOffice's, all in step."""
    for key in ("WorkDescriptions", "Machines", "Users"):
        sd[key] = []
    for key in ("TimeTracking/Activity", "Products", "Employees"):
        po[key] = []
    for i in range(registers):
        activity, machine, person = (
            _numbered(ACTIVITIES, i),
            f"{_numbered(MACHINES, i)} #{i + 1}",
            NAMES[i % len(NAMES)],
        )
        sd["WorkDescriptions"].append({"Id": i + 1, "Number": str(100 + i), "Name": activity, "IsActive": True})
        po["TimeTracking/Activity"].append(
            {"id": i + 1, "code": str(100 + i), "name": activity, "activityType": "Billable", "isActive": True}
        )
        code = f"M{i + 1:04d}"
        sd["Machines"].append(
            {"Id": i + 1, "InternalNumber": code, "Code": code, "Name": machine, "PricePerHour": 950, "IsActive": True}
        )
        po["Products"].append(
            {"Id": i + 1, "Code": code, "Name": machine, "ProductType": "Service", "UnitOfMeasureCode": "HUR"}
            | {"UnitPrice": 950}
        )
        sd["Users"].append({"Id": f"00000000-0000-4000-8000-{i + 1:012d}", "Name": person, "EmployeeNo": str(1000 + i)})
        first, last = person.split()
        po["Employees"].append({"Id": 900 + i, "Number": 1000 + i, "FirstName": first, "LastName": last})
    po["Customers"] = [{"Id": 500, "Number": 10000, "Name": "Byggherre AS"}]
    sd["Wages"] = [{"Id": i + 1, "Number": str(i + 1), "Name": name} for i, name in enumerate(WAGES)]
    po["TimeTracking/HourType"] = [
        {"id": i + 1, "code": f"T{i + 1}", "description": name, "payItemCode": "100", "isActive": True}
        for i, name in enumerate(WAGES)
    ]
    sd["Additions"] = [
        {"Id": i + 1, "Number": str(200 + i), "Name": name, "Addition": True} for i, name in enumerate(ADDITIONS)
    ]
    po["PayItems"] = [
        {"Id": f"00000000-0000-4000-8000-{100 + i:012d}", "Code": code, "Name": name}
        for i, (code, name) in enumerate([("100", "Fastlønn")] + [(str(200 + i), n) for i, n in enumerate(ADDITIONS)])
    ]


def _numbered(words: list[str], i: int) -> str:
    word = words[i % len(words)]
    return word if i < len(words) else f"{word} {i // len(words) + 1}"


def _bounds(text: str) -> int | tuple[int, int]:
    low, sep, high = text.partition("-")
    try:
        return (int(low), int(high)) if sep else int(low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or LOW-HIGH, not {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grunndata.sandbox.tenants_world", description="Write a world of many companies for one sandbox."
    )
    parser.add_argument("--tenants", type=int, required=True, help="number of companies")
    parser.add_argument("--projects", type=_bounds, default=(50, 5000), help="N, or LOW-HIGH (default 50-5000)")
    parser.add_argument("--subscription-keys", type=int, default=1, help="PowerOffice subscription keys (default 1)")
    parser.add_argument("--in-step", type=float, default=0.0, help="share of projects already in PowerOffice")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--out", default="-", help="file to write (JSON); - for stdout")
    args = parser.parse_args(argv)
    try:
        world = tenants_world(
            args.tenants,
            projects=args.projects,
            subscription_keys=args.subscription_keys,
            in_step=args.in_step,
            seed=args.seed,
        )
    except ValueError as exc:
        parser.error(str(exc))
    text = json.dumps(world, ensure_ascii=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
