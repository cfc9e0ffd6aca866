"""The request context: which display languages a client takes."""

from __future__ import annotations

import pytest

from terminology.context import RequestContext, parse_display_language


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
