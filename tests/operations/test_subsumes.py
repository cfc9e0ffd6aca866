"""terminology.operations.subsumes: ``CodeSystem/$subsumes`` with a typed request, over the server's registry."""

from __future__ import annotations

import collections

import pytest

from icd10cm_oracle import ICD10CM, parent_of, sample
from release_in_effect import today_warning_expected
from terminology.errors import NotFound
from terminology.operations.subsumes import OUTCOMES, SubsumesRequest, subsumes


def _subsumes(registry, a, b, version=None):
    result = subsumes(registry, SubsumesRequest(ICD10CM, a, b, version))
    assert len(result.issues) == int(version is None and today_warning_expected())  # the default release's, tested in test_releases_in_time
    return result.outcome


def _above(code: str) -> list[str]:
    found = []
    while (code := parent_of(code)) is not None:
        found.append(code)
    return found


def test_every_sampled_code_and_the_concepts_above_it(registry):
    answered = collections.Counter()
    codes = sample()
    for code, next_code in zip(codes, codes[1:]):
        assert _subsumes(registry, code, code) == "equivalent"
        answered["equivalent"] += 1
        for above in _above(code):
            assert _subsumes(registry, above, code) == "subsumes", (above, code)
            assert _subsumes(registry, code, above) == "subsumed-by", (code, above)
            answered["subsumes"] += 1
            answered["subsumed-by"] += 1
        if next_code not in _above(code) and code not in _above(next_code):
            assert _subsumes(registry, code, next_code) == "not-subsumed", (code, next_code)
            answered["not-subsumed"] += 1
    assert set(answered) == set(OUTCOMES) and min(answered.values()) > 900


@pytest.mark.parametrize(
    ("a", "b", "outcome"),
    [
        ("M48.4", "M48.48XA", "subsumes"),
        ("M48.48XA", "M48", "subsumed-by"),
        ("M48.48XA", "M48.48XD", "not-subsumed"),
        ("M48.48XA", "M48.48XA", "equivalent"),
        ("M45-M49", "M48.48XA", "subsumes"),  # a block holds its categories' codes
        ("C00-C96", "C00.0", "subsumes"),  # a super-block the blocks in its range
        ("B10.01", "B10", "subsumed-by"),  # a one-category section is the category
        ("M45-M49", "M50-M54", "not-subsumed"),
    ],
)
def test_outcomes(registry, a, b, outcome):
    assert outcome in OUTCOMES
    assert _subsumes(registry, a, b) == outcome
    assert _subsumes(registry, a, b, version="2026") == outcome


def _not_found(registry, request) -> NotFound:
    with pytest.raises(NotFound) as caught:
        subsumes(registry, request)
    assert (caught.value.status, caught.value.issue_type) == (404, "not-found")
    return caught.value


@pytest.mark.parametrize(("a", "b", "unknown", "name"), [("M48.48XQ", "M48", "M48.48XQ", "codeA"), ("M48", "m48.4", "m48.4", "codeB")])
def test_an_unknown_code(registry, a, b, unknown, name):
    error = _not_found(registry, SubsumesRequest(ICD10CM, a, b))
    assert error.message == f"Unknown code '{unknown}' in the CodeSystem '{ICD10CM}' version '2026'"
    assert (error.tx_code, error.expression) == ("invalid-code", name)


def test_an_unknown_system(registry):
    error = _not_found(registry, SubsumesRequest("http://example.org/cs", "a", "b"))
    assert error.message == "A definition for CodeSystem 'http://example.org/cs' could not be found, so the subsumption cannot be tested"
    assert (error.tx_code, error.expression) == ("not-found", "system")


def test_an_unknown_version(registry):
    error = _not_found(registry, SubsumesRequest(ICD10CM, "M48", "M48.4", "2019"))
    assert error.message == (
        f"A definition for CodeSystem '{ICD10CM}' version '2019' could not be found, so the subsumption cannot be tested. Valid versions: 2021, 2025 and 2026"
    )
    assert (error.tx_code, error.expression) == ("not-found", "system")


def test_another_code_system(registry):
    """FHIR's own code systems answer too: v3 ActCode nests its codes (_ActAccountCode above ACCTRECEIVABLE)."""
    system = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    assert subsumes(registry, SubsumesRequest(system, "_ActAccountCode", "ACCTRECEIVABLE")).outcome == "subsumes"
    assert subsumes(registry, SubsumesRequest(system, "ACCTRECEIVABLE", "CASH")).outcome == "not-subsumed"
