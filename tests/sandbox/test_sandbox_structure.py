"""The sandbox stands alone: no import cycles, no engine, small modules, one core door in.

Imports are read from the source (every ``import``, also inside functions and under
``TYPE_CHECKING``), so a cycle that only a lazy import hides is still found.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "sandbox"
PACKAGE = "grunndata.sandbox"
# What the emulators may use from the rest of grunndata: the error type, the hook marker for
# the plugin module that registers ``grunndata sandbox``, and the import-on-first-use helper
# (standard library only, no engine).
ALLOWED_OUTSIDE = {"grunndata.errors", "grunndata", "grunndata.lazy"}


def _modules() -> dict[str, Path]:
    out = {PACKAGE: SANDBOX / "__init__.py"}
    for path in sorted(SANDBOX.glob("*.py")):
        if path.name != "__init__.py":
            out[f"{PACKAGE}.{path.stem}"] = path
    return out


def _imports(path: Path, known: set[str]) -> set[str]:
    """Every grunndata module a file imports, submodules of ``from pkg import name`` resolved."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("grunndata"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grunndata"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(path, known) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_sandbox_module_imports_itself_in_a_circle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_emulators_import_nothing_of_the_engine():
    outside = {name: sorted(i for i in imports if not i.startswith(PACKAGE) and i not in ALLOWED_OUTSIDE)
               for name, imports in _graph().items()}
    assert {name: found for name, found in outside.items() if found} == {}
    hook_users = sorted(name for name, imports in _graph().items() if "grunndata" in imports)
    assert hook_users == [f"{PACKAGE}.plugin"]


def test_only_the_demo_command_lets_the_sandbox_into_the_core():
    users = []
    for folder, package in ((ROOT / "core", "grunndata"), (ROOT / "plugins", "grunndata.plugins")):
        for path in sorted(folder.rglob("*.py")):
            if any(i == PACKAGE or i.startswith(PACKAGE + ".") for i in _imports(path, set())):
                users.append(str(path.relative_to(ROOT)))
    assert users == ["core/cli/demo.py"]


def test_sandbox_modules_stay_under_400_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in SANDBOX.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n >= 400} == {}


def test_each_module_imports_on_its_own():
    """Imported one at a time into a fresh module table, in any order, each one loads."""
    names = sorted(_modules())
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('grunndata.sandbox')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
