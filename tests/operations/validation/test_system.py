"""terminology.operations.validation.system: a system inferred for a code sent without one, and why a
system that is no code system here cannot be used."""

from __future__ import annotations

from fixture_resources import ANIMALS, COLORS, SUPPLEMENT, VS, fixture_registry, value_set_definition
from terminology.model import Coding, ValidationResult
from terminology.operations.validation.system import inferred_system, unusable_system

REGISTRY = fixture_registry()
MIXED = value_set_definition("mixed")


def test_the_one_include_holding_the_code_gives_its_system():
    assert inferred_system(REGISTRY, MIXED, Coding(code="dog", display="Dog"), "", "code") == Coding(ANIMALS, None, "dog", "Dog")
    assert inferred_system(REGISTRY, MIXED, Coding(code="red"), "", "code") == Coding(COLORS, None, "red")


def test_no_include_holding_the_code():
    result = inferred_system(REGISTRY, MIXED, Coding(code="griffin"), "", "code")
    assert isinstance(result, ValidationResult) and result.result is False
    assert [issue.message_id for issue in result.issues] == ["None_of_the_provided_codes_are_in_the_value_set_one", "UNABLE_TO_INFER_CODESYSTEM"]
    assert result.issues[0].text == f"The provided code '#griffin' was not found in the value set '{MIXED.canonical}'"


def test_a_coding_must_give_its_system():
    result = inferred_system(REGISTRY, MIXED, Coding(code="dog"), "Coding.", "coding")
    assert isinstance(result, ValidationResult)
    assert [issue.expression for issue in result.issues] == [("Coding.code",), ("Coding",)]


def test_a_supplement_is_no_system():
    result = unusable_system(REGISTRY, Coding(SUPPLEMENT, None, "dog"), "")
    assert (result.result, result.unknown_systems) == (False, (SUPPLEMENT,))
    assert [issue.message_id for issue in result.issues] == ["CODESYSTEM_CS_NO_SUPPLEMENT"]


def test_a_value_set_is_no_system():
    result = unusable_system(REGISTRY, Coding(VS + "animals-enum", None, "dog"), "")
    assert (result.result, result.unknown_systems) == (False, ())
    assert result.message == f"The Coding references a value set, not a code system ('{VS}animals-enum')"


def test_an_unknown_version_of_a_known_system_is_what_is_unknown():
    result = unusable_system(REGISTRY, Coding(COLORS, "9.9.9", "red"), "")
    assert result.unknown_systems == (f"{COLORS}|9.9.9",)
    assert [issue.message_id for issue in result.issues] == ["UNKNOWN_CODESYSTEM_VERSION"]


def test_a_local_name_is_also_said_to_be_one():
    result = unusable_system(REGISTRY, Coding("Location1", None, "x"), "Coding.")
    assert [issue.message_id for issue in result.issues] == ["UNKNOWN_CODESYSTEM", "Terminology_TX_System_Relative"]
    assert result.unknown_systems == ("Location1",)
