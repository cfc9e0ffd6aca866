"""The in-process library (terminology.library): the server's answers as Python calls."""

from __future__ import annotations

import random
from datetime import date
from urllib.parse import urlencode

import pytest
import simple_icd_10_cm as oracle

from terminology.errors import NotFound
from terminology.fhir.lookup import lookup_parameters
from terminology.fhir.validate_code import validation_parameters
from terminology.library import ICD10CM_URL, LocalTerminology

from web.helpers import LOOKUP, VALIDATE, resource_of

ICD10CM_ALL = f"{ICD10CM_URL}?fhir_vs"
# The oracle's codes, without its chapters (ICD-10-CM's chapters are a property here, not codes).
ORACLE_CODES = sorted(code for code in oracle.get_all_codes(with_dots=True) if not oracle.is_chapter(code))


@pytest.fixture(scope="module")
def terminology(registry):
    return LocalTerminology(registry)


def _sample_codes() -> list[str]:
    """Codes as engines send them: codes of the release, headers, codes without their dot, and codes
    that are not there (a real code with a character changed)."""
    rng = random.Random(6)
    real = rng.sample(ORACLE_CODES, 40)
    dotless = [code.replace(".", "") for code in real[:10]]
    wrong = [code[:-1] + ("Z" if code[-1] != "Z" else "Y") for code in real[10:20]]
    return real + dotless + wrong + ["", "m48.48xa", "M48.48 XA"]


@pytest.mark.parametrize("code", _sample_codes())
def test_a_validation_is_the_servers_answer(terminology, client, code):
    answer = terminology.code_system().validate_code(code)
    served = resource_of(client.get(f"{VALIDATE}?{urlencode({'url': ICD10CM_URL, 'code': code})}")) if code else None
    if served is not None:
        assert validation_parameters(answer) == served
    assert answer.result == (code in ORACLE_CODES)


def test_a_code_that_comes_again_gets_the_kept_answer(terminology):
    icd10cm = terminology.code_system()
    assert icd10cm.validate_code("M48.48XA") is icd10cm.validate_code("M48.48XA")
    assert icd10cm.validate_code("M48.48XD").code == "M48.48XD"


def test_only_the_latest_answers_are_kept(registry):
    icd10cm = LocalTerminology(registry, cache_size=2).code_system()
    first = icd10cm.validate_code("M48.48XA")
    icd10cm.validate_code("M48.48XD")
    icd10cm.validate_code("M48.48XG")
    again = icd10cm.validate_code("M48.48XA")
    assert again is not first and again == first


def test_a_display_is_checked(terminology):
    icd10cm = terminology.code_system()
    assert icd10cm.validate_code("M48.48XA").result
    wrong = icd10cm.validate_code("M48.48XA", "Fatigue fracture")
    assert not wrong.result and "Wrong Display Name 'Fatigue fracture'" in wrong.message
    right = oracle.get_description("M48.48XA")
    assert icd10cm.validate_code("M48.48XA", right).result


def test_a_header_in_a_value_set_that_allows_none(terminology):
    assert terminology.validate_code("M48.48", value_set=ICD10CM_ALL).result
    refused = terminology.validate_code("M48.48", value_set=ICD10CM_ALL, abstract_allowed=False)
    assert not refused.result and "M48.48XA, M48.48XD, M48.48XG, M48.48XS" in refused.message


def test_a_value_set_of_the_guidance_package(terminology):
    billable = "http://fhir.icd10cm-terminology.org/ValueSet/icd10cm-billable"
    assert terminology.validate_code("M48.48XA", value_set=billable).result
    assert not terminology.validate_code("M48.48", value_set=billable).result


def test_an_unknown_value_set(terminology):
    with pytest.raises(NotFound, match="http://example.org/nothing"):
        terminology.validate_code("M48.48XA", value_set="http://example.org/nothing")


def test_an_unknown_code_system(terminology):
    answer = terminology.validate_code("M48.48XA", "http://example.org/nothing")
    assert not answer.result and "http://example.org/nothing" in answer.message
    with pytest.raises(NotFound, match="http://example.org/nothing"):
        terminology.code_system("http://example.org/nothing")
    with pytest.raises(NotFound, match="1999"):
        terminology.code_system(ICD10CM_URL, "1999")


def test_a_lookup_is_the_servers_answer(terminology, client):
    answer = terminology.code_system().lookup("M48.48XA")
    served = resource_of(client.get(f"{LOOKUP}?{urlencode({'system': ICD10CM_URL, 'code': 'M48.48XA'})}"))
    assert lookup_parameters(answer, "M48.48XA", ICD10CM_URL) == served
    billable = terminology.lookup("M48.48XA", properties=["billable"]).properties
    assert [(p.code, p.value) for p in billable] == [("billable", True)]


def test_languages_choose_displays(registry):
    answer = LocalTerminology(registry, languages=["de"]).validate_code("M48.48XA", display="Fatigue fracture")
    assert not answer.result and "de" in answer.message


def test_a_date_of_service_chooses_the_release_in_effect(terminology):
    """T40.7X1A was deleted on 2021-10-01; U09.9 was added then (the embedded FY2021 and FY2025 releases)."""
    old, new = date(2021, 6, 1), date(2025, 6, 1)
    assert [(r.result, r.version) for r in (terminology.validate_code("T40.7X1A", date=old), terminology.validate_code("T40.7X1A", date=new))] == [(True, "2021"), (False, "2025")]
    assert terminology.lookup("U09.9", date=new).version == "2025"
    with pytest.raises(NotFound):
        terminology.lookup("U09.9", date=old)
