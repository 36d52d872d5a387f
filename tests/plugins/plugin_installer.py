"""Install a plugin distribution from its source folder into a folder, as pip would leave it.

What pip leaves that Python reads back is the packages and a ``*.dist-info`` folder with the
metadata and the entry points; both come from the distribution's own ``pyproject.toml`` here,
so the test installs exactly what the plugin declares. (Building a wheel through pip takes
seconds and needs the network or a local ``wheel``; this takes milliseconds.)
"""
from __future__ import annotations

import contextlib
import importlib
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Iterator

from grunndata.plugin import manager

PLUGINS = Path(__file__).resolve().parent
DEPARTMENTS = PLUGINS / "departments"


def install(source: Path, site: Path) -> Path:
    """``source`` (a folder with a pyproject.toml) installed into ``site``; returns ``site``."""
    meta = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    project = meta["project"]
    dist = project["name"].replace("-", "_")
    info = site / f"{dist}-{project['version']}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
                                   f"Summary: {project.get('description', '')}\n", encoding="utf-8")
    groups = []
    for group, entries in (project.get("entry-points") or {}).items():
        groups.append(f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items()))
    (info / "entry_points.txt").write_text("\n".join(groups), encoding="utf-8")
    (info / "INSTALLER").write_text("grunndata-tests\n", encoding="utf-8")
    for package in meta["tool"]["setuptools"]["packages"]:
        shutil.copytree(source / package, site / package, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return site


@contextlib.contextmanager
def installed(source: Path, site: Path) -> Iterator[Path]:
    """``source`` installed into ``site`` and ``site`` on ``sys.path`` for the block: the plugin
    host (built once per process) is rebuilt on entering and on leaving, so the plugin is loaded
    through its entry point inside the block and by nothing else after it."""
    install(source, site)
    packages = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    manager._entry_point_host.cache_clear()
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        for name in [m for m in sys.modules if m.split(".")[0] in packages]:
            del sys.modules[name]
        importlib.invalidate_caches()
        manager._entry_point_host.cache_clear()
