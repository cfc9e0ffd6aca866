"""ICD-10-CM's calendar: the US federal fiscal year, and the dates releases take effect.

A fiscal year's release takes effect on October 1 of the year before (FY2026: 2025-10-01) and runs to
September 30; an update (April 1 most years, January 1 in FY2021) takes effect within the year and
runs to its end, or to the next update's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "EffectivePeriod",
    "checked_effective_date",
    "day_before",
    "effective_date_from_name",
    "fiscal_year_end",
    "fiscal_year_of",
    "fiscal_year_start",
    "release_label",
]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),  # fmt: skip
        start=1,
    )
    for name in names
}
# "2026-04-01" anywhere in a name; or a month, an optional day and a year as the CDC names its update
# files ("April-1-2026", "April_2025", "january 1 2021"). The month is a whole word, so that a name's
# other words ("marker", "decode") are not taken for one.
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NAMED_DATE = re.compile(r"(?<![a-z])([a-z]+)[-_ .]*(?:(\d{1,2})[-_ .,]+)?(\d{4})(?!\d)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class EffectivePeriod:
    """The days a release is in effect, both ends included."""

    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def distance(self, day: date) -> int:
        """How many days ``day`` lies outside the period (0 inside it)."""
        if day < self.start:
            return (self.start - day).days
        return max((day - self.end).days, 0)


def fiscal_year_start(fiscal_year: int) -> date:
    return date(fiscal_year - 1, 10, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    return date(fiscal_year, 9, 30)


def fiscal_year_of(day: date) -> int:
    """The fiscal year a day falls in (2025-10-01 and 2026-09-30 are both in FY2026)."""
    return day.year + 1 if day.month >= 10 else day.year


def effective_date_from_name(name: str, fiscal_year: int) -> date:
    """When the release in a file of this name takes effect: the date its name gives (``2026-04-01``,
    ``April-1-2026``; a month without a day is its first), else the fiscal year's October 1.

    Raises ValueError when the name gives a date outside the fiscal year, which would make the release
    answer for days its content does not cover.
    """
    found = _named_date(name)
    if found is None:
        return fiscal_year_start(fiscal_year)
    return checked_effective_date(found, fiscal_year, f"the name '{name}' gives the date")


def checked_effective_date(day: date, fiscal_year: int, given_by: str) -> date:
    """``day``, the day a release of ``fiscal_year`` takes effect, when it lies in that year.

    Raises ValueError otherwise, saying that ``given_by`` (``"the name 'x.xml' gives the date"``) gave it.
    """
    if not fiscal_year_start(fiscal_year) <= day <= fiscal_year_end(fiscal_year):
        raise ValueError(
            f"{given_by} {day.isoformat()}, which is not in FY{fiscal_year} "
            f"({fiscal_year_start(fiscal_year).isoformat()} to {fiscal_year_end(fiscal_year).isoformat()}), "
            "the fiscal year the file's <version> names"
        )
    return day


def _named_date(name: str) -> date | None:
    iso = _ISO_DATE.search(name)
    if iso is not None:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    for match in _NAMED_DATE.finditer(name):
        month = _MONTHS.get(match[1].lower())
        if month is not None:
            try:
                return date(int(match[3]), month, int(match[2] or 1))
            except ValueError:
                return None
    return None


def release_label(effective: date) -> str:
    """How a person names the release that takes effect on ``effective``: ``the FY2026 release`` (on its
    October 1), or ``the 2026-04-01 update of FY2026``."""
    fiscal_year = fiscal_year_of(effective)
    if effective == fiscal_year_start(fiscal_year):
        return f"the FY{fiscal_year} release"
    return f"the {effective.isoformat()} update of FY{fiscal_year}"


def day_before(day: date) -> date:
    return day - timedelta(days=1)
