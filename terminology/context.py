"""The request context: what an operation needs to know about the request beyond its own parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from time import monotonic
from typing import TypeVar

from .errors import InvalidRequest, TooCostly
from .settings import Bound

__all__ = ["Deadline", "InvalidLanguage", "RequestContext", "parse_display_language", "parse_languages"]

_T = TypeVar("_T")
# Items a watched loop takes between two looks at the clock: a look costs about as much as a few
# items, and a few hundred items take well under a millisecond.
_STRIDE = 256

# BCP 47 in outline: a primary tag of letters, then subtags of letters and digits.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


class InvalidLanguage(InvalidRequest):
    """A ``displayLanguage`` that is not a language tag."""

    issue_type = "processing"


@dataclass(frozen=True, slots=True)
class Deadline:
    """When costly work for a request must stop: ``at``, on the monotonic clock; ``bound``, the time it
    was given, as a refusal names it."""

    at: float
    bound: Bound

    @classmethod
    def after(cls, bound: Bound) -> Deadline:
        """``bound.value`` seconds from now."""
        return cls(monotonic() + bound.value, bound)

    def check(self, work: str) -> None:
        """:class:`TooCostly` (422) naming ``work`` ("The value set 'x' expansion") once the deadline has passed."""
        if monotonic() > self.at:
            raise TooCostly(
                f"{work} took too long (more than {self.bound.value:g} seconds); this server stops it after "
                f"{self.bound.value:g} seconds ({self.bound.source})"
            )

    def watched(self, items: Iterable[_T], work: str) -> Iterator[_T]:
        """``items``, with a look at the clock (:meth:`check`) before each few hundred of them."""
        remaining = iter(items)
        while chunk := tuple(islice(remaining, _STRIDE)):
            self.check(work)
            yield from chunk


@dataclass(frozen=True, slots=True)
class RequestContext:
    """``languages``: the display languages the client prefers, best first (``displayLanguage``
    or ``Accept-Language``); empty when it said nothing. ``deadline``: when costly work (an
    expansion) must stop; None when it may run to its end."""

    languages: tuple[str, ...] = ()
    only_these: bool = False  # the client refused every other language (``*;q=0``): no display rather than another
    deadline: Deadline | None = None

    @classmethod
    def for_languages(cls, header: str | None, parse: Callable[[str], tuple[str, ...]] | None = None) -> RequestContext:
        """The context of an Accept-Language value (or a ``displayLanguage``, read by ``parse``)."""
        if not header:
            return cls()
        return cls((parse or parse_languages)(header), _refuses_others(header))

    def with_deadline(self, bound: Bound) -> RequestContext:
        """This context, with a deadline ``bound.value`` seconds from now."""
        return replace(self, deadline=Deadline.after(bound))

    def wants(self, language: str) -> bool:
        """Whether ``language`` is one the client asked for (``de-CH`` is ``de``; ``*`` is any)."""
        base = language.lower().split("-")[0]
        return any(wanted == "*" or wanted.lower().split("-")[0] == base for wanted in self.languages)

    def accepts(self, language: str | None) -> bool:
        """Whether a text in ``language`` may be shown: any may, unless the client refused the others."""
        return not self.only_these or language is None or self.wants(language)


def parse_languages(header: str | None) -> tuple[str, ...]:
    """The language tags of an Accept-Language value (or a ``displayLanguage``), best first.

    ``*`` and tags with ``q=0`` are left out; malformed q-values count as 1.
    """
    if not header:
        return ()
    weighted = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        tag = tag.strip()
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 1.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return tuple(tag for _, _, tag in sorted(weighted))


def _refuses_others(header: str) -> bool:
    for item in header.split(","):
        tag, _, params = item.strip().partition(";")
        if tag.strip() == "*" and params.strip().replace(" ", "") in ("q=0", "q=0.0"):
            return True
    return False


def parse_display_language(value: str) -> tuple[str, ...]:
    """A ``displayLanguage`` parameter: one or more language tags (Accept-Language syntax);
    :class:`InvalidLanguage` if a tag is malformed."""
    languages = parse_languages(value)
    if not languages or not all(_LANGUAGE_TAG.fullmatch(tag) for tag in languages):
        raise InvalidLanguage(f"Invalid displayLanguage: '{value}'", tx_code="invalid-display")
    return languages
