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
            raise RuleFileError(
                [
                    Problem(
                        _pos(self.name, node.start_mark),
                        f"for mange verdier (over {MAX_NODES}); aliaser som utvides uten ende er ikke tillatt",
                    )
                ]
            )
        self.out.value_pos[path] = _pos(self.name, node.start_mark)
        if isinstance(node, ScalarNode):
            return self._scalars.construct_object(node)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.problems.append(
                        Problem(
                            _pos(self.name, key_node.start_mark),
                            "en nøkkel må være ren tekst, ikke en liste eller tabell",
                        )
                    )
                    continue
                key = self._scalars.construct_object(key_node)
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(
                        Problem(_pos(self.name, key_node.start_mark), "flettenøkler ('<<') støttes ikke i regelfiler")
                    )
                    continue
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    first = self.out.key_pos.get((*path, key))
                    where = f" (først på linje {first.line})" if first else ""
                    self.problems.append(
                        Problem(_pos(self.name, key_node.start_mark), f"nøkkelen '{key}' står to ganger{where}")
                    )
                    continue
                self.out.key_pos[(*path, key)] = _pos(self.name, key_node.start_mark)
                result[key] = self.build(value_node, (*path, key))
            return result
        raise RuleFileError([Problem(_pos(self.name, node.start_mark), "unsupported YAML node")])


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# PyYAML's problems (English) as the consultant reads them; the start of the text decides.
_YAML_PROBLEMS = (
    ("mapping values are not allowed here", "et kolon (:) kan ikke stå her; mangler det anførselstegn rundt verdien?"),
    ("could not find expected ':'", "fant ikke forventet ':'"),
    ("found character that cannot start any token", "et tegn som ikke kan begynne en verdi"),
    ("found unexpected end of stream", "filen slutter midt i en verdi (mangler et anførselstegn?)"),
    ("expected <block end>", "feil innrykk: blokken slutter ikke der den skal"),
    ("did not find expected key", "fant ikke forventet nøkkel (sjekk innrykket)"),
    ("did not find expected '-' indicator", "fant ikke forventet '-' (sjekk innrykket i listen)"),
    ("found undefined alias", "ukjent alias"),
    ("found undefined tag handle", "ukjent merke (tag)"),
    ("found unknown escape character", "ukjent escape-tegn i teksten"),
    ("expected ',' or ']'", "forventet ',' eller ']'"),
    ("expected ',' or '}'", "forventet ',' eller '}'"),
    ("could not determine a constructor for the tag", "ukjent merke (tag)"),
    ("while scanning a simple key", "i en nøkkel"),
    ("while scanning a quoted scalar", "i en tekst i anførselstegn"),
    ("while scanning a plain scalar", "i en verdi"),
    ("while parsing a block mapping", "i en tabell"),
    ("while parsing a block collection", "i en liste"),
    ("while parsing a flow sequence", "i en liste i hakeparenteser"),
    ("while parsing a flow mapping", "i en tabell i krøllparenteser"),
    ("while scanning an alias", "i et alias"),
)


def _yaml_problem(problem: str | None) -> str:
    text = (problem or "").strip()
    for english, norwegian in _YAML_PROBLEMS:
        if text.startswith(english):
            return norwegian
    return text or "ugyldig YAML"


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
        problem = _yaml_problem(exc.problem)
        if "\t" in text and "'\\t'" in str(exc):
            problem = "et tabulatortegn er ikke tillatt her; bruk mellomrom til innrykk"
        detail = f" ({_yaml_problem(exc.context)})" if exc.context else ""
        raise RuleFileError([Problem(pos, f"YAML-syntaksfeil: {problem}{detail}")]) from None
    except yaml.YAMLError as exc:
        raise RuleFileError([Problem(Pos(name, 1, 1), f"YAML-feil: {_yaml_problem(str(exc))}")]) from None
    if node is None:
        raise RuleFileError([Problem(Pos(name, 1, 1), "filen er tom")])
    builder = _Builder(name)
    try:
        data = builder.build(node, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise RuleFileError(
            [Problem(_pos(name, mark) if mark else Pos(name, 1, 1), f"ugyldig verdi: {_yaml_problem(exc.problem)}")]
        ) from None
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
        raise RuleFileError([Problem(Pos(name, 1, 1), "filen finnes ikke")]) from None
    except IsADirectoryError:
        raise RuleFileError([Problem(Pos(name, 1, 1), "er en mappe, ikke en fil")]) from None
    except OSError as exc:
        raise RuleFileError([Problem(Pos(name, 1, 1), f"kan ikke leses: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        raise RuleFileError([Problem(Pos(name, 1, 1), f"filen er for stor ({len(raw)} byte; høyst {MAX_BYTES})")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise RuleFileError(
            [Problem(Pos(name, line, col), "filen er ikke gyldig UTF-8; lagre den som UTF-8")]
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return load_text(text, name)
