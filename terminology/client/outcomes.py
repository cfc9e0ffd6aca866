"""Reading OperationOutcome: its issues as :class:`Issue`, and a server's error answer as the
:class:`OperationOutcomeError` a call raises (or a bulk call yields in the place of one code)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ..fhir.outcome import MESSAGE_ID, REPLACED_BY, TX_ISSUE_TYPE
from .errors import OperationOutcomeError
from .results import Issue
from .shapes import array, checked, obj, optional_str

__all__ = ["error_of_answer", "error_of_outcome", "read_issues", "unexpected_answer"]

# The issue type said for an error answer that carries no OperationOutcome, by HTTP status.
_ISSUE_TYPE_OF_STATUS = {
    400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported", 408: "timeout",
    409: "conflict", 410: "deleted", 413: "too-long", 422: "processing", 429: "throttled",
}  # fmt: skip
# The HTTP status an error of an issue type has, for an OperationOutcome that came without one of its own
# (a validation of a $batch-validate-code): the status the same request, sent alone, is answered with.
_STATUS_OF_ISSUE_TYPE = {"not-found": 404, "too-long": 413, "too-costly": 422, "exception": 500, "transient": 503}


def read_issues(outcome: dict[str, Any], where: str = "OperationOutcome") -> tuple[Issue, ...]:
    """The issues of an OperationOutcome, in its order."""
    return tuple(_issue(issue, f"{where}.issue[{index}]") for index, issue in enumerate(array(outcome.get("issue"), f"{where}.issue")))


def _issue(value: Any, where: str) -> Issue:
    issue = obj(value, where)
    details = obj(issue.get("details") or {}, f"{where}.details")
    message_id, replaced_by = None, []
    for index, extension in enumerate(array(issue.get("extension"), f"{where}.extension")):
        path = f"{where}.extension[{index}]"
        url = obj(extension, path).get("url")
        if url == MESSAGE_ID:
            message_id = optional_str(extension, "valueString", path)
        elif url == REPLACED_BY and (code := optional_str(extension, "valueCode", path)) is not None:
            replaced_by.append(code)
    tx_code = None
    for index, coding in enumerate(array(details.get("coding"), f"{where}.details.coding")):
        if obj(coding, f"{where}.details.coding[{index}]").get("system") == TX_ISSUE_TYPE:
            tx_code = optional_str(coding, "code", f"{where}.details.coding[{index}]")
    # R4's deprecated 'location' stands in for 'expression' in answers of servers that give only it.
    paths = issue.get("expression") if "expression" in issue else issue.get("location")
    expression = tuple(checked(path, str, f"{where}.expression", "a string") for path in array(paths, f"{where}.expression"))
    return Issue(
        severity=optional_str(issue, "severity", where) or "error",
        code=optional_str(issue, "code", where) or "processing",
        message=optional_str(details, "text", where) or optional_str(issue, "diagnostics", where) or "",
        message_id=message_id,
        tx_code=tx_code,
        expression=expression,
        replaced_by=tuple(replaced_by),
    )


def error_of_outcome(status: int | None, outcome: dict[str, Any]) -> OperationOutcomeError:
    """The error an OperationOutcome answer stands for; ``status``: the HTTP status it came with, None
    for none (then the status of the type of its first error: 404 for ``not-found``, 400 for most)."""
    issues = read_issues(outcome)
    if status is None:
        first = next((issue for issue in issues if issue.severity in ("fatal", "error")), None)
        status = _STATUS_OF_ISSUE_TYPE.get(first.code, 400) if first else 400
    return OperationOutcomeError(status, issues, outcome)


def error_of_answer(status: int | None, body: Any, came: str) -> OperationOutcomeError:
    """The error an error answer stands for: its OperationOutcome, or, for a body that is none (an HTML
    page from a proxy, say), one issue that says what ``came`` back instead."""
    if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
        return error_of_outcome(status, body)
    status = 500 if status is None else status
    return OperationOutcomeError(status, (unexpected_answer(status, came),), None)


def unexpected_answer(status: int, came: str) -> Issue:
    """The issue said for an answer of ``status`` that carries no OperationOutcome but what ``came``."""
    try:
        phrase = f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        phrase = str(status)
    issue_type = _ISSUE_TYPE_OF_STATUS.get(status, "exception" if status >= 500 else "processing")
    return Issue("error", issue_type, f"HTTP {phrase} without an OperationOutcome: {came}")
