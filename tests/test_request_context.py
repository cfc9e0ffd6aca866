"""The request context: which display languages a client takes."""

from __future__ import annotations

import time

import pytest

from terminology.context import Deadline, RequestContext, parse_display_language
from terminology.errors import TooCostly
from terminology.settings import Bound


@pytest.mark.parametrize(
    "header, languages, only_these",
    [
        (None, (), False),
        ("de", ("de",), False),
        ("de;q=0.5, fr", ("fr", "de"), False),
        ("en, *; q=0", ("en",), True),
        ("en, *;q=0.0", ("en",), True),
        ("en, *", ("en",), False),
    ],
)
def test_for_languages(header, languages, only_these):
    context = RequestContext.for_languages(header)
    assert (context.languages, context.only_these) == (languages, only_these)


def test_accepts():
    strict = RequestContext.for_languages("de-CH, *; q=0", parse_display_language)
    assert strict.accepts("de") and strict.accepts("de-AT") and strict.accepts(None)
    assert not strict.accepts("en")
    assert RequestContext.for_languages("de").accepts("en")


# --- the deadline -----------------------------------------------------------------------------


def test_a_watched_loop_stops_once_its_deadline_has_passed_and_not_before():
    deadline = Deadline.after(Bound(0.05, "TERMINOLOGY_MAX_EXPANSION_SECONDS"))
    read = []

    def slow(count: int):
        for item in range(count):
            read.append(item)
            time.sleep(0.001)
            yield item

    with pytest.raises(TooCostly, match=r"^The work took too long \(more than 0.05 seconds\); this server stops it after 0.05 seconds \(TERMINOLOGY_MAX_EXPANSION_SECONDS\)$"):
        for _ in deadline.watched(slow(5000), "The work"):
            pass
    assert len(read) < 5000  # stopped within a few hundred items of the deadline, not at the end
    quick = Deadline.after(Bound(60, "TERMINOLOGY_MAX_EXPANSION_SECONDS"))
    assert list(quick.watched(range(1000), "The work")) == list(range(1000))


def test_a_context_with_a_deadline_keeps_its_languages():
    context = RequestContext.for_languages("de").with_deadline(Bound(1, "TERMINOLOGY_MAX_EXPANSION_SECONDS"))
    assert context.languages == ("de",) and context.deadline is not None and RequestContext().deadline is None
