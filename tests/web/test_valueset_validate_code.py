"""ValueSet/$validate-code over HTTP, with the fixture resources sent as tx-resource, and FHIR's own value sets."""

from __future__ import annotations

from typing import Any

import pytest

from fixture_resources import ANIMALS, COLORS, SUPPLEMENT, VS, resources, value_set, with_contained_value_set, with_deprecated_cat

from .helpers import error_outcome, issues, outcome_text, param, parameters, parameters_body, resource_of, tx_code

VALIDATE = "/fhir/ValueSet/$validate-code"
TX_RESOURCES = [{"name": "tx-resource", "resource": r} for r in resources()]
GENDER_VS = "http://hl7.org/fhir/ValueSet/administrative-gender"
GENDER = "http://hl7.org/fhir/administrative-gender"
NOPE = "http://example.org/fhir/CodeSystem/nope"


def _post(client, *entries: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.post(VALIDATE, data=parameters_body(*entries, *TX_RESOURCES), content_type="application/fhir+json")
    if status != 200:
        return error_outcome(response, status)
    return resource_of(response)  # checks R4 validity


def _url(id: str) -> dict[str, Any]:
    return {"name": "url", "valueUri": VS + id}


def _code(code: str, system: str | None = ANIMALS, display: str | None = None) -> list[dict[str, Any]]:
    entries = [{"name": "code", "valueCode": code}]
    if system is not None:
        entries.append({"name": "system", "valueUri": system})
    if display is not None:
        entries.append({"name": "display", "valueString": display})
    return entries


def _coding(code: str, system: str = ANIMALS, **extra) -> dict[str, Any]:
    return {"system": system, "code": code, **extra}


def _tx_codes(resource) -> list[str | None]:
    return [tx_code(issue) for issue in issues(resource)]


# --- valid ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "id, code, display",
    [
        ("animals-enum", "dog", "Dog"),
        ("animals-enum", "whale", "Blue Whale"),
        ("animals-all", "unicorn", "Unicorn"),
        ("filter-mammals", "mammal", "Mammal"),
        ("animals-import", "cat", "Cat"),
        ("animals-exclude", "shark", "Shark"),
        ("filter-leaves-of-animal", "goldfish", "Goldfish"),
    ],
)
def test_code_and_system(client, id, code, display):
    result = _post(client, _url(id), *_code(code))
    assert param(result, "result") is True, result
    assert (param(result, "code"), param(result, "system"), param(result, "display")) == (code, ANIMALS, display)
    assert param(result, "version") == "1.0.0"
    assert all(issue["severity"] not in ("error", "warning") for issue in issues(result))


def test_coding(client):
    result = _post(client, _url("animals-enum"), {"name": "coding", "valueCoding": _coding("cat", display="Cat")})
    assert param(result, "result") is True
    assert (param(result, "code"), param(result, "system")) == ("cat", ANIMALS)


