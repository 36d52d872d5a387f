"""RFC 6902 JSON Patch as the PowerOffice API applies it to a record, through ``jsonpatch``.

All six operations work (``add``, ``remove``, ``replace``, ``move``, ``copy``, ``test``) on
the fields a resource lets you write; ``remove`` leaves a field null. Which paths count:

* v2 resources (``case_insensitive=False``): PascalCase paths (``/Name``) are applied;
  camelCase paths of a known field (``/name``) are silently ignored, as reported of the
  live API (the spec's own example uses them); an operation whose ``path`` or ``from``
  is such a path is skipped whole. Any other unknown field is 400.
* Time tracking (``case_insensitive=True``): paths match whatever the case.

A failed ``test`` or a conflicting operation is 400, and nothing of the patch is applied.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import jsonpatch
import jsonpointer

from grunndata.sandbox.common import ApiError

OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")


def _target(
    pointer: Any, index: int, spelled: dict[str, str], fields: Sequence[str], *, case_insensitive: bool, what: str
) -> str | None:
    """The pointer with its first segment in the schema's spelling; None when the API ignores it."""
    if not isinstance(pointer, str) or not pointer.startswith("/") or len(pointer) < 2:
        raise ApiError(400, f"Operation {index}: invalid {what} {pointer!r}.")
    name, sep, rest = pointer[1:].partition("/")
    name = name.replace("~1", "/").replace("~0", "~")
    if case_insensitive:
        target = spelled.get(name.lower())
    elif name in fields:
        target = name
    elif name[:1].islower() and name.lower() in spelled:
        return None  # the live API ignores camelCase paths without a word
    else:
        target = None
    if target is None:
        raise ApiError(400, f"The target location specified by path segment '{name}' was not found.")
    return "/" + target.replace("~", "~0").replace("/", "~1") + sep + rest


def apply_patch(
    record: dict[str, Any], ops: list[Any], fields: Sequence[str], *, case_insensitive: bool
) -> dict[str, Any]:
    """``record`` with ``ops`` applied to its ``fields``; returns a patched copy (the record is not changed)."""
    spelled = {f.lower(): f for f in fields}
    document = {f: copy.deepcopy(record.get(f)) for f in fields}
    patch: list[dict[str, Any]] = []
    for index, op in enumerate(ops):
        if not isinstance(op, dict):
            raise ApiError(400, f"Operation {index} is not a JSON object.")
        kind = str(op.get("op", "")).lower()
        if kind not in OPERATIONS:
            raise ApiError(400, f"Invalid JsonPatch operation '{op.get('op')}'.")
        path = _target(op.get("path"), index, spelled, fields, case_insensitive=case_insensitive, what="path")
        source = None
        if kind in ("move", "copy"):
            source = _target(op.get("from"), index, spelled, fields, case_insensitive=case_insensitive, what="from")
            if source is None:
                continue
        if path is None:
            continue
        step: dict[str, Any] = {"op": kind, "path": path}
        if source is not None:
            step["from"] = source
        if kind in ("add", "replace", "test"):
            if "value" not in op:
                raise ApiError(400, f"Operation {index}: '{kind}' needs a value.")
            step["value"] = op["value"]
        patch.append(step)
    try:
        patched = jsonpatch.apply_patch(document, patch)
    except jsonpatch.JsonPatchTestFailed:
        failed = next((p["path"] for p in patch if p["op"] == "test"), "")
        raise ApiError(400, f"The current value at '{failed}' is not equal to the test value.") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise ApiError(400, f"The patch cannot be applied: {exc}") from None
    new = copy.deepcopy(record)
    for name in fields:
        new[name] = patched.get(name)  # removed: null, as the API shows a field nobody set
    return new
