"""The three embedded ICD-10-CM releases served side by side, each a version of ICD-10-CM: a code
answers in the release that has it, and says so in the one that does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from terminology.content import build_registry
from terminology.web import create_app

from .helpers import ICD10CM, error_outcome, outcome_text, param, resource_of

FOLDER = Path(__file__).resolve().parents[2] / "resources" / "icd10cm"
FILES = ["icd10c-tabular-April-1-2026.xml.gz", "icd10cm-tabular-April-1-2025.xml.gz", "icd10cm-tabular-January-1-2021.xml.gz"]


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    registry = build_registry([FOLDER / name for name in FILES], cache_dir=tmp_path_factory.mktemp("releases"))
    return create_app(registry=registry).test_client()


def _lookup(client, code: str, version: str | None = None, status: int = 200) -> dict:
    query = {"system": ICD10CM, "code": code, **({"version": version} if version else {})}
    response = client.get("/fhir/CodeSystem/$lookup", query_string=query)
    return resource_of(response) if status == 200 else error_outcome(response, status)


def test_every_release_is_a_version_and_the_first_is_the_default(releases):
    capabilities = resource_of(releases.get("/fhir/metadata", query_string={"mode": "terminology"}))
    (icd10cm,) = [entry for entry in capabilities["codeSystem"] if entry["uri"] == ICD10CM]
    assert {version["code"]: version["isDefault"] for version in icd10cm["version"]} == {"2026": True, "2025": False, "2021": False}


def test_a_deleted_code_answers_in_its_release_only(releases):
    assert param(_lookup(releases, "T40.7X1A", "2021"), "version") == "2021"
    assert "T40.7X1A" in outcome_text(_lookup(releases, "T40.7X1A", status=404))
    assert "T40.7X1A" in outcome_text(_lookup(releases, "T40.7X1A", "2025", status=404))


def test_an_added_code_is_unknown_in_the_release_before_it(releases):
    assert param(_lookup(releases, "U09.9"), "version") == "2026"
    assert "U09.9" in outcome_text(_lookup(releases, "U09.9", "2021", status=404))


@pytest.mark.parametrize(("version", "billable"), [("2021", True), ("2025", False), ("2026", False)])
def test_a_code_that_became_a_header(releases, version, billable):
    answer = resource_of(releases.get("/fhir/CodeSystem/$validate-code", query_string={
        "url": ICD10CM, "code": "M54.5", "version": version, "abstract": "false"}))
    assert param(answer, "result") is billable and param(answer, "version") == version
    if not billable:
        assert "M54.50" in param(answer, "message")


def test_an_expansion_in_each_release(releases):
    def codes(version: str) -> list[str]:
        value_set = {"resourceType": "ValueSet", "status": "active", "compose": {"include": [
            {"system": ICD10CM, "version": version, "filter": [{"property": "concept", "op": "descendent-of", "value": "M54.5"}]}]}}
        body = {"resourceType": "Parameters", "parameter": [{"name": "valueSet", "resource": value_set}]}
        expansion = resource_of(releases.post("/fhir/ValueSet/$expand", json=body, headers={"Content-Type": "application/fhir+json"}))
        return [entry["code"] for entry in expansion["expansion"].get("contains", [])]

    assert codes("2021") == []
    assert codes("2025") == codes("2026") == ["M54.50", "M54.51", "M54.59"]
