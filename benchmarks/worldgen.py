"""Worlds of a given size for benchmarks and reliability tests, deterministic by seed.

    from benchmarks.worldgen import generate
    world = generate(projects=10_000, seed=1)     # a dict in the sandbox's world-file format
    Sandbox(world)

    python -m benchmarks.worldgen --projects 1000 --seed 1 -o world.yaml   # or .json

A construction company with ``projects`` main projects in SmartDok and PowerOffice,
about 20 % as many sub-projects, activities, machines, employees, wage types and
additions, and the drift real customers have between the two systems:

* projects and sub-projects missing on either side, renamed on one side,
  finished (SmartDok) or completed (PowerOffice) on one side only, inactive ones;
* likely duplicates: a SmartDok project whose name a PowerOffice project carries
  under another number (R13/R18), numbers with a trailing space in SmartDok;
* PowerOffice projects of every status and billing method (R14's filter);
* activities and machines missing or renamed; employee numbers, wage type names
  and addition codes that do not match (R3-R5).

The shares are the module constants below; every record carries explicit ids, so the
same seed gives the same file byte for byte. PowerOffice's standard project (R7) is
``STANDARD_PROJECT`` (``9000``, billing mode Time).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

STANDARD_PROJECT = "9000"
FIRST_NUMBER = 100000

# Shares of main projects (the rest are in both systems, identical).
SD_ONLY = 0.06        # in SmartDok only (created in PowerOffice under SmartDok as master)
PO_ONLY = 0.04        # in PowerOffice only
RENAMED = 0.04        # in both, the name differs
FINISHED_SD = 0.015   # finished in SmartDok, still running in PowerOffice (R20)
COMPLETE_PO = 0.01    # completed in PowerOffice, still active in SmartDok (R20)
DUPLICATE = 0.005     # SmartDok only, and PowerOffice has the same name under another number (R13/R18)
TRAILING_SPACE = 0.005  # SmartDok number with a trailing space ("202601 "), otherwise in step
INACTIVE_SD = 0.005   # inactive in SmartDok and missing in PowerOffice (skipped)
SUBPROJECT_SHARE = 0.20

PROJECT_KINDS = [
    "Rehabilitering", "Nybygg", "Tilbygg", "Ombygging", "VA-anlegg", "Fjernvarme", "Rundkjøring",
    "Boligfelt", "Riving", "Garasjeanlegg", "Leilighetsbygg", "Gang- og sykkelvei", "Parkeringshus",
    "Vannledning", "Butikklokaler", "Kontorbygg", "Barnehage", "Skole", "Omsorgsboliger",
    "Energirehabilitering", "Fasaderehabilitering", "Takutskifting", "Brannsikring", "Bru",
    "Kaianlegg", "Idrettshall", "Sykehjem", "Lagerbygg", "Veiutbedring", "Tunnelvedlikehold",
]
PLACES = [
    "Kirkegata", "Lade", "Ranheim", "Nyhavna", "Brattøra", "Byåsen", "Heimdal", "Charlottenlund",
    "Stavset", "Lademoen", "Tiller", "Fylkeshuset", "Nidarvoll", "Leangen", "Sluppen", "Tonstad",
    "Moholt", "Solsiden", "Åsvang", "Lilleby", "Bjørvika", "Grünerløkka", "Majorstuen", "Lysaker",
    "Sandvika", "Asker", "Drammen", "Bergen sentrum", "Åsane", "Fana", "Sandnes", "Forus", "Hinna",
    "Madla", "Tromsø havn", "Bodø sentrum", "Ålesund", "Molde", "Kristiansund", "Hamar", "Lillehammer",
    "Gjøvik", "Fredrikstad", "Sarpsborg", "Moss", "Tønsberg", "Sandefjord", "Larvik", "Skien",
    "Porsgrunn", "Arendal", "Grimstad", "Kristiansand", "Mandal", "Haugesund", "Stord", "Førde",
    "Steinkjer", "Levanger", "Namsos",
]
PHASES = [
    "Rigg og drift", "Grunnarbeid", "Råbygg", "Innvendig ombygging", "Riving og sanering", "Peling",
    "Betongarbeid", "Tømrerarbeid", "Tak og tekking", "Fasade", "VVS", "Elektro", "Utomhus",
    "Asfaltering", "Tilleggsarbeid", "Prosjektering", "Ferdigstillelse", "Reklamasjon",
]
ACTIVITY_NAMES = [
    "Graving", "Forskaling", "Armering", "Støping", "Muring", "Snekring", "Rørlegging", "Maling",
    "Flislegging", "Riving", "Sprengning", "Planering", "Stillas", "Kranarbeid", "Transport",
    "Opprydding", "Prosjektledelse", "Befaring", "Reisetid", "Service", "Montering", "Isolering",
    "Sveising", "Sikring", "Oppmåling", "Asfaltering", "Drenering", "Tetting", "Boring", "Saging",
]
MACHINE_NAMES = [
    "Gravemaskin Cat 320", "Hjullaster Volvo L60", "Minigraver Kubota", "Dumper Volvo A30",
    "Mobilkran Liebherr LTM 1050", "Tårnkran Potain", "Valse Hamm", "Lift Genie", "Teleskoplaster JCB",
    "Lastebil Scania", "Kompressor Atlas Copco", "Boreigg Sandvik", "Betongpumpe Schwing",
]
FIRST_NAMES = ["Ola", "Kari", "Per", "Ingrid", "Lars", "Sofie", "Anders", "Nora", "Jonas", "Emma",
               "Erik", "Ida", "Magnus", "Thea", "Henrik", "Maja", "Sindre", "Silje", "Knut", "Hanne"]
LAST_NAMES = ["Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
              "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Moen", "Lie"]
WAGE_NAMES = ["Ordinær time", "Overtid 50 %", "Overtid 100 %", "Reisetid", "Helligdagstillegg",
              "Akkord", "Lærlingtime", "Kveldstillegg", "Nattillegg", "Skifttillegg"]
ADDITION_NAMES = ["Smusstillegg", "Høydetillegg", "Kost", "Losji", "Bompenger", "Kilometer",
                  "Verktøygodtgjørelse", "Sveisetillegg", "Kaldtillegg", "Vakttillegg"]
STATUSES = ["Active"] * 17 + ["NotStarted", "Tentative", "Archived"]
BILLING = ["Time"] * 16 + ["TimeAndExpenses"] * 3 + ["FixedPrice"]


def _date(rng: random.Random) -> str:
    return f"20{rng.randint(23, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


class _Names:
    """Unique project names (realistic duplicates are made on purpose, not by chance)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def project(self) -> str:
        while True:
            name = f"{self.rng.choice(PROJECT_KINDS)} {self.rng.choice(PLACES)} {self.rng.randint(1, 250)}"
            if name not in self.used:
                self.used.add(name)
                return name


