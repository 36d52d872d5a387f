"""RFC 6902 JSON Patch as the PowerOffice API applies it to a record's top-level fields."""
from __future__ import annotations

import copy
from typing import Any, Sequence

from grunndata.sandbox.common import ApiError


def apply_patch(record: dict[str, Any], ops: list[Any], fields: Sequence[str], *,
                case_insensitive: bool) -> dict[str, Any]:
    """RFC 6902 add/replace/remove/test on top-level fields; returns a patched copy."""
    new = copy.deepcopy(record)
    spelled = {f.lower(): f for f in fields}
    for index, op in enumerate(ops):
        if not isinstance(op, dict):
            raise ApiError(400, f"Operation {index} is not a JSON object.")
        kind = str(op.get("op", "")).lower()
        path = op.get("path")
        if not isinstance(path, str) or not path.startswith("/") or len(path) < 2:
            raise ApiError(400, f"Operation {index}: invalid path {path!r}.")
        name = path[1:]
        if "/" in name:
            raise ApiError(400, f"Operation {index}: nested paths are not supported ({path}).")
        if case_insensitive:
            target = spelled.get(name.lower())
        elif name in fields:
            target = name
        elif name[:1].islower() and name.lower() in spelled:
            continue  # the live API ignores camelCase paths without a word
        else:
            target = None
        if target is None:
            raise ApiError(400, f"The target location specified by path segment '{name}' was not found.")
        if kind in ("add", "replace"):
            if "value" not in op:
                raise ApiError(400, f"Operation {index}: '{kind}' needs a value.")
            new[target] = op["value"]
        elif kind == "remove":
            new[target] = None
        elif kind == "test":
            if new.get(target) != op.get("value"):
                raise ApiError(400, f"The current value at '{path}' is not equal to the test value.")
        else:
            raise ApiError(400, f"Invalid JsonPatch operation '{op.get('op')}'.")
    return new
