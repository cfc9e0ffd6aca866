"""Each code's history over HTTP: what validation says of a code whose status differs in another release or in
the history (deleted, not yet valid, became a header), and the history ``$lookup`` returns.

The changes are the files' own: T40.7X1A was deleted on 2021-10-01 (FY2022), when T40.711A and T40.721A took
its place; U09.9 was added then; M54.5 was billable until 2021-09-30 and a header since, with M54.50, M54.51
and M54.59 below it (tests/loaders checks the history files against an independent reading of their source).
"""

from __future__ import annotations

from .helpers import ICD10CM, LOOKUP, VALIDATE, error_outcome, issues, param, properties, property_values, resource_of

REPLACED_BY = "http://fhir.icd10cm-terminology.org/StructureDefinition/replaced-by"
MESSAGE_ID = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"


def _validate(client, code, **query):
    return resource_of(client.get(VALIDATE, query_string={"url": ICD10CM, "code": code, **query}))


def _history_issue(result, message_id):
    [found] = [i for i in issues(result) if any(e.get("valueString") == message_id for e in i.get("extension", []))]
    return found


def _replaced_by(issue):
    return [extension["valueCode"] for extension in issue.get("extension", []) if extension["url"] == REPLACED_BY]


def test_a_deleted_code_says_when_and_what_replaced_it(client):
    result = _validate(client, "T40.7X1A", date="2025-06-01")
    assert param(result, "result") is False
    issue = _history_issue(result, "ICD10CM_CODE_DELETED")
    assert issue["severity"] == "error"
    assert issue["details"]["text"] == (
        "T40.7X1A is not valid on 2025-06-01: it was deleted on 2021-10-01 (FY2022): use T40.711A or T40.721A"
    )
    assert issue["details"]["text"] in param(result, "message")
    # by version, the release's own fiscal year is what the code is not valid in
    by_version = _history_issue(_validate(client, "T40.7X1A", version="2026"), "ICD10CM_CODE_DELETED")
    assert by_version["details"]["text"].startswith("T40.7X1A is not valid in FY2026: it was deleted on 2021-10-01 (FY2022)")


def test_a_deleted_code_gives_its_replacements_as_data(client):
    """The codes the text names, each as a ``replaced-by`` extension after the message id, in JSON and XML."""
    for format in ("json", "xml"):
        response = client.get(VALIDATE, query_string={"url": ICD10CM, "code": "T40.7X1A", "date": "2025-06-01", "_format": format})
        issue = _history_issue(resource_of(response, format=format), "ICD10CM_CODE_DELETED")
        assert issue["extension"] == [
            {"url": MESSAGE_ID, "valueString": "ICD10CM_CODE_DELETED"},
            {"url": REPLACED_BY, "valueCode": "T40.711A"},
            {"url": REPLACED_BY, "valueCode": "T40.721A"},
        ]


def test_a_deleted_code_nothing_replaced_has_no_replacements(client):
    """H81.41 was deleted on 2019-10-01 (FY2020) and the code lists name no code in its place."""
    issue = _history_issue(_validate(client, "H81.41", date="2025-06-01"), "ICD10CM_CODE_DELETED")
    assert "use" not in issue["details"]["text"] and _replaced_by(issue) == []


def test_a_code_not_yet_valid_says_from_when(client):
    result = _validate(client, "U09.9", date="2021-06-01")
    assert param(result, "result") is False
    issue = _history_issue(result, "ICD10CM_CODE_NOT_YET_VALID")
    assert issue["details"]["text"] == "U09.9 is valid from 2021-10-01 (FY2022); the date 2021-06-01 falls in FY2021"
    assert _replaced_by(issue) == []


def test_a_code_that_became_a_header_names_its_replacements(client):
    result = _validate(client, "M54.5", date="2025-06-01")
    assert param(result, "result") is True  # a header is valid, with warnings
    issue = _history_issue(result, "ICD10CM_CODE_BECAME_HEADER")
    assert issue["severity"] == "warning"
    assert issue["details"]["text"] == (
        "M54.5 was billable until 2021-09-30; since FY2022 it is a header: use M54.50, M54.51 or M54.59"
    )
    assert _replaced_by(issue) == ["M54.50", "M54.51", "M54.59"]
    refused = _validate(client, "M54.5", date="2025-06-01", abstract="false")
    assert param(refused, "result") is False and issue["details"]["text"] in param(refused, "message")
    assert _replaced_by(_history_issue(refused, "ICD10CM_CODE_BECAME_HEADER")) == ["M54.50", "M54.51", "M54.59"]
    # in FY2021 it was billable: nothing to say
    assert [i for i in issues(_validate(client, "M54.5", date="2021-06-01")) if "header" in i["details"]["text"]] == []


def test_a_code_unchanged_has_no_history_note(client):
    result = _validate(client, "M48.48XA", date="2025-06-01")
    assert param(result, "result") is True and issues(result) == []
    # nor does a code unknown in every year (its issue says so, and names no replacement)
    unknown = issues(_validate(client, "M48.48XQ"))
    assert unknown and not any(_replaced_by(issue) for issue in unknown)


def test_lookup_of_a_deleted_code_says_so(client):
    outcome = error_outcome(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "T40.7X1A"}), 404)
    assert "it was deleted on 2021-10-01 (FY2022): use T40.711A or T40.721A" in outcome["issue"][0]["details"]["text"]
    assert _replaced_by(outcome["issue"][0]) == ["T40.711A", "T40.721A"]
    unknown = error_outcome(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "M48.48XQ"}), 404)
    assert "extension" not in unknown["issue"][0]


