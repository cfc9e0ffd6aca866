"""terminology.operations.lookup: ``CodeSystem/$lookup`` with a typed request, over the server's registry."""

from __future__ import annotations

import json
import re

import pytest

from icd10cm_oracle import ICD10CM, display, is_billable, note_chain, notes, oracle, parent_of, sample
from terminology.content import GUIDANCE_PACKAGE, resources_dir
from terminology.context import RequestContext
from terminology.errors import NotFound
from terminology.model import Coding, Designation, Property
from terminology.operations.lookup import LookupRequest, lookup
from terminology.providers.base import PREFERRED_FOR_LANGUAGE
from terminology.providers.icd10cm_changes import HISTORY_PROPERTIES

CONTEXT = RequestContext()
SYNONYM = Coding("http://snomed.info/sct", None, "900000000000013009", "Synonym")
GUIDANCE = "http://fhir.icd10cm-terminology.org/CodeSystem/icd10cm-guidance-m4848"

HISTORY = frozenset(definition.code for definition in HISTORY_PROPERTIES)


def _lookup(registry, code, **fields):
    return lookup(registry, LookupRequest(ICD10CM, code, **fields), CONTEXT)


def _values(result, name):
    return [p.value for p in result.properties if p.code == name]


def test_every_sampled_code(registry):
    for code in sample():
        result = _lookup(registry, code)
        assert (result.name, result.version, result.display, result.abstract) == ("ICD10CM", "2026", display(code), not is_billable(code)), code
        assert result.designations == (
            Designation(display(code), "en", PREFERRED_FOR_LANGUAGE),
            *(Designation(term, "en", SYNONYM) for term in notes("inclusionTerm", code)),
        ), code
        parent = parent_of(code)
        assert _values(result, "parent") == ([parent] if parent else []), code
        assert _values(result, "billable") == [is_billable(code)], code
        assert result.supplements == ()
        assert result.definition is None


def test_m48_48_is_abstract(registry):
    result = _lookup(registry, "M48.48")
    assert result.display == display("M48.48") == "Fatigue fracture of vertebra, sacral and sacrococcygeal region"
    assert result.abstract is True
    assert _values(result, "child") == oracle.get_children("M48.48")
    assert _values(result, "notSelectable") == [True]


def test_all_properties_by_default_with_every_note_that_applies(registry):
    result = _lookup(registry, "M48.48XA")
    assert result.abstract is False
    assert [p.code for p in result.properties][:5] == ["parent", "notSelectable", "billable", "chapter", "block"]
    assert _values(result, "chapter") == ["13"] and _values(result, "block") == ["M45-M49"]
    notes = [p for p in result.properties if p.subproperties and p.code not in HISTORY]  # (previousTitle has one too)
    written = [(p.code, p.value, *(s.value for s in p.subproperties)) for p in notes]
    assert written == list(note_chain("M48.48XA"))
    assert _lookup(registry, "M48.48XA", properties=("*",)) == result


@pytest.mark.parametrize(
    "asked",
    [("parent",), ("child", "billable"), ("excludes1",), ("sevenChrDef", "chapter"), ("no-such-property",), ()],
)
def test_only_the_properties_asked_for(registry, asked):
    everything = _lookup(registry, "M48.48XA").properties
    result = _lookup(registry, "M48.48XA", properties=asked)
    assert result.properties == tuple(p for p in everything if p.code in asked)
    assert result.display == display("M48.48XA")


def test_the_version_asked_for(registry):
    assert _lookup(registry, "M48.48", version="2026").version == "2026"


def _raises_not_found(registry, request, tx_code, expression) -> str:
    with pytest.raises(NotFound) as caught:
        lookup(registry, request, CONTEXT)
    assert (caught.value.status, caught.value.issue_type) == (404, "not-found")
    assert (caught.value.tx_code, caught.value.expression) == (tx_code, expression)
    return caught.value.message


def test_an_unknown_version(registry):
    message = _raises_not_found(registry, LookupRequest(ICD10CM, "M48.48", version="2019"), "not-found", "system")
    assert message == (
        f"A definition for CodeSystem '{ICD10CM}' version '2019' could not be found, so the code cannot be looked up. Valid versions: 2021, 2025 and 2026"
    )


