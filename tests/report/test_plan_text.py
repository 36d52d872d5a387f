"""The text plan: a summary first, one line per action, a shared reason said once with its rule,
a limit per group, and no wrapped cells at any width."""
from __future__ import annotations

import re
import time

from grunndata.engine.model import Action
from grunndata.engine.plan import Plan
from grunndata.report.text import plan_lines
from grunndata.report.words import Words

WORDS = Words.default()
ORDER = ["projects", "subprojects", "activities", "machines"]


def create(n: int, name: str | None = None) -> Action:
    return Action("create", "projects", "poweroffice", str(n), {"number": str(n), "name": name or f"Prosjekt {n}",
                                                                "status": "Pågår"},
                  f"prosjekt {n} finnes i SmartDok, men ikke i PowerOffice", "rules/projects.yaml:56")


def rename(n: int, before: str, after: str) -> Action:
    return Action("update", "projects", "poweroffice", str(n), {"name": {"before": before, "after": after}},
                  f"prosjekt {n} i PowerOffice avviker fra mastersystemet SmartDok og overskrives (R19)",
                  "rules/projects.yaml:70")


def duplicate(n: int, other: int, name: str) -> Action:
    return Action("warn", "projects", "poweroffice", str(n), {"name": name, "other_number": str(other)},
                  f"SANNSYNLIG DUPLIKAT: prosjekt «{name}» har nummer {n} i SmartDok, men {other} i PowerOffice. "
                  "Det opprettes som nytt prosjekt fordi nummeret avgjør (R13)", "rules/projects.yaml:107")


def plan_of(actions: list[Action]) -> Plan:
    return Plan(master="smartdok", actions=actions, fingerprint="x", entity_order=ORDER)


def test_summary_first_then_one_line_per_action_under_its_reason():
    actions = [create(100000, "Skole Lade [fase 2]"), create(100001), rename(100022, "A", "B"),
               Action("finish", "projects", "poweroffice", "100030", {"status": {"before": "Pågår", "after": "Avsluttet"}},
                      "prosjekt 100030 er avsluttet i SmartDok og avsluttes i PowerOffice (R20)", "rules/projects.yaml:77"),
               Action("manual", "activities", "smartdok", "103", {"name": "Støping"},
                      "aktivitet 103 finnes i PowerOffice, men ikke i mastersystemet SmartDok: må legges inn manuelt "
                      "i SmartDok (R12)", "rules/activities.yaml:36"),
               Action("skip", "projects", "poweroffice", "100050", {"name": "Gammel"},
                      "prosjekt 100050 er inaktiv i SmartDok; bare aktive opprettes", "rules/projects.yaml:68")]
    lines = plan_lines(plan_of(actions), WORDS)
    assert lines[0] == "Plan med SmartDok som master: 6 handlinger, 4 av dem skriver til et system."
    overview = [line for line in lines[1:8] if line.startswith("  ")]
    assert overview[0].split() == ["Prosjekter", "2", "opprett", "·", "1", "endre", "·", "1", "avslutt", "·", "1",
                                   "hopp", "over"]
    assert overview[1].split() == ["Aktiviteter", "1", "manuelt"]
    assert "    + prosjekt 100000 «Skole Lade [fase 2]» → PowerOffice" in lines
    assert "    + prosjekt 100001 «Prosjekt 100001» → PowerOffice" in lines
    assert "    ~ prosjekt 100022 navn: «A» → «B»" in lines
    assert "    - prosjekt 100030 status: «Pågår» → «Avsluttet»" in lines
    assert "    ? aktivitet 103 «Støping»" in lines
    assert "    × prosjekt 100050 «Gammel»" in lines
    # Two creates share one reason, said once with its rule and the key left out.
    shared = [line for line in lines if "finnes i SmartDok, men ikke i PowerOffice" in line]
    assert shared == ["  Grunn [rules/projects.yaml:56]: prosjekt … finnes i SmartDok, men ikke i PowerOffice"]
    # A reason of one action is said whole, with its rule, right above its line.
    i = lines.index("    ~ prosjekt 100022 navn: «A» → «B»")
    assert lines[i - 1] == ("  Grunn [rules/projects.yaml:70]: prosjekt 100022 i PowerOffice avviker fra "
                            "mastersystemet SmartDok og overskrives (R19)")
    assert lines[-1] == "Plan (SmartDok er master): 2 opprett, 1 endre, 1 avslutt, 1 hopp over, 1 manuelt, 0 advarsel"