def test_codeable_concept_with_one_good_coding(client):
    """A valid code of another code system, not in the value set, is only noted."""
    concept = {"coding": [_coding("red", COLORS), _coding("whale")], "text": "a whale"}
    result = _post(client, _url("animals-enum"), {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "result") is True
    assert param(result, "code") == "whale"
    assert param(result, "codeableConcept")["coding"] == concept["coding"]
    assert all(issue["severity"] != "error" for issue in issues(result))
    assert "this-code-not-in-vs" in _tx_codes(result)


def test_codeable_concept_is_echoed_with_its_text(client):
    concept = {"coding": [_coding("whale")], "text": "a whale"}
    result = _post(client, _url("animals-enum"), {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "codeableConcept") == concept


def test_membership_only_ignores_what_the_code_system_says(client):
    """valueset-membership-only: a wrong display is no error; an unknown code is only not in the value set."""
    membership_only = {"name": "valueset-membership-only", "valueBoolean": True}
    result = _post(client, _url("animals-enum"), *_code("dog", display="Cat"), membership_only)
    assert param(result, "result") is True and "invalid-display" not in _tx_codes(result)
    unknown = _post(client, _url("animals-enum"), *_code("griffin"), membership_only)
    assert param(unknown, "result") is False
    assert "not-in-vs" in _tx_codes(unknown) and "invalid-code" not in _tx_codes(unknown)


def test_codeable_concept_with_a_good_and_an_unknown_code(client):
    """An unknown code is an error even beside a good coding (as tx.fhir.org answers)."""
    concept = {"coding": [_coding("griffin"), _coding("whale")]}
    result = _post(client, _url("animals-enum"), {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "result") is False
    assert param(result, "code") == "whale"
    assert "griffin" in param(result, "message")


def test_codeable_concept_with_no_good_coding(client):
    concept = {"coding": [_coding("penguin"), _coding("red", COLORS)]}
    result = _post(client, _url("animals-enum"), {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "result") is False
    assert "not-in-vs" in _tx_codes(result)
    assert f"{VS}animals-enum|1.0.0" in param(result, "message")


def test_the_code_system_version_pinned_by_the_value_set(client):
    old = _post(client, _url("colors-pinned"), *_code("green", COLORS))
    assert param(old, "result") is True and param(old, "version") == "1.0.0" and param(old, "display") == "Green"
    new = _post(client, _url("colors-latest"), *_code("green", COLORS))
    assert param(new, "result") is True and param(new, "version") == "2.0.0" and param(new, "display") == "Green (version 2)"
    blue = _post(client, _url("colors-pinned"), *_code("blue", COLORS))
    assert param(blue, "result") is False


def test_an_inline_value_set(client):
    result = _post(client, {"name": "valueSet", "resource": value_set("filter-domestic")}, *_code("goldfish"))
    assert param(result, "result") is True
    result = _post(client, {"name": "valueSet", "resource": value_set("filter-domestic")}, *_code("shark"))
    assert param(result, "result") is False


@pytest.mark.parametrize("code, valid", [("penguin", True), ("dog", True), ("shark", False)])
def test_a_contained_value_set_named_by_local_reference(client, code, valid):
    result = _post(client, {"name": "valueSet", "resource": with_contained_value_set(None)}, *_code(code))
    assert param(result, "result") is valid
    if not valid:  # the value set has no url: named as tx.fhir.org names it
        assert param(result, "message").endswith("was not found in the value set '(unidentified)'")


def test_a_code_deprecated_in_the_value_set_is_valid_with_a_warning(client):
    result = _post(client, {"name": "valueSet", "resource": with_deprecated_cat()}, *_code("cat"))
    assert param(result, "result") is True
    (warning,) = [issue for issue in issues(result) if issue["severity"] == "warning"]
    assert "is marked with a status of deprecated" in warning["details"]["text"]
    assert param(result, "message") is None  # the value set's own mark: not the code's fault


# --- invalid ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "id, code",
    [
        ("animals-enum", "penguin"),
        ("animals-exclude", "penguin"),
        ("animals-exclude-import", "dog"),
        ("filter-habitat-sea", "dog"),
        ("colors-pinned", "yellow"),
    ],
)
def test_not_in_the_value_set(client, id, code):
    system = COLORS if id.startswith("colors") else ANIMALS
    result = _post(client, _url(id), *_code(code, system))
    assert param(result, "result") is False
    found = [issue for issue in issues(result) if tx_code(issue) == "not-in-vs"]
    assert len(found) == 1 and found[0]["severity"] == "error" and found[0]["code"] == "code-invalid"
    assert f"{VS}{id}|1.0.0" in found[0]["details"]["text"]
    assert f"{system}#{code}" in found[0]["details"]["text"]
    assert found[0]["expression"] == ["code"]


def test_unknown_code(client):
    result = _post(client, _url("animals-all"), *_code("griffin"))
    assert param(result, "result") is False
    assert "invalid-code" in _tx_codes(result)
    assert "griffin" in param(result, "message")


def test_wrong_display(client):
    result = _post(client, _url("animals-enum"), *_code("dog", display="Cat"))
    assert param(result, "result") is False
    (issue,) = [issue for issue in issues(result) if tx_code(issue) == "invalid-display"]
    assert issue["expression"] == ["display"]
    assert "Wrong Display Name 'Cat'" in issue["details"]["text"] and "'Dog'" in issue["details"]["text"]
    assert param(result, "display") == "Dog"


@pytest.mark.parametrize("display", ["Dog", "dog", "DOG", "Hund", "Chien"])
def test_right_display(client, display):
    assert param(_post(client, _url("animals-enum"), *_code("dog", display=display)), "result") is True


def test_wrong_display_lists_every_display_that_would_do(client):
    result = _post(client, _url("animals-enum"), *_code("dog", display="Perro"))
    assert param(result, "message") == (
        f"Wrong Display Name 'Perro' for {ANIMALS}#dog. Valid display is one of 3 choices: "
        "'Dog' (en), 'Hund' (de) or 'Chien' (fr) (for the language(s) '--')"
    )


def test_wrong_display_in_a_language_the_concept_lacks(client):
    result = _post(client, _url("animals-enum"), *_code("dog", display="Perro"), {"name": "displayLanguage", "valueCode": "es"})
    assert param(result, "result") is False
    assert param(result, "message") == (
        f"Wrong Display Name 'Perro' for {ANIMALS}#dog. There are no valid display names found for "
        "language(s) 'es'. Default display is 'Dog'"
    )
    (issue,) = [issue for issue in issues(result) if tx_code(issue) == "invalid-display"]
    assert issue["extension"][0]["valueString"] == "NO_VALID_DISPLAY_FOUND_NONE_FOR_LANG_ERR"


def test_display_wrong_only_in_its_spacing(client):
    """Its own mistake, named as such (as tx.fhir.org does)."""
    result = _post(client, _url("animals-enum"), *_code("whale", display="Blue  Whale"))
    assert param(result, "result") is False
    assert param(result, "message").startswith("Wrong whitespace in Display Name 'Blue  Whale'")


def test_codeable_concept_wrong_only_in_its_display(client):
    """The coding is in the value set: the display is the one error, and the coding is answered for."""
    concept = {"coding": [_coding("dog", display="Cat")]}
    result = _post(client, _url("animals-enum"), {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "result") is False
    assert (param(result, "code"), param(result, "display")) == ("dog", "Dog")
    assert "not-in-vs" not in _tx_codes(result) and "invalid-display" in _tx_codes(result)


@pytest.mark.parametrize("where", ["language", "compose-extension"])
def test_the_value_set_language_chooses_the_displays(client, where):
    """A value set written in French (or asking for French displays) accepts only the French display."""
    inline = value_set("animals-enum")
    if where == "language":
        inline["language"] = "fr"
    else:
        inline["compose"]["extension"] = [{
            "url": "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter",
            "extension": [{"url": "name", "valueCode": "displayLanguage"}, {"url": "value", "valueCode": "fr"}],
        }]
    german = _post(client, {"name": "valueSet", "resource": inline}, *_code("dog", display="Hund"))
    assert param(german, "result") is False
    assert "for the language(s) 'fr'" in param(german, "message")
    french = _post(client, {"name": "valueSet", "resource": inline}, *_code("dog", display="Chien"))
    assert param(french, "result") is True


def test_lenient_display(client):
    result = _post(client, _url("animals-enum"), *_code("dog", display="Cat"), {"name": "lenient-display-validation", "valueBoolean": True})
    assert param(result, "result") is True
    severities = [issue["severity"] for issue in issues(result)]
    assert "warning" in severities and "error" not in severities
    assert any(tx_code(issue) == "invalid-display" and issue["severity"] == "warning" for issue in issues(result))


@pytest.mark.parametrize("code", ["dodo", "mammoth"])
def test_inactive_code_with_active_only(client, code):
    id = "animals-all"
    assert param(_post(client, _url(id), *_code(code)), "result") is True
    result = _post(client, _url(id), *_code(code), {"name": "activeOnly", "valueBoolean": True})
    assert param(result, "result") is False
    assert _tx_codes(result)[:2] == ["code-rule", "not-in-vs"]
    assert f"The concept '{code}' is valid but is not active" in param(result, "message")
    active = _post(client, _url(id), *_code("dog"), {"name": "activeOnly", "valueBoolean": True})
    assert param(active, "result") is True


def test_abstract_code(client):
    allowed = _post(client, _url("animals-all"), *_code("animal"))
    assert param(allowed, "result") is True
    refused = _post(client, _url("animals-all"), *_code("animal"), {"name": "abstract", "valueBoolean": False})
    assert param(refused, "result") is False and "code-rule" in _tx_codes(refused)


# --- systems ----------------------------------------------------------------------------------


@pytest.mark.parametrize("id, code, system", [("animals-enum", "whale", ANIMALS), ("mixed", "blue", COLORS), ("mixed", "dog", ANIMALS)])
def test_system_inferred_from_the_value_set(client, id, code, system):
    result = _post(client, _url(id), *_code(code, None))
    assert param(result, "result") is True
    assert param(result, "system") == system


def test_system_that_cannot_be_inferred(client):
    result = _post(client, _url("mixed"), *_code("griffin", None))
    assert param(result, "result") is False
    assert "cannot-infer" in _tx_codes(result)


def test_system_that_two_code_systems_could_be(client):
    paint = {
        "resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/paint", "status": "active",
        "content": "complete", "concept": [{"code": "red", "display": "Red paint"}],
    }  # fmt: skip
    both = {"resourceType": "ValueSet", "url": VS + "both", "status": "active",
            "compose": {"include": [{"system": COLORS}, {"system": paint["url"]}]}}  # fmt: skip
    result = _post(client, {"name": "valueSet", "resource": both}, {"name": "tx-resource", "resource": paint}, *_code("red", None))
    assert param(result, "result") is False
    assert f"value set expansion has multiple matches: [{COLORS}, {paint['url']}]" in param(result, "message")


def test_unknown_system_the_value_set_needs(client):
    result = _post(client, _url("unknown-system"), *_code("a", NOPE))
    assert param(result, "result") is False
    assert param(result, "x-caused-by-unknown-system") == NOPE
    (issue,) = issues(result)
    assert issue["code"] == "not-found" and issue["expression"] == ["system"]
    assert NOPE in issue["details"]["text"]


def test_unknown_system_the_value_set_does_not_include(client):
    """The code is not in the value set, whatever the unknown system holds: the system is noted, not a cause."""
    result = _post(client, _url("animals-enum"), *_code("a", NOPE))
    assert param(result, "result") is False
    assert parameters(result, "x-caused-by-unknown-system") == []
    assert param(result, "x-unknown-system") == NOPE
    not_in_value_set, unknown = issues(result)
    assert not_in_value_set["details"]["coding"][0]["code"] == "not-in-vs"
    assert unknown["code"] == "not-found" and NOPE in unknown["details"]["text"]


def test_a_value_set_url_given_as_the_system(client):
    result = _post(client, _url("animals-enum"), {"name": "coding", "valueCoding": _coding("dog", VS + "animals-enum")})
    assert param(result, "result") is False
    assert f"The Coding references a value set, not a code system ('{VS}animals-enum')" in param(result, "message")
    assert parameters(result, "x-unknown-system") == []


def test_local_system_name(client):
    result = _post(client, _url("animals-enum"), {"name": "coding", "valueCoding": _coding("a", "Location1")})
    assert param(result, "result") is False
    assert "Terminology_TX_System_Relative" in [
        ext["valueString"] for issue in issues(result) for ext in issue.get("extension", [])
    ]
    assert "Coding.system must be an absolute reference, not a local reference" in param(result, "message")


def test_unknown_system_version(client):
    result = _post(client, _url("unknown-system-version"), *_code("red", COLORS))
    assert param(result, "result") is False
    assert param(result, "x-caused-by-unknown-system") == f"{COLORS}|9.9.9"
    assert "1.0.0, 1.2.0 and 2.0.0" in param(result, "message")


def test_code_from_a_system_the_value_set_does_not_include(client):
    result = _post(client, _url("animals-enum"), *_code("red", COLORS))
    assert param(result, "result") is False
    assert "not-in-vs" in _tx_codes(result)
    assert parameters(result, "x-caused-by-unknown-system") == []


# --- supplements and errors -------------------------------------------------------------------


def test_use_supplement_gives_its_displays(client):
    german = "Pinguin"
    without = _post(client, _url("filter-below-bird"), *_code("penguin", display=german))
    assert param(without, "result") is False
    supplemented = _post(
        client, _url("filter-below-bird"), *_code("penguin", display=german), {"name": "useSupplement", "valueCanonical": SUPPLEMENT}
    )
    assert param(supplemented, "result") is True


def test_unknown_supplement_is_an_error(client):
    response = client.post(
        VALIDATE,
        data=parameters_body(_url("animals-enum"), *_code("dog"), {"name": "useSupplement", "valueCanonical": "http://example.org/nope"}, *TX_RESOURCES),
        content_type="application/fhir+json",
    )
    assert 400 <= response.status_code < 500
    outcome = error_outcome(response, response.status_code)
    assert "http://example.org/nope" in outcome_text(outcome)


def test_unknown_value_set(client):
    outcome = _post(client, _url("nope"), *_code("dog"), status=404)
    assert f"{VS}nope" in outcome_text(outcome)


def test_value_set_that_imports_an_unknown_one(client):
    result = _post(client, _url("unknown-import"), *_code("dog"))
    assert param(result, "result") is False
    assert f"{VS}nope" in param(result, "message") if param(result, "message") else outcome_text(result)


def test_codeable_concept_in_a_value_set_that_imports_an_unknown_one(client):
    """What is wrong is the value set: that is said, and no coding is answered for."""
    concept = {"coding": [_coding("dog")]}
    result = _post(client, _url("unknown-import"), {"name": "codeableConcept", "valueCodeableConcept": concept})
    assert param(result, "result") is False
    assert "not-found" in _tx_codes(result) and "not-in-vs" not in _tx_codes(result)
    assert parameters(result, "code") == []


def test_coding_without_a_system(client):
    result = _post(client, _url("animals-enum"), {"name": "coding", "valueCoding": {"code": "dog"}})
    assert param(result, "result") is False
    not_in_value_set, no_system = issues(result)
    assert not_in_value_set["details"]["text"] == f"The provided code '#dog' was not found in the value set '{VS}animals-enum|1.0.0'"
    assert no_system["severity"] == "warning" and no_system["expression"] == ["Coding"]
    assert param(result, "message").startswith("Coding has no system.")


def test_two_inputs_are_refused(client):
    _post(client, _url("animals-enum"), *_code("dog"), {"name": "coding", "valueCoding": _coding("cat")}, status=400)


# --- FHIR's own value sets, without tx-resource -----------------------------------------------


@pytest.mark.parametrize("code, valid", [("male", True), ("female", True), ("unknown", True), ("xyz", False), ("Male", False)])
def test_administrative_gender(client, code, valid):
    result = resource_of(client.get(VALIDATE, query_string={"url": GENDER_VS, "system": GENDER, "code": code}))
    assert param(result, "result") is valid
    if valid:
        assert param(result, "display") == code.capitalize()
    else:
        assert param(result, "message")


@pytest.mark.parametrize("code", ["mammoth", "dodo", "mythical"])
def test_inactive_code_in_a_value_set_without_inactive_codes(client, code):
    result = _post(client, _url("animals-active"), *_code(code))
    assert param(result, "result") is False
    assert _tx_codes(result)[:2] == ["code-rule", "not-in-vs"]
    # The message says all that is wrong, the warning that the concept is inactive included.
    assert "its use should be reviewed" in param(result, "message")
