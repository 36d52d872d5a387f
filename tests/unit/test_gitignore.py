"""Issue 11, item 8: the files a run leaves beside the config (journal, its lock) are not committed."""
from __future__ import annotations

import fnmatch
from pathlib import Path

from grunndata.cli.sync import JOURNAL_NAME
from grunndata.journal import Journal

ROOT = Path(__file__).resolve().parents[2]


def _ignored(name: str) -> bool:
    patterns = [line.strip() for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    return any(fnmatch.fnmatch(name, p.lstrip("/")) for p in patterns)


def test_the_journal_and_its_lock_file_are_ignored(tmp_path):
    journal = Journal(tmp_path / JOURNAL_NAME)
    lock = Path(journal._lock_path())
    assert lock.name != JOURNAL_NAME
    assert _ignored(JOURNAL_NAME) and _ignored(lock.name), lock.name
