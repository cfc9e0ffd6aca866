"""The history of every ICD-10-CM code over the fiscal years known: in which it was valid, billable, how it
was titled, and what replaced it where the code lists say so.

The history is kept small: the newest release's codes that were in every fiscal year, billable or not
alike and titled alike, have no record of their own (they are most codes); every other code has one
record, its years as bits. :meth:`Icd10cmHistory.of` makes a code's :class:`CodeHistory` when asked.
:mod:`terminology.providers.icd10cm_history_build` builds it from the code lists and the releases.

What replaced a code, "where the data says so", and nothing else:

- a code that became a header: the billable codes below it in the first fiscal year it is a header
  (ICD-10-CM codes nest by prefix within a category: M54.5 -> M54.50, M54.51, M54.59 in FY2022);
- a deleted code with placeholder X's: the codes added the year it went that equal it in every position
  but the X's (T40.7X1A -> T40.711A, T40.721A in FY2022).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..loaders.icd10cm_xml import Icd10cmEntry

__all__ = ["CodeHistory", "HistoryRecord", "Icd10cmHistory", "TitleSpan", "Transition"]

#: A code's record: ``(years, billable years, titles, replaced by)``, the years as bits (bit ``i`` is the
#: history's ``fiscal_years[i]``), the titles as ``(title, first fiscal year, last fiscal year)``, oldest
#: first, with None for the title the newest release gives the code (the same string, not a copy).
HistoryRecord = tuple[int, int, tuple[tuple[str | None, int, int], ...], tuple[str, ...]]

# Where a placeholder X may stand: after the category and its dot (X00.0XXA's first X is its category's).
_FIRST_PLACEHOLDER = 4


@dataclass(frozen=True, slots=True)
class TitleSpan:
    """A title the code had, from fiscal year ``first`` to ``last`` (both included)."""

    title: str
    first: int
    last: int

    def covers(self, fiscal_year: int) -> bool:
        return self.first <= fiscal_year <= self.last


@dataclass(frozen=True, slots=True)
class CodeHistory:
    """One code over the fiscal years of the history, ``first_known`` to ``last_known``: whether it was
    added or deleted is known only within them."""

    code: str
    fiscal_years: tuple[int, ...]  # every fiscal year the code is in the release (billable or header), ascending
    billable_years: tuple[int, ...]  # the fiscal years it is billable
    titles: tuple[TitleSpan, ...]  # oldest first; more than one when it was retitled
    replaced_by: tuple[str, ...]  # what the code lists say replaced it (see the module's docstring); () else
    first_known: int
    last_known: int

    @property
    def added(self) -> int | None:
        """The first fiscal year the code is in, if it is after the first the history knows."""
        first = self.fiscal_years[0]
        return first if first > self.first_known else None

    @property
    def deleted(self) -> int | None:
        """The fiscal year after the last the code is in, if the history knows it."""
        after = self.fiscal_years[-1] + 1
        return after if after <= self.last_known else None

    @property
    def became_header(self) -> int | None:
        """The fiscal year the code stopped being billable while it stayed in the release."""
        if not self.billable_years:
            return None
        after = self.billable_years[-1] + 1
        return after if after in self.fiscal_years else None

    def title_in(self, fiscal_year: int) -> str | None:
        """The code's title in that fiscal year; None if it was not in the release then."""
        if fiscal_year not in self.fiscal_years:
            return None
        return next(span.title for span in self.titles if span.covers(fiscal_year))


@dataclass(frozen=True, slots=True)
class Transition:
    """What changed from one fiscal year's release to another's, each mapping sorted by code.

    ``deleted`` and ``became_header``: the codes and what replaced them (see the module's docstring;
    () when the data says nothing); ``retitled``: the codes and their titles before and after. A code
    that became a header and was retitled is in both."""

    from_fy: int
    to_fy: int
    added: tuple[str, ...]
    deleted: Mapping[str, tuple[str, ...]]
    became_header: Mapping[str, tuple[str, ...]]
    retitled: Mapping[str, tuple[str, str]]


