"""Stand-ins for library names that are imported on first use.

Every ``grunndata`` command starts by importing its modules; rich alone costs about a sixth of
the start-up budget (``grunndata --help`` and ``grunndata check`` must stay under 0.3 s of CPU),
though only commands that draw a table need it. A module writes
``Table = lazy("rich.table", "Table")`` instead of ``from rich.table import Table`` and keeps
its code as it is: the library is imported by the first call. Type checkers should see the
real name: put the real import under ``if TYPE_CHECKING:`` and the stand-in under ``else:``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")


def lazy(module: str, name: str) -> Callable[..., Any]:
    """``from module import name`` for a class or function that is only called: calling the
    stand-in imports the real one. (``isinstance`` and subclassing need the real name.)"""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported on first call."
    return call


def lazy_attributes(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A package's module ``__getattr__`` (PEP 562): ``name`` is imported from the module
    ``homes[name]`` on first access and kept in the package, so the next access is plain.
    Use as ``__getattr__ = lazy_attributes(__name__, {"Name": "package.module"})``."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


def lazy_instance(factory: Callable[[], T]) -> T:
    """An object made by ``factory()`` on first use (e.g. a module-level rich console)."""
    return cast(T, LazyInstance(factory))


def lazy_module(name: str) -> Any:
    """``import name`` for a module used only inside functions that run later (an ``async def``
    needs asyncio only once an event loop runs it): the first attribute access imports it."""
    return LazyInstance(lambda: importlib.import_module(name))


class LazyInstance:
    """An object made by ``factory()`` on first use; every attribute is the made object's."""

    __slots__ = ("_factory", "_made")

    def __init__(self, factory: Callable[[], Any]) -> None:
        object.__setattr__(self, "_factory", factory)
        object.__setattr__(self, "_made", None)

    def _lazy_resolve(self) -> Any:  # a name the made object will not have
        made = object.__getattribute__(self, "_made")
        if made is None:
            made = object.__getattribute__(self, "_factory")()
            object.__setattr__(self, "_made", made)
        return made

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._lazy_resolve(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._lazy_resolve(), attr, value)

    # Special methods are looked up on the type, not through __getattr__ (rich uses
    # ``with console:`` while it draws a progress bar).
    def __enter__(self) -> Any:
        return self._lazy_resolve().__enter__()

    def __exit__(self, *exc_info: Any) -> Any:
        return self._lazy_resolve().__exit__(*exc_info)

    def __repr__(self) -> str:
        made = object.__getattribute__(self, "_made")
        return f"<lazy {made!r}>" if made is not None else "<lazy, not made yet>"
