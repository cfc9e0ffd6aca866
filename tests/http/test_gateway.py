"""terminology.http.gateway, in the app the standalone server serves (in process): the request id in the
header and in every OperationOutcome, the security headers, CORS, the admin token, the health paths,
writes refused, and the counts of /metrics."""

from __future__ import annotations

import gc
import io
import os
import time

import orjson
import pytest
from lxml import etree

from conftest import assert_valid_r4
from terminology.fhir.answer_source import answering_code_system
from terminology.http.request_log import RequestLog
from terminology.http.request_records import AnsweredRequest
from terminology.web.app import READINESS_KEY, create_app

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOOKUP = f"/fhir/CodeSystem/$lookup?system={ICD10CM}&code="
ALL_CODES = f"/fhir/ValueSet/$expand?url={ICD10CM}?fhir_vs"
ORIGIN = "https://clinic.example.org:8443"
TOKEN = "an admin token of some length"


@pytest.fixture(scope="module")
def secured(registry):
    """A server with CORS for one origin and an admin token."""
    return create_app({"TERMINOLOGY_CORS_ORIGINS": f"{ORIGIN}, https://other.example.org", "TERMINOLOGY_ADMIN_TOKEN": TOKEN}, registry).test_client()


# -- the request id --------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["abc-123", "a" * 128, "urn:uuid:6f1882f6-22ff-4036.8f79_09a6cc14621d"])
def test_a_sane_request_id_of_the_client_is_kept(client, given) -> None:
    answer = client.get(LOOKUP + "Z66", headers={"X-Request-Id": given})
    assert answer.status_code == 200 and answer.headers["X-Request-Id"] == given


@pytest.mark.parametrize("given", ["", "a" * 129, "two words", 'quote"d', "semi;colon", "new\u00e9line"])
def test_an_insane_request_id_is_replaced_by_a_new_one(client, given) -> None:
    answer = client.get(LOOKUP + "Z66", headers={"X-Request-Id": given})
    found = answer.headers["X-Request-Id"]
    assert found != given and len(found) == 32 and int(found, 16) >= 0


