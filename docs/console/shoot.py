"""Screenshots of every console page, for docs/console/: ``python docs/console/shoot.py``.

Runs the browser walk-throughs (tests/console/test_console_browser.py against the sandbox, and
tests/console/test_console_browser_operator.py for /kunder and the login form) with
GRUNNDATA_CONSOLE_SHOTS pointing here, so the pictures are of exactly what the tests check.
Needs Chromium at /usr/bin/chromium (``bash .ci/browser``) and the test extra installed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def main() -> int:
    env = {**os.environ, "GRUNNDATA_CONSOLE_SHOTS": str(HERE), "CI": "1"}  # CI: fail, never skip
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/console/test_console_browser.py",
                             "tests/console/test_console_browser_operator.py"], cwd=ROOT, env=env)
    if result.returncode == 0:
        for png in sorted(HERE.glob("*.png")):
            print(png.relative_to(ROOT))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
