"""Looking up a file of codes: a column for each property asked for, from one lookup of each distinct code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..client.errors import OperationOutcomeError
from ..client.results import CodeQuery, Coding, Lookup, Property, PropertyValue
from .report import Value

__all__ = ["DEFAULT_PROPERTIES", "Entry", "Entries", "Looker"]

#: The properties a bulk lookup gives when none is asked for.
DEFAULT_PROPERTIES = ("display", "billable")
#: What a lookup answers of itself, not as a property.
_OWN_FIELDS = {"display": lambda found: found.display, "billable": lambda found: found.billable, "abstract": lambda found: found.abstract}


class Looker(Protocol):
    """What looks codes up: the client of a server, or the embedded content."""

    def lookup_many(self, queries: Iterable[CodeQuery], *, properties: Sequence[str] = ()) -> Iterator[Lookup | OperationOutcomeError]: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """A row's line of the report: the value of each property asked for (several values: separated by a
    space; a value's subproperties after it in brackets, ``19[model=V28,year=2026]``), and ``message``, why
    the code was not found."""

    values: tuple[Value, ...]
    message: str | None = None

    @property
    def found(self) -> bool:
        return self.message is None

    def columns(self) -> tuple[Value, ...]:
        """The values of the report's columns: the properties', then ``message``."""
        return (*self.values, self.message)


class Entries:
    """The entries of queries, looked up by ``looker`` for ``properties``."""

    def __init__(self, looker: Looker, properties: Sequence[str]) -> None:
        self.looker = looker
        self.properties = tuple(properties)

    def refused(self, why: str) -> Entry:
        return Entry((None,) * len(self.properties), why)

    def __call__(self, queries: list[CodeQuery]) -> list[Entry]:
        """The entry of each query, in order."""
        return [self._entry(found) for found in self.looker.lookup_many(queries, properties=self.properties)]

    def _entry(self, found: Lookup | OperationOutcomeError) -> Entry:
        if isinstance(found, OperationOutcomeError):
            return self.refused(found.message)
        return Entry(tuple(_value(found, name) for name in self.properties))


def _value(found: Lookup, name: str) -> Value:
    own = _OWN_FIELDS.get(name)
    if own is not None:
        return own(found)
    return " ".join(_with_subproperties(prop) for prop in found.properties if prop.code == name and prop.value is not None) or None


def _with_subproperties(prop: Property) -> str:
    """The value, then what qualifies it (an HCC's model and payment year, a note's level), which tells apart
    values that are otherwise the same (one category number in two models)."""
    if not prop.subproperties:
        return _text(prop.value)
    qualifiers = ",".join(f"{sub.code}={_text(sub.value)}" for sub in prop.subproperties if sub.value is not None)
    return f"{_text(prop.value)}[{qualifiers}]"


def _text(value: PropertyValue) -> str:
    if isinstance(value, Coding):
        return value.code or ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
