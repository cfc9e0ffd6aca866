"""What ICD-10-CM's code history says of a code, in the words a coder acts on: the notes a validation
adds where one release alone would mislead (a deleted code, one not yet valid, one that became a header),
and the history properties ``$lookup`` returns."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from ..fiscal_years import fiscal_year_end, fiscal_year_of, fiscal_year_start
from ..model import Property, PropertyDefinition
from .base import HistoryNote

if TYPE_CHECKING:
    from .icd10cm_history import CodeHistory

__all__ = [
    "BECAME_HEADER",
    "DELETED",
    "HISTORY_PROPERTIES",
    "NOT_YET_VALID",
    "VALID_IN_UNLOADED_YEAR",
    "history_note",
    "history_properties",
    "wants_history",
]

DELETED = "ICD10CM_CODE_DELETED"
NOT_YET_VALID = "ICD10CM_CODE_NOT_YET_VALID"
BECAME_HEADER = "ICD10CM_CODE_BECAME_HEADER"
VALID_IN_UNLOADED_YEAR = "ICD10CM_CODE_VALID_IN_UNLOADED_YEAR"

HISTORY_PROPERTIES: tuple[PropertyDefinition, ...] = (
    PropertyDefinition("fiscalYears", "string", "The fiscal years the code is in ICD-10-CM, of those the history knows (2019-2026)"),
    PropertyDefinition("billableFiscalYears", "string", "The fiscal years the code is billable in (2019-2021)"),
    PropertyDefinition("added", "dateTime", "When the code was added: the first day of the fiscal year it first appears in"),
    PropertyDefinition("deleted", "dateTime", "When the code was deleted: the first day of the fiscal year it no longer appears in"),
    PropertyDefinition("becameHeader", "dateTime", "When the code stopped being billable (subdivided into more specific codes)"),
    PropertyDefinition("replacedBy", "code", "A code that took this one's place when it was deleted or subdivided"),
    PropertyDefinition("previousTitle", "string", "A title the code had before (subproperty fiscalYears: when)"),
)
_HISTORY_NAMES = frozenset(definition.code for definition in HISTORY_PROPERTIES)


def history_note(past: CodeHistory, fiscal_year: int, in_release: bool, header: bool, day: date | None) -> HistoryNote | None:
    """The note for a code the answering release of ``fiscal_year`` holds (``in_release``; ``header``:
    as a header) or not, where its history differs, about ``day`` (None: the release's own year)."""
    code = past.code
    asked = fiscal_year_of(day) if day is not None else fiscal_year
    when = f"on {day.isoformat()}" if day is not None else f"in FY{fiscal_year}"
    years = past.fiscal_years
    if not in_release:
        if asked in years:
            return HistoryNote(
                VALID_IN_UNLOADED_YEAR,
                f"{code} is valid in FY{asked} ({_span(asked)}), whose release is not loaded here: the answer is from FY{fiscal_year}, "
                "which does not have it",
                "warning",
            )
        if years and years[-1] < asked:
            deleted = years[-1] + 1
            text = f"{code} is not valid {when}: it was deleted on {fiscal_year_start(deleted).isoformat()} (FY{deleted})"
            return HistoryNote(DELETED, text + _instead(past.replaced_by), replaced_by=past.replaced_by)
        if years and years[0] > asked:
            added = next(year for year in years if year > asked)
            falls = f"the date {day.isoformat()} falls in FY{asked}" if day is not None else f"this release is FY{fiscal_year}"
            return HistoryNote(NOT_YET_VALID, f"{code} is valid from {fiscal_year_start(added).isoformat()} (FY{added}); {falls}")
        return None
    billable = past.billable_years
    if header and billable and billable[-1] < asked:
        became = billable[-1] + 1
        text = f"{code} was billable until {fiscal_year_end(billable[-1]).isoformat()}; since FY{became} it is a header"
        return HistoryNote(BECAME_HEADER, text + _instead(past.replaced_by), "warning", past.replaced_by)
    return None


def wants_history(wanted: Collection[str] | None) -> bool:
    """Whether a lookup that asks for the properties ``wanted`` (None: all) asks for a history property."""
    return wanted is None or not _HISTORY_NAMES.isdisjoint(wanted)


def history_properties(past: CodeHistory, wanted: frozenset[str] | None) -> Iterator[Property]:
    """The code's history as ``$lookup`` properties (those of ``wanted``, or all)."""
    if not wants_history(wanted):
        return

    def want(name: str) -> bool:
        return wanted is None or name in wanted

    if want("fiscalYears"):
        yield _years("fiscalYears", past.fiscal_years)
    if want("billableFiscalYears") and past.billable_years:
        yield _years("billableFiscalYears", past.billable_years)
    if want("added") and past.added is not None:
        yield Property("added", fiscal_year_start(past.added).isoformat(), "dateTime", f"FY{past.added}")
    if want("deleted") and past.deleted is not None:
        yield Property("deleted", fiscal_year_start(past.deleted).isoformat(), "dateTime", f"FY{past.deleted}")
    if want("becameHeader") and past.became_header is not None:
        yield Property("becameHeader", fiscal_year_start(past.became_header).isoformat(), "dateTime", f"FY{past.became_header}")
    if want("replacedBy"):
        for code in past.replaced_by:
            yield Property("replacedBy", code, "code")
    if want("previousTitle"):
        for span in past.titles[:-1]:
            years = f"FY{span.first}" if span.first == span.last else f"FY{span.first}-FY{span.last}"
            yield Property("previousTitle", span.title, "string", subproperties=(Property("fiscalYears", years, "string"),))


@lru_cache(maxsize=1024)  # (most codes share their years: one property each, written once)
def _years(name: str, years: tuple[int, ...]) -> Property:
    """``2019-2026``; runs joined by commas where a code left and came back (``2019-2020, 2023-2026``)."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return Property(name, ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs), "string")


def _span(fiscal_year: int) -> str:
    return f"{fiscal_year_start(fiscal_year).isoformat()} to {fiscal_year_end(fiscal_year).isoformat()}"


def _instead(codes: Sequence[str]) -> str:
    if not codes:
        return ""
    listed = codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " or " + codes[-1]
    return f": use {listed}"