def test_repeated_reasons_differing_by_key_name_and_number_are_grouped():
    actions = [duplicate(100119 + i, 110000 + i, f"Riving Asker {i}") for i in range(3)]
    lines = plan_lines(plan_of(actions), WORDS)
    reasons = [line for line in lines if line.startswith("  Grunn")]
    assert reasons == ["  Grunn [rules/projects.yaml:107]: SANNSYNLIG DUPLIKAT: prosjekt «…» har nummer … i SmartDok, "
                       "men … i PowerOffice. Det opprettes som nytt prosjekt fordi nummeret avgjør (R13)"]
    assert "    ! prosjekt 100120 «Riving Asker 1» (other_number: «110001»)" in lines


def test_limit_per_group_counts_the_rest_and_full_shows_all():
    actions = [create(100000 + i) for i in range(4_600)] + [rename(200000 + i, "A", f"B{i}") for i in range(3)]
    limited = plan_lines(plan_of(actions), WORDS, limit=50)
    assert sum(1 for line in limited if line.startswith("    + ")) == 50
    assert "    … og 4 550 til; bruk --full for å se alle" in limited
    assert sum(1 for line in limited if line.startswith("    ~ ")) == 3  # a small group is shown whole
    full = plan_lines(plan_of(actions), WORDS, limit=None)
    assert sum(1 for line in full if line.startswith("    + ")) == 4_600
    assert not any("bruk --full" in line for line in full)
    assert len(limited) < 100


def test_reasons_of_single_actions_beyond_the_limit_are_counted():
    actions = [Action("warn", "projects", "poweroffice", str(n), {"name": f"P{n}"}, f"egen grunn {n * 7}",
                      f"rules/projects.yaml:{n}") for n in range(1, 8)]
    lines = plan_lines(plan_of(actions), WORDS, limit=3)
    assert sum(1 for line in lines if line.startswith("    ! ")) == 3
    assert "  … og 4 til, hver med sin grunn; bruk --full for å se alle" in lines


def test_nothing_to_do_and_a_blocked_plan():
    assert plan_lines(plan_of([]), WORDS)[0] == "Ingenting å gjøre: systemene er i takt."
    blocked = Plan(master="smartdok", fingerprint="x", blocked=True, actions=[Action(
        "skip", "projects", "poweroffice", "(standardprosjekt)", {}, "STOPP: standardprosjekt er ikke valgt (R7)",
        "rules/projects.yaml:60")])
    lines = plan_lines(blocked, WORDS)
    assert lines[0].startswith("STOPPET: ") and lines[-1].startswith("STOPPET: ")
    assert "  Grunn [rules/projects.yaml:60]: STOPP: standardprosjekt er ikke valgt (R7)" in lines


def test_lines_are_never_wrapped_or_padded_into_cells():
    long_name = ("Svært langt prosjektnavn " * 8).strip()
    lines = plan_lines(plan_of([create(1, long_name), create(2)]), WORDS)
    assert f"    + prosjekt 1 «{long_name}» → PowerOffice" in lines
    assert not any(re.search(r"[│┃|]", line) for line in lines)


def test_text_costs_no_more_cpu_than_the_json_encoding_of_the_same_plan():
    """One run, CPU time of both: rendering the default text of a 5,000-action plan against
    to_json plus encoding it (what ``plan --json`` does after planning)."""
    import json

    actions = ([create(100000 + i) for i in range(3_000)] + [rename(200000 + i, f"A{i}", f"B{i}") for i in range(1_500)]
               + [duplicate(300000 + i, 400000 + i, f"D{i}") for i in range(500)])
    plan = plan_of(actions)

    def cpu(fn, rounds: int = 3) -> float:
        best = float("inf")
        for _ in range(rounds):
            started = time.process_time()
            fn()
            best = min(best, time.process_time() - started)
        return best

    text = cpu(lambda: "\n".join(plan_lines(plan, WORDS)))
    encoded = cpu(lambda: json.dumps(plan.to_json(), indent=2, ensure_ascii=False))
    assert text <= 1.1 * encoded, (text, encoded)


def test_a_key_is_blanked_only_where_it_stands_alone():
    from grunndata.report.lines import blank

    assert blank("prosjekt 100 og 1000, 100.1, x100 og 100.", "100") == "prosjekt … og 1000, 100.1, x100 og …."
    assert blank("underprosjekt 2301.2 under 2301", "2301.2") == "underprosjekt … under 2301"
