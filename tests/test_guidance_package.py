"""The coding guidance for M48.48 (resources/icd10cm-guidance/package/): a valid FHIR R4 package that
keeps the seed page's words, and what the server answers with it over HTTP."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import simple_icd_10_cm as oracle

from conftest import assert_valid_r4
from terminology.content import GUIDANCE_PACKAGE, resources_dir
from terminology.web.app import create_app
from web.helpers import param, parameters, parameters_body, parts, resource_of

PACKAGE = resources_dir() / GUIDANCE_PACKAGE
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_e6224f6099d75ff2.txt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOOKUP = "/fhir/CodeSystem/$lookup"
EXPAND = "/fhir/ValueSet/$expand"
VALIDATE = "/fhir/ValueSet/$validate-code"


def _manifest() -> dict[str, Any]:
    return json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))


def _resources() -> list[dict[str, Any]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in _resource_files()]


def _resource_files() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("*.json") if path.name != "package.json" and not path.name.startswith("."))


def _by_id(id: str) -> dict[str, Any]:
    return next(resource for resource in _resources() if resource["id"] == id)


SUPPLEMENT = _by_id("icd10cm-guidance-m4848")["url"]
BASE = _manifest()["canonical"]


def _kinds() -> set[str]:
    """The codes of the kinds of statement (the children of statement-kind in the guidance's own code system)."""
    (kinds,) = [c for c in _by_id("icd10cm-guidance-kind")["concept"] if c["code"] == "statement-kind"]
    return {c["code"] for c in kinds["concept"]}


def _seed_lines() -> list[str]:
    if not SEED.is_file():
        pytest.skip(f"the seed page is not beside the project ({SEED})")
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the package ------------------------------------------------------------------------------


def test_the_manifest_says_what_the_hl7_tools_need():
    manifest = _manifest()
    assert manifest["name"] and manifest["version"] and manifest["fhirVersions"] == ["4.0.1"]
    assert manifest["dependencies"] == {"hl7.fhir.r4.core": "4.0.1"}
    index = json.loads((PACKAGE / ".index.json").read_text(encoding="utf-8"))
    assert sorted(entry["filename"] for entry in index["files"]) == [path.name for path in _resource_files()]


@pytest.mark.parametrize("resource", _resources(), ids=lambda resource: resource["id"])
def test_every_resource_is_valid_r4_under_the_one_canonical_base(resource):
    assert_valid_r4(resource)
    assert resource["url"].startswith(BASE + "/")
    for key in ("name", "title", "description", "status"):
        assert resource[key], key


def test_the_statements_keep_the_pages_words_and_not_its_billable_claim():
    lines = _seed_lines()
    supplement = _by_id("icd10cm-guidance-m4848")
    (concept,) = supplement["concept"]
    said = [p["valueString"] for p in concept["property"]] + [d["value"] for d in concept["designation"]]
    assert sorted(said) == sorted(line for line in lines if "billable" not in line)
    assert not any("billable code" in text for text in said)
    assert {p["code"] for p in concept["property"]} <= _kinds()  # every kind is defined, with a meaning
    assert all(p["description"] and p["uri"].endswith("#" + p["code"]) for p in supplement["property"])


def test_the_package_is_what_the_script_makes_of_the_page(tmp_path):
    _seed_lines()
    spec = importlib.util.spec_from_file_location("build_guidance", Path(__file__).resolve().parents[1] / "scripts" / "build_guidance_package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(SEED, tmp_path):
        assert path.read_bytes() == (PACKAGE / path.name).read_bytes(), path.name


# --- over HTTP --------------------------------------------------------------------------------


def _guidance(result, qualifier: str = "source") -> dict[str, list[tuple[str, str]]]:
    """Guidance property code -> [(value, its subproperty ``qualifier``)]."""
    kinds = _kinds()
    found: dict[str, list[tuple[str, str]]] = {}
    for prop in parameters(result, "property"):
        items = parts(prop)
        if items["code"] in kinds:
            qualifiers = {sub["code"]: sub["value"] for sub in items["subproperty"]}
            found.setdefault(items["code"], []).append((items["value"], qualifiers.get(qualifier)))
    return found


@pytest.mark.parametrize("code", ["M48.48", "M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"])
def test_lookup_with_the_supplement_gives_the_guidance_marked_where_it_is_written(client, code):
    result = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": code, "useSupplement": SUPPLEMENT}))
    guidance = _guidance(result)
    assert len(guidance["documentation-requirement"]) == 2 and len(guidance["procedure-performer"]) == 1
    assert {source for values in guidance.values() for _, source in values} == {"M48.48"}  # inherited below it
    assert param(result, "used-supplement").startswith(SUPPLEMENT + "|")


def test_each_statement_says_which_part_of_the_guidance_it_belongs_to(client):
    result = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "M48.48XA", "useSupplement": SUPPLEMENT}))
    topics = {kind: [topic["code"] if topic else None for _, topic in values] for kind, values in _guidance(result, "guidance-topic").items()}
    assert topics["documentation-requirement"] == ["the-condition", "underlying-conditions"]
    assert topics["procedure-performer"] == ["related-procedure"]
    assert topics["differential"] == [None]  # about the whole code


