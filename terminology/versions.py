"""Comparing and matching code system versions (``1.10`` after ``1.9``; ``1.x`` fits ``1.0.0``)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["version_key", "version_matches", "versions_comparable"]

# A date (2018-08-12, 20180812, 2018-08): a release named by when it came out.
_DATE = re.compile(r"(19|20)\d{2}(-?\d{2}){0,2}")


@lru_cache(maxsize=1024)  # a server sees few versions, and compares them on every versioned request
def version_key(version: str | None) -> tuple:
    """Orders versions so that the latest sorts last: numeric parts as numbers (1.10 after 1.9)."""
    parts = re.split(r"[.\-+]", version or "")
    return tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part) for part in parts)


def versions_comparable(one: str | None, other: str | None) -> bool:
    """Whether two versions follow the same scheme (both dates, or both not), so that one can be later."""
    return _is_date(one) == _is_date(other)


def _is_date(version: str | None) -> bool:
    return version is not None and _DATE.fullmatch(version) is not None


def version_matches(pattern: str, version: str | None) -> bool:
    """Whether ``version`` fits ``pattern``, in which ``x`` or ``*`` stands for any one part
    (``1.x`` fits ``1.0.0``: a wildcard also stands for the parts after it)."""
    if version is None:
        return False
    wanted, actual = pattern.split("."), version.split(".")
    if not any(part in ("x", "*") for part in wanted):
        return False
    for index, part in enumerate(wanted):
        if part in ("x", "*"):
            if index == len(wanted) - 1:
                return len(actual) >= len(wanted)
            continue
        if index >= len(actual) or actual[index] != part:
            return False
    return len(actual) == len(wanted)
