"""The transfer preview as text: totals per kind first, one line per row, rows held back for one
reason under that reason once (with its rule), a limit per group."""
from __future__ import annotations

import datetime as dt

from grunndata.engine.transfer_plan import Line, TransferPlan
from grunndata.report.transfer_text import preview_lines
from grunndata.report.words import Words

WORDS = Words.default()
JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
HELD = ("Holdes tilbake: Brukeren «Ola [x]» har ansattnummer 1006 i SmartDok, men ingen ansatt i PowerOffice "
        "har det nummeret (R3).")


def send(n: int) -> Line:
    ref = f"smartdok-workhour-{n}"
    return Line("send", "hours", ref, {"date": "2026-01-05", "externalImportReference": ref},
                f"Attestert rad, ikke overført ennå: sendes til PowerOffice som {ref}.", "rules/transfer.yaml:15")


def hold(n: int) -> Line:
    return Line("hold", "hours", f"smartdok-workhour-{n}", {"row": {"date": "2026-01-06"}}, HELD,
                "rules/transfer.yaml:39")


def test_preview_totals_first_then_rows_under_their_reason():
    plan = TransferPlan(*JAN, lines=[send(n) for n in range(1, 121)] + [hold(n) for n in range(500, 503)],
                        windows=[JAN])
    lines = preview_lines(plan, WORDS, limit=50)
    assert lines[0] == "Periode 2026-01-01 til 2026-01-31"
    assert lines[2].split("  ")[-1] == "120 sendes · 3 holdes tilbake"
    sends = [line for line in lines if line.startswith("    + smartdok-workhour-")]
    assert len(sends) == 50 and sends[0] == "    + smartdok-workhour-1 (2026-01-05)"
    assert "    … og 70 til; alle står i «grunndata transfer --json»" in lines
    assert ("  Grunn [rules/transfer.yaml:15]: Attestert rad, ikke overført ennå: sendes til PowerOffice som …."
            in lines)
    held = lines.index(f"  Grunn [rules/transfer.yaml:39]: {HELD}")
    assert lines[held + 1:held + 4] == [f"    × smartdok-workhour-{n} (2026-01-06)" for n in range(500, 503)]
    assert lines[-1] == "Oppsummert: 120 sendes, 3 holdes tilbake"


def test_an_empty_preview():
    lines = preview_lines(TransferPlan(*JAN, lines=[], windows=[JAN]), WORDS)
    assert lines == ["Periode 2026-01-01 til 2026-01-31", "", "Oppsummert: ingenting å gjøre"]
