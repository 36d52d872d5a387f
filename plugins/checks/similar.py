"""The "nearest name" logic the doctor's checks share.

The matching requirements (R3-R5) are exact: a name or code matches only when
it is equal. When it is not, the consultant wants to know what it was meant to
be; these helpers find the candidates that are equal after the normalisations
the rules list (``doctor.similar``): case, surrounding or doubled spaces,
``50%`` against ``50 %``, æ/ø/å against ae/oe/aa, leading zeros in codes.
When nothing is equal even so, names that are merely close are offered.

Every switch and threshold comes from the rules; nothing here knows a
Norwegian letter or a number on its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import Field, dataclass, fields
from typing import Any, ClassVar, Generic, Self, TypeVar

T = TypeVar("T")

_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_PERCENT = re.compile(r"\s+%")
_NAME_PARTS = re.compile(r"[\s\-]+")


# What a rule value becomes, by the type its field declares (annotations are strings here).
_SCALARS: dict[str, Callable[[Any], Any]] = {"bool": bool, "int": int, "float": float}


class _ScalarRules:
    """A frozen dataclass of scalar rule values, read from its rule section."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    def __init__(self, **values: Any) -> None: ...  # the dataclass' own, made by @dataclass

    @classmethod
    def from_rules(cls, data: dict[str, Any]) -> Self:
        return cls(**{f.name: _SCALARS[str(f.type)](data[f.name]) for f in fields(cls)})


@dataclass(frozen=True)
class NameRules:
    """How names are made comparable (``doctor.similar.names``)."""

    ignore_case: bool
    ignore_extra_spaces: bool
    ignore_space_before_percent: bool
    letters: tuple[tuple[str, str], ...]
    close_enough: float
    max_suggestions: int

    @classmethod
    def from_rules(cls, data: dict[str, Any]) -> NameRules:
        return cls(
            bool(data["ignore_case"]),
            bool(data["ignore_extra_spaces"]),
            bool(data["ignore_space_before_percent"]),
            tuple((str(k), str(v)) for k, v in (data["letters"] or {}).items()),
            float(data["close_enough"]),
            int(data["max_suggestions"]),
        )

    def normalise(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if self.ignore_extra_spaces:
            text = _SPACES.sub(" ", text).strip()
        if self.ignore_space_before_percent:
            text = _SPACE_BEFORE_PERCENT.sub("%", text)
        if self.ignore_case:
            text = text.casefold()
        if self.letters:
            table = str.maketrans({k: v for k, v in self.letters if len(k) == 1})
            text = text.translate(table)
            for k, v in self.letters:
                if len(k) != 1:
                    text = text.replace(k, v)
        return text


@dataclass(frozen=True)
class CodeRules(_ScalarRules):
    """How codes and numbers are made comparable (``doctor.similar.codes``)."""

    ignore_spaces: bool
    ignore_leading_zeros: bool
    max_suggestions: int

    def normalise(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if self.ignore_spaces:
            text = "".join(text.split())
        if self.ignore_leading_zeros:
            stripped = text.lstrip("0")
            text = stripped if stripped or not text else "0"
        return text


class Nearest(Generic[T]):
    """An index of candidates by their normalised form, for quick "did you mean" look-ups.

    ``exact`` finds candidates whose normalised form equals the query's; ``close``
    (names only) falls back to normalised forms at least ``close_enough`` alike.
    """

    def __init__(
        self,
        items: Iterable[T],
        text: Callable[[T], Any],
        normalise: Callable[[Any], str],
        limit: int,
        close_enough: float | None = None,
    ):
        self.normalise = normalise
        self.limit = limit
        self.close_enough = close_enough
        self.by_form: dict[str, list[T]] = {}
        for item in items:
            form = normalise(text(item))
            if form:
                self.by_form.setdefault(form, []).append(item)
        self._forms = list(self.by_form)

    def exact(self, value: Any) -> list[T]:
        form = self.normalise(value)
        return list(self.by_form.get(form, []))[: self.limit] if form else []

    def close(self, value: Any) -> list[T]:
        if self.close_enough is None:
            return []
        form = self.normalise(value)
        if not form:
            return []
        found: list[T] = []
        for match in difflib.get_close_matches(form, self._forms, n=self.limit, cutoff=self.close_enough):
            found.extend(self.by_form[match])
        return found[: self.limit]

    def suggest(self, value: Any) -> tuple[list[T], bool]:
        """Candidates for ``value`` and whether they are equal after normalising (else only close)."""
        same = self.exact(value)
        if same:
            return same, True
        return self.close(value), False


@dataclass(frozen=True)
class PersonRules(_ScalarRules):
    """When two spellings of a person's name are the same person (``doctor.employees.same_person``)."""

    part_similarity: float
    extra_names_allowed: bool
    initials_match: bool

    def _part_alike(self, a: str, b: str) -> bool:
        if a == b:
            return True
        if self.initials_match:
            for short, long in ((a, b), (b, a)):
                letter = short.rstrip(".")
                if len(letter) == 1 and long.startswith(letter):
                    return True
        return difflib.SequenceMatcher(None, a, b).ratio() >= self.part_similarity

    def same_person(self, a: str, b: str, names: NameRules) -> bool:
        """Whether names ``a`` and ``b`` can be one person: every part of the shorter name has a
        close part in the other (word order does not matter). Empty names are not compared."""
        left = [p for p in _NAME_PARTS.split(names.normalise(a)) if p]
        right = [p for p in _NAME_PARTS.split(names.normalise(b)) if p]
        if not left or not right or left == right:
            return True
        if len(left) > len(right):
            left, right = right, left
        if len(left) != len(right) and not self.extra_names_allowed:
            return False
        unused = list(right)
        for part in left:
            hit = next((i for i, other in enumerate(unused) if self._part_alike(part, other)), None)
            if hit is None:
                return False
            unused.pop(hit)
        return True


def quoted(values: Iterable[Any], last: str = "og") -> str:
    """«a», «b» og «c» (or «a» eller «b» with ``last="eller"``)."""
    items = [f"«{v}»" for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]
