"""CodeSystem/$lookup over HTTP: type and instance level, GET and POST, properties and notes."""

from __future__ import annotations

import pytest
import simple_icd_10_cm as oracle

from release_in_effect import without_today_warning_json

from .helpers import (
    ICD10CM,
    INSTANCE_LOOKUP,
    LOOKUP,
    error_outcome,
    issues,
    names,
    param,
    parameters,
    parameters_body,
    parts,
    properties,
    property_values,
    resource_of,
    tx_code,
)

M48_48_DISPLAY = " ".join(oracle.get_description("M48.48").split())


def _get(client, at=LOOKUP, **query):
    return client.get(at, query_string=query)


def _post(client, *entries, at=LOOKUP):
    return client.post(at, data=parameters_body(*entries), content_type="application/fhir+json")


def _lookup(client, code, **query):
    return without_today_warning_json(resource_of(_get(client, system=ICD10CM, code=code, **query)))


# --- the ways of asking ----------------------------------------------------------------------


def _ways_of_asking(client, code):
    """The same lookup asked in every form the operation takes."""
    yield "GET system+code", _get(client, system=ICD10CM, code=code)
    yield "GET coding", _get(client, coding=f"{ICD10CM}|{code}")
    yield "GET instance", _get(client, at=INSTANCE_LOOKUP, code=code)
    yield "GET instance+system", _get(client, at=INSTANCE_LOOKUP, system=ICD10CM, code=code)
    yield "POST system+code", _post(client, {"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": code})
    yield "POST coding", _post(client, {"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}})
    yield "POST instance", _post(client, {"name": "code", "valueCode": code}, at=INSTANCE_LOOKUP)
    yield "POST form", client.post(LOOKUP, data={"system": ICD10CM, "code": code})


@pytest.mark.parametrize("code", ["M48.48", "M48.48XA", "M45-M49", "B10"])
def test_every_form_gives_the_same_answer(client, code):
    # (the default release's warning that it is not in effect today is tested in test_releases_in_time)
    answers = {how: without_today_warning_json(resource_of(response)) for how, response in _ways_of_asking(client, code)}
    first = answers["GET system+code"]
    assert param(first, "code") == code
    assert param(first, "system") == ICD10CM
    assert param(first, "display") == " ".join(oracle.get_description(code).split())
    for how, answer in answers.items():
        assert answer == first, how


def test_m48_48(client):
    result = _lookup(client, "M48.48")
    assert names(result)[:6] == ["name", "version", "display", "code", "system", "abstract"]
    assert param(result, "name") == "ICD10CM"
    assert param(result, "version") == "2026"
    assert param(result, "display") == M48_48_DISPLAY == "Fatigue fracture of vertebra, sacral and sacrococcygeal region"
    assert param(result, "abstract") is True
    assert property_values(result, "notSelectable") == [True]
    assert property_values(result, "billable") == [False]
    assert property_values(result, "child") == ["M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"]
    assert property_values(result, "child") == oracle.get_children("M48.48")
    assert property_values(result, "parent") == ["M48.4"] == [oracle.get_parent("M48.48")]
    [chapter] = properties(result, "chapter")
    assert chapter["value"] == "13" == oracle.get_ancestors("M48.48")[-1]
    assert chapter["description"] == oracle.get_description("13")
    assert chapter["description"] == "Diseases of the musculoskeletal system and connective tissue (M00-M99)"
    [block] = properties(result, "block")
    assert block["value"] == "M45-M49"
    assert block["description"] == oracle.get_description("M45-M49") == "Spondylopathies (M45-M49)"
    # Each child and the parent carry their display.
    for prop in properties(result, "child") + properties(result, "parent"):
        assert prop["description"] == " ".join(oracle.get_description(prop["value"]).split())


def test_m48_48xa_is_billable(client):
    result = _lookup(client, "M48.48XA")
    assert param(result, "display") == (
        "Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture"
    )
    assert param(result, "abstract") is False
    assert property_values(result, "billable") == [True]
    assert property_values(result, "notSelectable") == [False]
    assert property_values(result, "child") == []
    assert property_values(result, "parent") == ["M48.48"]
    assert property_values(result, "chapter") == ["13"]
    assert property_values(result, "block") == ["M45-M49"]


def _origin(prop):
    return {sub["code"]: sub["value"] for sub in prop["subproperty"]}


def test_inherited_notes_say_where_they_come_from(client):
    result = _lookup(client, "M48.48XA", property="*")
    excludes1 = {p["value"]: _origin(p) for p in properties(result, "excludes1")}
    assert excludes1["traumatic fracture of vertebrae (S12.0-S12.3-, S22.0-, S32.0-)"] == {
        "source": "M48.4",
        "level": "subcategory",
    }
    # Every excludes1 of M48.4 (per the oracle) is inherited, from M48.4.
    for text in oracle.get_excludes1("M48.4"):
        assert excludes1[" ".join(text.split())] == {"source": "M48.4", "level": "subcategory"}
    seven = {p["value"]: _origin(p) for p in properties(result, "sevenChrDef")}
    assert seven["A: initial encounter for fracture"] == {"source": "M48.4", "level": "subcategory"}
    assert sorted(seven) == sorted(f"{c}: {m}" for c, m in oracle.get_seven_chr_def("M48.4").items())
    # The chapter's notes, with the chapter number as source.
    chapter_excludes2 = [p["value"] for p in properties(result, "excludes2") if _origin(p) == {"source": "13", "level": "chapter"}]
    assert chapter_excludes2 == [" ".join(t.split()) for t in oracle.get_excludes2("13")]
    assert "arthropathic psoriasis (L40.5-)" in chapter_excludes2
    chapter_notes = [p["value"] for p in properties(result, "notes") if _origin(p)["level"] == "chapter"]
    assert chapter_notes == [" ".join(t.split()) for t in oracle.get_notes("13").split("\n")]
    # Block notes come from the block.
    block_notes = [p for p in properties(result) if _origin(p).get("level") == "block"]
    assert all(_origin(p)["source"] in ("M45-M49", "M40-M54") for p in block_notes)
    # Every note property has both subproperties and nothing else.
    notes = [p for p in properties(result) if p["subproperty"] and p["code"] != "previousTitle"]  # (its own: fiscalYears)
    assert notes
    for prop in notes:
        assert [sub["code"] for sub in prop["subproperty"]] == ["source", "level"], prop
        assert _origin(prop)["level"] in {"code", "subcategory", "category", "block", "chapter"}


_PREFERRED = "preferredForLanguage"


def _synonyms(result) -> list[dict]:
    return [d for d in (parts(p) for p in parameters(result, "designation")) if d["use"]["code"] != _PREFERRED]


def test_the_display_is_the_designation_preferred_for_english(client):
    result = _lookup(client, "M48.48XA")
    (own,) = [d for d in (parts(p) for p in parameters(result, "designation")) if d["use"]["code"] == _PREFERRED]
    assert (own["language"], own["value"]) == ("en", param(result, "display"))


def test_inclusion_terms_are_designations(client):
    result = _lookup(client, "M48.4")
    designations = _synonyms(result)
    assert [d["value"] for d in designations] == [" ".join(t.split()) for t in oracle.get_inclusion_term("M48.4")]
    assert "Stress fracture of vertebra" in [d["value"] for d in designations]
    for designation in designations:
        assert designation["language"] == "en"
        assert designation["use"]["system"] == "http://snomed.info/sct"
        assert designation["use"]["code"] == "900000000000013009"


def test_a_code_without_inclusion_terms_has_no_other_designation(client):
    assert oracle.get_inclusion_term("M48.48XA") == []
    assert _synonyms(_lookup(client, "M48.48XA")) == []


# --- property -----------------------------------------------------------------------------


def test_one_property(client):
    result = _lookup(client, "M48.48", property="parent")
    assert [p["code"] for p in properties(result)] == ["parent"]
    assert property_values(result, "parent") == ["M48.4"]


def test_several_properties(client):
    response = client.get(LOOKUP, query_string=[("system", ICD10CM), ("code", "M48.48"), ("property", "child"), ("property", "billable")])
    result = resource_of(response)
    assert {p["code"] for p in properties(result)} == {"child", "billable"}
    assert len(property_values(result, "child")) == 4


def test_several_properties_in_a_post(client):
    result = resource_of(
        _post(
            client,
            {"name": "system", "valueUri": ICD10CM},
            {"name": "code", "valueCode": "M48.48XA"},
            {"name": "property", "valueCode": "chapter"},
            {"name": "property", "valueCode": "sevenChrDef"},
        )
    )
    assert {p["code"] for p in properties(result)} == {"chapter", "sevenChrDef"}
    assert len(property_values(result, "sevenChrDef")) == 4


def test_all_properties(client):
    everything = _lookup(client, "M48.48XA", property="*")
    default = _lookup(client, "M48.48XA")
    codes = {p["code"] for p in properties(everything)}
    assert {"parent", "notSelectable", "billable", "chapter", "block", "excludes1", "sevenChrDef", "notes"} <= codes
    assert properties(everything) == properties(default)


def test_an_unknown_property_gives_no_values(client):
    result = _lookup(client, "M48.48", property="no-such-property")
    assert properties(result) == []
    assert param(result, "display") == M48_48_DISPLAY


# --- version, displayLanguage -------------------------------------------------------------


def test_right_version(client):
    result = _lookup(client, "M48.48", version="2026")
    assert param(result, "version") == "2026"
    assert param(resource_of(_get(client, at=INSTANCE_LOOKUP, code="M48.48", version="2026")), "version") == "2026"


@pytest.mark.parametrize("url", [LOOKUP, INSTANCE_LOOKUP])
def test_wrong_version(client, url):
    outcome = error_outcome(_get(client, at=url, system=ICD10CM, code="M48.48", version="2019"), 404)
    text = outcome["issue"][0]["details"]["text"]
    assert "'2019'" in text and ICD10CM in text
    assert text.endswith("Valid versions: 2021, 2025 and 2026")
    assert outcome["issue"][0]["code"] == "not-found"


def test_version_in_the_coding(client):
    assert param(resource_of(_get(client, coding=f"{ICD10CM}|M48.48")), "version") == "2026"
    response = _post(client, {"name": "coding", "valueCoding": {"system": ICD10CM, "version": "2019", "code": "M48.48"}})
    assert "Valid versions: 2021, 2025 and 2026" in error_outcome(response, 404)["issue"][0]["details"]["text"]


@pytest.mark.parametrize("language", ["en", "en-US", "fr"])
def test_display_language(client, language):
    result = _lookup(client, "M48.48", displayLanguage=language)
    assert param(result, "display") == M48_48_DISPLAY  # the release is in English only


# --- not found ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOOKUP, INSTANCE_LOOKUP])
def test_unknown_code(client, url):
    outcome = error_outcome(_get(client, at=url, system=ICD10CM, code="M48.48XQ"), 404)
    [issue] = issues(outcome)
    assert issue["code"] == "not-found"
    assert tx_code(issue) == "invalid-code"
    assert "'M48.48XQ'" in issue["details"]["text"]
    assert "did you mean" not in issue["details"]["text"]


@pytest.mark.parametrize(("code", "meant"), [("m4848xa", "M48.48XA"), ("M4848XA", "M48.48XA"), ("m45-m49", "M45-M49"), ("m48.48", "M48.48")])
def test_unknown_code_suggests_the_code_meant(client, code, meant):
    text = error_outcome(_get(client, system=ICD10CM, code=code), 404)["issue"][0]["details"]["text"]
    assert f"'{code}'" in text
    assert f"did you mean '{meant}'" in text


def test_unknown_system(client):
    outcome = error_outcome(_get(client, system="http://example.org/no-such-system", code="M48.48"), 404)
    text = outcome_issue_text(outcome)
    assert "http://example.org/no-such-system" in text
    assert "Valid versions" not in text


def outcome_issue_text(outcome):
    [issue] = outcome["issue"]
    return issue["details"]["text"]


def test_unknown_instance(client):
    text = outcome_issue_text(error_outcome(_get(client, at="/fhir/CodeSystem/snomed/$lookup", code="M48.48"), 404))
    assert "'snomed'" in text


def test_instance_with_another_system_is_refused(client):
    response = _get(client, at=INSTANCE_LOOKUP, system="http://snomed.info/sct", code="M48.48")
    text = outcome_issue_text(error_outcome(response, 400))
    assert "http://snomed.info/sct" in text and ICD10CM in text


def test_not_found_in_xml(client):
    outcome = error_outcome(_get(client, system=ICD10CM, code="Q99.99X", _format="xml"), 404, format="xml")
    assert "'Q99.99X'" in outcome_issue_text(outcome)


def test_a_block_and_a_merged_section(client):
    block = _lookup(client, "M45-M49")
    assert param(block, "abstract") is True
    assert property_values(block, "billable") == [False]
    assert property_values(block, "parent") == ["M40-M54"]
    assert property_values(block, "child") == oracle.get_children("M45-M49")
    # B10: a section holding the one category B10, which is the concept here.
    b10 = _lookup(client, "B10")
    assert param(b10, "display") == oracle.get_description("B10")
    assert property_values(b10, "child") == oracle.get_children("B10")
    # Its section hangs off chapter 1 in the oracle; chapters are a property here, so no parent.
    assert oracle.get_parent("B10", prioritize_blocks=True) == "1"
    assert property_values(b10, "parent") == []
    assert property_values(b10, "chapter") == ["1"]