def _lookup(client, code, **query):
    return resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": code, **query}))


def test_lookup_gives_the_fiscal_years_and_the_changes(client):
    deleted = _lookup(client, "T40.7X1A", date="2021-06-01")
    assert property_values(deleted, "fiscalYears") == ["2019-2021"]
    assert property_values(deleted, "billableFiscalYears") == ["2019-2021"]
    assert property_values(deleted, "deleted") == ["2021-10-01"]
    assert property_values(deleted, "replacedBy") == ["T40.711A", "T40.721A"]
    added = _lookup(client, "U09.9", date="2025-06-01")
    assert property_values(added, "added") == ["2021-10-01"] and property_values(added, "deleted") == []
    assert property_values(added, "fiscalYears") == ["2022-2026"]
    header = _lookup(client, "M54.5")
    assert property_values(header, "becameHeader") == ["2021-10-01"]
    assert property_values(header, "replacedBy") == ["M54.50", "M54.51", "M54.59"]
    assert (property_values(header, "fiscalYears"), property_values(header, "billableFiscalYears")) == (["2019-2026"], ["2019-2021"])


def test_a_transition_map_reads_as_the_concept_map_that_translates(client):
    """The map from FY2021 to FY2022 as a resource: R4-valid, and read back it maps as the server does."""
    resource = resource_of(client.get("/fhir/ConceptMap/icd10cm-fy2021-to-fy2022"))
    [group] = resource["group"]
    assert (group["source"], group["sourceVersion"], group["targetVersion"], group["unmapped"]) == (ICD10CM, "2021", "2022", {"mode": "provided"})
    [deleted] = [element for element in group["element"] if element["code"] == "T40.7X1A"]
    assert [(t["code"], t["equivalence"]) for t in deleted["target"]] == [("T40.711A", "narrower"), ("T40.721A", "narrower")]
    translated = resource_of(
        client.post(
            "/fhir/ConceptMap/$translate",
            json={"resourceType": "Parameters", "parameter": [
                {"name": "conceptMap", "resource": resource},
                {"name": "coding", "valueCoding": {"system": ICD10CM, "version": "2021", "code": "T40.7X1A"}},
                {"name": "targetsystem", "valueUri": ICD10CM},
            ]},
            content_type="application/fhir+json",
        )
    )  # fmt: skip
    assert param(translated, "result") is True
    assert sorted(p["part"][1]["valueCoding"]["code"] for p in translated["parameter"] if p["name"] == "match") == ["T40.711A", "T40.721A"]


def test_a_code_of_a_year_whose_release_is_not_loaded(client):
    """On 2023-05-01 (FY2023, no release loaded) the nearest, FY2021, answers: it lacks U09.9, which the
    FY2023 code list has; the answer says so beside the warning that FY2021 is not in effect then."""
    result = _validate(client, "U09.9", date="2023-05-01")
    assert (param(result, "result"), param(result, "version")) == (False, "2021")
    issue = _history_issue(result, "ICD10CM_CODE_VALID_IN_UNLOADED_YEAR")
    assert issue["severity"] == "warning"
    assert issue["details"]["text"] == (
        "U09.9 is valid in FY2023 (2022-10-01 to 2023-09-30), whose release is not loaded here: the answer is from FY2021, which does not have it"
    )
    _history_issue(result, "RELEASE_NOT_IN_EFFECT")


OLD_TITLE, NEW_TITLE = "Ehrlichiosis chafeensis [E. chafeensis]", "Ehrlichiosis chaffeensis [E. chaffeensis]"


def test_a_retitled_code_through_lookup_validation_expansion_and_translation(client):
    """A77.41 was retitled in FY2025 (the spelling of chaffeensis): each release shows its own title."""
    old, new = _lookup(client, "A77.41", date="2021-06-01"), _lookup(client, "A77.41", version="2025")
    assert (param(old, "display"), param(new, "display")) == (OLD_TITLE, NEW_TITLE)
    [earlier] = properties(new, "previousTitle")
    assert (earlier["value"], earlier["subproperty"]) == (OLD_TITLE, [{"subproperty": [], "code": "fiscalYears", "value": "FY2019-FY2024"}])
    assert param(_validate(client, "A77.41", display=OLD_TITLE, date="2021-06-01"), "result") is True
    assert param(_validate(client, "A77.41", display=NEW_TITLE, version="2025"), "result") is True
    assert param(_validate(client, "A77.41", display=OLD_TITLE, version="2025"), "result") is False  # a wrong display now
    for locked, title in (("2021-06-01", OLD_TITLE), ("2025-06-01", NEW_TITLE)):
        value_set = {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/a77", "status": "active",
                     "compose": {"lockedDate": locked, "include": [{"system": ICD10CM, "concept": [{"code": "A77.41"}]}]}}  # fmt: skip
        expansion = resource_of(client.post("/fhir/ValueSet/$expand", json={"resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": value_set}]}))
        assert [item["display"] for item in expansion["expansion"]["contains"]] == [title]
    translated = resource_of(client.get("/fhir/ConceptMap/$translate", query_string={
        "url": "http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-fy2024-to-fy2025", "system": ICD10CM, "code": "A77.41"}))  # fmt: skip
    [match] = [p for p in translated["parameter"] if p["name"] == "match"]
    parts = {part["name"]: part for part in match["part"]}
    assert parts["equivalence"]["valueCode"] == "equivalent"
    assert (parts["concept"]["valueCoding"]["code"], parts["concept"]["valueCoding"]["display"]) == ("A77.41", NEW_TITLE)
