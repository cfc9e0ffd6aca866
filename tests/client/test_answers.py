"""Reading answers into typed results: what this server and other R4 (and R5-speaking) servers answer,
and, for anything else, a ClientError that says what is malformed, never a KeyError or a TypeError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from terminology.client import ClientError, Coding, OperationOutcomeError
from terminology.client.answers import answer_or_error, read_batch_response, read_batch_validations, read_expansion_page
from terminology.client.answers import read_lookup, read_subsumption, read_translation, read_validation
from terminology.fhir.outcome import REPLACED_BY

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
MESSAGE_ID = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"


def _parameters(*parameters: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": list(parameters)}


DELETED_ISSUE = {
    "extension": [
        {"url": MESSAGE_ID, "valueString": "ICD10CM_CODE_DELETED"},
        {"url": REPLACED_BY, "valueCode": "T40.711A"},
        {"url": REPLACED_BY, "valueCode": "T40.721A"},
    ],
    "severity": "error",
    "code": "business-rule",
    "details": {"text": "T40.7X1A is not valid in FY2026: it was deleted on 2021-10-01 (FY2022): use T40.711A or T40.721A"},
    "expression": ["code"],
}


def test_a_validation_with_the_replacements_of_a_deleted_code():
    answer = _parameters(
        {"name": "result", "valueBoolean": False},
        {"name": "code", "valueCode": "T40.7X1A"},
        {"name": "system", "valueUri": ICD10CM},
        {"name": "version", "valueString": "2026"},
        {"name": "message", "valueString": "T40.7X1A is not valid"},
        {"name": "issues", "resource": {"resourceType": "OperationOutcome", "issue": [
            {
                "severity": "error", "code": "code-invalid", "location": ["code"],
                "details": {"coding": [{"system": "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type", "code": "invalid-code"}]},
                "diagnostics": "Unknown code",
            },
            DELETED_ISSUE,
        ]}},
    )  # fmt: skip
    validation = read_validation(answer)
    assert (validation.valid, validation.code, validation.version, validation.severity) == (False, "T40.7X1A", "2026", "error")
    unknown, deleted = validation.issues
    assert (unknown.message, unknown.tx_code, unknown.expression, unknown.message_id) == ("Unknown code", "invalid-code", ("code",), None)
    assert (deleted.message_id, deleted.replaced_by, deleted.expression) == ("ICD10CM_CODE_DELETED", ("T40.711A", "T40.721A"), ("code",))
    assert validation.replaced_by == ("T40.711A", "T40.721A")
    assert validation.message_ids == ("ICD10CM_CODE_DELETED",)


def test_a_lookup_of_a_server_that_does_not_repeat_the_code_and_types_its_values():
    answer = _parameters(
        {"name": "name", "valueString": "Colors"},
        {"name": "display", "valueString": "Red"},
        {"name": "property", "part": [{"name": "code", "valueCode": "parent"}, {"name": "value", "valueCoding": {"system": "s", "code": "warm"}}]},
        {"name": "property", "part": [{"name": "code", "valueCode": "rank"}, {"name": "value", "valueInteger": 3}]},
        {"name": "property", "part": [{"name": "code", "valueCode": "weight"}, {"name": "value", "valueDecimal": 0.5}]},
        {"name": "property", "part": [{"name": "code", "valueCode": "note"}, {"name": "value", "valueQuantity": {"value": 1}}]},
        {"name": "designation", "part": [{"name": "value", "valueString": "Rouge"}, {"name": "language", "valueCode": "fr"}]},
    )
    lookup = read_lookup(answer, "red", "http://example.org/colors")
    assert (lookup.code, lookup.system, lookup.name, lookup.abstract, lookup.billable) == ("red", "http://example.org/colors", "Colors", None, None)
    assert lookup.values("parent") == (Coding("s", None, "warm"),)
    assert (lookup.values("rank"), lookup.values("weight"), lookup.values("note")) == ((3,), (0.5,), ())
    assert lookup.designations == (("fr", "Rouge"),)
    assert lookup.history is None


def test_an_expansion_page_flattens_nested_contains_and_passes_over_codeless_groups():
    answer = {"resourceType": "ValueSet", "expansion": {"total": 4, "offset": 0, "contains": [
        {"abstract": True, "display": "A group", "contains": [{"system": "s", "code": "a"}, {"system": "s", "code": "b", "contains": [{"system": "s", "code": "b1"}]}]},
        {"system": "s", "code": "c", "inactive": True, "version": "2"},
    ]}}  # fmt: skip
    page = read_expansion_page(answer)
    assert [concept.code for concept in page.concepts] == ["a", "b", "b1", "c"]
    assert (page.total, page.offset, page.concepts[-1].inactive, page.concepts[-1].version) == (4, 0, True, "2")


def test_a_translation_in_r5s_words_is_read_in_r4s():
    answer = _parameters(
        {"name": "result", "valueBoolean": True},
        {"name": "match", "part": [
            {"name": "relationship", "valueCode": "source-is-broader-than-target"},
            {"name": "concept", "valueCoding": {"system": ICD10CM, "code": "T40.711A"}},
            {"name": "originMap", "valueCanonical": "http://example.org/map"},
            {"name": "product", "part": [{"name": "attribute", "valueUri": "x"}, {"name": "value", "valueCoding": {"code": "y"}}]},
        ]},
    )  # fmt: skip
    [match] = read_translation(answer).matches
    assert (match.equivalence, match.concept.code, match.source) == ("narrower", "T40.711A", "http://example.org/map")
    assert match.product == (("x", Coding(code="y")),)


def test_a_validation_a_batch_answers_with_an_outcome_is_an_error_of_the_status_its_type_has():
    not_found = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found", "diagnostics": "No such value set"}]}
    answer = _parameters({"name": "validation", "resource": not_found}, {"name": "validation", "resource": _parameters({"name": "result", "valueBoolean": True})})
    first, second = (answer_or_error(None, resource, read_validation) for resource in read_batch_validations(answer, 2))
    assert isinstance(first, OperationOutcomeError) and (first.status, str(first)) == (404, "No such value set")
    assert second.valid


def test_a_batch_response_entry_without_an_outcome_is_an_error_that_says_so():
    bundle = {"resourceType": "Bundle", "type": "batch-response", "entry": [{"response": {"status": "502"}}]}
    [(status, resource)] = read_batch_response(bundle, 1)
    error = answer_or_error(status, resource, read_validation)
    assert isinstance(error, OperationOutcomeError) and error.status == 502
    assert "without an OperationOutcome: no resource" in str(error)


@pytest.mark.parametrize(
    ("read", "answer", "said"),
    [
        (read_validation, _parameters({"name": "message", "valueString": "x"}), "without 'result'"),
        (read_validation, _parameters({"name": "result", "valueString": "true"}), "'result'.*not true or false"),
        (read_validation, {"resourceType": "Bundle"}, "not a Parameters"),
        (read_validation, {"resourceType": "Parameters", "parameter": {"name": "result"}}, "not a JSON array"),
        (read_validation, _parameters("result"), r"parameter\[0\] is not a named parameter"),
        (read_validation, _parameters({"name": "result", "valueBoolean": True}, {"name": "issues", "resource": {"issue": [3]}}), r"issue\[0\] is not a JSON object"),
        (read_subsumption, _parameters({"name": "outcome", "valueCoding": {"code": "subsumes"}}), "'outcome'.*not text"),
        (read_translation, _parameters({"name": "result", "valueBoolean": True}, {"name": "match", "part": [{"name": "concept", "valueCoding": "x"}]}), "valueCoding is not a JSON object"),
        (read_expansion_page, {"resourceType": "ValueSet"}, r"ValueSet.expansion is not a JSON object"),
        (read_expansion_page, {"resourceType": "ValueSet", "expansion": {"total": "9"}}, r"total is not a whole number"),
        (read_expansion_page, {"resourceType": "ValueSet", "expansion": {"contains": [{"code": 1}]}}, r"contains\[0\].code is not a string"),
        (lambda answer: read_batch_response(answer, 2), {"resourceType": "Bundle", "type": "batch-response", "entry": []}, "2 requests came back with 0 answers"),
        (lambda answer: read_batch_response(answer, 1), {"resourceType": "Bundle", "type": "batch-response", "entry": [{"response": {"status": "OK"}}]}, "not an HTTP status"),
    ],
)
def test_a_malformed_answer_is_a_client_error_that_says_what(read, answer, said):
    with pytest.raises(ClientError, match=said):
        read(answer)


def test_a_lookup_property_without_a_code_is_malformed():
    with pytest.raises(ClientError, match="a property without a code"):
        read_lookup(_parameters({"name": "property", "part": [{"name": "value", "valueString": "x"}]}), "a", "s")


# Good answers, each with its reader: the fuzz below breaks them one element at a time.
_LOOKUP = _parameters(
    {"name": "name", "valueString": "ICD10CM"},
    {"name": "abstract", "valueBoolean": False},
    {"name": "designation", "part": [{"name": "language", "valueCode": "en"}, {"name": "value", "valueString": "Poisoning"}]},
    {"name": "property", "part": [
        {"name": "code", "valueCode": "previousTitle"}, {"name": "value", "valueString": "Old"},
        {"name": "subproperty", "part": [{"name": "code", "valueCode": "fiscalYears"}, {"name": "value", "valueString": "FY2019"}]},
    ]},
    {"name": "property", "part": [{"name": "code", "valueCode": "replacedBy"}, {"name": "value", "valueCode": "T40.711A"}]},
    {"name": "issues", "resource": {"resourceType": "OperationOutcome", "issue": [DELETED_ISSUE]}},
)  # fmt: skip
_VALIDATION = _parameters(
    {"name": "result", "valueBoolean": False},
    {"name": "normalized-code", "valueCode": "M48.48XA"},
    {"name": "issues", "resource": {"resourceType": "OperationOutcome", "issue": [DELETED_ISSUE]}},
)
_EXAMPLES = [
    (read_validation, _VALIDATION),
    (lambda answer: read_lookup(answer, "a", "s"), _LOOKUP),
    (read_subsumption, _parameters({"name": "outcome", "valueCode": "subsumes"})),
    (read_translation, _parameters({"name": "result", "valueBoolean": True}, {"name": "match", "part": [
        {"name": "equivalence", "valueCode": "narrower"}, {"name": "concept", "valueCoding": {"code": "x"}},
        {"name": "dependsOn", "part": [{"name": "element", "valueUri": "e"}, {"name": "concept", "valueCoding": {"code": "y"}}]},
    ]})),
    (read_expansion_page, {"resourceType": "ValueSet", "expansion": {"total": 2, "contains": [{"code": "a", "contains": [{"code": "b", "abstract": True}]}]}}),
    (
        lambda answer: [answer_or_error(None, resource, read_validation) for resource in read_batch_validations(answer, 2)],
        _parameters({"name": "validation", "resource": _VALIDATION}, {"name": "validation", "resource": {"resourceType": "OperationOutcome", "issue": [DELETED_ISSUE]}}),
    ),
    (
        lambda answer: [answer_or_error(status, resource, read_validation) for status, resource in read_batch_response(answer, 1)],
        {"resourceType": "Bundle", "type": "batch-response", "entry": [{"response": {"status": "200 OK"}, "resource": _VALIDATION}]},
    ),
]  # fmt: skip
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["name", "code", "part"]), children, max_size=3),
    max_leaves=8,
)
_GONE = object()


def _elements(value: Any, path: tuple = ()) -> list[tuple]:
    """The path to every element of ``value``, itself first."""
    found = [path]
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found += _elements(child, (*path, key))
    return found


def _broken(value: Any, path: tuple, replacement: Any) -> Any:
    """``value`` with the element at ``path`` replaced (or, for ``_GONE``, left out)."""
    if not path:
        return replacement
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    if rest or replacement is not _GONE:
        copy[head] = _broken(value[head], rest, replacement)
    else:
        del copy[head]
    return copy


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_answer_broken_anywhere_is_read_or_refused_with_a_client_error(data):
    read, answer = data.draw(st.sampled_from(_EXAMPLES))
    path = data.draw(st.sampled_from(_elements(answer)[1:]))
    broken = _broken(answer, path, data.draw(_JSON | st.just(_GONE)))
    try:
        read(broken)
    except ClientError:
        pass


@pytest.mark.parametrize(("read", "answer"), _EXAMPLES)
def test_the_good_answers_the_fuzz_breaks_are_read(read, answer):
    read(answer)
