"""terminology.operations.validate_code: ``$validate-code`` of a code against its code system (over the
server's registry) and against a value set (typed definitions, over the fixture registry)."""

from __future__ import annotations

import pytest

from fixture_resources import ANIMALS, COLORS, definition, fixture_registry, value_set_definition, with_deprecated_cat
from icd10cm_oracle import ICD10CM, codes, display, is_billable, oracle
from release_in_effect import without_today_warning
from terminology.context import RequestContext
from terminology.model import Coding, Issue
from terminology.operations.validate_code import CodeValidationRequest, validate_code
from terminology.valuesets.membership import is_member
from terminology.valuesets.resolution import VersionRules

CONTEXT = RequestContext()
M48_48XA = display("M48.48XA")


def _validate(registry, code, display=None, system=ICD10CM, version=None, form="code", context=CONTEXT, **fields):
    request = CodeValidationRequest((Coding(system, version, code, display),), form=form, **fields)
    result = validate_code(registry, request, context)
    # The default release answers, which says when it is not in effect today (tested in test_releases_in_time).
    default_release = system == ICD10CM and version is None and "date" not in fields and "value_set" not in fields
    return without_today_warning(result) if default_release else result


def _only_issue(result) -> Issue:
    [issue] = result.issues
    return issue


# --- every code of the release --------------------------------------------------------------


def test_every_code_is_valid_with_the_oracles_display(registry):
    assert len(codes()) == 98444
    wrong = {}
    for code in codes():
        result = _validate(registry, code)
        strict = _validate(registry, code, abstract_allowed=False)
        if (result.result, result.display, result.version, strict.result) != (True, display(code), "2026", is_billable(code)):
            wrong[code] = (result, strict.result)
    assert wrong == {}


def test_every_code_with_its_display_is_valid(registry):
    assert [code for code in codes() if not _validate(registry, code, display(code)).result] == []


# --- valid, a header, abstract=false ---------------------------------------------------------


def test_a_billable_code(registry):
    result = _validate(registry, "M48.48XA")
    assert (result.result, result.message, result.issues) == (True, None, ())
    assert (result.system, result.version, result.code, result.display) == (ICD10CM, "2026", "M48.48XA", M48_48XA)
    assert (result.normalized_code, result.inactive, result.status, result.unknown_systems) == (None, None, None, ())


@pytest.mark.parametrize(("form", "expression"), [("code", "code"), ("coding", "Coding.code")])
def test_a_header_is_valid_with_a_warning_naming_its_billable_codes(registry, form, expression):
    result = _validate(registry, "M48.48", form=form)
    assert (result.result, result.display) == (True, display("M48.48"))
    issue = _only_issue(result)
    assert (issue.severity, issue.code, issue.tx_code, issue.expression) == ("warning", "business-rule", "code-rule", (expression,))
    assert issue.text == (
        "M48.48 is a header code and not billable: it needs a 7th character. Billable codes below it: "
        + ", ".join(oracle.get_children("M48.48"))
    )
    assert result.message == issue.text


@pytest.mark.parametrize("code", ["M48.48", "M48", "M45-M49", "B10"])
def test_abstract_false_refuses_a_header(registry, code):
    result = _validate(registry, code, abstract_allowed=False)
    assert result.result is False
    issue = _only_issue(result)
    assert (issue.severity, issue.code, issue.tx_code, issue.message_id) == ("error", "business-rule", "code-rule", "ABSTRACT_CODE_NOT_ALLOWED")
    reason = _validate(registry, code).issues[0].text  # the warning it is valid with otherwise
    assert issue.text == f"Code '{ICD10CM}#{code}' is abstract, and not allowed in this context: {reason}"
    assert result.message == issue.text and result.display == display(code)


def test_abstract_false_keeps_a_billable_code_valid(registry):
    assert _validate(registry, "M48.48XA", abstract_allowed=False).result is True


# --- a code written otherwise, an unknown code ------------------------------------------------


@pytest.mark.parametrize("code", ["m4848xa", "M4848XA", "m48.48xa", " M48.48XA", "M48.48A"])
def test_a_code_written_otherwise_is_not_valid_but_named(registry, code):
    result = _validate(registry, code)
    assert result.result is False
    assert result.normalized_code == "M48.48XA"
    assert (result.code, result.display) == (code, None)
    issue = _only_issue(result)
    assert (issue.severity, issue.code, issue.tx_code, issue.expression, issue.message_id) == (
        "error", "code-invalid", "invalid-code", ("code",), "Unknown_Code_in_Version",
    )
    assert issue.text == f"Unknown code '{code}' in the CodeSystem '{ICD10CM}' version '2026'; did you mean 'M48.48XA'?"
    assert result.message == issue.text


