"""terminology.fhir.parameters: the checks an operation's reader makes of which parameters are given."""

from __future__ import annotations

import pytest

from terminology.errors import InvalidRequest, NotSupported
from terminology.fhir.parameters import OperationInput


def _given(*names: str) -> OperationInput:
    return OperationInput.from_query([(name, "x") for name in names])


@pytest.mark.parametrize("names", [("code",), ("coding",), ("codeableConcept",)])
def test_exactly_one_of_names_the_one_given(names):
    assert _given(*names, "system").exactly_one_of("code", "coding", "codeableConcept") == names[0]


def test_exactly_one_of_refuses_none():
    with pytest.raises(InvalidRequest) as raised:
        _given("system").exactly_one_of("code", "coding", "codeableConcept")
    assert raised.value.message == "Give exactly one of 'code', 'coding' or 'codeableConcept'; the request gives none"
    assert raised.value.expression == "code"


def test_exactly_one_of_refuses_several_naming_them():
    with pytest.raises(InvalidRequest) as raised:
        _given("codeableConcept", "code").exactly_one_of("code", "coding", "codeableConcept")
    assert raised.value.message == "Give exactly one of 'code', 'coding' or 'codeableConcept'; the request gives 'code' and 'codeableConcept'"
    assert raised.value.expression == "code"


def test_mutually_exclusive_takes_one_or_none():
    _given("a").mutually_exclusive("a", "b")
    _given().mutually_exclusive("a", "b")
    _given("c").mutually_exclusive("a", "b", "c")


def test_mutually_exclusive_refuses_two():
    with pytest.raises(InvalidRequest) as raised:
        _given("b", "a").mutually_exclusive("a", "b")
    assert (raised.value.message, raised.value.expression) == ("Give either 'a' or 'b', not both", "b")


def test_mutually_exclusive_of_three_names_those_given():
    with pytest.raises(InvalidRequest) as raised:
        _given("a", "c").mutually_exclusive("a", "b", "c")
    assert raised.value.message == "Give only one of 'a', 'b' or 'c', not 'a' and 'c' together"


def test_not_supported_passes_when_none_is_given():
    _given("a").not_supported("b", "c", reason="why")


def test_not_supported_names_those_given_and_why():
    with pytest.raises(NotSupported) as raised:
        _given("date").not_supported("date", reason="name a version instead")
    error = raised.value
    assert (error.message, error.expression, error.status, error.issue_type) == (
        "The parameter 'date' is not supported: name a version instead", "date", 400, "not-supported",
    )
    with pytest.raises(NotSupported) as raised:
        _given("count", "offset").not_supported("offset", "count", reason="nothing is expanded")
    assert raised.value.message == "The parameters 'offset' and 'count' are not supported: nothing is expanded"
