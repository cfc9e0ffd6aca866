"""``TerminologyClient`` over real HTTP against this server (``terminology serve``): every operation, paging
of real expansions, and the bulk calls in each of their forms, answer for answer against single calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import requests

import terminology
from running_server import ROOT, RunningServer, free_port, start, stop
from terminology.client import (
    ICD10CM,
    ClientError,
    CodeQuery,
    ExpansionConcept,
    OperationOutcomeError,
    TerminologyClient,
)

from .stub_server import Request, Reply, fhir, stub_server

GUIDANCE = "http://fhir.icd10cm-terminology.org/ValueSet"
BILLABLE = f"{GUIDANCE}/icd10cm-billable"
FRACTURES = f"{GUIDANCE}/icd10cm-m4848-acute-traumatic-fractures"  # 137 codes
PREDISPOSING = f"{GUIDANCE}/icd10cm-m4848-predisposing-conditions"  # 268 codes
M48 = f"{ICD10CM}?fhir_vs=isa/M48"  # 147 codes, nested when expanded whole
FY2021_TO_FY2022 = "http://fhir.icd10cm-terminology.org/ConceptMap/icd10cm-fy2021-to-fy2022"
IN_FY2021 = date(2021, 6, 1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    port = free_port()
    command = [str(ROOT / ".venv" / "bin" / "terminology"), "serve", "--port", str(port), "--workers", "1"]
    env = {"TERMINOLOGY_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    running = start(command, env, port, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop(running)


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[TerminologyClient]:
    with TerminologyClient(server.base) as client:
        yield client


def test_importing_the_client_loads_neither_flask_nor_the_server():
    import subprocess
    import sys

    code = "import sys, terminology.client; print(sorted(m for m in ('flask', 'terminology.web', 'terminology.registry', 'lxml') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


# -- metadata -------------------------------------------------------------------------------------


def test_metadata_is_what_the_capability_statement_says(client, server):
    capabilities = client.metadata()
    assert (capabilities.software_name, capabilities.software_version) == ("terminology", terminology.__version__)
    assert capabilities.fhir_version == "4.0.1"
    assert capabilities.batch
    assert capabilities.offers("lookup", "CodeSystem") and capabilities.offers("subsumes", "CodeSystem")
    assert capabilities.offers("expand", "ValueSet") and capabilities.offers("translate", "ConceptMap")
    assert not capabilities.offers("lookup", "ValueSet")
    assert capabilities.statement == requests.get(f"{server.base}/metadata", timeout=30).json()


# -- $validate-code ------------------------------------------------------------------------------


def test_validate_a_billable_code(client):
    validation = client.validate_code("M48.48XA")
    assert validation.valid and validation.code == "M48.48XA" and validation.system == ICD10CM
    assert validation.display == "Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture"
    assert validation.version == "2026"
    assert validation.severity in (None, "information", "warning")


def test_validate_a_code_written_without_its_dot_names_the_code_meant(client):
    validation = client.validate_code("m4848xa")
    assert not validation.valid and validation.normalized_code == "M48.48XA"
    assert validation.severity == "error" and "Unknown_Code_in_Version" in validation.message_ids


def test_validate_a_deleted_code_today_and_on_a_day_it_was_in_effect(client):
    today = client.validate_code("T40.7X1A")
    assert not today.valid and "ICD10CM_CODE_DELETED" in today.message_ids
    deleted = next(issue for issue in today.issues if issue.message_id == "ICD10CM_CODE_DELETED")
    assert "T40.711A" in deleted.message and deleted.expression == ("code",)
    then = client.validate_code("T40.7X1A", date=IN_FY2021)
    assert then.valid and then.version == "2021"
    assert client.validate_code("T40.7X1A", version="2021").valid


def test_validate_a_display(client):
    assert client.validate_code("M48.48XA", display="Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture").valid
    wrong = client.validate_code("M48.48XA", display="Broken toe")
    assert wrong.issues and any("Broken toe" in issue.message for issue in wrong.issues)


def test_validate_in_a_value_set_by_url_and_by_url_and_version(client):
    assert client.validate_code("M48.48XA", value_set=BILLABLE).valid
    header = client.validate_code("M48.48", value_set=BILLABLE)
    assert not header.valid and header.code == "M48.48"
    assert client.validate_code("M48.48XA", value_set=f"{BILLABLE}|0.1.0").valid
    with pytest.raises(OperationOutcomeError) as raised:
        client.validate_code("M48.48XA", value_set=f"{BILLABLE}|9.9.9")
    assert raised.value.status == 404


def test_an_error_answer_is_raised_with_its_outcome(client):
    with pytest.raises(OperationOutcomeError) as raised:
        client.validate_code("")
    error = raised.value
    assert error.status == 400 and error.outcome["resourceType"] == "OperationOutcome"
    assert [issue.severity for issue in error.issues] == ["error"] and "empty" in str(error)


# -- $lookup --------------------------------------------------------------------------------------


def test_lookup_a_header(client):
    lookup = client.lookup("M48.48", properties=["billable", "chapter"])
    assert (lookup.code, lookup.system, lookup.version) == ("M48.48", ICD10CM, "2026")
    assert lookup.display == "Fatigue fracture of vertebra, sacral and sacrococcygeal region"
    assert lookup.abstract is True and lookup.billable is False
    assert lookup.values("billable") == (False,) and lookup.values("chapter") == ("13",)
    assert ("en", lookup.display) in lookup.designations
    assert lookup.history is None


def test_lookup_with_every_property_has_notes_with_subproperties(client):
    lookup = client.lookup("M48.48XA")
    assert lookup.abstract is False and lookup.billable is True
    notes = [prop for prop in lookup.properties if prop.code == "sevenChrDef"]
    assert notes and all(prop.subproperties for prop in notes)
    assert {sub.code for sub in notes[0].subproperties} >= {"source"}


def test_lookup_a_deleted_code_on_a_day_it_was_in_effect_has_its_history(client):
    lookup = client.lookup("T40.7X1A", date=IN_FY2021, properties=["fiscalYears", "deleted", "replacedBy"])
    assert lookup.version == "2021"
    assert lookup.history is not None
    assert (lookup.history.fiscal_years, lookup.history.deleted) == ("2019-2021", "2021-10-01")
    assert lookup.history.replaced_by == ("T40.711A", "T40.721A")


def test_lookup_a_retitled_code_has_its_previous_title(client):
    history = client.lookup("A77.41", properties=["previousTitle"]).history
    assert history is not None
    assert history.previous_titles == (("Ehrlichiosis chafeensis [E. chafeensis]", "FY2019-FY2024"),)


def test_lookup_an_unknown_code_raises_a_404(client):
    with pytest.raises(OperationOutcomeError) as raised:
        client.lookup("ZZZ.99")
    assert raised.value.status == 404 and raised.value.issues[0].code == "not-found"
    assert "ZZZ.99" in str(raised.value)


# -- $expand --------------------------------------------------------------------------------------


def _unpaged(server: RunningServer, url: str) -> list[tuple[str, str | None, bool | None]]:
    """One $expand of the whole value set, its (nested) contains read here on their own."""
    answer = requests.get(f"{server.base}/ValueSet/$expand", params={"url": url}, timeout=30).json()
    found: list[tuple[str, str | None, bool | None]] = []

    def walk(contains: list[dict[str, Any]]) -> None:
        for entry in contains:
            found.append((entry["code"], entry.get("display"), entry.get("abstract")))
            walk(entry.get("contains", []))

    walk(answer["expansion"]["contains"])
    assert len(found) == answer["expansion"]["total"]
    return found


def _seen(concepts: list[ExpansionConcept]) -> list[tuple[str, str | None, bool | None]]:
    return [(concept.code, concept.display, concept.abstract) for concept in concepts]


@pytest.mark.parametrize("url", [M48, FRACTURES], ids=["isa-M48", "guidance"])
def test_expand_pages_through_the_whole_expansion(client, server, url):
    whole = _unpaged(server, url)
    assert len(whole) > 100
    paged = list(client.expand(url, page_size=10))
    assert _seen(paged) == whole
    assert all(concept.system == ICD10CM for concept in paged)
    assert _seen(list(client.expand(url, page_size=1000))) == whole


def test_expand_count_limits_what_is_read(client, server):
    assert _seen(list(client.expand(M48, count=25, page_size=10))) == _unpaged(server, M48)[:25]
    assert list(client.expand(M48, count=0)) == []


def test_expand_filter_and_date(client):
    found = [concept.code for concept in client.expand(f"{ICD10CM}?fhir_vs", filter="fatigue fract sacr", count=10)]
    assert "M48.48XA" in found
    then = [concept.code for concept in client.expand(f"{ICD10CM}?fhir_vs=isa/T40.7", date=IN_FY2021)]
    assert "T40.7X1A" in then and "T40.711A" not in then


def test_expand_a_value_set_too_large_to_expand_at_once_in_pages(client):
    concepts = list(client.expand(f"{ICD10CM}?fhir_vs", count=2500, page_size=1000))
    assert len({concept.code for concept in concepts}) == 2500


# -- $subsumes and $translate -------------------------------------------------------------------


def test_subsumes(client):
    assert client.subsumes("M48.4", "M48.48XA").outcome == "subsumes"
    assert client.subsumes("M48.48XA", "M48.4").outcome == "subsumed-by"
    assert client.subsumes("M48.48XA", "M48.48XA").outcome == "equivalent"
    assert client.subsumes("M48.4", "A00.0", version="2025").outcome == "not-subsumed"


def test_subsumes_by_date_is_refused_where_the_server_does_not_declare_it(client):
    # R4's $subsumes has no 'date'; this server names HL7's OperationDefinition, so none is sent
    with pytest.raises(ClientError, match="does not declare a 'date' parameter for \\$subsumes"):
        client.subsumes("M48.4", "M48.48XA", date=IN_FY2021)


def test_translate_a_deleted_code_and_back(client):
    forward = client.translate("T40.7X1A", ICD10CM, url=FY2021_TO_FY2022, version="2021")
    assert forward.result
    assert [(match.equivalence, match.concept.code, match.concept.version) for match in forward.matches] == [
        ("narrower", "T40.711A", "2022"),
        ("narrower", "T40.721A", "2022"),
    ]
    assert {match.source for match in forward.matches} == {FY2021_TO_FY2022}
    back = client.translate("T40.711A", ICD10CM, url=FY2021_TO_FY2022, reverse=True)
    assert [(match.equivalence, match.concept.code) for match in back.matches] == [("narrower", "T40.7X1A")]
    assert not client.translate("T40.711A", ICD10CM, url=FY2021_TO_FY2022, target_system="http://snomed.info/sct").result


# -- bulk, answer for answer against single calls ----------------------------------------------


@pytest.fixture(scope="module")
def queries(client) -> list[str | CodeQuery]:
    """Real codes (the guidance value sets') mixed with bad and dated ones."""
    real = [concept.code for url in (FRACTURES, PREDISPOSING) for concept in client.expand(url)]
    bad = ["m4848xa", "M4848XA", "M48.48", "A00", "T40.7X1A", "ZZZ.99", " M48.48XA", "", "M48.48XA|x"]
    dated = [CodeQuery("T40.7X1A", date=IN_FY2021), CodeQuery("M48.48XA", version="2025"), CodeQuery("M48.48XA", version="1999")]
    displayed = [CodeQuery("M48.48XA", display="Broken toe")]
    mixed: list[str | CodeQuery] = list(real[::2])
    for index, query in enumerate(bad + dated + displayed):
        mixed.insert(index * 13, query)
    assert len(mixed) > 200
    return mixed


def _same(answer: Any) -> Any:
    """An answer as compared: an error by its status and issues (OperationOutcomeError has no equality)."""
    return ("error", answer.status, answer.issues) if isinstance(answer, OperationOutcomeError) else answer


def _single(call, query: str | CodeQuery) -> Any:
    query = CodeQuery(query) if isinstance(query, str) else query
    try:
        return _same(call(query))
    except OperationOutcomeError as error:
        return _same(error)


@pytest.mark.parametrize("bulk", ["bundle", "single"])
def test_validate_many_answers_as_single_calls_in_order(client, server, queries, bulk):
    expected = [_single(lambda q: client.validate_code(q.code, q.system, version=q.version, display=q.display, date=q.date), q) for q in queries]
    assert any(isinstance(answer, tuple) for answer in expected)  # errors among them
    with TerminologyClient(server.base, bulk=bulk, batch_size=64) as bulk_client:
        assert [_same(answer) for answer in bulk_client.validate_many(queries)] == expected


@pytest.mark.parametrize("bulk", ["batch-validate-code", "bundle", "auto"])
def test_validate_many_in_a_value_set_answers_as_single_calls_in_order(client, server, queries, bulk):
    expected = [
        _single(lambda q: client.validate_code(q.code, q.system, version=q.version, display=q.display, date=q.date, value_set=BILLABLE), q)
        for q in queries
    ]
    with TerminologyClient(server.base, bulk=bulk, batch_size=100) as bulk_client:
        assert [_same(answer) for answer in bulk_client.validate_many(queries, value_set=BILLABLE)] == expected


@pytest.mark.parametrize("bulk", ["bundle", "single"])
def test_lookup_many_answers_as_single_calls_in_order(client, server, queries, bulk):
    properties = ("billable", "chapter", "deleted", "replacedBy")
    expected = [_single(lambda q: client.lookup(q.code, q.system, version=q.version, date=q.date, properties=properties), q) for q in queries]
    assert sum(isinstance(answer, tuple) for answer in expected) >= 5  # unknown codes: 404s in their place
    with TerminologyClient(server.base, bulk=bulk, batch_size=64) as bulk_client:
        assert [_same(answer) for answer in bulk_client.lookup_many(queries, properties=properties)] == expected


# -- parameters beyond R4's, sent only where the server declares them -----------------------------

_OWN_SUBSUMES = "http://example.org/OperationDefinition/CodeSystem-subsumes"


def _declaring(parameters: list[str]):
    statement = {
        "resourceType": "CapabilityStatement",
        "rest": [{"mode": "server", "resource": [{"type": "CodeSystem", "operation": [{"name": "subsumes", "definition": _OWN_SUBSUMES}]}]}],
    }
    definition = {
        "resourceType": "OperationDefinition",
        "url": _OWN_SUBSUMES,
        "parameter": [{"name": name, "use": "in"} for name in parameters] + [{"name": "outcome", "use": "out"}],
    }

    def answer(request: Request) -> Reply:
        if request.path == "metadata":
            return fhir(statement)
        if request.path == "OperationDefinition":
            assert dict(request.query) == {"url": _OWN_SUBSUMES}
            return fhir({"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": definition}]})
        return fhir({"resourceType": "Parameters", "parameter": [{"name": "outcome", "valueCode": "subsumes"}]})

    return answer


def test_subsumes_sends_date_to_a_server_whose_operation_definition_declares_it():
    with stub_server(_declaring(["system", "codeA", "codeB", "date"])) as server, TerminologyClient(server.base) as client:
        assert client.subsumes("M48.4", "M48.48XA", date=IN_FY2021).outcome == "subsumes"
        client.subsumes("M48.4", "M48.48XA", date=IN_FY2021)
    paths = [request.path for request in server.requests]
    assert paths == ["metadata", "OperationDefinition", "CodeSystem/$subsumes", "CodeSystem/$subsumes"]
    assert dict(server.requests[2].query)["date"] == "2021-06-01"


def test_subsumes_sends_no_date_to_a_server_whose_operation_definition_does_not_declare_it():
    with stub_server(_declaring(["system", "codeA", "codeB"])) as server, TerminologyClient(server.base) as client:
        with pytest.raises(ClientError, match="does not declare"):
            client.subsumes("M48.4", "M48.48XA", date=IN_FY2021)
        assert client.subsumes("M48.4", "M48.48XA").outcome == "subsumes"
    assert "date" not in dict(server.requests[-1].query)
