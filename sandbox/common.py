"""Request parsing and response helpers shared by both emulators.

Both vendors run ASP.NET: query keys and JSON body keys bind case-insensitively,
so the emulators do the same (the PowerOffice JSON Patch path is the exception,
see poweroffice.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """An error answer; each emulator renders it in its vendor's error format."""

    def __init__(self, status: int, message: str = "", code: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.errors = errors


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(data, status_code=status, headers=headers)


def empty(status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(b"", status_code=status, headers=headers)


def raw_body(body: str, status: int, headers: dict[str, str]) -> Response:
    stripped = body.lstrip()
    if stripped.startswith(("{", "[", '"')):
        media = "application/json"
    elif stripped.startswith("<"):
        media = "text/html; charset=utf-8"
    else:
        media = "text/plain; charset=utf-8"
    return Response(body.encode("utf-8"), status_code=status, headers=headers, media_type=media)


def invalid_value(name: str, value: str, why: str = "", *, code: str | None = "InvalidParameter") -> ApiError:
    """The 400 both vendors answer for a query value that does not bind (``why``: a further sentence)."""
    return ApiError(
        400,
        f"The value '{value}' is not valid for {name}.{(' ' + why) if why else ''}",
        code=code,
        errors={name: [f"The value '{value}' is not valid."]},
    )


class Query:
    """Query parameters, looked up case-insensitively; bad values raise a 400 ApiError."""

    def __init__(self, request: Request):
        self._items: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            self._items.setdefault(key.lower(), value)

    def text(self, name: str) -> str | None:
        value = self._items.get(name.lower())
        if value is None or value.strip() == "":
            return None
        return value

    def has_other_than(self, *names: str) -> bool:
        """Whether any parameter besides ``names`` was sent (a list without filters skips filtering)."""
        return bool(set(self._items) - {n.lower() for n in names})

    def raw(self, name: str) -> str | None:
        return self._items.get(name.lower())

    def boolean(self, name: str, default: bool | None = None) -> bool | None:
        value = self.text(name)
        if value is None:
            return default
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise invalid_value(name, value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.text(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise invalid_value(name, value) from None

    def timestamp(self, name: str) -> dt.datetime | None:
        value = self.text(name)
        if value is None:
            return None
        parsed = parse_timestamp(value)
        if parsed is None:
            # an unencoded '+' in an offset arrives as a space, just as on the live APIs
            raise invalid_value(name, value)
        return parsed

    def csv(self, name: str) -> list[str] | None:
        value = self.text(name)
        if value is None:
            return None
        return [part.strip() for part in value.split(",") if part.strip()]

    def choice(self, name: str, allowed: Iterable[str]) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        for option in allowed:
            if option.lower() == value.lower():
                return option
        raise invalid_value(name, value)


def parse_timestamp(value: Any) -> dt.datetime | None:
    """An ISO date or date-time as an aware datetime (naive counts as UTC); None if unparsable."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def after(stamp: Any, limit: dt.datetime | None, *, inclusive: bool = False) -> bool:
    """True when there is no limit or the record's timestamp is later (or equal, if inclusive)."""
    if limit is None:
        return True
    parsed = parse_timestamp(stamp)
    if parsed is None:
        return False
    return parsed >= limit if inclusive else parsed > limit


async def json_body(request: Request, expect: type | tuple[type, ...] = dict) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "A non-empty request body is required.", code="BodyIsRequired")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}", code="InvalidJson") from None
    if not isinstance(data, expect):
        names = " or ".join(t.__name__ for t in (expect if isinstance(expect, tuple) else (expect,)))
        kinds = {"dict": "a JSON object", "list": "a JSON array"}
        raise ApiError(400, f"The request body must be {kinds.get(names, names)}.", code="InvalidJson")
    return data


def canonical(body: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Body keys mapped to the schema's spelling, as ASP.NET binds them; unknown keys dropped."""
    spelled = {f.lower(): f for f in fields}
    out: dict[str, Any] = {}
    for key, value in body.items():
        name = spelled.get(str(key).lower())
        if name is not None:
            out[name] = value
    return out


def schema_errors(schema: dict[str, Any], record: dict[str, Any]) -> dict[str, list[str]]:
    """Type, enum and length errors of a record against a JSON schema, by field."""
    import jsonschema

    errors: dict[str, list[str]] = {}
    for error in jsonschema.Draft4Validator(schema).iter_errors(record):
        name = str(error.absolute_path[0]) if error.absolute_path else "$"
        message = error.message
        if error.validator == "enum":
            options = ", ".join(str(v) for v in error.validator_value if v is not None)
            message = f"{error.instance!r} is not valid; expected one of: {options}"
        errors.setdefault(name, []).append(message)
    return errors


def number_ranges(spec: str, name: str) -> list[tuple[int | None, int | None]]:
    """PowerOffice number filters: "1-5, 8, 25-" as inclusive ranges."""
    out: list[tuple[int | None, int | None]] = []
    try:
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            if "-" in part:
                lo, hi = part.split("-", 1)
                out.append((int(lo) if lo.strip() else None, int(hi) if hi.strip() else None))
            else:
                out.append((int(part), int(part)))
    except ValueError:
        raise invalid_value(name, spec, code=None) from None
    return out


def in_ranges(value: Any, ranges: list[tuple[int | None, int | None]]) -> bool:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return False
    return any((lo is None or number >= lo) and (hi is None or number <= hi) for lo, hi in ranges)
