"""Load plugins from the ``grunndata`` entry-point group and collect what they offer.

A third-party plugin that fails to import or to answer a hook is named and
skipped (``GRUNNDATA_STRICT_PLUGINS=1`` turns that into an error); two plugins
claiming one name is always an error, since the result would depend on load order.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Iterable

import pluggy

from grunndata.errors import GrunndataError
from grunndata.plugin import spec

GROUP = spec.PROJECT_NAME


class PluginError(GrunndataError):
    """A plugin could not be loaded, or two plugins claim one name."""


@dataclass
class LoadedPlugin:
    name: str
    origin: str  # "module (distribution version)"
    module: Any


@dataclass
class Host:
    """What the loaded plugins offer, by name."""

    pm: pluggy.PluginManager
    plugins: list[LoadedPlugin] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    directions: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    transfers: dict[str, Any] = field(default_factory=dict)
    rules_schema: dict[str, dict] = field(default_factory=dict)
    rule_files: list[Any] = field(default_factory=list)
    commands: list[Any] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)

    def owner_of(self, kind: str, name: str) -> str:
        return self.owners.get(f"{kind}:{name}", "?")


def _strict() -> bool:
    return os.environ.get("GRUNNDATA_STRICT_PLUGINS", "") not in ("", "0", "false", "no")


def _origin(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    where = f"{dist.name} {dist.version}" if dist is not None else "?"
    return f"{ep.value} ({where})"


def load_host(extra: Iterable[tuple[str, Any]] = (), *, use_entry_points: bool = True) -> Host:
    """The host: entry-point plugins first, then ``extra`` (name, module) pairs.

    ``extra`` lets tests and embedding programs register plugins without
    installing a distribution; they go through the same checks. The plain
    entry-point host is built once per process: every command needs it.
    """
    extra = tuple(extra)
    if not extra and use_entry_points:
        return _entry_point_host()
    return _build_host(extra, use_entry_points)


@functools.lru_cache(maxsize=1)
def _entry_point_host() -> Host:
    return _build_host((), True)


def _build_host(extra: tuple[tuple[str, Any], ...], use_entry_points: bool) -> Host:
    pm = pluggy.PluginManager(spec.PROJECT_NAME)
    pm.add_hookspecs(spec)
    host = Host(pm=pm)
    strict = _strict()

    candidates: list[tuple[str, str, Any]] = []
    if use_entry_points:
        seen: dict[str, str] = {}
        for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
            if ep.name in seen and seen[ep.name] != ep.value:
                raise PluginError(
                    f"two plugins claim the name '{ep.name}': {seen[ep.name]} and {ep.value}"
                )
            if ep.name in seen:
                continue  # the same distribution seen twice on sys.path
            seen[ep.name] = ep.value
            try:
                module = ep.load()
            except Exception as exc:  # a broken plugin must not take the tool down
                _skip(host, strict, ep.name, f"{type(exc).__name__}: {exc}")
                continue
            candidates.append((ep.name, _origin(ep), module))
    for name, module in extra:
        candidates.append((name, f"{getattr(module, '__name__', repr(module))} (registered in code)", module))

    for name, origin, module in candidates:
        if pm.has_plugin(name):
            raise PluginError(f"two plugins claim the name '{name}'")
        try:
            pm.register(module, name=name)
        except Exception as exc:
            _skip(host, strict, name, f"{type(exc).__name__}: {exc}")
            continue
        try:
            _collect(host, name, module)
        except PluginError:
            raise
        except Exception as exc:
            pm.unregister(module)
            _skip(host, strict, name, f"{type(exc).__name__}: {exc}")
            continue
        host.plugins.append(LoadedPlugin(name, origin, module))
    return host


def _skip(host: Host, strict: bool, name: str, why: str) -> None:
    if strict:
        raise PluginError(f"plugin '{name}' failed to load: {why}")
    host.skipped.append((name, why))


def _call(module: Any, hook: str) -> Any:
    impl = getattr(module, hook, None)
    # Only functions marked with @hookimpl count, as pluggy itself would see it.
    if not callable(impl) or not hasattr(impl, f"{spec.PROJECT_NAME}_impl"):
        return None
    return impl()


def _claim(host: Host, kind: str, name: str, plugin: str) -> None:
    key = f"{kind}:{name}"
    if key in host.owners and host.owners[key] != plugin:
        raise PluginError(f"two plugins claim the {kind} '{name}': '{host.owners[key]}' and '{plugin}'")
    host.owners[key] = plugin


def _collect(host: Host, plugin: str, module: Any) -> None:
    # Called per plugin (not through pm.hook) so a failure is charged to the
    # plugin that caused it and so duplicates are reported with both owners.
    for kind, hook, store in (
        ("direction", "grunndata_directions", host.directions),
        ("entity", "grunndata_entities", host.entities),
        ("check", "grunndata_checks", host.checks),
        ("transfer", "grunndata_transfers", host.transfers),
    ):
        for item in _call(module, hook) or []:
            _claim(host, kind, item.name, plugin)
            store[item.name] = item
    for key, fragment in (_call(module, "grunndata_rules_schema") or {}).items():
        _claim(host, "rule key", key, plugin)
        host.rules_schema[key] = fragment
    host.rule_files.extend(_call(module, "grunndata_rule_files") or [])
    for command in _call(module, "grunndata_commands") or []:
        _claim(host, "command", command.name, plugin)
        host.commands.append(command)