@pytest.mark.parametrize(("code", "form", "expression"), [("M48.48XQ", "code", "code"), ("Q99.99X", "coding", "Coding.code")])
def test_an_unknown_code(registry, code, form, expression):
    result = _validate(registry, code, form=form)
    assert (result.result, result.display, result.normalized_code) == (False, None, None)
    issue = _only_issue(result)
    assert (issue.code, issue.tx_code, issue.expression) == ("code-invalid", "invalid-code", (expression,))
    assert issue.text == result.message == f"Unknown code '{code}' in the CodeSystem '{ICD10CM}' version '2026'"


# --- display ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [M48_48XA, M48_48XA.upper(), M48_48XA.lower()])
def test_the_display_ignoring_case(registry, text):
    result = _validate(registry, "M48.48XA", text)
    assert (result.result, result.issues, result.display) == (True, (), M48_48XA)


def test_an_inclusion_term_of_the_code_is_a_valid_display(registry):
    [term, *_] = oracle.get_inclusion_term("M48.4")
    assert _validate(registry, "M48.4", term.lower()).result is True
    assert _validate(registry, "M48.48XA", term).result is False  # the term is M48.4's own


@pytest.mark.parametrize(("form", "expression"), [("code", "display"), ("coding", "Coding.display")])
def test_a_wrong_display(registry, form, expression):
    result = _validate(registry, "M48.48XA", "x", form=form)
    assert (result.result, result.display) == (False, M48_48XA)
    issue = _only_issue(result)
    assert (issue.severity, issue.code, issue.tx_code, issue.expression, issue.message_id) == (
        "error", "invalid", "invalid-display", (expression,), "Display_Name_for__should_be_one_of__instead_of",
    )
    assert issue.text == result.message == (
        f"Wrong Display Name 'x' for {ICD10CM}#M48.48XA. Valid display is '{M48_48XA}' (en) (for the language(s) '--')"
    )


def test_a_wrong_display_names_the_languages_asked_for(registry):
    assert _validate(registry, "M48.48XA", "x", context=RequestContext(("en-US",))).message.endswith("(for the language(s) 'en-US')")
    other = _validate(registry, "M48.48XA", "x", context=RequestContext(("fr", "de")))
    assert other.message == (
        f"Wrong Display Name 'x' for {ICD10CM}#M48.48XA. There are no valid display names found for "
        f"language(s) 'fr,de'. Default display is '{M48_48XA}'"
    )


def test_a_display_with_other_spacing_is_wrong_and_says_why(registry):
    result = _validate(registry, "M48.48XA", "  " + M48_48XA.replace(" ", "   \t") + " ")
    assert result.result is False
    issue = _only_issue(result)
    assert issue.message_id == "Display_Name_WS_for__should_be_one_of__instead_of"
    assert issue.text.startswith("Wrong whitespace in Display Name")


def test_a_near_display_is_wrong(registry):
    assert _validate(registry, "M48.48XA", M48_48XA + "s").result is False
    assert _validate(registry, "M48.48XA", M48_48XA.replace(",", "")).result is False


def test_a_lenient_display_check_only_warns(registry):
    result = _validate(registry, "M48.48XA", "x", lenient_display=True)
    assert result.result is True
    assert _only_issue(result).severity == "warning"


def test_a_wrong_display_on_a_refused_header_reports_both(registry):
    result = _validate(registry, "M48.48", "x", abstract_allowed=False)
    assert result.result is False
    assert sorted(issue.tx_code for issue in result.issues) == ["code-rule", "invalid-display"]


# --- the code system and its version -----------------------------------------------------------


def test_the_version_asked_for(registry):
    result = _validate(registry, "M48.48XA", version="2026")
    assert (result.result, result.version) == (True, "2026")


def test_an_unknown_version(registry):
    result = _validate(registry, "M48.48XA", version="2019")
    assert result.result is False
    assert result.unknown_systems == (f"{ICD10CM}|2019",)
    issue = _only_issue(result)
    assert (issue.code, issue.tx_code, issue.expression, issue.message_id) == ("not-found", "not-found", ("system",), "UNKNOWN_CODESYSTEM_VERSION")
    assert issue.text == result.message == (
        f"A definition for CodeSystem '{ICD10CM}' version '2019' could not be found, so the code cannot be validated. Valid versions: 2021, 2025 and 2026"
    )


@pytest.mark.parametrize(("form", "expression"), [("code", "system"), ("coding", "Coding.system")])
def test_an_unknown_system(registry, form, expression):
    result = _validate(registry, "M48.48XA", system="http://example.org/cs", form=form)
    assert (result.result, result.unknown_systems) == (False, ("http://example.org/cs",))
    issue = _only_issue(result)
    assert (issue.code, issue.tx_code, issue.expression, issue.message_id) == ("not-found", "not-found", (expression,), "UNKNOWN_CODESYSTEM")
    assert issue.text == "A definition for CodeSystem 'http://example.org/cs' could not be found, so the code cannot be validated"


