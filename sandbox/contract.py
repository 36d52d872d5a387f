"""The vendor contract as routes: every operation is answered, and query values are checked first.

* An operation of the contract that an emulator does not emulate answers ``501`` with a
  body that says so, in the vendor's error format: never a 404 that reads as "no such
  record". A path outside the contract stays a 404.
* Before a handler runs, every query parameter the spec declares for the operation is
  checked against its type (boolean, integer, number, date-time, uuid, enum; an
  exploded object such as PowerOffice's ``resourceParameter`` by its properties): a bad
  value answers 400 before any record is read. Names match case-insensitively, as in
  ASP.NET; parameters the spec does not declare are ignored.
* Routes are ordered so that a literal segment wins over a template
  (``/SalesOrders/sentState`` before ``/SalesOrders/{id}``).
"""

from __future__ import annotations

import functools
import math
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from grunndata.sandbox import specs
from grunndata.sandbox.common import invalid_value, parse_timestamp

NotEmulated = Callable[[str, str, str], Response]  # (method, path template, request path) -> answer
_METHODS = ("get", "post", "put", "patch", "delete")
_INT32 = (-(2**31), 2**31 - 1)


def _normal(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@functools.cache
def operations(system: str) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """(METHOD, path with ``{}`` for parameters) → (spec path, operation), for every operation."""
    out: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    for path, item in specs.spec(system)["paths"].items():
        for method in _METHODS:
            if method in item:
                out[(method.upper(), _normal(path))] = (path, item[method])
    return out


@functools.cache
def query_parameters(system: str, method: str, spec_path: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The operation's query parameters as (lower-case name, JSON schema); objects exploded."""
    item = specs.spec(system)["paths"][spec_path]
    params = [*item.get("parameters", []), *item[method.lower()].get("parameters", [])]
    out: list[tuple[str, dict[str, Any]]] = []
    for param in params:
        if param.get("in") != "query":
            continue
        schema = specs.to_jsonschema(system, param.get("schema", {}))
        if "properties" in schema:  # style form, explode: each property is a parameter of its own
            out.extend((name.lower(), prop) for name, prop in schema["properties"].items())
        else:
            out.append((param["name"].lower(), schema))
    return tuple(out)


def check_value(name: str, value: str, schema: dict[str, Any]) -> None:
    """One query value against its schema; raises a 400 ApiError naming the parameter."""
    kinds = schema.get("type", "string")
    kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k != "null"]
    if value.strip() == "":
        return  # an empty value binds as "not given"
    kind = kinds[0] if kinds else "string"
    if "enum" in schema:
        if value.lower() not in {str(v).lower() for v in schema["enum"] if v is not None}:
            options = ", ".join(str(v) for v in schema["enum"] if v is not None)
            raise invalid_value(name, value, f"Expected one of: {options}.")
    elif kind == "boolean":
        if value.lower() not in ("true", "false", "1", "0"):
            raise invalid_value(name, value, "Expected true or false.")
    elif kind == "integer":
        try:
            number = int(value)
        except ValueError:
            raise invalid_value(name, value, "Expected a whole number.") from None
        if schema.get("format") == "int32" and not _INT32[0] <= number <= _INT32[1]:
            raise invalid_value(name, value, "Out of range.")
    elif kind == "number":
        try:
            if not math.isfinite(float(value)):
                raise ValueError
        except ValueError:
            raise invalid_value(name, value, "Expected a number.") from None
    elif schema.get("format") == "date-time":
        if parse_timestamp(value) is None:
            why = "A '+' in an offset must be sent as %2B." if " " in value.strip() else "Expected a date-time."
            raise invalid_value(name, value, why)
    elif schema.get("format") == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            raise invalid_value(name, value, "Expected a UUID.") from None


def _checked(
    system: str, method: str, spec_path: str, endpoint: Callable[[Request], Awaitable[Response]]
) -> Callable[[Request], Awaitable[Response]]:
    declared = dict(query_parameters(system, method, spec_path))

    async def checked(request: Request) -> Response:
        for key, value in request.query_params.multi_items():
            schema = declared.get(key.lower())
            if schema is not None:
                check_value(key, value, schema)
        return await endpoint(request)

    return checked


def _specificity(route: Route) -> list[int]:
    return [1 if segment.startswith("{") else 0 for segment in route.path.split("/")]


def bind(
    system: str, prefix: str, routes: list[Route], not_emulated: NotEmulated
) -> tuple[list[Route], list[tuple[str, str]]]:
    """The emulated routes with their query checks, plus a 501 route for every other operation.

    Returns the routes and the (METHOD, spec path) of the operations answered 501.
    """
    ops = operations(system)
    done: set[tuple[str, str]] = set()
    out: list[Route] = []
    for route in routes:
        spec_key = None
        methods = sorted((route.methods or set()) - {"HEAD"})
        if route.path.startswith(prefix) or not prefix:
            spec_key = (methods[0], _normal(route.path[len(prefix) :])) if len(methods) == 1 else None
        if spec_key in ops:
            done.add(spec_key)
            spec_path = ops[spec_key][0]
            route = Route(route.path, _checked(system, methods[0], spec_path, route.endpoint), methods=methods)
        out.append(route)
    missing: list[tuple[str, str]] = []
    for (method, _), (spec_path, _op) in sorted(ops.items()):
        if (method, _normal(spec_path)) in done:
            continue
        missing.append((method, spec_path))
        out.append(Route(prefix + spec_path, _not_emulated(not_emulated, method, spec_path), methods=[method]))
    return sorted(out, key=_specificity), missing


def _not_emulated(answer: NotEmulated, method: str, spec_path: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return answer(method, spec_path, request.url.path)

    return endpoint
