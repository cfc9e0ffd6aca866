"""The GEMs' ConceptMaps over HTTP: $translate both ways and in reverse on each map, a combination's
scenario and choice lists, the codes a release lacks reported, R5's names, read and search, and the errors."""

from __future__ import annotations

from typing import Any

import pytest

from terminology.gem_maps import CHOICE_LIST, SCENARIO

from .helpers import ICD10CM, error_outcome, outcome_text, param, parameters, resource_of

ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
BASE = "http://fhir.icd10cm-terminology.org/ConceptMap"
TO_ICD10CM, TO_ICD9CM = f"{BASE}/icd9cm-to-icd10cm", f"{BASE}/icd10cm-to-icd9cm"
TRANSLATE = "/fhir/ConceptMap/$translate"


def _translate(client, status: int = 200, **query: str) -> dict[str, Any]:
    response = client.get(TRANSLATE, query_string=query)
    return resource_of(response) if status == 200 else error_outcome(response, status)


def _matches(answer: dict[str, Any]) -> list[tuple[str, str | None, list[tuple[str, str]]]]:
    """``(equivalence, concept code, [(product element, its code)])`` of each match."""
    found = []
    for match in parameters(answer, "match"):
        parts = {part["name"]: part for part in match["part"] if part["name"] != "product"}
        products = [(p["part"][0]["valueUri"], p["part"][1]["valueCoding"]["code"]) for p in match["part"] if p["name"] == "product"]
        found.append((parts["equivalence"]["valueCode"], parts.get("concept", {}).get("valueCoding", {}).get("code"), products))
        assert parts["source"]["valueUri"] in (TO_ICD10CM, TO_ICD9CM)
    return found


def test_an_equivalent_map(client):
    answer = _translate(client, url=TO_ICD10CM, system=ICD9CM, code="001.0")
    assert param(answer, "result") is True and param(answer, "message") is None
    [match] = parameters(answer, "match")
    assert match["part"][1]["valueCoding"] == {"system": ICD10CM, "code": "A00.0", "display": "Cholera due to Vibrio cholerae 01, biovar cholerae"}
    assert _matches(answer) == [("equivalent", "A00.0", [])]


def test_a_combination_says_its_scenario_choice_list_and_what_goes_with_it(client):
    """073.0 (ornithosis with pneumonia) is A70 and J17 together: scenario 1, choice lists 1 and 2."""
    answer = _translate(client, url=TO_ICD10CM, system=ICD9CM, code="073.0")
    assert _matches(answer) == [
        ("inexact", "A70", [(SCENARIO, "1"), (CHOICE_LIST, "1"), (f"{CHOICE_LIST}-2", "J17")]),
        ("inexact", "J17", [(SCENARIO, "1"), (CHOICE_LIST, "2"), (f"{CHOICE_LIST}-1", "A70")]),
    ]


def test_no_map_is_unmatched_with_no_target(client):
    answer = _translate(client, url=TO_ICD9CM, system=ICD10CM, code="R40.2130")  # coma scale, eyes never open, unspecified time
    assert _matches(answer) == [("unmatched", None, [])]
    assert param(answer, "result") is False and "No translation was found from 'R40.2130'" in param(answer, "message")


def test_icd10cm_to_icd9cm_and_reverse_on_each_map(client):
    assert _matches(_translate(client, url=TO_ICD9CM, system=ICD10CM, code="A00.0")) == [("equivalent", "001.0", [])]
    back = _translate(client, url=TO_ICD10CM, system=ICD10CM, code="J17", reverse="true")
    assert ("inexact", "073.0", [(SCENARIO, "1"), (CHOICE_LIST, "2"), (f"{CHOICE_LIST}-1", "A70")]) in _matches(back)
    assert {code for _, code, _ in _matches(back)} >= {"073.0", "115.15", "484.7"}
    assert _matches(_translate(client, url=TO_ICD9CM, system=ICD9CM, code="001.0", reverse="true")) == [("equivalent", "A00.0", [])]


def test_without_a_url_every_map_that_fits_answers(client):
    answer = _translate(client, system=ICD9CM, code="001.0", targetsystem=ICD10CM)
    assert [(e, c) for e, c, _ in _matches(answer)] == [("equivalent", "A00.0")]


