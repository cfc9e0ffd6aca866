"""``$cache-control``: the wire form of the validator's caches (its OperationDefinition and answers).

The HL7 conformance runner looks for an operation of this name in the CapabilityStatement; when it finds
it, it sends each suite's resources once (``mode=start``), then the returned id in the ``X-Cache-Id``
header of the suite's requests, and ends the cache (``mode=end``) after them.
"""

from __future__ import annotations

from typing import Any

from ..model import Issue
from .outcome import operation_outcome
from .own_operations import own_operation_definition
from .output import ParametersBuilder

__all__ = ["CACHE_CONTROL_DEFINITION", "CACHE_CONTROL_URL", "cache_control_outcome", "cache_id_parameters"]

CACHE_CONTROL_URL = "http://fhir.icd10cm-terminology.org/OperationDefinition/cache-control"


def _parameter(name: str, use: str, type_: str, low: int, high: str, documentation: str) -> dict[str, Any]:
    return {"name": name, "use": use, "min": low, "max": high, "type": type_, "documentation": documentation}


CACHE_CONTROL_DEFINITION = own_operation_definition(
    CACHE_CONTROL_URL,
    "CacheControl",
    "Start or end a cache of a client's resources (code systems, value sets, concept maps)",
    (
        "POST [base]/$cache-control?mode=start with tx-resource parameters returns a cache-id; requests that carry it in the "
        "X-Cache-Id header see those resources as if they brought them. mode=end with the X-Cache-Id header drops the cache. "
        "A cache unused for a while (TERMINOLOGY_CLIENT_CACHE_IDLE_SECONDS) is dropped too: its id is then a 404, and the "
        "client sends its resources again. The cache-id parameter of any operation is the other form: an id the client "
        "chooses, under which the tx-resources it sends are kept for its next requests."
    ),
    [
        _parameter("mode", "in", "code", 1, "1", "start or end (in the query)"),
        _parameter("tx-resource", "in", "Resource", 0, "*", "mode=start: the resources the cache holds"),
        _parameter("cache-id", "out", "id", 0, "1", "mode=start: the new cache's id, for the X-Cache-Id header"),
    ],
    resource=None,
    affects_state=True,
)


def cache_id_parameters(cache_id: str) -> dict[str, Any]:
    """The answer of ``mode=start``."""
    return ParametersBuilder().add("cache-id", "id", cache_id).resource()


def cache_control_outcome(text: str) -> dict[str, Any]:
    """The answer of ``mode=end``: what was done, for a person."""
    return operation_outcome([Issue("information", "informational", text)])
