"""terminology.operations.validation.answer: the answer put together from each coding's check."""

from __future__ import annotations

from fixture_resources import ANIMALS, fixture_registry, value_set_definition
from terminology.model import CodeableConcept, Coding, Issue, ValidationResult
from terminology.operations import messages
from terminology.operations.validation.answer import answer

REGISTRY = fixture_registry()
VS = value_set_definition("animals-enum")
PENGUIN, DOG = Coding(ANIMALS, None, "penguin"), Coding(ANIMALS, None, "dog")
NOT_IN = messages.not_in_value_set(VS, PENGUIN, "CodeableConcept.coding[0].")
FOUND = ValidationResult(True, None, "http://example.org/other", None, "dog", "Dog")


def test_one_coding_answers_as_checked():
    issue = Issue("warning", "business-rule", "a reason", "code-rule", ("code",))
    result = answer(REGISTRY, None, (DOG,), None, [ValidationResult(True, None, "http://example.org/other", None, "dog", "Dog", issues=(issue,))])
    assert (result.result, result.code, result.display, result.message, result.issues) == (True, "dog", "Dog", "a reason", (issue,))


def test_a_concept_with_a_valid_coding_makes_the_others_errors_warnings():
    bad = ValidationResult(False, None, "http://example.org/other", None, "x", issues=(Issue("error", "code-invalid", "bad", "invalid-code"),))
    result = answer(REGISTRY, None, (PENGUIN, DOG), CodeableConcept((PENGUIN, DOG)), [bad, FOUND])
    assert (result.result, result.code, [issue.severity for issue in result.issues], result.message) == (True, "dog", ["warning"], "bad")


def test_a_coding_not_in_the_value_set_beside_one_that_is_is_only_noted():
    missing = ValidationResult(False, None, "http://example.org/other", None, "penguin", issues=(NOT_IN,))
    result = answer(REGISTRY, VS, (PENGUIN, DOG), CodeableConcept((PENGUIN, DOG)), [missing, FOUND])
    assert (result.result, result.message) == (True, None)
    assert [(issue.severity, issue.tx_code) for issue in result.issues] == [("information", "this-code-not-in-vs")]


def test_no_coding_in_the_value_set_is_said_first():
    missing = ValidationResult(False, None, "http://example.org/other", None, "penguin", issues=(NOT_IN,))
    result = answer(REGISTRY, VS, (PENGUIN,), CodeableConcept((PENGUIN,)), [missing])
    assert (result.result, result.code, result.system) == (False, None, None)
    assert [issue.message_id for issue in result.issues] == ["TX_GENERAL_CC_ERROR_MESSAGE", messages.NOT_IN_VALUE_SET]
    assert result.message == f"No valid coding was found for the value set '{VS.canonical}'"


def test_quiet_warnings_stay_out_of_the_message():
    marked = messages.deprecated_in_value_set(VS, DOG, "deprecated", "")
    result = answer(REGISTRY, None, (DOG,), None, [ValidationResult(True, None, "http://example.org/other", None, "dog", issues=(marked,))])
    assert (result.result, result.message, result.issues) == (True, None, (marked,))