def test_a_code_the_release_lacks_or_made_a_header_is_reported(client):
    """E11.329 became a header in FY2017; in the 2021 release too, as the answer for version 2021 says."""
    answer = _translate(client, url=TO_ICD9CM, system=ICD10CM, code="E11.329", version="2021")
    assert param(answer, "result") is True
    assert param(answer, "message").startswith(
        "In http://hl7.org/fhir/sid/icd-10-cm version 2021, E11.329 is a header code and not billable: it needs a 7th character. "
        "Billable codes below it: E11.3291, E11.3292, E11.3293, E11.3299"
    )
    assert param(_translate(client, url=TO_ICD10CM, system=ICD9CM, code="V58.67"), "message") is None  # Z79.4: as it was
    back = _translate(client, url=TO_ICD9CM, system=ICD9CM, code="386.2", reverse="true")  # vertigo of central origin
    assert ("inexact", "H81.41", []) in _matches(back)
    assert "H81.41 is not a code of http://hl7.org/fhir/sid/icd-10-cm version 2026" in param(back, "message")
    gone = _translate(client, url=TO_ICD9CM, system=ICD10CM, code="H81.41")
    assert param(gone, "result") is True and param(gone, "message") == (
        "H81.41 is not a code of http://hl7.org/fhir/sid/icd-10-cm version 2026: "
        "H81.41 is not valid in FY2026: it was deleted on 2019-10-01 (FY2020)"
    )


def test_r5_names_get_dependson_and_product(client):
    answer = _translate(client, url=TO_ICD10CM, sourceSystem=ICD9CM, sourceCode="073.0")
    [first, _] = parameters(answer, "match")
    names = [part["name"] for part in first["part"]]
    assert names == ["equivalence", "relationship", "concept", "dependsOn", "dependsOn", "product", "originMap"]
    assert first["part"][3]["part"] == [{"name": "attribute", "valueUri": SCENARIO}, {"name": "value", "valueCoding": {"code": "1"}}]


def test_read_leaves_the_mappings_out_unless_asked(client):
    resource = resource_of(client.get("/fhir/ConceptMap/icd9cm-to-icd10cm"))
    assert "group" not in resource and resource["meta"]["tag"][0]["code"] == "SUBSETTED" and resource["url"] == TO_ICD10CM
    full = client.get("/fhir/ConceptMap/icd9cm-to-icd10cm", query_string={"_summary": "false"}).get_json()
    [group] = full["group"]
    assert (group["source"], group["sourceVersion"], group["target"], len(group["element"])) == (ICD9CM, "32", ICD10CM, 14_567)
    [ornithosis] = [element for element in group["element"] if element["code"] == "073.0"]
    assert ornithosis["target"][0]["dependsOn"] == [{"property": SCENARIO, "value": "1"}, {"property": CHOICE_LIST, "value": "1"}]
    assert ornithosis["target"][0]["product"] == [
        {"property": f"{CHOICE_LIST}-2", "system": ICD10CM, "value": "J17", "display": "Pneumonia in diseases classified elsewhere"}]  # fmt: skip


def test_search_finds_them_by_system(client):
    bundle = resource_of(client.get("/fhir/ConceptMap", query_string={"source-system": ICD9CM}))
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == ["icd9cm-to-icd10cm"]
    assert "group" not in bundle["entry"][0]["resource"]


@pytest.mark.parametrize(
    "query, status, text",
    [
        ({"url": f"{BASE}/nope", "system": ICD9CM, "code": "001.0"}, 404, "Unable to find ConceptMap"),
        ({"url": TO_ICD10CM, "code": "001.0"}, 400, "needs both a system and a code"),
        ({"url": TO_ICD10CM, "system": ICD9CM}, 400, "Give the code to translate"),
        ({"url": TO_ICD10CM, "system": ICD9CM, "code": "001.0", "reverse": "maybe"}, 400, "reverse"),
    ],
)
def test_errors(client, query, status, text):
    assert text in outcome_text(_translate(client, status, **query))


def test_an_unknown_code_translates_to_nothing(client):
    answer = _translate(client, url=TO_ICD10CM, system=ICD9CM, code="25000")
    assert param(answer, "result") is False and parameters(answer, "match") == []
    assert param(answer, "message") == f"No translation was found from '25000' of {ICD9CM} in the ConceptMaps that fit the request"