def test_a_relative_system_is_named_as_such(registry):
    result = _validate(registry, "M48.48XA", system="Location1", form="coding")
    assert [issue.message_id for issue in result.issues] == ["UNKNOWN_CODESYSTEM", "Terminology_TX_System_Relative"]
    assert result.issues[1].text == "Coding.system must be an absolute reference, not a local reference"


def test_a_value_set_in_place_of_the_system(registry):
    value_set = "http://hl7.org/fhir/ValueSet/administrative-gender"
    assert registry.value_set(value_set) is not None
    result = _validate(registry, "male", system=value_set)
    assert result.result is False
    assert _only_issue(result).message_id == "Terminology_TX_System_ValueSet2"
    assert result.message == f"The Coding references a value set, not a code system ('{value_set}')"


def test_a_supplement_in_place_of_the_system(registry):
    supplement = "http://fhir.icd10cm-terminology.org/CodeSystem/icd10cm-guidance-m4848"
    result = _validate(registry, "M48.48", system=supplement)
    assert result.result is False
    assert _only_issue(result).message_id == "CODESYSTEM_CS_NO_SUPPLEMENT"
    assert result.message == f"CodeSystem {supplement}|0.1.0 is a supplement, so can't be used as a value in system"


# --- a CodeableConcept ------------------------------------------------------------------------


def test_a_codeable_concept_with_one_good_coding(registry):
    codings = (Coding(ICD10CM, None, "M48.48XQ"), Coding(ICD10CM, None, "M48.48XA", M48_48XA))
    result = without_today_warning(validate_code(registry, CodeValidationRequest(codings, form="codeableConcept"), CONTEXT))
    assert (result.result, result.code, result.display) == (True, "M48.48XA", M48_48XA)
    assert result.codeable_concept.codings == codings
    issue = _only_issue(result)  # the bad coding's error, now a warning
    assert (issue.severity, issue.expression) == ("warning", ("CodeableConcept.coding[0].code",))


def test_a_codeable_concept_with_no_good_coding(registry):
    codings = (Coding(ICD10CM, None, "M48.48XQ"), Coding("http://example.org/cs", None, "1"))
    result = without_today_warning(validate_code(registry, CodeValidationRequest(codings, form="codeableConcept"), CONTEXT))
    assert result.result is False
    assert [issue.expression for issue in result.issues] == [("CodeableConcept.coding[0].code",), ("CodeableConcept.coding[1].system",)]
    assert all(issue.severity == "error" for issue in result.issues)
    assert result.unknown_systems == ("http://example.org/cs",)


# --- against a value set (typed definitions, the fixture registry) ------------------------------

FIXTURES = fixture_registry()


def _findings(result):
    """The issues but the note that the (experimental) fixture code system is experimental."""
    return [issue for issue in result.issues if issue.tx_code != "status-check"]


def _only_finding(result):
    [issue] = _findings(result)
    return issue


def _ids(result):
    return [issue.message_id for issue in _findings(result)]


def _in_value_set(id_or_definition, code, system=ANIMALS, version=None, display=None, form="coding", **fields):
    value_set = value_set_definition(id_or_definition) if isinstance(id_or_definition, str) else id_or_definition
    request = CodeValidationRequest((Coding(system, version, code, display),), form=form, value_set=value_set, **fields)
    return validate_code(FIXTURES, request, CONTEXT)


def test_a_member_of_the_value_set():
    result = _in_value_set("animals-enum", "dog")
    assert (result.result, result.message, _findings(result)) == (True, None, [])
    assert (result.system, result.version, result.code, result.display) == (ANIMALS, "1.0.0", "dog", "Dog")
    assert [issue.message_id for issue in result.issues] == ["MSG_EXPERIMENTAL"]


def test_a_code_of_the_system_that_is_not_in_the_value_set():
    result = _in_value_set("animals-enum", "penguin")
    assert result.result is False
    issue = _only_finding(result)
    assert (issue.message_id, issue.tx_code, issue.expression) == ("None_of_the_provided_codes_are_in_the_value_set_one", "not-in-vs", ("Coding.code",))
    assert result.message == f"The provided code '{ANIMALS}#penguin' was not found in the value set '{value_set_definition('animals-enum').canonical}'"


def test_an_inactive_code_in_a_value_set_of_active_codes_is_excluded():
    result = _in_value_set("animals-active", "mythical")
    assert result.result is False
    assert _ids(result) == [
        "STATUS_CODE_WARNING_CODE", "None_of_the_provided_codes_are_in_the_value_set_one", "INACTIVE_CONCEPT_FOUND",
    ]


def test_active_only_excludes_an_inactive_code():
    assert _in_value_set("animals-all", "mythical").result is True
    assert _in_value_set("animals-all", "mythical", active_only=True).result is False


