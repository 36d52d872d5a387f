"""``grunndata --help`` and ``grunndata check`` start fast: they import neither the emulators, the
HTTP stack, table rendering nor (for ``--help``) jsonschema. Each is imported by the commands
that use it. Asserting which modules a start imports, not how long it took, keeps this test
independent of the machine; ``python -X importtime -m grunndata.cli.main check`` shows the cost.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Imports a command and prints the modules it imported, as JSON, on stderr's last line.
PROBE = """
import json, sys
from grunndata.cli.main import main
sys.argv = ["grunndata", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
"""

# What a start never needs: the emulators (starlette, uvicorn), the HTTP stack and the clients
# built on it, and table rendering.
NEVER_AT_START = [
    "grunndata.sandbox.app",
    "grunndata.sandbox.world",
    "grunndata.sandbox.server",
    "starlette",
    "uvicorn",
    "httpx",
    "httpcore",
    "grunndata.clients.base",
    "grunndata.clients.poweroffice",
    "grunndata.clients.smartdok",
    "rich",
    "rich.table",
]


def started(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    modules = set(json.loads(result.stderr.strip().splitlines()[-1]))
    return result, modules


@pytest.mark.parametrize("args", [["--help"], ["check"]], ids=["--help", "check"])
def test_a_start_imports_no_emulator_http_stack_or_table_rendering(tmp_path, args):
    _, modules = started(tmp_path, *args)
    assert "grunndata.cli.main" in modules  # the probe did run the command line
    heavy = sorted(m for m in NEVER_AT_START if m in modules)
    assert heavy == [], (
        f"'grunndata {' '.join(args)}' imports {heavy}: import them where a command needs them "
        "(core/lazy.py; 'python -X importtime -m grunndata.cli.main check' shows who imports them)"
    )


def test_help_lists_every_command_without_importing_jsonschema(tmp_path):
    result, modules = started(tmp_path, "--help")
    commands = {line.split()[0] for line in result.stdout.split("Kommandoer:")[1].splitlines() if line.strip()}
    # Built-in commands load on use (a lazy group); plugin commands (sandbox, demo) stay listed.
    assert {
        "apply",
        "check",
        "demo",
        "doctor",
        "history",
        "plan",
        "plugins",
        "sandbox",
        "schema",
        "snapshot",
        "transfer",
    } <= commands
    assert "jsonschema" not in modules


def test_check_validates_with_jsonschema_and_only_check_is_loaded(tmp_path):
    result, modules = started(tmp_path, "check")
    assert "gyldig" in result.stdout
    assert "jsonschema" in modules  # check validates the rules: the one heavy library it needs
    assert "asyncio" not in modules, "check needs no event loop: see core/lazy.py's lazy_module"
    assert not {"grunndata.cli.sync", "grunndata.cli.doctor", "grunndata.cli.transfer"} & modules
