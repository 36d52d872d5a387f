"""Load YAML while keeping where every key and value stands in the file.

PyYAML's node graph has the marks; we build plain Python values from it
ourselves so that we can also refuse what PyYAML would silently accept:
duplicate keys (it keeps the last) and alias bombs (it expands them all).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from grunndata.errors import GrunndataError

MAX_BYTES = 2_000_000
MAX_NODES = 200_000

PathKey = tuple[Any, ...]


@dataclass(frozen=True)
class Pos:
    file: str
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    @property
    def short(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Problem:
    pos: Pos
    message: str

    def __str__(self) -> str:
        return f"{self.pos}: {self.message}"


class RuleFileError(GrunndataError):
    """One or more problems in rule or config files, each with a position."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Located:
    """A loaded document: plain data plus the position of every key and value."""

    data: Any
    key_pos: dict[PathKey, Pos] = field(default_factory=dict)
    value_pos: dict[PathKey, Pos] = field(default_factory=dict)

    def pos(self, path: PathKey) -> Pos | None:
        """Where the thing at ``path`` is written: its key if it has one, else its value."""
        return self.key_pos.get(tuple(path)) or self.value_pos.get(tuple(path))


def _pos(name: str, mark: Any) -> Pos:
    return Pos(name, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, name: str):
        self.name = name
        self.count = 0
        self.out = Located(None)
        self.problems: list[Problem] = []
        self._scalars = SafeConstructor()

    def build(self, node: Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise RuleFileError([Problem(_pos(self.name, node.start_mark),
                                         f"too many values (over {MAX_NODES}); aliases that expand"
                                         " without end are not allowed")])
        self.out.value_pos[path] = _pos(self.name, node.start_mark)
        if isinstance(node, ScalarNode):
            return self._scalars.construct_object(node)
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.problems.append(Problem(_pos(self.name, key_node.start_mark),
                                                 "a key must be plain text, not a list or mapping"))
                    continue
                key = self._scalars.construct_object(key_node)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(Problem(_pos(self.name, key_node.start_mark),
                                                 "merge keys ('<<') are not supported in rule files"))
                    continue
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    first = self.out.key_pos.get(path + (key,))
                    where = f" (first at line {first.line})" if first else ""
                    self.problems.append(Problem(_pos(self.name, key_node.start_mark),
                                                 f"duplicate key '{key}'{where}"))
                    continue
                self.out.key_pos[path + (key,)] = _pos(self.name, key_node.start_mark)
                result[key] = self.build(value_node, path + (key,))
            return result
        raise RuleFileError([Problem(_pos(self.name, node.start_mark), "unsupported YAML node")])


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_text(text: str, name: str) -> Located:
    """Parse YAML text; raise :class:`RuleFileError` with positions on any problem."""
    try:
        try:
            # libyaml when installed (about ten times faster: the rule files are read by every
            # command); on any error the pure-Python parser again, whose messages the rest knows.
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(name, mark) if mark else Pos(name, 1, 1)
        problem = exc.problem or "invalid YAML"
        if "\t" in text and "'\\t'" in str(exc):
            problem = "a tab character is not allowed here; indent with spaces"
        detail = f" ({exc.context})" if exc.context else ""
        raise RuleFileError([Problem(pos, f"YAML syntax error: {problem}{detail}")]) from None
    except yaml.YAMLError as exc:
        raise RuleFileError([Problem(Pos(name, 1, 1), f"YAML error: {exc}")]) from None
    if node is None:
        raise RuleFileError([Problem(Pos(name, 1, 1), "the file is empty")])
    builder = _Builder(name)
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise RuleFileError([Problem(_pos(name, mark) if mark else Pos(name, 1, 1),
                                     f"invalid value: {exc.problem}")]) from None
    if builder.problems:
        raise RuleFileError(builder.problems)
    builder.out.data = data
    return builder.out


def load_file(path: Path, display: str | None = None) -> Located:
    """Read and parse one YAML file, refusing huge or non-UTF-8 files with a position."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RuleFileError([Problem(Pos(name, 1, 1), "file not found")]) from None
    except IsADirectoryError:
        raise RuleFileError([Problem(Pos(name, 1, 1), "is a directory, not a file")]) from None
    except OSError as exc:
        raise RuleFileError([Problem(Pos(name, 1, 1), f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise RuleFileError([Problem(Pos(name, 1, 1), f"file is too large ({len(raw)} bytes; at most {MAX_BYTES})")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise RuleFileError([Problem(Pos(name, line, col),
                                     "the file is not valid UTF-8; save it as UTF-8")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return load_text(text, name)
