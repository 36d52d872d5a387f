"""Saving ``grunndata.yaml`` from the Oppsett page without losing a comment.

The file is edited with ruamel.yaml's round-trip loader (comments, order and quoting kept),
written to a temporary file beside it, loaded back with the project's own loader and
validated by the same schema as ``grunndata check``; only then does it replace the file
(an atomic rename). A refused save leaves the file as it was.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from grunndata.console.backend import Pos, Problem, Refusal, Session, load_session

DELETE = object()  # as a value in ``changes``: remove the key


@dataclass
class SaveResult:
    saved: bool
    problems: list[Problem] = field(default_factory=list)
    text: str = ""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a consultant's long lines
    return y


def as_text(value: str) -> DoubleQuotedScalarString:
    """A quoted string, so a number such as ``9000`` stays text in the file."""
    return DoubleQuotedScalarString(value)


def _set(doc: CommentedMap, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = doc
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            if value is DELETE:
                return
            child = CommentedMap()
            node[key] = child
        node = child
    if value is DELETE:
        node.pop(keys[-1], None)
        if not node and len(keys) > 1:
            _set(doc, ".".join(keys[:-1]), DELETE)
    else:
        node[keys[-1]] = value


def _yaml_problem(exc: YAMLError, shown: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) if isinstance(exc, MarkedYAMLError) else None
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Problem(Pos(shown, line, col), f"YAML: {what}")


def edit(text: str, changes: dict[str, Any], shown: str) -> str:
    """``text`` with each dotted key in ``changes`` set (or removed), everything else kept."""
    y = _yaml()
    try:
        doc = y.load(text) if text.strip() else None
    except YAMLError as exc:
        raise Refusal("config", str(exc), [_yaml_problem(exc, shown)]) from None
    if doc is None:
        doc = CommentedMap()
    if not isinstance(doc, CommentedMap):
        raise Refusal("config", "", [Problem(Pos(shown, 1, 1), "the config must be a mapping of keys")])
    for key, value in changes.items():
        _set(doc, key, value)
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()


def _rename(problem: Problem, tmp: str, shown: str) -> Problem:
    pos = problem.pos
    file = shown if pos.file == tmp else pos.file
    return Problem(Pos(file, pos.line, pos.col), problem.message.replace(tmp, shown))


def save(path: Path, changes: dict[str, Any], check: Callable[[Session], list[Problem]] | None = None) -> SaveResult:
    """Edit, validate with the project's loader (plus ``check`` on the loaded session), replace."""
    shown = str(path)
    try:
        original = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        return SaveResult(False, [Problem(Pos(shown, 1, 1), f"cannot read the file ({exc})")])
    try:
        text = edit(original, changes, shown)
    except Refusal as exc:
        return SaveResult(False, exc.problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        try:
            session = load_session(Path(tmp))
        except Refusal as exc:
            return SaveResult(
                False, [_rename(p, tmp, shown) for p in exc.problems] or [Problem(Pos(shown, 1, 1), exc.detail)], text
            )
        refused = check(session) if check is not None else []
        if refused:
            return SaveResult(False, [_rename(p, tmp, shown) for p in refused], text)
        os.replace(tmp, path)
        tmp = ""
        return SaveResult(True, [], text)
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
