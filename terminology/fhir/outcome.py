"""OperationOutcome: the FHIR form of :class:`~terminology.model.Issue` and of errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import TerminologyError
from ..model import Issue

__all__ = ["MESSAGE_ID", "REPLACED_BY", "TX_ISSUE_TYPE", "error_issue", "error_outcome", "issue_json", "operation_outcome", "with_request_id"]

TX_ISSUE_TYPE = "http://hl7.org/fhir/tools/CodeSystem/tx-issue-type"
#: This server's own extension: a code that took the place of the one the issue is about (one per code).
REPLACED_BY = "http://fhir.icd10cm-terminology.org/StructureDefinition/replaced-by"
MESSAGE_ID = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"


def issue_json(issue: Issue) -> dict[str, Any]:
    """One ``OperationOutcome.issue``, with the tx-issue-type and message id tx.fhir.org gives, and the
    codes that replaced a retired code as data (the text names them too, for a person)."""
    result: dict[str, Any] = {}
    if issue.message_id or issue.replaced_by:
        extensions = [{"url": MESSAGE_ID, "valueString": issue.message_id}] if issue.message_id else []
        extensions += [{"url": REPLACED_BY, "valueCode": code} for code in issue.replaced_by]
        result["extension"] = extensions
    result["severity"] = issue.severity
    result["code"] = issue.code
    details: dict[str, Any] = {}
    if issue.tx_code:
        details["coding"] = [{"system": TX_ISSUE_TYPE, "code": issue.tx_code}]
    details["text"] = issue.text
    result["details"] = details
    if issue.expression:  # not R4's deprecated location as well: tx.fhir.org no longer fills it
        result["expression"] = list(issue.expression)
    return result


def operation_outcome(issues: Iterable[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [issue_json(issue) for issue in issues]}


def error_outcome(error: TerminologyError) -> dict[str, Any]:
    """An error answer: the OperationOutcome of :func:`error_issue`."""
    return operation_outcome([error_issue(error)])


def with_request_id(resource: dict[str, Any], request_id: str) -> dict[str, Any]:
    """An OperationOutcome whose every issue names ``request_id`` in its ``diagnostics`` (where tx.fhir.org
    puts a request id: a client that quotes it lets an operator find the request in the server's log);
    any other resource as it is."""
    if resource.get("resourceType") != "OperationOutcome":
        return resource
    note = f"request-id: {request_id}"
    return {**resource, "issue": [_with_diagnostics(issue, note) for issue in resource.get("issue", ())]}


def _with_diagnostics(issue: dict[str, Any], note: str) -> dict[str, Any]:
    """``issue`` with ``note`` in its diagnostics, in the place R4 gives it (before location and expression,
    which XML's order of elements needs)."""
    result: dict[str, Any] = {}
    for key, value in issue.items():
        if key in ("location", "expression") and "diagnostics" not in result:
            result["diagnostics"] = note
        if key == "diagnostics":
            value = f"{value}; {note}"
        result[key] = value
    result.setdefault("diagnostics", note)
    return result


def error_issue(error: TerminologyError) -> Issue:
    """The issue of an error answer. Its expression is given where it is a FHIRPath into a resource of the
    request (``ValueSet.compose.include[0].filter[0]``); a parameter at fault is named in the text, as
    tx.fhir.org does."""
    rooted = error.expression is not None and error.expression[:1].isupper()
    expression = (error.expression,) if rooted else ()
    return Issue("error", error.issue_type, error.message, error.tx_code, expression, replaced_by=error.replaced_by)