def test_an_abstract_code_refused_is_no_member_either():
    result = _in_value_set("animals-all", "animal", abstract_allowed=False)
    assert result.result is False
    assert _ids(result) == ["None_of_the_provided_codes_are_in_the_value_set_one", "ABSTRACT_CODE_NOT_ALLOWED"]


def test_a_code_the_value_set_marks_deprecated_is_valid_with_a_warning_left_out_of_the_message():
    result = _in_value_set(definition(with_deprecated_cat()), "cat")
    assert (result.result, result.message) == (True, None)
    assert _only_finding(result).message_id == "CONCEPT_DEPRECATED_IN_VALUESET"


def test_the_system_of_a_code_without_one_is_inferred():
    result = _in_value_set("mixed", "dog", system=None, form="code")
    assert (result.result, result.system) == (True, ANIMALS)


def test_a_code_no_include_holds_cannot_be_inferred():
    result = _in_value_set("mixed", "griffin", system=None, form="code")
    assert result.result is False
    assert _ids(result) == ["None_of_the_provided_codes_are_in_the_value_set_one", "UNABLE_TO_INFER_CODESYSTEM"]


def test_a_coding_without_a_system_is_not_inferred():
    result = _in_value_set("mixed", "dog", system=None, form="coding")
    assert result.result is False
    assert _ids(result) == [
        "None_of_the_provided_codes_are_in_the_value_set_one", "Coding_has_no_system__cannot_validate",
    ]


def test_the_value_sets_version_wins_and_the_coding_s_is_an_error():
    result = _in_value_set("colors-pinned", "red", system=COLORS, version="2.0.0")
    assert (result.result, result.version) == (False, "1.0.0")
    assert _ids(result) == ["VALUESET_VALUE_MISMATCH"]


def test_check_system_version_refuses_another_version():
    rules = VersionRules.from_canonicals([], [], [f"{COLORS}|2.0.0"])
    result = _in_value_set("colors-pinned", "red", system=COLORS, version_rules=rules)
    assert result.result is False
    assert "VALUESET_VERSION_CHECK" in _ids(result)


def test_an_unknown_system_the_value_set_does_not_include_is_only_noted():
    result = _in_value_set("animals-enum", "x", system="http://example.org/nope")
    assert (result.result, result.unknown_systems, result.noted_unknown_systems) == (False, (), ("http://example.org/nope",))
    assert _ids(result) == ["None_of_the_provided_codes_are_in_the_value_set_one", "UNKNOWN_CODESYSTEM"]


def test_an_unknown_system_the_value_set_includes_causes_the_answer():
    result = _in_value_set("unknown-system", "a", system="http://example.org/fhir/CodeSystem/nope")
    assert (result.result, result.unknown_systems) == (False, ("http://example.org/fhir/CodeSystem/nope",))


def test_an_import_that_cannot_be_found():
    result = _in_value_set("unknown-import", "dog")
    assert result.result is False
    assert _ids(result) == ["Unable_to_resolve_value_Set_"]


def test_membership_only_leaves_out_what_the_code_system_says():
    assert _in_value_set("animals-enum", "dog", display="Wrong").result is False
    result = _in_value_set("animals-enum", "dog", display="Wrong", membership_only=True)
    assert (result.result, _findings(result)) == (True, [])


def test_a_codeable_concept_with_one_coding_in_the_value_set():
    codings = (Coding(ANIMALS, None, "penguin"), Coding(ANIMALS, None, "dog"))
    request = CodeValidationRequest(codings, form="codeableConcept", value_set=value_set_definition("animals-enum"))
    result = validate_code(FIXTURES, request, CONTEXT)
    assert (result.result, result.code, result.message) == (True, "dog", None)
    issue = _only_finding(result)
    assert (issue.severity, issue.tx_code) == ("information", "this-code-not-in-vs")


def test_a_codeable_concept_with_no_coding_in_the_value_set():
    codings = (Coding(ANIMALS, None, "penguin"), Coding(ANIMALS, None, "shark"))
    request = CodeValidationRequest(codings, form="codeableConcept", value_set=value_set_definition("animals-enum"))
    result = validate_code(FIXTURES, request, CONTEXT)
    assert (result.result, result.code) == (False, None)
    assert _ids(result)[0] == "TX_GENERAL_CC_ERROR_MESSAGE"
    assert result.message == f"No valid coding was found for the value set '{value_set_definition('animals-enum').canonical}'"


def test_validation_leaves_the_engines_answer_as_it_was():
    answer = is_member(value_set_definition("animals-all"), ANIMALS, None, "animal", FIXTURES, VersionRules())
    _in_value_set("animals-all", "animal", abstract_allowed=False)
    assert answer.found is True
    with pytest.raises(AttributeError):
        answer.found = False  # frozen: nothing can
