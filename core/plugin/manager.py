"""Load plugins from the ``grunndata`` entry-point group and collect what they offer, through pluggy.

Every hook is called through pluggy, so what pluggy registered is what counts:
module functions, methods of a plugin object, and implementations renamed with
``@hookimpl(specname=...)``. Each plugin's implementations are called through a
subset of the hook holding only that plugin (``subset_hook_caller``), so a result
or a failure is charged to the plugin that caused it and a clash names both owners.

A plugin that fails to import, to register, or to answer a hook, or that
implements a hook no spec declares (a misspelt ``grunndata_entitys``), is named
and skipped; ``GRUNNDATA_STRICT_PLUGINS=1`` turns that into an error. Two plugins
claiming one name is always an error, since the result would depend on load order.
``GRUNNDATA_TRACE_HOOKS=1`` logs every hook call with its plugin and duration.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import logging
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from grunndata.engine.model import Read
from grunndata.errors import GrunndataError
from grunndata.plugin import spec

GROUP = spec.PROJECT_NAME
TRACE_LOGGER = "grunndata.hooks"
# Hooks returning a list of named items, the kind of item each offers, and what an item must have.
NAMED_HOOKS = {
    "grunndata_directions": "direction",
    "grunndata_entities": "entity",
    "grunndata_checks": "check",
    "grunndata_transfers": "transfer",
    "grunndata_invoice_sources": "invoice source",
}
_KIND_STORE = {
    "direction": "directions",
    "entity": "entities",
    "check": "checks",
    "transfer": "transfers",
    "invoice source": "invoice_sources",
}


class PluginError(GrunndataError):
    """A plugin could not be loaded, or two plugins claim one name."""


@dataclass
class LoadedPlugin:
    name: str
    origin: str  # "module (distribution version)"
    module: Any  # what was registered: a module, a class's instance, or any object


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
    invoice_sources: dict[str, Any] = field(default_factory=dict)
    rules_schema: dict[str, dict] = field(default_factory=dict)
    rule_files: list[Any] = field(default_factory=list)
    commands: list[Any] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)
    # The union of what the loaded entities, checks, transfers and invoice sources read, each read once.
    reads: list[Read] = field(default_factory=list)

    def owner_of(self, kind: str, name: str) -> str:
        return self.owners.get(f"{kind}:{name}", "?")


@dataclass
class _Offer:
    """What one plugin answered, before it joins the host (a plugin that fails adds nothing)."""

    named: dict[str, list[Any]] = field(default_factory=dict)  # kind -> items
    rules_schema: dict[str, dict] = field(default_factory=dict)
    rule_files: list[Any] = field(default_factory=list)
    commands: list[Any] = field(default_factory=list)
    reads: list[Read] = field(default_factory=list)


class _Skip(Exception):
    """A plugin is broken: the message says how, in the consultant's words."""


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false", "no")


def _strict() -> bool:
    return _flag("GRUNNDATA_STRICT_PLUGINS")