def test_a_client_can_ask_for_exactly_the_documentation_requirements(client):
    query = {"system": ICD10CM, "code": "M48.48XA", "useSupplement": SUPPLEMENT, "property": "documentation-requirement"}
    result = resource_of(client.get(LOOKUP, query_string=query))
    assert [parts(p)["code"] for p in parameters(result, "property")] == ["documentation-requirement"] * 2


def test_without_the_supplement_no_guidance(client):
    result = resource_of(client.get(LOOKUP, query_string={"system": ICD10CM, "code": "M48.48"}))
    assert _guidance(result) == {}


def test_m4848_is_not_in_the_billable_value_set_and_the_message_says_which_codes_are(client):
    query = {"url": f"{BASE}/ValueSet/icd10cm-billable", "system": ICD10CM, "code": "M48.48"}
    result = resource_of(client.get(VALIDATE, query_string=query))
    assert param(result, "result") is False
    for billable in ("M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"):
        assert billable in param(result, "message")
    valid = resource_of(client.get(VALIDATE, query_string={**query, "code": "M48.48XA"}))
    assert param(valid, "result") is True


def _expand(client, id: str, **query: Any) -> dict[str, Any]:
    return resource_of(client.get(EXPAND, query_string={"url": f"{BASE}/ValueSet/{id}", "excludeNested": "true", **query}))


def _codes(value_set) -> list[str]:
    return [item["code"] for item in value_set["expansion"].get("contains", [])]


def test_the_fatigue_fracture_value_set_is_m4848_and_its_four_codes(client):
    assert sorted(_codes(_expand(client, "icd10cm-m4848-fatigue-fracture-sacral"))) == ["M48.48", *oracle.get_children("M48.48")]


@pytest.mark.parametrize(
    "id, holds, lacks",
    [
        # Spondylopathies, but not the fatigue fracture itself (M48.4 is one).
        ("icd10cm-m4848-predisposing-conditions", ["M45.0", "M48.061", "M46.1"], ["M48.4", "M48.48XA", "S32.10XA"]),
        ("icd10cm-m4848-acute-traumatic-fractures", ["S32.10XA", "S32.2XXA"], ["S32.001A", "M48.48XA"]),
    ],
)
def test_the_differential_value_sets(client, id, holds, lacks):
    codes = set(_codes(_expand(client, id, count="1000")))
    assert set(holds) <= codes and not set(lacks) & codes


