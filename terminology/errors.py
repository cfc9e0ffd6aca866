"""One family of errors, each carrying what its OperationOutcome needs: a FHIR issue type and an HTTP status.

Operations raise these; the web layer turns them into OperationOutcome responses in one place.
"""

from __future__ import annotations

__all__ = [
    "TerminologyError",
    "InvalidRequest",
    "NotFound",
    "NotSupported",
    "NotAcceptable",
    "UnsupportedMediaType",
    "TooCostly",
    "PayloadTooLarge",
]


class TerminologyError(ValueError):
    """Base error. ``issue_type`` is a code of http://hl7.org/fhir/issue-type; ``status`` an HTTP status.

    ``tx_code`` is an optional code of http://hl7.org/fhir/tools/CodeSystem/tx-issue-type
    (as tx.fhir.org sets in ``issue.details``); ``expression`` the FHIRPath of the offending input;
    ``replaced_by`` the codes that took the place of a code the request names and its code system retired.
    """

    issue_type = "exception"
    status = 500

    def __init__(
        self, message: str, *, tx_code: str | None = None, expression: str | None = None, replaced_by: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.tx_code = tx_code
        self.expression = expression
        self.replaced_by = replaced_by


class InvalidRequest(TerminologyError):
    """The request is malformed: bad syntax, a missing, repeated or mistyped parameter."""

    issue_type = "invalid"
    status = 400


class NotFound(TerminologyError):
    """A code system, value set, resource or code the request names is not known here."""

    issue_type = "not-found"
    status = 404


class NotSupported(TerminologyError):
    """A parameter or feature that this server does not implement."""

    issue_type = "not-supported"
    status = 400


class NotAcceptable(TerminologyError):
    """No response format that the client accepts can be produced."""

    issue_type = "not-supported"
    status = 406


class UnsupportedMediaType(TerminologyError):
    """The request body is in a format this server does not read."""

    issue_type = "not-supported"
    status = 415


class PayloadTooLarge(TerminologyError):
    """The request body is larger than the server accepts."""

    issue_type = "too-long"
    status = 413


class TooCostly(TerminologyError):
    """The answer would take more work or space than the server allows for one request."""

    issue_type = "too-costly"
    status = 422
