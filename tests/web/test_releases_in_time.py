"""ICD-10-CM in time over HTTP: the embedded releases (FY2021 with its January 2021 update, the April 2025
update of FY2025, the April 2026 update of FY2026), each in effect for its days, chosen by ``date``, by a
value set's ``lockedDate``, or by version (its fiscal year or its own date), with a warning where the
release that answers is not in effect on the day asked about.

The codes are those that changed between these releases in the files themselves
(tests/loaders/test_embedded_releases.py checks them against an independent reading): T40.7X1A is in
FY2021 only, U09.9 from FY2022 on, M54.5 billable in FY2021 and a header since.
"""

from __future__ import annotations

import pytest

from release_in_effect import NOT_IN_EFFECT, today_warning_expected

from .helpers import ICD10CM, LOOKUP, VALIDATE, error_outcome, issues, param, resource_of

EXPAND = "/fhir/ValueSet/$expand"
VS_VALIDATE = "/fhir/ValueSet/$validate-code"
SUBSUMES = "/fhir/CodeSystem/$subsumes"


def _validate(client, code, **query):
    return resource_of(client.get(VALIDATE, query_string={"url": ICD10CM, "code": code, **query}))


def _release_warnings(resource):
    return [issue for issue in issues(resource) if _message_id(issue) == NOT_IN_EFFECT]


def _message_id(issue):
    return next((e["valueString"] for e in issue.get("extension", []) if e["url"].endswith("message-id")), None)


# --- a date chooses the release in effect on it -----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "version"),
    [("2021-01-01", "2021"), ("2021-09-30", "2021"), ("2025-04-01", "2025"), ("2025-09-30", "2025"), ("2026-04-01", "2026"),
     ("2026-09-30", "2026"), ("2026-06-15T10:30:00Z", "2026")],
)  # fmt: skip
def test_a_date_in_a_release_chooses_it_without_warning(client, day, version):
    result = _validate(client, "M48.48XA", date=day)
    assert (param(result, "result"), param(result, "version")) == (True, version)
    assert _release_warnings(result) == []


def test_a_code_valid_only_in_the_release_in_effect(client):
    """T40.7X1A is in the FY2021 release and in neither later one; U09.9 in the later ones only."""
    assert (param(_validate(client, "T40.7X1A", date="2021-06-01"), "result"), param(_validate(client, "T40.7X1A", date="2025-06-01"), "result")) == (True, False)
    assert (param(_validate(client, "U09.9", date="2021-06-01"), "result"), param(_validate(client, "U09.9", date="2025-06-01"), "result")) == (False, True)
    # the same by version, by fiscal year or by the release's own date
    for version in ("2021", "2021-01-01"):
        assert param(_validate(client, "T40.7X1A", version=version), "result") is True
    for version in ("2025", "2025-04-01", "2026", "2026-04-01"):
        assert param(_validate(client, "T40.7X1A", version=version), "result") is False


def test_a_header_in_one_release_billable_in_another(client):
    """M54.5 was billable in FY2021; it is a header in FY2025: valid with a warning, refused with abstract=false."""
    assert param(_validate(client, "M54.5", date="2021-06-01", abstract="false"), "result") is True
    later = _validate(client, "M54.5", date="2025-06-01", abstract="false")
    assert param(later, "result") is False and "M54.50" in param(later, "message")


def test_lookup_by_date(client):
    found = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "T40.7X1A", "date": "2021-03-01"}))
    assert param(found, "version") == "2021" and "cannabis" in param(found, "display").lower()
    missing = error_outcome(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "T40.7X1A", "date": "2025-06-01"}), 404)
    assert "version 2025" in missing["issue"][0]["details"]["text"]


def test_subsumes_by_date(client):
    query = {"system": ICD10CM, "codeA": "M54.5", "codeB": "M54.50"}
    assert param(resource_of(client.get(SUBSUMES, query_string={**query, "date": "2025-06-01"})), "outcome") == "subsumes"
    error_outcome(client.get(SUBSUMES, query_string={**query, "date": "2021-06-01"}), 404)  # M54.50 is not in FY2021


# --- no release in effect on the day: the nearest answers, and says so -----------------------------


@pytest.mark.parametrize(
    ("day", "nearest"),
    [("2020-11-15", "2021"), ("2023-05-01", "2021"), ("2024-12-01", "2025"), ("2025-12-01", "2025"), ("2026-02-15", "2026"), ("2027-01-01", "2026")],
)
def test_a_day_no_release_covers_is_answered_by_the_nearest_with_a_warning(client, day, nearest):
    result = _validate(client, "M48.48XA", date=day)
    assert (param(result, "result"), param(result, "version")) == (True, nearest)
    [warning] = _release_warnings(result)
    text = warning["details"]["text"]
    assert warning["severity"] == "warning"
    assert text.startswith(f"No loaded release of {ICD10CM} is in effect on {day[:10]}: the answer is from the nearest, version {nearest} (")
    assert text in param(result, "message")


def test_the_default_release_says_when_it_is_not_in_effect_today(client):
    result = _validate(client, "M48.48XA")
    assert param(result, "version") == "2026"
    found = _release_warnings(result)
    assert len(found) == int(today_warning_expected())
    if found:
        assert "version 2026 (the 2026-04-01 update of FY2026), in effect from 2026-04-01 to 2026-09-30, which is not in effect today" in found[0]["details"]["text"]
    # a version named is the client's choice: no warning about today
    assert _release_warnings(_validate(client, "M48.48XA", version="2026")) == []
    lookup = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "M48.48XA"}))
    assert len([p for p in lookup["parameter"] if p["name"] == "issues"]) == int(today_warning_expected())


# --- value sets: lockedDate, and the request's date over it -----------------------------------------