def test_the_billable_value_set_pages_and_filters(client):
    first = _expand(client, "icd10cm-billable", count="10")
    second = _expand(client, "icd10cm-billable", count="10", offset="10")
    codes = set(oracle.get_all_codes(with_dots=True))
    # (B20, F99, ... are a block and a category at once: the category counts)
    leaves = {c for c in codes if oracle.is_leaf(c) and (oracle.is_category(c) or oracle.is_subcategory(c))}
    assert first["expansion"]["total"] == len(leaves)
    assert len(_codes(first)) == len(_codes(second)) == 10 and not set(_codes(first)) & set(_codes(second))
    filtered = _codes(_expand(client, "icd10cm-billable", filter="fatigue fract sacr", count="10"))
    assert set(filtered[:4]) == set(oracle.get_children("M48.48"))  # the best matches first


# --- applied by default -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guided(tmp_path_factory):
    """A server configured to apply the guidance supplement without being asked."""
    config = {"TERMINOLOGY_DEFAULT_SUPPLEMENTS": [SUPPLEMENT], "TERMINOLOGY_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    return create_app(config).test_client()


def test_the_capability_statement_says_which_supplements_apply_by_default(client, guided):
    (rest,) = resource_of(guided.get("/fhir/metadata"))["rest"]
    assert SUPPLEMENT in rest["documentation"]
    (plain,) = resource_of(client.get("/fhir/metadata"))["rest"]
    assert "supplements applied by default" in rest["documentation"]
    assert "supplements applied by default" not in plain["documentation"]  # (which says which releases it holds)


@pytest.mark.parametrize("asked", [{}, {"useSupplement": SUPPLEMENT}])
def test_guidance_applied_by_default_once(guided, asked):
    result = resource_of(guided.get(LOOKUP, query_string={"system": ICD10CM, "code": "M48.48XS", **asked}))
    assert len(_guidance(result)["documentation-requirement"]) == 2  # not twice when also asked for


def test_the_guidance_is_the_same_at_every_lookup_and_for_each_code_below(guided):
    def guidance(code: str) -> dict[str, list[tuple[str, str]]]:
        return _guidance(resource_of(guided.get(LOOKUP, query_string={"system": ICD10CM, "code": code})))

    first = guidance("M48.48XA")
    assert first and first == guidance("M48.48XA") == guidance("M48.48XD") == guidance("M48.48")


def test_guidance_for_another_code_is_data_only(client):
    """A supplement of the same shape for another code, sent with the request: no code knows M48.48."""
    other = {
        "resourceType": "CodeSystem", "url": "http://example.org/fhir/CodeSystem/sacrum-guidance", "version": "1",
        "status": "active", "content": "supplement", "supplements": f"{ICD10CM}|2026",
        "property": [{"code": "documentation-requirement", "type": "string", "description": "What to document"}],
        "concept": [{"code": "S32.1", "property": [{"code": "documentation-requirement", "valueString": "Record the mechanism of injury."}]}],
    }  # fmt: skip
    body = parameters_body(
        {"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": "S32.10XA"},
        {"name": "useSupplement", "valueCanonical": other["url"]}, {"name": "tx-resource", "resource": other},
    )  # fmt: skip
    result = resource_of(client.post(LOOKUP, data=body, content_type="application/fhir+json"))
    assert _guidance(result)["documentation-requirement"] == [("Record the mechanism of injury.", "S32.1")]


@pytest.mark.parametrize(
    "id, text",
    [
        ("icd10cm-m4848-fatigue-fracture-sacral", "sequela"),
        ("icd10cm-billable", "sacral"),
        ("icd10cm-m4848-predisposing-conditions", "stenosis"),
        ("icd10cm-m4848-acute-traumatic-fractures", "coccyx"),
    ],
)
def test_every_value_set_expands_with_filter_count_and_offset(client, id, text):
    whole = _expand(client, id, filter=text, count="1000")
    codes = _codes(whole)
    assert codes and whole["expansion"]["total"] == len(codes)
    for item in whole["expansion"]["contains"]:  # in its display, or in one of its inclusion terms
        said = [item["display"], *oracle.get_inclusion_term(item["code"])]
        assert any(text in words.lower() for words in said), item["code"]
    page = _expand(client, id, filter=text, count="2", offset="1")
    assert _codes(page) == codes[1:3] and page["expansion"]["offset"] == 1
