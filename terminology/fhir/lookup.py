"""The wire form of ``CodeSystem/$lookup``: its input parameters and its output Parameters."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequest
from ..model import LookupResult
from ..operations.lookup import LookupRequest
from .ecosystem import VALIDATOR_PARAMETERS, refuse_unhonoured
from .outcome import operation_outcome
from .output import ParametersBuilder
from .parameters import OperationInput

__all__ = ["LOOKUP_PARAMETERS", "lookup_parameters", "read_lookup_request"]

LOOKUP_PARAMETERS = frozenset(
    {"code", "system", "version", "coding", "date", "displayLanguage", "property", "useSupplement"}
) | VALIDATOR_PARAMETERS


def read_lookup_request(params: OperationInput, system: str | None = None, version: str | None = None) -> LookupRequest:
    """``system``/``version``: those of the CodeSystem the instance-level operation was called on."""
    refuse_unhonoured(params)
    params.reject_unknown(LOOKUP_PARAMETERS, "$lookup")
    params.mutually_exclusive("coding", "code")
    params.mutually_exclusive("coding", "system")
    code, coding = params.string("code"), params.coding("coding")
    given_system, given_version = params.string("system"), params.string("version")
    if coding is not None:
        code, given_system = coding.code, coding.system
        given_version = coding.version or given_version
    if system is not None:
        if given_system is not None and given_system != system:
            raise InvalidRequest(f"The system '{given_system}' is not the url of this CodeSystem ({system})", expression="system")
        given_system, given_version = system, given_version or version
    if not code or not given_system:
        raise InvalidRequest(
            "Must provide either a 'coding' parameter, or 'system' and 'code' parameters", expression="code"
        )
    properties = params.strings("property")
    supplements = tuple(params.strings("useSupplement"))
    return LookupRequest(
        given_system, code, given_version, tuple(properties) if properties else None, supplements, params.day("date")
    )


def lookup_parameters(result: LookupResult, code: str, system: str) -> dict[str, Any]:
    out = ParametersBuilder()
    out.add("name", "string", result.name)
    out.add("version", "string", result.version)
    out.add("display", "string", result.display)
    out.add("definition", "string", result.definition)
    out.add("code", "code", code)
    out.add("system", "uri", system)
    out.add("abstract", "boolean", result.abstract)
    for designation in result.designations:
        out.add_designation(designation)
    out.add_properties(result.properties)
    for supplement in result.supplements:
        out.add("used-supplement", "canonical", supplement)
    if result.issues:
        out.add_resource("issues", operation_outcome(result.issues))
    return out.resource()
