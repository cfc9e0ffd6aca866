"""The wire form of batches: a ``batch`` Bundle and its ``batch-response``, and the Parameters of
``ValueSet/$batch-validate-code`` (many ``$validate-code`` requests, one answer each).

A batch answers every entry; what is wrong with one entry becomes that entry's OperationOutcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from ..errors import InvalidRequest, PayloadTooLarge, TerminologyError
from ..settings import Bound
from .codec import WrittenJson
from .output import ParametersBuilder
from .parameters import OperationInput

__all__ = [
    "BatchEntry",
    "batch_response_bundle",
    "batch_validation_parameters",
    "names_value_set",
    "read_batch_bundle",
    "read_batch_validations",
]

#: Parameters of ``$batch-validate-code`` itself; every other top-level one is shared by the validations.
_VALIDATION = "validation"
#: Shared parameters that add to a validation's own rather than giving way to them.
_CUMULATIVE = frozenset({"tx-resource"})
_CODE_PARAMETERS = frozenset({"code", "coding", "codeableConcept"})
_VALUE_SET_PARAMETERS = frozenset({"url", "valueSet"})
# tx.fhir.org's words for a validation that names no code (it ignores parameters it does not know).
_NO_CODE = "Unable to find code to validate (looked for coding | codeableConcept | code+system | code+inferSystem in parameters"


@dataclass(frozen=True, slots=True)
class BatchEntry:
    """One ``Bundle.entry.request``: ``url`` relative to the FHIR base, possibly with a query;
    ``error``: why the entry cannot be run (it is answered with that error)."""

    method: str = ""
    url: str = ""
    resource: dict[str, Any] | None = None
    error: TerminologyError | None = None


def read_batch_bundle(bundle: dict[str, Any], max_entries: Bound) -> list[BatchEntry]:
    """The entries of a ``batch`` Bundle, in order; a malformed entry is kept, carrying its error.

    :class:`InvalidRequest` for anything but a batch Bundle, :class:`PayloadTooLarge` beyond ``max_entries``.
    """
    if bundle.get("resourceType") != "Bundle":
        raise InvalidRequest(f"POST to the FHIR base takes a batch Bundle, not a {bundle.get('resourceType')}")
    if bundle.get("type") != "batch":
        raise InvalidRequest(
            f"This server runs Bundles of type 'batch' only, not '{bundle.get('type')}'", expression="Bundle.type"
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise InvalidRequest("Bundle.entry must be an array", expression="Bundle.entry")
    if len(entries) > max_entries.value:
        raise PayloadTooLarge(f"The batch has {len(entries):,} entries; this server runs at most {max_entries} in one batch")
    return [_entry(entry, index) for index, entry in enumerate(entries)]


def _entry(entry: Any, index: int) -> BatchEntry:
    path = f"Bundle.entry[{index}]"
    request = entry.get("request") if isinstance(entry, dict) else None
    if not isinstance(request, dict):
        return BatchEntry(error=InvalidRequest(f"{path} has no request", expression=f"{path}.request"))
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not isinstance(url, str) or not url.strip():
        return BatchEntry(error=InvalidRequest(f"{path}.request needs a method and a url", expression=f"{path}.request"))
    resource = entry.get("resource")
    if resource is not None and not (isinstance(resource, dict) and isinstance(resource.get("resourceType"), str)):
        return BatchEntry(error=InvalidRequest(f"{path}.resource is not a resource", expression=f"{path}.resource"))
    return BatchEntry(method.upper(), url.strip(), resource)


def batch_response_bundle(answers: Iterable[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    """The ``batch-response`` Bundle of ``(HTTP status, resource)`` answers, in the entries' order; each
    answer is written as it comes (see :class:`~.codec.WrittenJson`): give them one at a time."""
    return {
        "resourceType": "Bundle",
        "type": "batch-response",
        "entry": [{"resource": WrittenJson.of(resource), "response": {"status": _status_line(status)}} for status, resource in answers],
    }


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def read_batch_validations(params: OperationInput, max_validations: Bound) -> Iterator[OperationInput | TerminologyError]:
    """The input of each ``validation`` of a ``$batch-validate-code`` request, in order, each read when
    it is asked for (a batch is answered one validation at a time).

    Each is the validation's own Parameters over the request's other (shared) parameters: a
    parameter the validation gives replaces the shared one of that name, except ``tx-resource``,
    which adds to them. A validation that is not a Parameters is its own error, not the batch's.
    """
    entries = params.entries()
    validations = [value for name, _, value in entries if name == _VALIDATION]
    if not validations:
        raise InvalidRequest("$batch-validate-code needs one 'validation' parameter (a Parameters) per code to validate")
    if len(validations) > max_validations.value:
        raise PayloadTooLarge(f"The batch has {len(validations):,} validations; this server runs at most {max_validations}")
    shared = [entry for entry in entries if entry[0] != _VALIDATION]
    return (_validation_input(value, shared, index) for index, value in enumerate(validations))


def _validation_input(value: Any, shared: list[tuple[str, str, Any]], index: int) -> OperationInput | TerminologyError:
    try:
        if not isinstance(value, dict):
            raise InvalidRequest(f"validation[{index}] must carry a Parameters resource", expression="validation")
        own = OperationInput.from_parameters(value)
    except InvalidRequest as error:
        return error
    kept = [entry for entry in shared if entry[0] not in own or entry[0] in _CUMULATIVE]
    merged = OperationInput(kept + own.entries()) if kept else own
    # Said before $validate-code's own checks, which would name the unknown parameter instead
    # (``codingX``): in a batch, the code that is not there is the more useful thing to say.
    if not merged.gives_any(_CODE_PARAMETERS):
        return InvalidRequest(_NO_CODE, expression="validation")
    return merged


def names_value_set(validation: OperationInput) -> bool:
    """Whether a validation (its own parameters over the shared ones) names the value set to validate
    against; one that does not is a validation in the code system its ``system`` names."""
    return validation.gives_any(_VALUE_SET_PARAMETERS)


def batch_validation_parameters(answers: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One ``validation`` per request, in order: its Parameters, or the OperationOutcome of its error;
    each written as it comes (see :func:`batch_response_bundle`)."""
    out = ParametersBuilder()
    for answer in answers:
        out.add_resource(_VALIDATION, WrittenJson.of(answer))
    return out.resource()