def test_each_request_without_an_id_gets_a_new_one(client) -> None:
    ids = {client.get("/livez").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


def test_an_error_operation_outcome_names_the_request_id_in_each_issues_diagnostics(client) -> None:
    answer = client.get(LOOKUP + "NOPE", headers={"X-Request-Id": "find-me-1"})
    outcome = answer.get_json()
    assert answer.status_code == 404 and outcome["resourceType"] == "OperationOutcome"
    assert [issue["diagnostics"] for issue in outcome["issue"]] == ["request-id: find-me-1"]
    assert_valid_r4(outcome)


def test_a_new_request_id_is_the_one_in_the_operation_outcome(client) -> None:
    answer = client.get("/fhir/NoSuchType")
    assert answer.get_json()["issue"][0]["diagnostics"] == f"request-id: {answer.headers['X-Request-Id']}"


def test_the_request_id_in_xml_is_in_the_place_r4_gives_diagnostics(client) -> None:
    answer = client.get(ALL_CODES + "&_format=xml", headers={"X-Request-Id": "xml-2", "X-TOO-COSTLY-THRESHOLD": "5"})
    issue = etree.fromstring(answer.data).find("{http://hl7.org/fhir}issue")
    names = [etree.QName(child).localname for child in issue]
    assert answer.status_code == 422 and names == ["severity", "code", "details", "diagnostics"]
    assert issue.find("{http://hl7.org/fhir}diagnostics").get("value") == "request-id: xml-2"


def test_a_successful_answer_is_not_changed_by_the_request_id(client) -> None:
    answer = client.get(LOOKUP + "Z66", headers={"X-Request-Id": "ok-3"})
    assert b"ok-3" not in answer.data


# -- headers -------------------------------------------------------------------------------------


def test_every_answer_says_nosniff_and_names_no_library_in_server(client) -> None:
    for path in (LOOKUP + "Z66", LOOKUP + "NOPE", "/livez", "/metrics", "/nowhere"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Server"] == "terminology", path


def test_errors_are_never_cached_and_successes_keep_their_own_rules(client) -> None:
    assert client.get(LOOKUP + "NOPE").headers["Cache-Control"] == "no-store"
    assert client.get("/nowhere").headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client.get(LOOKUP + "Z66").headers


def test_html_gets_a_content_security_policy_that_allows_nothing(client) -> None:
    page = client.get("/nowhere")  # the framework's own 404 page
    assert page.content_type.startswith("text/html")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "Content-Security-Policy" not in client.get(LOOKUP + "Z66").headers


def test_an_html_page_that_brings_its_own_policy_keeps_it_alone(registry) -> None:
    app = create_app(registry=registry)
    own = "default-src 'none'; style-src 'self'"
    app.add_url_rule("/own-page", "own_page", lambda: ("<p>ours</p>", 200, {"Content-Security-Policy": own}))
    page = app.test_client().get("/own-page")
    assert page.content_type.startswith("text/html")
    assert page.headers.getlist("Content-Security-Policy") == [own]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_the_server_is_read_only_a_write_is_405_naming_what_the_path_takes(client, method) -> None:
    answer = client.open("/fhir/CodeSystem/icd10cm-2026", method=method, json={"resourceType": "CodeSystem"})
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET"
    assert answer.get_json()["issue"][0]["code"] == "not-supported"


# -- CORS ------------------------------------------------------------------------------------------


def test_cors_is_off_by_default(client) -> None:
    headers = client.get(LOOKUP + "Z66", headers={"Origin": ORIGIN}).headers
    assert not [name for name in headers.keys() if name.startswith("Access-Control-")]
    preflight = client.options(LOOKUP + "Z66", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 405 and "Access-Control-Allow-Origin" not in preflight.headers


def test_an_allowed_origin_is_echoed_with_vary_origin(secured) -> None:
    headers = secured.get(LOOKUP + "Z66", headers={"Origin": ORIGIN}).headers
    assert headers["Access-Control-Allow-Origin"] == ORIGIN and "Origin" in headers.getlist("Vary")
    assert "X-Request-Id" in headers["Access-Control-Expose-Headers"]


def test_an_origin_not_allowed_gets_no_cors_header(secured) -> None:
    headers = secured.get(LOOKUP + "Z66", headers={"Origin": "https://evil.example.com"}).headers
    assert not [name for name in headers.keys() if name.startswith("Access-Control-")]
    assert "Origin" in headers.getlist("Vary")


def test_a_preflight_from_an_allowed_origin_is_204_with_methods_headers_and_max_age(secured) -> None:
    request_headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    answer = secured.options("/fhir/ValueSet/$validate-code", headers=request_headers)
    assert answer.status_code == 204 and answer.data == b""
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert {"GET", "POST"} <= set(answer.headers["Access-Control-Allow-Methods"].replace(" ", "").split(","))
    assert "content-type" in answer.headers["Access-Control-Allow-Headers"].lower()
    assert int(answer.headers["Access-Control-Max-Age"]) > 0


def test_a_preflight_from_an_origin_not_allowed_is_not_answered_as_one(secured) -> None:
    answer = secured.options("/fhir/ValueSet/$validate-code", headers={"Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"})
    assert answer.status_code == 405 and "Access-Control-Allow-Origin" not in answer.headers


def test_any_origin(registry) -> None:
    anyone = create_app({"TERMINOLOGY_CORS_ORIGINS": "*"}, registry).test_client()
    assert anyone.get(LOOKUP + "Z66", headers={"Origin": "https://a.example"}).headers["Access-Control-Allow-Origin"] == "*"


# -- the admin paths -------------------------------------------------------------------------------


def test_the_admin_paths_are_not_there_without_a_token(client) -> None:
    assert client.get("/admin/settings", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer", "Basic " + TOKEN, TOKEN])
def test_an_admin_path_without_a_bearer_token_is_401_with_the_challenge(secured, authorization) -> None:
    answer = secured.get("/admin/settings", headers={"Authorization": authorization} if authorization else {})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer ")
    assert TOKEN.encode() not in answer.data


@pytest.mark.parametrize("token", [TOKEN[:-1], TOKEN + "x", "x" * len(TOKEN), TOKEN.upper()])
def test_a_wrong_token_is_401_invalid_token(secured, token) -> None:
    answer = secured.get("/admin/settings", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401 and 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_right_token_shows_the_settings_in_effect_but_not_the_token(secured) -> None:
    answer = secured.get("/admin/settings", headers={"Authorization": f"Bearer {TOKEN}"})
    settings = answer.get_json()
    assert answer.status_code == 200
    assert settings["TERMINOLOGY_CORS_ORIGINS"] == [ORIGIN, "https://other.example.org"]
    assert settings["TERMINOLOGY_ADMIN_TOKEN"] == "(set)" and TOKEN.encode() not in answer.data
    assert settings["TERMINOLOGY_URL_PREFIX"] == "/fhir" and "TERMINOLOGY_CACHE_DIR" in settings


def test_an_admin_path_takes_get_only(secured) -> None:
    answer = secured.post("/admin/settings", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET"


# -- health ----------------------------------------------------------------------------------------


def test_livez_and_readyz_answer_json_outside_the_fhir_base(client) -> None:
    assert client.get("/livez").get_json() == {"status": "live"}
    assert client.get("/readyz").get_json() == {"status": "ready"}
    assert client.get("/fhir/livez").status_code == 404


def test_readyz_is_503_with_the_reason_while_not_ready(registry) -> None:
    app = create_app(registry=registry)
    app.extensions[READINESS_KEY].not_ready("the server is stopping")
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.get_json() == {"status": "not ready", "reason": "the server is stopping"}
    assert app.test_client().get("/livez").status_code == 200


# -- metrics (one process: the counts over several workers are tested over HTTP) --------------------


def _samples(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of the samples of ``name`` in an exposition."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels, _, value = line[len(name):].rpartition(" ")
            found[labels] = float(value)
    return found


def test_metrics_count_requests_by_operation_and_status_and_refusals_as_too_costly(registry) -> None:
    fresh = create_app(registry=registry).test_client()
    for code in ("Z66", "A00", "NOPE"):
        fresh.get(LOOKUP + code)
    fresh.get(ALL_CODES, headers={"X-TOO-COSTLY-THRESHOLD": "10"})
    answer = fresh.get("/metrics")
    text = answer.data.decode()
    assert answer.content_type.startswith("text/plain") and "version=" in answer.content_type
    requests = _samples(text, "terminology_request_duration_seconds_count")
    assert requests['{operation="lookup",status="200"}'] == 2 and requests['{operation="lookup",status="404"}'] == 1
    assert requests['{operation="expand",status="422"}'] == 1
    assert _samples(text, "terminology_too_costly_total") == {'{operation="expand"}': 1}
    assert _samples(text, "terminology_request_duration_seconds_bucket")['{le="+Inf",operation="lookup",status="200"}'] == 2


def test_metrics_name_each_code_system_version_loaded(client) -> None:
    info = _samples(client.get("/metrics").data.decode(), "terminology_code_system_info")
    assert info[f'{{default="true",system="{ICD10CM}",version="2026"}}'] == 1
    assert info[f'{{default="false",system="{ICD10CM}",version="2025"}}'] == 1


def test_a_batch_entrys_error_names_the_batchs_request_id(client) -> None:
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [{"request": {"method": "GET", "url": "CodeSystem/$lookup?system=x&code=y"}}]}
    answer = client.post("/fhir", data=orjson.dumps(bundle), headers={"Content-Type": "application/fhir+json", "X-Request-Id": "batch-1"})
    [entry] = answer.get_json()["entry"]
    assert answer.status_code == 200 and answer.headers["X-Request-Id"] == "batch-1"
    assert entry["response"]["status"].startswith("404") and entry["resource"]["issue"][0]["diagnostics"] == "request-id: batch-1"


# -- the request log's line ------------------------------------------------------------------------


def _logged(log_query: bool, environ: dict, resource: dict | None) -> dict:
    read, write = os.pipe()
    try:
        answered_by = answering_code_system(resource) if resource is not None else None
        query = environ["QUERY_STRING"] if log_query else None
        request = AnsweredRequest(time.time(), environ["REQUEST_METHOD"], environ["PATH_INFO"], query, 200, "lookup", 0.0012345, "rid-1", answered_by, False)
        RequestLog(write, log_query).write_all([request])
        return orjson.loads(os.read(read, 65536))
    finally:
        os.close(read)
        os.close(write)


def test_a_request_log_line_holds_no_query_unless_asked() -> None:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/fhir/CodeSystem/$lookup", "QUERY_STRING": "code=S72.001A"}
    answer = {"resourceType": "Parameters", "parameter": [{"name": "version", "valueString": "2026"}, {"name": "system", "valueUri": ICD10CM}]}
    line = _logged(False, environ, answer)
    assert line["path"] == "/fhir/CodeSystem/$lookup" and "query" not in line and "S72" not in orjson.dumps(line).decode()
    assert (line["operation"], line["status"], line["duration_ms"], line["request_id"]) == ("lookup", 200, 1.234, "rid-1")
    assert (line["system"], line["version"]) == (ICD10CM, "2026")
    assert _logged(True, environ, None)["query"] == "code=S72.001A"


def test_an_answer_is_freed_when_it_is_sent_not_left_to_the_garbage_collector(registry) -> None:
    """What the front layer keeps of a request for its log and metrics makes no reference cycle with the
    request's environ: a cycle kept every answer (a $lookup's is thousands of objects) alive until the
    collector ran, and cost a third of the throughput. (The app is called as a WSGI server calls it:
    Flask's test client makes cycles of its own.)"""
    app = create_app(registry=registry)
    codes = ("A00.0", "E11.22", "M48.48XA", "Z66", "I10")

    def lookup(code: str) -> list[str]:
        statuses: list[str] = []
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": "/fhir/CodeSystem/$lookup", "wsgi.input": io.BytesIO(b""),
            "QUERY_STRING": f"system=http://hl7.org/fhir/sid/icd-10-cm&code={code}", "wsgi.url_scheme": "http",
            "SERVER_NAME": "localhost", "SERVER_PORT": "80", "HTTP_HOST": "localhost",
        }  # fmt: skip
        app(environ, lambda status, headers, exc_info=None: statuses.append(status))
        return statuses

    for code in codes:  # (warms what is made once: the caches of each code's answer)
        lookup(code)
    gc.collect()
    gc.disable()
    try:
        assert [lookup(code) for code in codes] == [["200 OK"]] * len(codes)
        assert gc.collect() == 0
    finally:
        gc.enable()
