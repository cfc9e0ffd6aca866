"""terminology.operations.validation.value_set: the value set's verdict on a coding its code system has
judged, and the errors the engine raises said as issues."""

from __future__ import annotations

import pytest

from fixture_resources import ANIMALS, COLORS, fixture_registry, value_set_definition
from terminology.model import Coding, ValidationResult
from terminology.operations import messages
from terminology.operations.code_versions import VersionChoice
from terminology.operations.validation.value_set import ValueSetCheck, value_set_verdict
from terminology.valuesets.resolution import CircularReference, VersionRules

REGISTRY = fixture_registry()
DOG = Coding(ANIMALS, None, "dog")
CHECKED = ValidationResult(True, None, ANIMALS, "1.0.0", "dog", "Dog")


def _asked(id: str, **fields) -> ValueSetCheck:
    return ValueSetCheck(value_set_definition(id), VersionRules(), **fields)


def test_a_member_keeps_its_code_systems_verdict():
    assert value_set_verdict(REGISTRY, _asked("animals-enum"), DOG, VersionChoice(None), CHECKED, "") is CHECKED


def test_a_code_not_in_it():
    result = value_set_verdict(REGISTRY, _asked("filter-code-cat"), DOG, VersionChoice(None), CHECKED, "")
    assert result.result is False
    assert [issue.message_id for issue in result.issues] == [messages.NOT_IN_VALUE_SET]


def test_a_version_error_makes_the_coding_invalid_and_is_said():
    mismatch = messages.version_mismatch(COLORS, "1.0.0", "2.0.0", "")
    checked = ValidationResult(True, None, COLORS, "1.0.0", "red", "Red")
    result = value_set_verdict(REGISTRY, _asked("colors-pinned"), Coding(COLORS, "2.0.0", "red"), VersionChoice("1.0.0", (mismatch,)), checked, "")
    assert (result.result, result.issues) == (False, (mismatch,))


def test_an_unknown_version_the_answer_depends_on():
    choice = VersionChoice("9.9.9", (), f"{COLORS}|9.9.9")
    result = value_set_verdict(REGISTRY, _asked("colors-latest"), Coding(COLORS, "9.9.9", "red"), choice, CHECKED, "")
    assert (result.result, result.unknown_systems) == (False, (f"{COLORS}|9.9.9",))


def test_an_unknown_include_system_becomes_an_issue():
    result = value_set_verdict(REGISTRY, _asked("unknown-system-version"), Coding(COLORS, None, "red"), VersionChoice(None), CHECKED, "Coding.")
    assert (result.result, result.unknown_systems) == (False, (f"{COLORS}|9.9.9",))
    [issue] = result.issues
    assert (issue.message_id, issue.expression) == ("UNKNOWN_CODESYSTEM", ("Coding.system",))


def test_a_cycle_is_not_caught_here():
    with pytest.raises(CircularReference):  # (the request is at fault: a 4xx, not a verdict)
        value_set_verdict(REGISTRY, _asked("cycle-self"), DOG, VersionChoice(None), CHECKED, "")


def test_a_fragment_gap_is_no_verdict():
    gap = ValidationResult(True, None, ANIMALS, "1.0.0", "dog", issues=(messages.unknown_code_in_fragment(REGISTRY.code_system(ANIMALS).info, "dog", ""),))
    assert value_set_verdict(REGISTRY, _asked("filter-code-cat"), DOG, VersionChoice(None), gap, "") is gap
