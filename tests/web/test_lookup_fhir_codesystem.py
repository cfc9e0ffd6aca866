"""CodeSystem/$lookup on a FHIR CodeSystem sent as tx-resource: designations, and a supplement's."""

from __future__ import annotations

from typing import Any

from fixture_resources import ANIMALS, SUPPLEMENT, resources

from .helpers import LOOKUP, param, parameters, parameters_body, parts, resource_of

TX_RESOURCES = [{"name": "tx-resource", "resource": r} for r in resources()]
PREFERRED = "preferredForLanguage"


def _lookup(client, code: str, *more: dict[str, Any]) -> dict[str, Any]:
    body = parameters_body({"name": "system", "valueUri": ANIMALS}, {"name": "code", "valueCode": code}, *more, *TX_RESOURCES)
    return resource_of(client.post(LOOKUP, data=body, content_type="application/fhir+json"))


def _designations(result) -> list[dict[str, Any]]:
    return [parts(p) for p in parameters(result, "designation")]


def test_the_display_and_the_translations_are_designations(client):
    result = _lookup(client, "dog")
    found = {(d.get("language"), d["value"], d["use"]["code"] if "use" in d else None) for d in _designations(result)}
    assert found == {("en", "Dog", PREFERRED), ("de", "Hund", None), ("fr", "Chien", None)}


def test_a_supplements_designations_say_where_they_come_from(client):
    result = _lookup(client, "penguin", {"name": "useSupplement", "valueCanonical": SUPPLEMENT})
    (german,) = [d for d in _designations(result) if d.get("language") == "de"]
    assert (german["value"], german["source"]) == ("Pinguin", f"{SUPPLEMENT}|1.0.0")
    assert param(result, "used-supplement") == f"{SUPPLEMENT}|1.0.0"


def test_without_the_supplement_nothing_of_it(client):
    result = _lookup(client, "penguin")
    assert [d for d in _designations(result) if d.get("language") == "de"] == []
    assert parameters(result, "used-supplement") == []