class Icd10cmHistory:
    """Every code of the fiscal years ``fiscal_years`` (ascending): those of ``newest`` (the newest release's
    entries) that have no record were in every year as they are there; ``records`` holds the rest, sorted by code."""

    def __init__(
        self, fiscal_years: tuple[int, ...], newest: Mapping[str, Icd10cmEntry], records: Mapping[str, HistoryRecord]
    ) -> None:
        if not fiscal_years or list(fiscal_years) != sorted(set(fiscal_years)):
            raise ValueError(f"fiscal years must be given once each, ascending: {fiscal_years}")
        self.fiscal_years = fiscal_years
        self.records = records
        self._newest = newest
        self._index = {fiscal_year: index for index, fiscal_year in enumerate(fiscal_years)}
        self._every_year = (1 << len(fiscal_years)) - 1

    @property
    def first_known(self) -> int:
        return self.fiscal_years[0]

    @property
    def last_known(self) -> int:
        return self.fiscal_years[-1]

    def of(self, code: str) -> CodeHistory | None:
        """The code's history; None for a code that was in none of the fiscal years (or is a block)."""
        record = self.records.get(code)
        if record is None:
            entry = self._newest.get(code)
            if entry is None or entry.kind == "block":
                return None
            record = (self._every_year, 0 if entry.children else self._every_year, ((None, self.first_known, self.last_known),), ())
        years, billable, titles, replaced_by = record
        return CodeHistory(
            code,
            self._years(years),
            self._years(billable),
            tuple(TitleSpan(self._title(code, title), first, last) for title, first, last in titles),
            replaced_by,
            self.first_known,
            self.last_known,
        )

    def title(self, code: str, fiscal_year: int) -> str | None:
        """The code's title in that fiscal year, None if it was not in the release then (as
        :meth:`CodeHistory.title_in`, without making the code's history)."""
        index = self._index.get(fiscal_year)
        record = self.records.get(code)
        if index is None or record is None:
            entry = self._newest.get(code)
            return entry.display if index is not None and entry is not None and entry.kind != "block" else None
        years, _, titles, _ = record
        return self._title(code, _title_in(titles, fiscal_year)) if years >> index & 1 else None

    def transitions(self) -> Iterator[Transition]:
        """The transition from each fiscal year to the next the history knows, oldest first."""
        for from_fy, to_fy in zip(self.fiscal_years, self.fiscal_years[1:]):
            yield self.transition(from_fy, to_fy)

    def transition(self, from_fy: int, to_fy: int) -> Transition:
        """What changed from ``from_fy``'s release to ``to_fy``'s. ValueError for a year the history does not know."""
        source, target = self._bit(from_fy), self._bit(to_fy)
        added: dict[str, bool] = {}  # code -> billable in to_fy
        deleted: list[str] = []
        became_header: list[str] = []
        retitled: dict[str, tuple[str, str]] = {}
        for code, (years, billable, titles, _) in self.records.items():
            if years & target and not years & source:
                added[code] = bool(billable & target)
            elif years & source and not years & target:
                deleted.append(code)
            elif years & source:
                if billable & source and not billable & target:
                    became_header.append(code)
                if len(titles) > 1 and (before := _title_in(titles, from_fy)) != (after := _title_in(titles, to_fy)):
                    retitled[code] = (self._title(code, before), self._title(code, after))
        codes = list(added)  # (sorted: the records are)
        return Transition(
            from_fy,
            to_fy,
            tuple(codes),
            {code: _placeholder_replacements(code, codes) for code in deleted},
            {code: tuple(new for new in _starting(codes, code) if added[new] and new != code) for code in became_header},
            retitled,
        )

    def _bit(self, fiscal_year: int) -> int:
        index = self._index.get(fiscal_year)
        if index is None:
            raise ValueError(f"FY{fiscal_year} is not in the code history (FY{self.first_known} to FY{self.last_known})")
        return 1 << index

    def _years(self, bits: int) -> tuple[int, ...]:
        if bits == self._every_year:
            return self.fiscal_years
        return tuple(fiscal_year for index, fiscal_year in enumerate(self.fiscal_years) if bits >> index & 1)

    def _title(self, code: str, title: str | None) -> str:
        return self._newest[code].display if title is None else title


def _title_in(titles: tuple[tuple[str | None, int, int], ...], fiscal_year: int) -> str | None:
    return next(title for title, first, last in titles if first <= fiscal_year <= last)


def _starting(codes: list[str], prefix: str) -> list[str]:
    """The codes (sorted) that start with ``prefix``."""
    start = bisect_left(codes, prefix)
    return codes[start : bisect_left(codes, prefix + "\uffff", start)]


def _placeholder_replacements(code: str, added: list[str]) -> tuple[str, ...]:
    """The added codes (sorted) that equal ``code`` in every position but its placeholder X's; () when it has none."""
    wildcards = [index for index, char in enumerate(code) if char == "X" and index >= _FIRST_PLACEHOLDER]
    if not wildcards:
        return ()
    return tuple(
        new
        for new in _starting(added, code[: wildcards[0]])
        if len(new) == len(code) and new != code and all(a == b or i in wildcards for i, (a, b) in enumerate(zip(code, new)))
    )