def test_an_unknown_system(registry):
    message = _raises_not_found(registry, LookupRequest("http://example.org/no-such-system", "M48.48"), "not-found", "system")
    assert message == "A definition for CodeSystem 'http://example.org/no-such-system' could not be found, so the code cannot be looked up"


@pytest.mark.parametrize("code", ["M48.48XQ", "Q99.99X", "", "13"])
def test_an_unknown_code(registry, code):
    message = _raises_not_found(registry, LookupRequest(ICD10CM, code), "invalid-code", "code")
    assert message == f"Unable to find code '{code}' in {ICD10CM} version 2026"


@pytest.mark.parametrize("code", ["m4848xa", "M4848XA", "m48.48xa", "m48.48a"])
def test_an_unknown_code_names_the_code_meant(registry, code):
    message = _raises_not_found(registry, LookupRequest(ICD10CM, code), "invalid-code", "code")
    assert message == f"Unable to find code '{code}' in {ICD10CM} version 2026; did you mean 'M48.48XA'?"


# --- the guidance supplement ----------------------------------------------------------------


@pytest.fixture(scope="module")
def guidance():
    """The supplement as its file writes it: what the lookup's answers are checked against."""
    return json.loads((resources_dir() / GUIDANCE_PACKAGE / "CodeSystem-icd10cm-guidance-m4848.json").read_text())


def _guidance_properties(guidance, source, level):
    [concept] = [c for c in guidance["concept"] if c["code"] == source]
    made = []
    for prop in concept["property"]:
        topics = [
            Property(ext["url"].rsplit("/", 1)[-1], Coding(**{k: ext["valueCoding"][k] for k in ("system", "code", "display")}), "Coding")
            for ext in prop.get("extension", ())
        ]
        origin = [Property("source", source, "code"), Property("level", level, "code")]
        made.append(Property(prop["code"], prop["valueString"], "string", None, (*topics, *origin)))
    return made


def test_a_supplement_adds_its_properties_to_the_code_and_the_codes_below(registry, guidance):
    assert guidance["supplements"] == f"{ICD10CM}|2026"
    kinds = {p["code"] for p in guidance["property"]}
    expected = _guidance_properties(guidance, "M48.48", "subcategory")
    assert len(expected) >= len(kinds) and any(p.subproperties[0].code == "guidance-topic" for p in expected)
    for code in ("M48.48", "M48.48XA", "M48.48XS"):
        result = _lookup(registry, code, supplements=(GUIDANCE,))
        assert result.supplements == (f"{GUIDANCE}|{guidance['version']}",)
        assert [p for p in result.properties if p.code in kinds] == expected, code
        plain = _lookup(registry, code)
        assert [p for p in result.properties if p.code not in kinds] == list(plain.properties)
    above = _lookup(registry, "M48.4", supplements=(GUIDANCE,))
    assert [p for p in above.properties if p.code in kinds] == []  # the codes above M48.48 take none


def test_a_supplement_adds_its_designations_to_the_code_it_names(registry, guidance):
    [concept] = [c for c in guidance["concept"] if c["code"] == "M48.48"]
    added = [Designation(d["value"], d["language"], Coding(d["use"]["system"], None, d["use"]["code"], d["use"]["display"])) for d in concept["designation"]]
    assert added
    plain = _lookup(registry, "M48.48")
    assert _lookup(registry, "M48.48", supplements=(GUIDANCE,)).designations == (*plain.designations, *added)
    assert _lookup(registry, "M48.48XA", supplements=(GUIDANCE,)).designations == _lookup(registry, "M48.48XA").designations


def test_one_kind_of_guidance(registry, guidance):
    result = _lookup(registry, "M48.48XA", supplements=(GUIDANCE,), properties=("documentation-requirement",))
    texts = [p["valueString"] for c in guidance["concept"] for p in c["property"] if p["code"] == "documentation-requirement"]
    assert [p.value for p in result.properties] == texts != []


def test_an_unknown_supplement(registry):
    missing = "http://example.org/CodeSystem/no-such-supplement"
    with pytest.raises(NotFound, match=re.escape(f"Required supplement not found: {missing}")) as caught:
        _lookup(registry, "M48.48", supplements=(missing,))
    assert caught.value.tx_code == "not-found"
