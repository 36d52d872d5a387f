"""Plans and results as tables a consultant reads in the terminal."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grunndata.engine.plan import Plan
from grunndata.lazy import lazy

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
else:
    Table = lazy("rich.table", "Table")  # imported when the first plan is drawn, not at start

ENTITY_TITLES = {"projects": "Prosjekter", "subprojects": "Underprosjekter", "activities": "Aktiviteter",
                 "machines": "Maskiner → produkter"}
OP_WORDS = {"create": "opprett", "update": "endre", "finish": "avslutt", "skip": "hopp over",
            "manual": "manuelt", "warn": "ADVARSEL"}
OP_STYLE = {"create": "green", "update": "yellow", "finish": "magenta", "skip": "dim", "manual": "cyan",
            "warn": "bold red"}
SYSTEMS = {"smartdok": "SmartDok", "poweroffice": "PowerOffice"}


def _fields(op: str, fields: dict[str, Any]) -> str:
    if op in ("update", "finish"):
        return "; ".join(f"{k}: {v.get('before')!s} → {v.get('after')!s}" for k, v in fields.items()
                         if isinstance(v, dict))
    return ", ".join(f"{k}={v}" for k, v in fields.items() if v is not None)


def summary_line(plan: Plan) -> str:
    s = plan.summary()
    parts = [f"{s[op]} {OP_WORDS[op]}" for op in ("create", "update", "finish", "skip", "manual", "warn")]
    head = "STOPPET: " if plan.blocked else ""
    return f"{head}Plan ({SYSTEMS.get(plan.master, plan.master)} er master): " + ", ".join(parts)


def print_plan(plan: Plan, console: Console) -> None:
    by_entity: dict[str, list] = {}
    for a in plan.actions:
        by_entity.setdefault(a.entity, []).append(a)
    if not plan.actions:
        console.print("Ingenting å gjøre: systemene er i takt.")
    for entity, actions in by_entity.items():
        table = Table(title=ENTITY_TITLES.get(entity, entity), title_justify="left", expand=False)
        for col in ("handling", "i", "nøkkel", "felter", "hvorfor", "regel"):
            table.add_column(col, overflow="fold")
        for a in actions:
            table.add_row(f"[{OP_STYLE.get(a.op, '')}]{OP_WORDS.get(a.op, a.op)}[/]", SYSTEMS.get(a.target, a.target),
                          a.key, _fields(a.op, a.fields), a.reason, a.rule)
        console.print(table)
    console.print(summary_line(plan))
