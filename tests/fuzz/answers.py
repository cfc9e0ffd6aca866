"""Sending a fuzzed request to the running server, and what every answer must be, whatever was sent:
no 5xx, no hang, a FHIR resource in JSON or XML (an OperationOutcome that says what is wrong for every
error) or a page for a browser that asked for one, and nothing of the server's insides (a stack trace, a
file path, a Python repr)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

import requests
from lxml import etree

from conftest import assert_valid_r4
from html_reading import read_page

__all__ = ["HANG_SECONDS", "SENT", "assert_sound", "assert_sound_answer", "send"]

#: An answer slower than this is taken for a hang (a bound on a stuck server, not a measure of speed).
HANG_SECONDS = 10.0
#: Requests sent by the fuzz tests of this run, for the summary at the end.
SENT = {"requests": 0}

_FHIR = "{http://hl7.org/fhir}"
_LEAKS = re.compile(r"Traceback|/work/|site-packages|\.py\"|\.py:\d|<[\w.]+ object at 0x|File \"")
_SEVERITIES = frozenset({"fatal", "error", "warning", "information"})


def send(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request, counted; a request that gets no answer within :data:`HANG_SECONDS` fails the test."""
    SENT["requests"] += 1
    started = time.monotonic()
    try:
        answer = session.request(method, url, timeout=HANG_SECONDS, allow_redirects=False, **kwargs)
    except requests.Timeout as error:
        raise AssertionError(f"no answer within {HANG_SECONDS:.0f} s to {method} {url}") from error
    assert time.monotonic() - started < HANG_SECONDS, f"{method} {url} took {time.monotonic() - started:.1f} s"
    return answer


def assert_sound(answer: requests.Response, what: str = "") -> None:
    """Everything every answer must be (``what`` says what was sent, for the message)."""
    said = f"{answer.request.method} {answer.request.url} {what}"
    assert_sound_answer(answer.status_code, answer.headers.get("content-type", ""), answer.content, said)


def assert_sound_answer(status: int, content_type: str, body: bytes, said: str) -> None:
    """:func:`assert_sound` of an answer's parts (``said``: what was sent)."""
    said = f"{said[:1500]}: {status} {body[:1500].decode('utf-8', 'replace')}"
    assert status < 500, said
    assert not _LEAKS.search(body.decode("utf-8")), f"the server's insides in the answer: {said}"
    media_type = content_type.split(";")[0].strip()
    if media_type == "application/fhir+json":
        _assert_json(json.loads(body), status, said)
    elif media_type == "application/fhir+xml":
        _assert_xml(etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True)), status, said)
    elif media_type == "text/html":
        _assert_page(body, status, said)
    else:
        raise AssertionError(f"not FHIR JSON or XML, nor a page ({media_type!r}): {said}")


def _assert_json(resource: Mapping[str, Any], status: int, said: str) -> None:
    assert isinstance(resource, dict) and isinstance(resource.get("resourceType"), str), said
    if status >= 400:
        assert resource["resourceType"] == "OperationOutcome", said
        issues = resource.get("issue")
        assert isinstance(issues, list) and issues, said
        for issue in issues:
            assert issue.get("severity") in _SEVERITIES and issue.get("code"), said
            assert _words(issue.get("diagnostics")) or _words((issue.get("details") or {}).get("text")), f"no message: {said}"
        assert_valid_r4(dict(resource))


def _assert_xml(root: etree._Element, status: int, said: str) -> None:
    assert root.tag.startswith(_FHIR), said
    if status >= 400:
        assert root.tag == f"{_FHIR}OperationOutcome", said
        issues = root.findall(f"{_FHIR}issue")
        assert issues, said
        for issue in issues:
            assert issue.find(f"{_FHIR}severity").get("value") in _SEVERITIES, said
            assert issue.find(f"{_FHIR}code").get("value"), said
            messages = [element.get("value") for element in issue.iter(f"{_FHIR}diagnostics", f"{_FHIR}text")]
            assert any(_words(message) for message in messages), f"no message: {said}"


def _assert_page(body: bytes, status: int, said: str) -> None:
    """A page: a whole document, its tags balanced, no script; an error's says so, with its status."""
    assert body.startswith(b"<!DOCTYPE html>"), said
    page = read_page(body)
    assert not page.unbalanced and "script" not in page.tags, said
    if status >= 400:
        assert page.headings[0][1].startswith(f"Error {status}: "), said


def _words(message: Any) -> bool:
    """Whether ``message`` is something a person can read: words, not a code or an empty string."""
    return isinstance(message, str) and len(re.findall(r"[A-Za-z]{2,}", message)) >= 2