def _origin(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    where = f"{dist.name} {dist.version}" if dist is not None else "?"
    return f"{ep.value} ({where})"


def load_host(extra: Iterable[tuple[str, Any]] = (), *, use_entry_points: bool = True) -> Host:
    """The host: entry-point plugins first, then ``extra`` (name, plugin) pairs.

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
    tracing = _flag("GRUNNDATA_TRACE_HOOKS")
    if tracing:
        _trace_hook_calls(pm)
    host = Host(pm=pm)
    strict = _strict()
    candidates = list(_entry_point_candidates(host, strict)) if use_entry_points else []
    for name, plugin in extra:
        candidates.append((name, f"{getattr(plugin, '__name__', repr(plugin))} (registered in code)", plugin))

    registered: list[tuple[str, str, Any]] = []
    for name, origin, plugin in candidates:
        if pm.has_plugin(name):
            raise PluginError(f"to tillegg bruker navnet '{name}': {_origin_of(registered, name)} og {origin}")
        try:
            pm.register(plugin, name=name)
        except Exception as exc:  # pluggy refuses it: arguments no spec has, a bad marker
            _skip(host, strict, name, f"{type(exc).__name__}: {exc}")
            continue
        unknown = _unknown_hooks(pm, plugin)
        if unknown:
            pm.unregister(plugin)
            _skip(host, strict, name, unknown)
            continue
        registered.append((name, origin, plugin))

    for name, origin, plugin in registered:
        try:
            offer = _offer(pm, plugin, tracing)
        except _Skip as why:
            pm.unregister(plugin)
            _skip(host, strict, name, str(why))
            continue
        except Exception as exc:  # a broken plugin must not take the tool down
            pm.unregister(plugin)
            _skip(host, strict, name, f"{type(exc).__name__}: {exc}")
            continue
        _join(host, name, offer)
        host.plugins.append(LoadedPlugin(name, origin, plugin))
    try:
        pm.check_pending()  # what is left registered implements only declared hooks
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"ukjent hook i et tillegg: {exc}") from None
    return host


def _origin_of(registered: list[tuple[str, str, Any]], name: str) -> str:
    return next((origin for n, origin, _ in registered if n == name), f"'{name}'")


def _entry_point_candidates(host: Host, strict: bool) -> Iterable[tuple[str, str, Any]]:
    seen: dict[str, str] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        if ep.name in seen and seen[ep.name] != ep.value:
            raise PluginError(f"to tillegg bruker navnet '{ep.name}': {seen[ep.name]} og {ep.value}")
        if ep.name in seen:
            continue  # the same distribution seen twice on sys.path
        seen[ep.name] = ep.value
        try:
            plugin = ep.load()
            # An entry point may name a class: its instance is the plugin, so methods are hooks.
            if inspect.isclass(plugin):
                plugin = plugin()
        except Exception as exc:  # a broken plugin must not take the tool down
            _skip(host, strict, ep.name, f"{type(exc).__name__}: {exc}")
            continue
        yield ep.name, _origin(ep), plugin


def _skip(host: Host, strict: bool, name: str, why: str) -> None:
    if strict:
        raise PluginError(f"tillegget '{name}' kunne ikke lastes: {why}")
    host.skipped.append((name, why))


def _unknown_hooks(pm: pluggy.PluginManager, plugin: Any) -> str:
    """Hooks the plugin implements that no spec declares (a misspelling), named; '' if none."""
    known = sorted(n for n in vars(pm.hook) if not n.startswith("_") and getattr(pm.hook, n).has_spec())
    problems = []
    for caller in pm.get_hookcallers(plugin) or []:
        if caller.has_spec():
            continue
        if all(impl.optionalhook for impl in caller.get_hookimpls() if impl.plugin is plugin):
            continue
        guess = difflib.get_close_matches(caller.name, known, n=1)
        hint = f" (mente du '{guess[0]}'?)" if guess else ""
        problems.append(f"ukjent hook '{caller.name}'{hint}")
    return "; ".join(problems)


def _call(pm: pluggy.PluginManager, plugin: Any, hook: str, tracing: bool = False, **kwargs: Any) -> list[Any]:
    """What ``plugin``'s implementations of ``hook`` answer, one result each (None left out, as
    pluggy does), in pluggy's call order. Called here rather than through ``pm.hook.<name>()`` so
    that each result and each failure belongs to one plugin; what is called is what pluggy
    registered (functions, bound methods, ``specname`` renames), with the arguments it resolved."""
    results = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        if impl.plugin is not plugin:
            continue
        if impl.hookwrapper or impl.wrapper:
            raise _Skip(f"{hook} er en wrapper; en hook som samler inn tilbud må svare selv")
        started = time.perf_counter()
        try:
            result = impl.function(*[kwargs[name] for name in impl.argnames])
        except Exception as exc:
            if tracing:
                _trace(hook, impl.plugin_name, started, f"failed: {type(exc).__name__}: {exc}")
            raise
        if tracing:
            _trace(
                hook,
                impl.plugin_name,
                started,
                "no result"
                if result is None
                else f"ok, {len(result)} item(s)"
                if isinstance(result, (list, tuple, dict))
                else "ok",
            )
        if result is not None:
            results.append(result)
    return results


def _offer(pm: pluggy.PluginManager, plugin: Any, tracing: bool) -> _Offer:
    offer = _Offer()
    for hook, kind in NAMED_HOOKS.items():
        items = offer.named.setdefault(kind, [])
        for result in _call(pm, plugin, hook, tracing):
            items.extend(_as_list(hook, result))
        for item in items:
            name = getattr(item, "name", None)
            if not isinstance(name, str) or not name:
                raise _Skip(f"{hook} ga et element uten navn (name): {item!r}")
            offer.reads.extend(_reads_of(kind, item))
    for result in _call(pm, plugin, "grunndata_rules_schema", tracing):
        if not isinstance(result, Mapping):
            raise _Skip(f"grunndata_rules_schema ga {type(result).__name__}, ventet en ordbok (dict)")
        offer.rules_schema.update(result)
    for result in _call(pm, plugin, "grunndata_rule_files", tracing):
        offer.rule_files.extend(_as_list("grunndata_rule_files", result))
    for result in _call(pm, plugin, "grunndata_commands", tracing):
        offer.commands.extend(_as_list("grunndata_commands", result))
    return offer


def _as_list(hook: str, result: Any) -> list[Any]:
    if isinstance(result, (str, bytes, Mapping)) or not isinstance(result, (list, tuple)):
        raise _Skip(f"{hook} ga {type(result).__name__}, ventet en liste")
    return list(result)


def _reads_of(kind: str, item: Any) -> list[Read]:
    """The reads an entity, check or transfer declares. An entity must declare them: one that
    read nothing would see an empty system and plan to create every record again."""
    if kind not in ("entity", "check", "transfer", "invoice source"):
        return []
    reads = getattr(item, "reads", None)
    if reads is None:
        if kind == "entity":
            raise _Skip(f"entiteten '{item.name}' sier ikke hva den leser (reads)")
        return []
    if (
        isinstance(reads, (str, bytes, Mapping))
        or not isinstance(reads, Sequence)
        or not all(isinstance(r, Read) for r in reads)
    ):
        raise _Skip(f"{kind} '{item.name}': reads må være en liste av Read, ikke {reads!r}")
    return list(reads)


def _claim(host: Host, kind: str, name: str, plugin: str) -> None:
    key = f"{kind}:{name}"
    if key in host.owners and host.owners[key] != plugin:
        raise PluginError(f"to tillegg tilbyr {kind} '{name}': '{host.owners[key]}' og '{plugin}'")
    host.owners[key] = plugin


def _join(host: Host, plugin: str, offer: _Offer) -> None:
    for kind, items in offer.named.items():
        store = getattr(host, _KIND_STORE[kind])
        for item in items:
            _claim(host, kind, item.name, plugin)
            store[item.name] = item
    for key, fragment in offer.rules_schema.items():
        _claim(host, "rule key", key, plugin)
        host.rules_schema[key] = fragment
    host.rule_files.extend(offer.rule_files)
    for command in offer.commands:
        _claim(host, "command", command.name, plugin)
        host.commands.append(command)
    known = set(host.reads)
    host.reads.extend(r for r in dict.fromkeys(offer.reads) if r not in known)


# ---- tracing ----------------------------------------------------------------------------------
_tracer = logging.getLogger(TRACE_LOGGER)


def _trace(hook: str, plugin: str | None, started: float, outcome: str) -> None:
    _tracer.debug("%s plugin=%s %.3f ms %s", hook, plugin or "-", (time.perf_counter() - started) * 1000, outcome)


def _trace_hook_calls(pm: pluggy.PluginManager) -> None:
    """Log every hook call with its plugins and duration: the host's own calls (in :func:`_call`)
    and, through pluggy's monitoring, any ``pm.hook.<name>()`` call made elsewhere."""
    _tracer.setLevel(logging.DEBUG)
    if not _tracer.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        _tracer.addHandler(handler)
    started: list[float] = []

    def before(hook: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        started.append(time.perf_counter())

    def after(outcome: Any, hook: str, impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        plugins = ", ".join(dict.fromkeys(impl.plugin_name for impl in impls))
        failed = outcome.exception
        _trace(hook, plugins, started.pop(), f"failed: {type(failed).__name__}: {failed}" if failed else "ok")

    pm.add_hookcall_monitoring(before, after)
