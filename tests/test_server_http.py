"""The standalone server over real HTTP: started as a user starts it (``scripts/serve``), with
Granian and two forked workers, and spoken to with ``requests``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from lxml import etree

from release_in_effect import without_today_warning_json
from running_server import ROOT, RunningServer, free_port, start, stop

VENV_BIN = ROOT / ".venv" / "bin"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
FHIR_NS = "{http://hl7.org/fhir}"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def server(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    port = free_port()
    env = {"PORT": str(port), "HOST": "127.0.0.1", "WORKERS": "2", "TERMINOLOGY_CACHE_DIR": str(cache_dir)}
    running = start([str(ROOT / "scripts" / "serve")], env, port, tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop(running)


def _parameter(parameters: dict, name: str) -> dict:
    found = [p for p in parameters["parameter"] if p["name"] == name]
    assert found, f"no parameter {name!r} in {parameters}"
    return found[0]


def _properties(parameters: dict) -> dict[str, object]:
    """The first value of each property of a $lookup answer, by property code."""
    values: dict[str, object] = {}
    for p in parameters["parameter"]:
        if p["name"] == "property":
            parts = {part["name"]: part for part in p["part"]}
            value = next(v for k, v in parts["value"].items() if k.startswith("value"))
            values.setdefault(parts["code"]["valueCode"], value)
    return values


def _lookup(session, base: str, code: str) -> requests.Response:
    return session.get(f"{base}/CodeSystem/$lookup", params={"system": ICD10CM, "code": code}, timeout=30)


def _validate(session, base: str, code: str) -> requests.Response:
    return session.get(f"{base}/CodeSystem/$validate-code", params={"url": ICD10CM, "code": code}, timeout=30)


# -- operations -------------------------------------------------------------------------------------


def test_lookup_of_a_billable_code(server: RunningServer) -> None:
    response = _lookup(requests, server.base, "M48.48XA")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    answer = response.json()
    assert answer["resourceType"] == "Parameters"
    assert _parameter(answer, "display")["valueString"] == (
        "Fatigue fracture of vertebra, sacral and sacrococcygeal region, initial encounter for fracture"
    )
    properties = _properties(answer)
    assert properties["billable"] is True
    assert properties["parent"] == "M48.48"


def test_validate_code_of_a_header_code_warns_of_its_billable_codes(server: RunningServer) -> None:
    response = _validate(requests, server.base, "M48.48")
    assert response.status_code == 200
    answer = without_today_warning_json(response.json())  # (the default release's, tested in test_releases_in_time)
    assert _parameter(answer, "result")["valueBoolean"] is True
    issues = _parameter(answer, "issues")["resource"]["issue"]
    assert [issue["severity"] for issue in issues] == ["warning"]
    for code in ("M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"):
        assert code in issues[0]["details"]["text"]


def test_validate_code_of_a_sloppy_code_suggests_the_normalized_one(server: RunningServer) -> None:
    response = _validate(requests, server.base, "m4848xa")
    assert response.status_code == 200
    answer = response.json()
    assert _parameter(answer, "result")["valueBoolean"] is False
    assert _parameter(answer, "normalized-code")["valueCode"] == "M48.48XA"


def test_post_json_parameters(server: RunningServer) -> None:
    body = {
        "resourceType": "Parameters",
        "parameter": [{"name": "url", "valueUri": ICD10CM}, {"name": "code", "valueCode": "M48.48XA"}],
    }
    response = requests.post(
        f"{server.base}/CodeSystem/$validate-code",
        data=json.dumps(body),
        headers={"Content-Type": "application/fhir+json"},
        timeout=30,
    )
    assert response.status_code == 200
    answer = response.json()
    assert _parameter(answer, "result")["valueBoolean"] is True
    assert _parameter(answer, "code")["valueCode"] == "M48.48XA"


def test_post_xml_parameters_answered_in_xml(server: RunningServer) -> None:
    body = (
        '<Parameters xmlns="http://hl7.org/fhir">'
        f'<parameter><name value="url"/><valueUri value="{ICD10CM}"/></parameter>'
        '<parameter><name value="code"/><valueCode value="M48.48XA"/></parameter>'
        "</Parameters>"
    )
    response = requests.post(
        f"{server.base}/CodeSystem/$validate-code",
        data=body.encode(),
        headers={"Content-Type": "application/fhir+xml", "Accept": "application/fhir+xml"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/fhir+xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{FHIR_NS}Parameters"
    results = [
        p.find(f"{FHIR_NS}valueBoolean").get("value")
        for p in root.findall(f"{FHIR_NS}parameter")
        if p.find(f"{FHIR_NS}name").get("value") == "result"
    ]
    assert results == ["true"]


# -- the REST surface ---------------------------------------------------------------------------


def test_metadata(server: RunningServer) -> None:
    response = requests.get(f"{server.base}/metadata", timeout=30)
    assert response.status_code == 200
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["implementation"]["url"] == server.base


def test_unknown_path_is_a_404_operation_outcome(server: RunningServer) -> None:
    response = requests.get(f"{server.base}/NoSuchResource", timeout=30)
    assert response.status_code == 404
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "not-found"


def test_wrong_method_is_a_405_operation_outcome(server: RunningServer) -> None:
    response = requests.delete(f"{server.base}/metadata", timeout=30)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "not-supported"


def test_keep_alive_serves_many_requests_on_one_connection(server: RunningServer) -> None:
    with requests.Session() as session:
        for code in ("M48.48XA", "M48.48", "A00.0", "M48.48XS", "Z66"):
            response = _validate(session, server.base, code)
            assert response.status_code == 200
            assert _parameter(response.json(), "result")["valueBoolean"] is True
        pools = session.get_adapter(server.base).poolmanager.pools
        [pool] = [pools[key] for key in pools.keys()]
        assert pool.num_requests == 5
        assert pool.num_connections == 1


def test_concurrent_mixed_requests_are_all_answered(server: RunningServer) -> None:
    post_body = json.dumps(
        {"resourceType": "Parameters", "parameter": [{"name": "system", "valueUri": ICD10CM}, {"name": "code", "valueCode": "A00.0"}]}
    )

    def lookup_billable(session: requests.Session) -> None:
        response = _lookup(session, server.base, "M48.48XA")
        assert response.status_code == 200
        assert _properties(response.json())["parent"] == "M48.48"

    def validate_header(session: requests.Session) -> None:
        response = _validate(session, server.base, "M48.48")
        assert _parameter(response.json(), "result")["valueBoolean"] is True

    def validate_sloppy(session: requests.Session) -> None:
        response = _validate(session, server.base, "m4848xa")
        assert _parameter(response.json(), "normalized-code")["valueCode"] == "M48.48XA"

    def post_lookup(session: requests.Session) -> None:
        response = session.post(
            f"{server.base}/CodeSystem/$lookup", data=post_body, headers={"Content-Type": "application/fhir+json"}, timeout=30
        )
        assert response.status_code == 200
        assert _parameter(response.json(), "display")["valueString"].startswith("Cholera due to Vibrio cholerae 01")

    def metadata(session: requests.Session) -> None:
        response = session.get(f"{server.base}/metadata", timeout=30)
        assert response.json()["resourceType"] == "CapabilityStatement"

    def not_found(session: requests.Session) -> None:
        response = session.get(f"{server.base}/CodeSystem/no-such-system", timeout=30)
        assert response.status_code == 404
        assert response.json()["resourceType"] == "OperationOutcome"

    kinds = [lookup_billable, validate_header, validate_sloppy, post_lookup, metadata, not_found]
    sessions = [requests.Session() for _ in range(8)]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            # request i runs on session i % 8, and each session only ever in one thread at a time
            def run_lane(lane: int) -> int:
                for i in range(lane, 400, 8):
                    kinds[i % len(kinds)](sessions[lane])
                return len(range(lane, 400, 8))

            assert sum(pool.map(run_lane, range(8))) == 400
    finally:
        for session in sessions:
            session.close()


# -- the command line and the cache ----------------------------------------------------------------


def test_serve_help() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "terminology"), "serve", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for option in ("--host", "--port", "--workers", "--cache-dir"):
        assert option in result.stdout


def test_python_m_serve_reuses_the_compiled_cache(server: RunningServer, cache_dir: Path, tmp_path: Path) -> None:
    compiled = sorted(cache_dir.glob("icd10cm-*.marshal"))
    # each embedded release's own copy, one of the three compiled together (what a start reads), and the code history's
    assert len(compiled) == 5 and len(list(cache_dir.glob("icd10cm-releases-*.marshal"))) == 1, list(cache_dir.iterdir())
    assert len(list(cache_dir.glob("icd10cm-history-*.marshal"))) == 1
    before = [(path.stat().st_ino, path.stat().st_mtime_ns) for path in compiled]

    port = free_port()
    command = [str(VENV_BIN / "python"), "-m", "terminology", "serve", "--port", str(port), "--workers", "1"]
    env = {"TERMINOLOGY_CACHE_DIR": str(cache_dir), "PORT": "1"}  # --port wins over PORT
    second = start(command, env, port, tmp_path / "second.log")
    try:
        response = _validate(requests, second.base, "m4848xa")
        assert _parameter(response.json(), "normalized-code")["valueCode"] == "M48.48XA"
        assert requests.get(f"{second.base}/metadata", timeout=30).json()["implementation"]["url"] == second.base
    finally:
        stop(second)

    assert sorted(cache_dir.glob("icd10cm-*.marshal")) == compiled
    after = [(path.stat().st_ino, path.stat().st_mtime_ns) for path in compiled]
    assert after == before  # read, not rewritten
