"""FHIR's ``date`` and ``dateTime`` as the day they name: what chooses an ICD-10-CM release."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["day_of"]

# A year, a month or a day, then optionally a time and its zone.
_DATE = re.compile(
    r"(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?"
)


def day_of(text: str) -> date | None:
    """The day a FHIR date or dateTime names (a year or a month: its first day; a time of day is passed
    over, as releases change from one day to the next); None when ``text`` is neither."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
    except ValueError:  # (2025-02-30: the form of a date, but no day)
        return None
