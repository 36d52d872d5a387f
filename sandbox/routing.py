"""Routes declared beside their handlers: ``@handles("GET", "/Invoices")`` on a method.

Each emulator module groups its handlers in a class; ``routes_of`` turns an instance into
Starlette routes in the order the class defines them (the order Starlette matches in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.routing import Route

Handler = TypeVar("Handler", bound=Callable[..., Any])
_ATTRIBUTE = "_sandbox_routes"


def handles(method: str, path: str) -> Callable[[Handler], Handler]:
    """Marks a handler as answering ``method path`` (stackable for several routes)."""

    def mark(handler: Handler) -> Handler:
        # Decorators apply bottom-up; inserting at the front keeps the written order.
        setattr(handler, _ATTRIBUTE, [(method, path), *getattr(handler, _ATTRIBUTE, [])])
        return handler

    return mark


def routes_of(handlers: object) -> list[Route]:
    """The routes of every marked method of ``handlers``, in definition order."""
    found: list[Route] = []
    for name, member in vars(type(handlers)).items():
        for method, path in getattr(member, _ATTRIBUTE, []):
            found.append(Route(path, getattr(handlers, name), methods=[method]))
    return found
