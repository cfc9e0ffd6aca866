"""FHIR R4 search criteria, and whether a resource's values meet one.

A criterion is one search parameter of a query (``name=a,b``): any of its values may match (OR);
the criteria of a query must all hold (AND). How a value matches depends on the parameter's type
(https://hl7.org/fhir/R4/search.html): ``string`` from the start, ignoring case and accents;
``token`` exactly, ``system|code`` for identifiers; ``uri`` exactly (``:below``/``:above`` by
path); ``reference`` a canonical, with or without its version; ``date`` as ranges compared by
prefix (``ge2020``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal, Union

from ..definitions.metadata import Identifier
from ..errors import InvalidRequest

__all__ = [
    "Actual",
    "DATE_PREFIXES",
    "MODIFIERS",
    "Criterion",
    "DateValue",
    "DateRange",
    "ParameterType",
    "SearchRequest",
    "date_range",
    "normalized_text",
]

ParameterType = Literal["string", "token", "uri", "date", "reference"]

#: The modifiers each type of parameter takes (``missing`` takes ``true`` or ``false``).
MODIFIERS: dict[str, frozenset[str]] = {
    "string": frozenset({"exact", "contains", "missing"}),
    "token": frozenset({"not", "missing"}),
    "uri": frozenset({"below", "above", "missing"}),
    "date": frozenset({"missing"}),
    "reference": frozenset({"missing"}),
}
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap")


@dataclass(frozen=True, slots=True)
class DateRange:
    """The instants a date stands for, ``start`` included, ``end`` not: ``2020-05`` is all of May 2020."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date search value: a prefix (``eq`` when none was written) and the range of its date."""

    prefix: str
    range: DateRange


#: What a resource holds for a parameter: texts, identifiers, or dates already read into ranges.
Actual = Union[str, Identifier, DateRange]


@dataclass(frozen=True, slots=True)
class Criterion:
    """``name[:modifier]=values``: ``values`` are texts, or :class:`DateValue` for a date parameter."""

    name: str
    type: ParameterType
    values: tuple[str | DateValue, ...]
    modifier: str | None = None

    def matches(self, actual: Sequence[Actual]) -> bool:
        """Whether a resource holding ``actual`` for this parameter meets the criterion."""
        if self.modifier == "missing":
            return (not actual) == (self.values == ("true",))
        if self.modifier == "not":  # no value of the resource is any of the values
            return not any(_token(value, held) for value in self.values for held in actual)
        return any(self._one(value, held) for value in self.values for held in actual)

    def _one(self, value: str | DateValue, held: Actual) -> bool:
        if isinstance(value, DateValue):
            return isinstance(held, DateRange) and _date(value, held)
        if self.type == "string":
            return isinstance(held, str) and _string(value, held, self.modifier)
        if self.type == "token":
            return _token(value, held)
        if self.type == "uri":
            return isinstance(held, str) and _uri(value, held, self.modifier)
        return isinstance(held, str) and _reference(value, held)


def normalized_text(text: str) -> str:
    """``text`` as a string parameter compares it: without case and accents (``Café`` is ``cafe``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _string(value: str, held: str, modifier: str | None) -> bool:
    if modifier == "exact":
        return held == value
    if modifier == "contains":
        return normalized_text(value) in normalized_text(held)
    return normalized_text(held).startswith(normalized_text(value))


def _token(value: str, held: Actual) -> bool:
    if isinstance(held, Identifier):
        if "|" not in value:
            return held.value == value
        system, _, code = value.partition("|")
        # ``|value``: an identifier without a system; ``system|``: any identifier of the system.
        return (held.system or "") == system and (not code or held.value == code)
    return isinstance(held, str) and held == value


def _uri(value: str, held: str, modifier: str | None) -> bool:
    if modifier == "below":
        return held == value or held.startswith(value.rstrip("/") + "/")
    if modifier == "above":
        return value == held or value.startswith(held.rstrip("/") + "/")
    return held == value


def _reference(value: str, held: str) -> bool:
    """A canonical reference: ``url|version`` matches that version, ``url`` any version of it."""
    if "|" in value:
        return held == value
    return held.partition("|")[0] == value


def _date(value: DateValue, held: DateRange) -> bool:
    wanted = value.range
    within = wanted.start <= held.start and held.end <= wanted.end
    match value.prefix:
        case "eq":
            return within
        case "ne":
            return not within
        case "gt":  # some of the resource's range lies after the searched one
            return held.end > wanted.end
        case "lt":
            return held.start < wanted.start
        case "ge":
            return held.end > wanted.end or within
        case "le":
            return held.start < wanted.start or within
        case "sa":  # starts after the searched range ends
            return held.start >= wanted.end
        case "eb":  # ends before the searched range starts
            return held.end <= wanted.start
    return held.start < wanted.end and wanted.start < held.end  # ap: the ranges overlap


def date_range(text: str) -> DateRange:
    """The range of a FHIR date or dateTime (``2020``, ``2020-05``, ``2020-05-03``,
    ``2020-05-03T10:00:00+02:00``); a time without a zone is taken as UTC. :class:`InvalidRequest`
    when ``text`` is none of these, or its range ends past the year 9999."""
    try:
        return _range(text)
    except (ValueError, OverflowError):
        raise InvalidRequest(
            f"'{text}' is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime) in the years 1 to 9998"
        ) from None


def _range(text: str) -> DateRange:
    if len(text) == 4:
        start = datetime(int(text), 1, 1, tzinfo=timezone.utc)
        return DateRange(start, start.replace(year=start.year + 1))
    if len(text) == 7:
        start = datetime.strptime(text, "%Y-%m").replace(tzinfo=timezone.utc)
        return DateRange(start, start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1))
    if len(text) == 10:
        start = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
        return DateRange(start, start + timedelta(days=1))
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    # A dateTime stands for the second it names (or the minute, when it gives no seconds).
    if len(text) > 16 and text[16] == ":":
        start = moment.replace(microsecond=0)
        return DateRange(start, start + timedelta(seconds=1))
    start = moment.replace(second=0, microsecond=0)
    return DateRange(start, start + timedelta(minutes=1))


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search: its criteria (all must hold), and which page of the matches to answer
    (``count`` of them from ``offset``; ``count`` 0 asks for the total alone)."""

    criteria: tuple[Criterion, ...] = ()
    count: int = 100
    offset: int = 0