def _value_set(locked=None):
    compose = {"include": [{"system": ICD10CM, "concept": [{"code": "T40.7X1A"}, {"code": "U09.9"}, {"code": "M48.48XA"}]}]}
    if locked:
        compose["lockedDate"] = locked
    return {"resourceType": "ValueSet", "url": "http://example.org/fhir/ValueSet/in-time", "status": "active", "compose": compose}


def _post(client, at, *entries):
    body = {"resourceType": "Parameters", "parameter": list(entries)}
    return resource_of(client.post(at, json=body, content_type="application/fhir+json"))


def _expanded_codes(expansion):
    return sorted(item["code"] for item in expansion["expansion"].get("contains", []))


def _used(expansion):
    return [p["valueUri"] for p in expansion["expansion"]["parameter"] if p["name"] == "used-codesystem"]


def test_expansion_with_a_locked_date(client):
    """An include names codes; those not in the release in effect on the lockedDate are not in the expansion."""
    old = _post(client, EXPAND, {"name": "valueSet", "resource": _value_set("2021-06-01")})
    assert _expanded_codes(old) == ["M48.48XA", "T40.7X1A"] and _used(old) == [f"{ICD10CM}|2021"]
    new = _post(client, EXPAND, {"name": "valueSet", "resource": _value_set("2025-06-01")})
    assert _expanded_codes(new) == ["M48.48XA", "U09.9"] and _used(new) == [f"{ICD10CM}|2025"]
    # the request's date chooses over the value set's lockedDate
    dated = _post(client, EXPAND, {"name": "valueSet", "resource": _value_set("2021-06-01")}, {"name": "date", "valueDateTime": "2025-06-01"})
    assert _expanded_codes(dated) == ["M48.48XA", "U09.9"]
    warned = _post(client, EXPAND, {"name": "valueSet", "resource": _value_set()}, {"name": "date", "valueDateTime": "2023-05-01"})
    assert _used(warned) == [f"{ICD10CM}|2021"]
    [warning] = [p["valueString"] for p in warned["expansion"]["parameter"] if p["name"] == "warning"]
    assert warning.startswith(f"No loaded release of {ICD10CM} is in effect on 2023-05-01")


def test_value_set_validation_with_a_locked_date(client):
    def validate(code, locked, **extra):
        entries = [{"name": "valueSet", "resource": _value_set(locked)}, {"name": "coding", "valueCoding": {"system": ICD10CM, "code": code}}]
        entries += [{"name": name, "valueDateTime": value} for name, value in extra.items()]
        return _post(client, VS_VALIDATE, *entries)

    assert (param(validate("T40.7X1A", "2021-06-01"), "result"), param(validate("T40.7X1A", "2021-06-01"), "version")) == (True, "2021")
    assert param(validate("T40.7X1A", "2025-06-01"), "result") is False
    assert param(validate("U09.9", "2025-06-01"), "result") is True
    assert param(validate("T40.7X1A", "2021-06-01", date="2025-06-01"), "result") is False


# --- what the server says of its releases, and bad dates ---------------------------------------------


def test_metadata_lists_the_releases_with_their_periods(client):
    statement = resource_of(client.get("/fhir/metadata"))
    documentation = statement["rest"][0]["documentation"]
    for release in (
        "version 2021 (the 2021-01-01 update of FY2021), in effect from 2021-01-01 to 2021-09-30",
        "version 2025 (the 2025-04-01 update of FY2025), in effect from 2025-04-01 to 2025-09-30",
        "version 2026 (the 2026-04-01 update of FY2026), in effect from 2026-04-01 to 2026-09-30 (the default)",
    ):
        assert release in documentation
    capabilities = resource_of(client.get("/fhir/metadata", query_string={"mode": "terminology"}))
    [icd10cm] = [system for system in capabilities["codeSystem"] if system["uri"] == ICD10CM]
    periods = {version["code"]: version["extension"][0]["valuePeriod"] for version in icd10cm["version"]}
    assert periods == {
        "2021": {"start": "2021-01-01", "end": "2021-09-30"},
        "2025": {"start": "2025-04-01", "end": "2025-09-30"},
        "2026": {"start": "2026-04-01", "end": "2026-09-30"},
    }


def test_each_release_is_a_code_system_resource_with_its_effective_period(client):
    found = resource_of(client.get("/fhir/CodeSystem", query_string={"url": ICD10CM}))
    periods = {}
    for entry in found["entry"]:
        resource = entry["resource"]
        [extension] = resource["extension"]
        assert extension["url"] == "http://hl7.org/fhir/5.0/StructureDefinition/extension-CodeSystem.effectivePeriod"
        periods[resource["version"]] = (resource["id"], extension["valuePeriod"]["start"], extension["valuePeriod"]["end"])
    assert periods == {
        "2021": ("icd-10-cm-2021", "2021-01-01", "2021-09-30"),
        "2025": ("icd-10-cm-2025", "2025-04-01", "2025-09-30"),
        "2026": ("icd-10-cm", "2026-04-01", "2026-09-30"),
    }


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "yesterday", "25-06-01"])
@pytest.mark.parametrize("at", [LOOKUP, VALIDATE, SUBSUMES])
def test_a_malformed_date_is_a_400_naming_it(client, at, bad):
    query = {"system": ICD10CM, "code": "M48.48XA", "codeA": "M48", "codeB": "M48.4", "date": bad}
    if at == SUBSUMES:
        del query["code"]
    else:
        del query["codeA"], query["codeB"]
    outcome = error_outcome(client.get(at, query_string=query), 400)
    text = outcome["issue"][0]["details"]["text"]
    assert text.startswith("The parameter 'date' must be a date") and repr(bad) in text
