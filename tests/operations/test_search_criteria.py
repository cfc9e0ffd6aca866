"""Search criteria: how each type of R4 search parameter matches a resource's values."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from terminology.errors import InvalidRequest
from terminology.definitions.metadata import Identifier
from terminology.operations.search_criteria import Criterion, DateValue, date_range, normalized_text


def _string(value: str, modifier: str | None = None) -> Criterion:
    return Criterion("name", "string", (value,), modifier)


def test_a_string_matches_from_its_start_ignoring_case_and_accents() -> None:
    assert _string("icd").matches(["ICD10CM"])
    assert _string("cafe").matches(["Café Codes"])
    assert not _string("10cm").matches(["ICD10CM"])


def test_a_string_exact_and_contains() -> None:
    assert _string("ICD10CM", "exact").matches(["ICD10CM"])
    assert not _string("icd10cm", "exact").matches(["ICD10CM"])
    assert _string("10cm", "contains").matches(["ICD10CM"])
    assert not _string("11cm", "contains").matches(["ICD10CM"])


def test_any_value_of_a_criterion_may_match() -> None:
    status = Criterion("status", "token", ("draft", "active"))
    assert status.matches(["active"])
    assert not status.matches(["retired"])


def test_a_token_not_matches_what_has_none_of_the_values() -> None:
    status = Criterion("status", "token", ("draft", "retired"), "not")
    assert status.matches(["active"])
    assert not status.matches(["draft"])


def test_identifier_tokens_with_and_without_system() -> None:
    held = [Identifier("urn:ietf:rfc:3986", "urn:oid:2.16.840.1.113883.6.90")]
    assert Criterion("identifier", "token", ("urn:oid:2.16.840.1.113883.6.90",)).matches(held)
    assert Criterion("identifier", "token", ("urn:ietf:rfc:3986|urn:oid:2.16.840.1.113883.6.90",)).matches(held)
    assert Criterion("identifier", "token", ("urn:ietf:rfc:3986|",)).matches(held)
    assert not Criterion("identifier", "token", ("|urn:oid:2.16.840.1.113883.6.90",)).matches(held)
    assert Criterion("identifier", "token", ("|x",)).matches([Identifier(None, "x")])


def test_uri_exact_below_and_above() -> None:
    url = "http://hl7.org/fhir/sid/icd-10-cm"
    assert Criterion("url", "uri", (url,)).matches([url])
    assert not Criterion("url", "uri", ("http://hl7.org/fhir/sid",)).matches([url])
    assert Criterion("url", "uri", ("http://hl7.org/fhir/sid",), "below").matches([url])
    assert not Criterion("url", "uri", ("http://hl7.org/fhir/si",), "below").matches([url])
    assert Criterion("url", "uri", (url + "/x",), "above").matches([url])


def test_a_canonical_reference_with_or_without_its_version() -> None:
    held = ["http://hl7.org/fhir/sid/icd-10-cm|2026"]
    assert Criterion("supplements", "reference", ("http://hl7.org/fhir/sid/icd-10-cm",)).matches(held)
    assert Criterion("supplements", "reference", ("http://hl7.org/fhir/sid/icd-10-cm|2026",)).matches(held)
    assert not Criterion("supplements", "reference", ("http://hl7.org/fhir/sid/icd-10-cm|2025",)).matches(held)


def test_missing() -> None:
    assert Criterion("publisher", "string", ("true",), "missing").matches([])
    assert not Criterion("publisher", "string", ("true",), "missing").matches(["HL7"])
    assert Criterion("publisher", "string", ("false",), "missing").matches(["HL7"])


def test_date_ranges_by_precision() -> None:
    utc = timezone.utc
    assert date_range("2020") == date_range("2020-01-01").__class__(datetime(2020, 1, 1, tzinfo=utc), datetime(2021, 1, 1, tzinfo=utc))
    assert date_range("2020-12").end == datetime(2021, 1, 1, tzinfo=utc)
    assert date_range("2020-02-29").end == datetime(2020, 3, 1, tzinfo=utc)
    moment = date_range("2020-05-03T10:00:00+02:00")
    assert moment.start == datetime(2020, 5, 3, 8, 0, tzinfo=utc) and (moment.end - moment.start).seconds == 1
    assert (date_range("2020-05-03T10:00Z").end - date_range("2020-05-03T10:00Z").start).seconds == 60
    for bad in ("20", "2020-13", "2020-02-30", "yesterday", "²²²²", "9999", "9999-12-31", "9999-12-31T23:59:59Z"):
        with pytest.raises(InvalidRequest):
            date_range(bad)


@pytest.mark.parametrize(
    ("prefix", "searched", "expected"),
    [
        ("eq", "2020", True), ("eq", "2020-05", True), ("eq", "2020-06", False),
        ("ne", "2020-06", True), ("ne", "2020", False),
        ("gt", "2019", True), ("gt", "2020", False), ("lt", "2021", True), ("lt", "2020-05-03", False),
        ("ge", "2020-05-03", True), ("ge", "2020-05-04", False), ("le", "2020-05-03", True), ("le", "2020-05-02", False),
        ("sa", "2020-05-02", True), ("sa", "2020-05-03", False), ("eb", "2020-05-04", True), ("eb", "2020-05-03", False),
        ("ap", "2020-05", True), ("ap", "2021", False),
    ],
)  # fmt: skip
def test_date_prefixes_against_a_day(prefix: str, searched: str, expected: bool) -> None:
    held = [date_range("2020-05-03")]
    assert Criterion("date", "date", (DateValue(prefix, date_range(searched)),)).matches(held) is expected


def test_normalized_text() -> None:
    assert normalized_text("Ñandú ÉCOLE") == "nandu ecole"
