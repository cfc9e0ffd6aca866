"""The embedded content answers what the server answers: each call of terminology.bulk.embedded, and every
row of a report of a file of real codes mixed with bad ones, against the server's own answers over HTTP."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

import terminology.client
from running_server import RunningServer, serving, without_request_id
from terminology.bulk.embedded import EmbeddedTerminology
from terminology.cli import main
from terminology.client.errors import OperationOutcomeError
from terminology.library import LocalTerminology
from web.helpers import issues, param, properties

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
REPLACED_BY = "http://fhir.icd10cm-terminology.org/StructureDefinition/replaced-by"
SEVERITIES = ("fatal", "error", "warning", "information")
#: Days of service: none, FY2021 (its January update), FY2024 (no release of it is embedded), FY2026; and what is no date.
DATES = ("", "2021-06-01", "2024-02-29", "2026-05-01", "2021-02-30", "yesterday")
NEEDS_CLIENT = pytest.mark.skipif(
    not hasattr(terminology.client, "TerminologyClient"), reason="--server needs terminology.client.TerminologyClient"
)


@pytest.fixture(scope="module")
def server(registry, release_cache, tmp_path_factory) -> Iterator[RunningServer]:
    with serving(release_cache, tmp_path_factory.mktemp("serve") / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def embedded(registry) -> EmbeddedTerminology:
    return EmbeddedTerminology(LocalTerminology(registry))


# -- the server's answers, read here from its Parameters --------------------------------------------------


def _served_validation(http: requests.Session, base: str, code: str, day: str) -> dict[str, Any]:
    query = {"url": ICD10CM, "code": code, **({"date": day} if day else {})}
    answer = http.get(f"{base}/CodeSystem/$validate-code", params=query, timeout=30)
    assert answer.status_code == 200, answer.text
    resource = answer.json()
    found = issues(resource)
    replaced = [ext["valueCode"] for issue in found for ext in issue.get("extension", []) if ext["url"] == REPLACED_BY]
    worst = min((SEVERITIES.index(issue["severity"]) for issue in found), default=None)
    return {
        "valid": param(resource, "result"),
        "display": param(resource, "display"),
        "version": param(resource, "version"),
        "message": param(resource, "message"),
        "suggested_code": param(resource, "normalized-code") or " ".join(dict.fromkeys(replaced)) or None,
        "severity": SEVERITIES[worst] if worst is not None else None,
    }


def _served_billable(http: requests.Session, base: str, code: str, version: str) -> bool:
    query = {"system": ICD10CM, "code": code, "version": version, "property": "display"}
    answer = http.get(f"{base}/CodeSystem/$lookup", params=query, timeout=30)
    assert answer.status_code == 200, answer.text
    return not param(answer.json(), "abstract")


# -- a report, row by row ---------------------------------------------------------------------------------


def _codes(registry) -> list[str]:
    """Codes as files hold them: billable codes and headers of the newest release, codes deleted since FY2021
    and added since, written without the dot or in lower case, made up, empty."""
    rng = random.Random(13)
    newest = registry.code_system(ICD10CM).release.entries
    fy2021 = registry.code_system(ICD10CM, "2021").release.entries
    billable = sorted(code for code, e in newest.items() if not e.children and e.kind != "block")
    headers = sorted(code for code, e in newest.items() if e.children and e.kind != "block")
    deleted = sorted(code for code, e in fy2021.items() if code not in newest and e.kind != "block")
    added = sorted(code for code in billable if code not in fy2021)
    real = rng.sample(billable, 60)
    return [
        *real, *rng.sample(headers, 15), *rng.sample(deleted, 20), *rng.sample(added, 20),
        *(code.replace(".", "") for code in real[:15]), *(code.lower() for code in real[15:25]),
        *(code[:-1] + "Q" for code in real[25:40]), "M54.5", "T40.7X1A", "m4848xa", " M48.48XA", "", "  ",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def rows(registry) -> list[tuple[str, str, str]]:
    """(claim line, code, date of service): each code on two days drawn from DATES."""
    rng = random.Random(2026)
    codes = _codes(registry)
    return [(str(line), code, rng.choice(DATES)) for line, code in enumerate([*codes, *codes], start=1)]


def test_every_row_of_the_report_is_the_servers_answer_for_its_code_on_its_date(server, http, rows, compiled_content, tmp_path, capsys):
    source, report = tmp_path / "codes.csv", tmp_path / "report.csv"
    with source.open("w", newline="") as file:
        csv.writer(file).writerows([("line", "code", "seen"), *rows])
    assert main(["validate", "--file", str(source), "--column", "code", "--date-column", "seen", "--out", str(report)]) == 1
    with report.open(newline="") as file:
        written = list(csv.DictReader(file))
    assert len(written) == len(rows)
    for (line, code, day), row in zip(rows, written):
        assert (row["line"], row["code"], row["seen"]) == (line, code, day)
        if not code.strip() or day in ("2021-02-30", "yesterday"):
            assert (row["valid"], row["severity"], row["billable"], row["version"]) == ("false", "error", "", ""), row
            assert row["message"] in ("the row has no code", f"'{day}' is not a date (YYYY-MM-DD)"), row
            continue
        served = _served_validation(http, server.base, code, day)
        expected = {key: "" if value is None else value for key, value in served.items()}
        expected["valid"] = "true" if served["valid"] else "false"
        expected["billable"] = ""
        if served["valid"]:
            expected["billable"] = "true" if _served_billable(http, server.base, code, served["version"]) else "false"
        assert {key: row[key] for key in expected} == expected, (code, day)
    summary = capsys.readouterr().err.splitlines()
    assert summary[0].startswith(f"rows {len(rows)}: ")
    assert any(line.startswith("  release 2021: ") for line in summary) and any(line.startswith("  release 2026: ") for line in summary)


@NEEDS_CLIENT
def test_a_report_through_the_server_is_the_report_of_the_embedded_content(server, rows, compiled_content, tmp_path):
    source = tmp_path / "codes.csv"
    with source.open("w", newline="") as file:
        csv.writer(file).writerows([("line", "code", "seen"), *rows])
    reports = []
    for where in ([], ["--server", server.base]):
        out = tmp_path / f"report-{len(reports)}.ndjson"
        assert main(["validate", "--file", str(source), "--column", "code", "--date-column", "seen", "--format", "ndjson", "--out", str(out), *where]) == 1
        reports.append(out.read_text())
    assert reports[1] == reports[0]


@NEEDS_CLIENT
@pytest.mark.parametrize("argv", [["validate", "m4848xa"], ["validate", "M48.48", "--date", "2021-06-01"], ["lookup", "M54.5"], ["lookup", "Q99.99X"]])
def test_one_code_through_the_server_is_answered_as_by_the_embedded_content(server, compiled_content, capsys, argv):
    answers = []
    for where in ([], ["--server", server.base]):
        status = main([*argv, "--json", *where])
        answers.append((status, *capsys.readouterr()))
    assert answers[1] == answers[0]


def test_the_suggested_code_is_the_code_meant_else_the_replacements_of_a_deleted_one(server, http, embedded):
    for code in ("m4848xa", "M4848XA", "T40.7X1A", "M54.5"):
        answer = embedded.validate_code(code)
        served = _served_validation(http, server.base, code, "")
        assert (answer.normalized_code or " ".join(answer.replaced_by) or None) == served["suggested_code"]
    assert embedded.validate_code("m4848xa").normalized_code == "M48.48XA"


# -- each call ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "query"),
    [
        ("M48.48XA", {}),
        ("M48.48", {"property": ["billable", "chapter", "child"]}),
        ("T40.7X1A", {"version": "2021"}),  # deleted since: its history
        ("M54.5", {}),  # a header since FY2022
        ("U09.9", {"date": "2026-05-01"}),
    ],
)
def test_a_lookup_is_the_servers(server, http, embedded, code, query):
    served = http.get(f"{server.base}/CodeSystem/$lookup", params={"system": ICD10CM, "code": code, **query}, timeout=30).json()
    day = date.fromisoformat(query["date"]) if "date" in query else None
    found = embedded.lookup(code, version=query.get("version"), date=day, properties=query.get("property", ()))
    assert (found.code, found.system, found.name, found.version, found.display, found.abstract) == (
        code, ICD10CM, param(served, "name"), param(served, "version"), param(served, "display"), param(served, "abstract"),
    )  # fmt: skip
    assert [(prop.code, prop.value) for prop in found.properties] == [(prop["code"], prop["value"]) for prop in properties(served)]
    assert [issue.message for issue in found.issues] == [issue["details"]["text"] for issue in issues(served)]
    if code in ("T40.7X1A", "M54.5"):
        assert found.history is not None and found.history.replaced_by


def test_an_unknown_code_is_the_servers_404(server, http, embedded):
    served = http.get(f"{server.base}/CodeSystem/$lookup", params={"system": ICD10CM, "code": "T40.7X1A"}, timeout=30)
    with pytest.raises(OperationOutcomeError) as raised:
        embedded.lookup("T40.7X1A")
    assert (raised.value.status, raised.value.outcome) == (served.status_code, without_request_id(served.json()))
    assert [answer.status for answer in embedded.lookup_many(["T40.7X1A"]) if isinstance(answer, OperationOutcomeError)] == [404]


def test_an_unknown_value_set_is_the_servers_error(server, http, embedded):
    query = {"url": "http://example.org/ValueSet/none", "system": ICD10CM, "code": "A00.0"}
    served = http.get(f"{server.base}/ValueSet/$validate-code", params=query, timeout=30)
    with pytest.raises(OperationOutcomeError) as raised:
        embedded.validate_code("A00.0", value_set="http://example.org/ValueSet/none")
    assert (raised.value.status, raised.value.outcome) == (served.status_code, without_request_id(served.json()))
    [answer] = embedded.validate_many(["A00.0"], value_set="http://example.org/ValueSet/none")
    assert isinstance(answer, OperationOutcomeError) and answer.message == raised.value.message


def test_a_value_set_validation_is_the_servers(server, http, embedded):
    billable = "http://fhir.icd10cm-terminology.org/ValueSet/icd10cm-billable"
    for code in ("M48.48", "M48.48XA"):
        query = {"url": billable, "system": ICD10CM, "code": code}
        served = http.get(f"{server.base}/ValueSet/$validate-code", params=query, timeout=30).json()
        answer = embedded.validate_code(code, value_set=billable)
        assert (answer.valid, answer.message, answer.version) == (param(served, "result"), param(served, "message"), param(served, "version"))


def test_an_expansion_is_the_servers_page_after_page(server, http, embedded):
    url = f"{ICD10CM}?fhir_vs"
    served = http.get(f"{server.base}/ValueSet/$expand", params={"url": url, "filter": "fracture sacr", "count": 40}, timeout=30).json()
    expected = [(item["code"], item.get("display"), item.get("abstract")) for item in served["expansion"]["contains"]]
    assert [(c.code, c.display, c.abstract) for c in embedded.expand(url, filter="fracture sacr", count=40)] == expected
    everything = list(embedded.expand(url, filter="fracture sacr"))  # (all of it: as many as the server counts)
    assert len(everything) == served["expansion"]["total"] > 40
