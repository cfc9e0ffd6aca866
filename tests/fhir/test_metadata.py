"""Reading what describes a canonical resource: every element, and elements of the wrong type."""

from __future__ import annotations

from terminology.definitions.metadata import Identifier
from terminology.fhir.metadata import STANDARDS_STATUS, read_metadata


def test_every_element_is_read():
    metadata = read_metadata({
        "resourceType": "ValueSet", "id": "vs", "url": "http://example.org/vs", "version": "1.0", "name": "VS",
        "title": "A value set", "status": "draft", "experimental": True, "date": "2024-01-02",
        "publisher": "Example", "description": "What it holds",
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.3"}, {"value": "local"}],
        "extension": [{"url": STANDARDS_STATUS, "valueCode": "withdrawn"}],
    })  # fmt: skip
    assert (metadata.kind, metadata.id, metadata.url, metadata.version) == ("ValueSet", "vs", "http://example.org/vs", "1.0")
    assert (metadata.name, metadata.title, metadata.status, metadata.experimental) == ("VS", "A value set", "draft", True)
    assert (metadata.date, metadata.publisher, metadata.description) == ("2024-01-02", "Example", "What it holds")
    assert metadata.identifiers == (Identifier("urn:ietf:rfc:3986", "urn:oid:1.2.3"), Identifier(None, "local"))
    assert metadata.standards_status == "withdrawn"
    assert metadata.canonical == "http://example.org/vs|1.0"


def test_an_r4_concept_map_has_one_identifier():
    metadata = read_metadata({"resourceType": "ConceptMap", "identifier": {"system": "urn:x", "value": "1"}})
    assert metadata.identifiers == (Identifier("urn:x", "1"),)


def test_elements_of_the_wrong_type_are_absent():
    metadata = read_metadata({"resourceType": "CodeSystem", "url": 7, "version": 2, "name": ["x"], "experimental": "yes", "extension": "x"})
    assert (metadata.url, metadata.version, metadata.name, metadata.experimental) == (None, None, None, False)
    assert metadata.canonical == "" and metadata.standards_status is None


def test_the_status_worth_a_warning():
    assert read_metadata({"resourceType": "CodeSystem", "status": "draft"}).warning_status == "draft"
    assert read_metadata({"resourceType": "CodeSystem", "status": "active", "experimental": True}).warning_status == "experimental"
    deprecated = {"resourceType": "CodeSystem", "status": "draft", "extension": [{"url": STANDARDS_STATUS, "valueCode": "deprecated"}]}
    assert read_metadata(deprecated).warning_status == "deprecated"
    normative = {"resourceType": "CodeSystem", "status": "active", "extension": [{"url": STANDARDS_STATUS, "valueCode": "normative"}]}
    assert read_metadata(normative).warning_status is None