def _sizes(projects: int) -> dict[str, int]:
    return {
        "customers": max(5, projects // 20),
        "activities": min(2000, max(20, projects // 20)),
        "machines": max(10, projects // 10),
        "employees": max(20, projects // 5),
        "wages": 10 + projects // 10000,
        "additions": 10 + projects // 10000,
    }


def generate(projects: int, seed: int = 1) -> dict[str, Any]:
    """A world in the sandbox's world-file format with ``projects`` main projects."""
    if projects < 1:
        raise ValueError("projects must be at least 1")
    rng = random.Random(seed)
    names = _Names(rng)
    sizes = _sizes(projects)
    sd: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "Projects", "SubProjects", "WorkDescriptions", "Machines", "Users", "Wages", "Additions")}
    po: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "Projects", "Products", "Employees", "PayItems", "Customers", "TimeTracking/Activity",
        "TimeTracking/HourType")}

    # Employees (R3) and customers first: projects refer to them.
    for i in range(sizes["employees"]):
        number = 1000 + i
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        roll = rng.random()
        sd_no = str(number) if roll >= 0.02 else f"{number}0"   # 2 %: typo'd employee number in SmartDok
        if not (0.02 <= roll < 0.04):                                # 2 %: no SmartDok user
            sd["Users"].append({"Id": f"00000000-0000-4000-8000-{i + 1:012d}", "UserName": f"u{number}",
                                "Name": f"{first} {last}", "EmployeeNo": sd_no, "Role": "User",
                                "IsEnded": False})
        if not (0.04 <= roll < 0.06):                                # 2 %: not employed in PowerOffice
            po["Employees"].append({"Id": 900000 + i, "Number": number, "FirstName": first,
                                    "LastName": last, "IsArchived": False})
    po_employees = [e["Id"] for e in po["Employees"]] or [None]
    for i in range(sizes["customers"]):
        po["Customers"].append({"Id": 500000 + i, "Number": 10000 + i,
                                "Name": f"{rng.choice(LAST_NAMES)} {rng.choice(['Bygg', 'Eiendom', 'Kommune', 'Holding'])} AS"})

    # The standard project (R7).
    po["Projects"].append({"Id": 1, "Code": STANDARD_PROJECT, "Name": "Malprosjekt", "ProjectStatus": "NotStarted",
                           "ProjectBillingMethod": "Time", "CustomerId": 500000,
                           "ProjectManagerEmployeeId": po_employees[0], "IsActive": True})
    po_id = 1
    sd_id = 0

    def po_project(code: str, name: str, **extra: Any) -> dict[str, Any]:
        nonlocal po_id
        po_id += 1
        status = extra.pop("status", None) or rng.choice(STATUSES)
        rec = {"Id": po_id, "Code": code, "Name": name, "ProjectStatus": status,
               "ProjectBillingMethod": rng.choice(BILLING),
               "CustomerId": 500000 + rng.randrange(sizes["customers"]),
               "ProjectManagerEmployeeId": rng.choice(po_employees), "IsActive": status != "Archived"}
        rec.update(extra)
        po["Projects"].append(rec)
        return rec

    def sd_project(number: str, name: str, **extra: Any) -> dict[str, Any]:
        nonlocal sd_id
        sd_id += 1
        rec = {"Id": sd_id, "ProjectNumber": number, "ProjectName": name, "IsActive": True, "Finished": False}
        rec.update(extra)
        sd["Projects"].append(rec)
        return rec

    both: list[tuple[str, dict[str, Any]]] = []  # (code, SmartDok record) of projects in both systems
    spare = FIRST_NUMBER + projects  # numbers for PowerOffice-only duplicates
    for i in range(projects):
        number = str(FIRST_NUMBER + i)
        name = names.project()
        start = _date(rng)
        roll = rng.random()
        edges = _cumulative()
        if roll < edges["sd_only"]:
            sd_project(number, name, StartDate=start + "T00:00:00")
        elif roll < edges["po_only"]:
            po_project(number, name, StartDate=start)
        elif roll < edges["renamed"]:
            rec = sd_project(number, name, StartDate=start + "T00:00:00")
            po_project(number, name + " (gammelt navn)" if rng.random() < 0.5 else name.upper(),
                       StartDate=start, status="Active")
            both.append((number, rec))
        elif roll < edges["finished_sd"]:
            sd_project(number, name, StartDate=start + "T00:00:00", Finished=True)
            po_project(number, name, StartDate=start, status="Active")
        elif roll < edges["complete_po"]:
            rec = sd_project(number, name, StartDate=start + "T00:00:00")
            po_project(number, name, StartDate=start, status="Complete")
            both.append((number, rec))
        elif roll < edges["duplicate"]:
            sd_project(number, name, StartDate=start + "T00:00:00")
            po_project(str(spare), name, StartDate=start, status="Active")
            spare += 1
        elif roll < edges["trailing"]:
            rec = sd_project(number + " ", name, StartDate=start + "T00:00:00")
            po_project(number, name, StartDate=start, status="Active")
            both.append((number, rec))
        elif roll < edges["inactive"]:
            sd_project(number, name, StartDate=start + "T00:00:00", IsActive=False)
        else:
            rec = sd_project(number, name, StartDate=start + "T00:00:00")
            po_project(number, name, StartDate=start, status="Active")
            both.append((number, rec))

    # Sub-projects: about 20 % as many as projects, under projects found in both systems.
    subs_per: dict[str, int] = {}
    sub_id = 0
    for _ in range(int(projects * SUBPROJECT_SHARE) if both else 0):
        code, parent = rng.choice(both)
        subs_per[code] = subs_per.get(code, 0) + 1
        sub = str(subs_per[code])
        phase = PHASES[(subs_per[code] - 1) % len(PHASES)] if subs_per[code] <= len(PHASES) else \
            f"{rng.choice(PHASES)} {subs_per[code]}"
        roll = rng.random()
        in_sd, in_po, po_name = roll >= 0.04, roll < 0.04 or roll >= 0.11, phase
        if 0.11 <= roll < 0.15:
            po_name = phase + " (gammelt navn)"
        if in_sd:
            sub_id += 1
            sd["SubProjects"].append({"Id": sub_id, "ProjectId": parent["Id"], "SubProjectNumber": sub,
                                      "SubProjectName": phase, "IsActive": True})
        if in_po:
            po_project(f"{code}.{sub}", po_name, ParentProjectCode=code, status="Active")

    # Activities (R11, R12, R15, R16).
    for i in range(sizes["activities"]):
        code, name = str(100 + i), _numbered(ACTIVITY_NAMES, i)
        roll = rng.random()
        if roll >= 0.05:
            sd["WorkDescriptions"].append({"Id": i + 1, "Number": code, "Name": name, "IsActive": roll < 0.97 or roll >= 0.99})
        if roll < 0.05 or roll >= 0.10:
            po["TimeTracking/Activity"].append({"id": i + 1, "code": code,
                                                "name": name if roll < 0.95 else name + " (PO)",
                                                "activityType": "Billable" if roll < 0.9 else "NotBillable",
                                                "isActive": True})

    # Machines become products (R10).
    for i in range(sizes["machines"]):
        number = f"M{i + 1:05d}"
        name = f"{rng.choice(MACHINE_NAMES)} #{i + 1}"
        price = rng.choice([450, 600, 800, 950, 1200, 1500, 2400])
        sd["Machines"].append({"Id": i + 1, "InternalNumber": number, "Code": number, "Name": name,
                               "PricePerHour": price, "InternalCost": price * 2 // 3, "IsActive": True})
        roll = rng.random()
        if roll >= 0.15:
            po["Products"].append({"Id": i + 1, "Code": number, "Name": name if roll >= 0.2 else name + " (gml)",
                                   "ProductType": "Service", "UnitOfMeasureCode": "HUR", "UnitPrice": price,
                                   "UnitCost": price * 2 // 3, "IsArchived": False})

    # Wage types by name (R4) and additions by code (R5).
    for i in range(sizes["wages"]):
        name = _numbered(WAGE_NAMES, i)
        sd["Wages"].append({"Id": i + 1, "Number": str(i + 1), "Name": name, "IsActive": True})
        po["TimeTracking/HourType"].append({"id": i + 1, "code": f"T{i + 1}",
                                            "description": name if i % 10 != 3 else name.lower() + " ",
                                            "payItemCode": "100", "isActive": True})
    po["PayItems"].append({"Id": "00000000-0000-4000-8000-000000000100", "Code": "100", "Name": "Fastlønn",
                           "IsActive": True})
    for i in range(sizes["additions"]):
        code, unit = str(200 + i), i % 3 == 2
        sd["Additions"].append({"Id": i + 1, "Number": code, "Name": _numbered(ADDITION_NAMES, i),
                                "Addition": not unit, "UnitAddition": unit, "IsActive": True})
        if i % 10 != 7:
            po["PayItems"].append({"Id": f"00000000-0000-4000-8000-{1000 + i:012d}", "Code": code,
                                   "Name": _numbered(ADDITION_NAMES, i), "IsActive": True})
    return {"smartdok": sd, "poweroffice": po}


def _numbered(words: list[str], i: int) -> str:
    word = words[i % len(words)]
    return word if i < len(words) else f"{word} {i // len(words) + 1}"


def _cumulative() -> dict[str, float]:
    edges: dict[str, float] = {}
    total = 0.0
    for name, share in (("sd_only", SD_ONLY), ("po_only", PO_ONLY), ("renamed", RENAMED),
                        ("finished_sd", FINISHED_SD), ("complete_po", COMPLETE_PO), ("duplicate", DUPLICATE),
                        ("trailing", TRAILING_SPACE), ("inactive", INACTIVE_SD)):
        total += share
        edges[name] = total
    return edges


def dump(world: dict[str, Any], path: str | Path) -> None:
    """Write ``world`` as JSON (``.json``) or YAML (anything else)."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(world, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(world, fh, Dumper=dumper, allow_unicode=True, sort_keys=False, default_flow_style=None, width=200)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worldgen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, required=True, help="number of main projects")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--out", default="-", help="file to write (.json for JSON, else YAML); - for stdout")
    args = parser.parse_args(argv)
    world = generate(args.projects, args.seed)
    if args.out == "-":
        json.dump(world, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        dump(world, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
