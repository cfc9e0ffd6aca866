"""The wire form of ``$validate-code``: its input parameters and its output Parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..definitions import ValueSetDefinition
from ..errors import InvalidRequest, NotSupported
from ..model import Coding, ValidationResult
from ..operations.validate_code import CodeValidationRequest
from ..valuesets.resolution import VersionRules
from .ecosystem import VALIDATOR_PARAMETERS, refuse_unhonoured
from .expand import given_value_set
from .outcome import operation_outcome
from .output import ParametersBuilder
from .parameters import OperationInput, is_fhir_code

__all__ = [
    "CODESYSTEM_VALIDATE_PARAMETERS",
    "VALUESET_VALIDATE_PARAMETERS",
    "read_validation_request",
    "read_value_set_validation_request",
    "validation_parameters",
]

CODESYSTEM_VALIDATE_PARAMETERS = frozenset(
    {
        "url",
        "system",
        "code",
        "version",
        "display",
        "coding",
        "codeableConcept",
        "abstract",
        "date",
        "displayLanguage",
    }
) | VALIDATOR_PARAMETERS


def read_validation_request(
    params: OperationInput, system: str | None = None, version: str | None = None
) -> CodeValidationRequest:
    """``CodeSystem/$validate-code`` input; ``system``/``version`` those of an instance-level call."""
    refuse_unhonoured(params)
    params.reject_unknown(CODESYSTEM_VALIDATE_PARAMETERS, "CodeSystem/$validate-code")
    url, given_system = params.string("url"), params.string("system")
    if url is not None and given_system is not None and url != given_system:
        raise InvalidRequest(f"'url' ({url}) and 'system' ({given_system}) name different code systems", expression="url")
    url = url or given_system
    if system is not None:
        if url is not None and url != system:
            raise InvalidRequest(f"The url '{url}' is not the url of this CodeSystem ({system})", expression="url")
        url = system
    given_version = params.string("version") or version
    params.exactly_one_of("code", "coding", "codeableConcept")
    code, coding, concept = params.string("code"), params.coding("coding"), params.codeable_concept("codeableConcept")
    abstract = params.boolean("abstract")
    abstract_allowed = True if abstract is None else abstract
    day = params.day("date")
    if code is not None:
        if url is None:
            raise InvalidRequest("The parameter 'code' needs 'url' (or 'system') to name its code system", expression="url")
        single = Coding(url, given_version, code, params.string("display"))
        return CodeValidationRequest((single,), "code", abstract_allowed, date=day)
    name = "coding" if coding is not None else "codeableConcept"
    codings = (coding,) if coding is not None else concept.codings
    for index, item in enumerate(codings):
        if item.code is None:
            where = "coding" if coding is not None else f"codeableConcept.coding[{index}]"
            raise InvalidRequest(f"The parameter '{where}' has no code", expression=f"{where}.code")
    codings = tuple(_default_system(item, url, given_version) for item in codings)
    return CodeValidationRequest(codings, name, abstract_allowed, concept_text=concept.text if concept is not None else None, date=day)


def _default_system(coding: Coding, url: str | None, version: str | None) -> Coding:
    if coding.system is None and url is None:
        raise InvalidRequest(f"The coding '{coding.code}' has no system", expression="coding.system")
    if coding.system is None or (coding.version is None and version is not None and coding.system == url):
        return Coding(coding.system or url, coding.version or version, coding.code, coding.display)
    return coding


def validation_parameters(result: ValidationResult) -> dict[str, Any]:
    out = ParametersBuilder()
    out.add("result", "boolean", result.result)
    # A code such as ' M48.48XA' is answered (its message names the code meant) but is no FHIR code to echo.
    out.add("code", "code", result.code if result.code and is_fhir_code(result.code) else None)
    out.add("system", "uri", result.system)
    out.add("version", "string", result.version)
    out.add("display", "string", result.display)
    out.add("message", "string", result.message)
    out.add("inactive", "boolean", result.inactive)
    out.add("status", "code", result.status)
    out.add("normalized-code", "code", result.normalized_code)
    out.add("codeableConcept", "CodeableConcept", result.codeable_concept)
    if result.issues:
        out.add_resource("issues", operation_outcome(result.issues))
    # Caused by: the answer could not be decided without the system. Noted: the code is not in the value
    # set whatever the system holds, and the system is unknown besides.
    for system in result.unknown_systems:
        out.add("x-caused-by-unknown-system", "canonical", system)
    for system in result.noted_unknown_systems:
        out.add("x-unknown-system", "canonical", system)
    return out.resource()


VALUESET_VALIDATE_PARAMETERS = (
    CODESYSTEM_VALIDATE_PARAMETERS
    | {"valueSet", "valueSetVersion", "systemVersion", "activeOnly", "inferSystem"}
    | {"valueset-membership-only", "lenient-display-validation", "mode", "valueSetMode"}
    | {"system-version", "check-system-version", "force-system-version", "default-valueset-version"}
    | {"useSupplement"}
    | VALIDATOR_PARAMETERS
)
# $expand's own parameters, which a client may send with a validation (the HL7 validator sends one set to
# both): they change nothing a validation answers, so they are refused rather than passed over.
_EXPANSION_ONLY = (
    "excludeNested", "includeDesignations", "includeDefinition", "property", "designation", "excludeNotForUI",
    "excludePostCoordinated", "count", "offset",
)  # fmt: skip
_VALUE_SET_NAMES = frozenset({"url", "valueSet", "valueSetVersion"})
_EXPANSION_ONLY_NAMES = frozenset(_EXPANSION_ONLY)
# valueSetMode (tx.fhir.org's name) or mode: what is checked.
_ALL_CHECKS, _MEMBERSHIP_ONLY, _LENIENT_DISPLAY = "ALL_CHECKS", "CHECK_MEMBERSHIP_ONLY", "lenient-display-validation"


def read_value_set_validation_request(
    params: OperationInput, value_set: ValueSetDefinition | None, find: Callable[[str, str | None], ValueSetDefinition]
) -> CodeValidationRequest:
    """``ValueSet/$validate-code`` input. ``value_set``: the ValueSet of an instance-level call;
    ``find(url, version)`` resolves the one named by ``url`` (raising NotFound)."""
    _refuse_unhonoured(params)
    params.reject_unknown(VALUESET_VALIDATE_PARAMETERS, "ValueSet/$validate-code")
    if value_set is None:
        value_set = _value_set(params, find)
    elif params.gives_any(_VALUE_SET_NAMES):
        raise InvalidRequest("Give no 'url', 'valueSet' or 'valueSetVersion' when calling $validate-code on a ValueSet instance", expression="url")
    params.mutually_exclusive("systemVersion", "version")
    system, version = params.string("system"), params.string("systemVersion") or params.string("version")
    params.exactly_one_of("code", "coding", "codeableConcept")
    code, coding, concept = params.string("code"), params.coding("coding"), params.codeable_concept("codeableConcept")
    if code is not None and system is None and params.boolean("inferSystem") is False:
        raise InvalidRequest("The code has no system, and 'inferSystem' is false: give 'system'", expression="system")
    mode = _mode(params)
    options = dict(
        abstract_allowed=params.boolean("abstract") is not False,
        value_set=value_set,
        active_only=bool(params.boolean("activeOnly")),
        membership_only=bool(params.boolean("valueset-membership-only")) or mode == _MEMBERSHIP_ONLY,
        lenient_display=bool(params.boolean("lenient-display-validation")) or mode == _LENIENT_DISPLAY,
        version_rules=VersionRules.from_canonicals(
            params.strings("system-version"), params.strings("force-system-version"), params.strings("check-system-version"),
            params.strings("default-valueset-version"),
        ),
        supplements=tuple(params.strings("useSupplement")),
        date=params.day("date"),
    )
    if code is not None:
        return CodeValidationRequest((Coding(system, version, code, params.string("display")),), "code", **options)
    codings = (coding,) if coding is not None else concept.codings
    for index, item in enumerate(codings):
        if item.code is None:
            where = "coding" if coding is not None else f"codeableConcept.coding[{index}]"
            raise InvalidRequest(f"The parameter '{where}' has no code", expression=f"{where}.code")
    form = "coding" if coding is not None else "codeableConcept"
    return CodeValidationRequest(codings, form, concept_text=concept.text if concept is not None else None, **options)


def _refuse_unhonoured(params: OperationInput) -> None:
    """The parameters of ``ValueSet/$validate-code`` this server does not honour, refused with why."""
    refuse_unhonoured(params, "context", "default-to-latest-version")
    if params.gives_any(_EXPANSION_ONLY_NAMES):
        params.not_supported(*_EXPANSION_ONLY, reason="they shape an expansion, and $validate-code expands nothing")


def _value_set(params: OperationInput, find: Callable[[str, str | None], ValueSetDefinition]) -> ValueSetDefinition:
    """The value set the request gives (``valueSet``) or names (``url``, with ``valueSetVersion``)."""
    params.mutually_exclusive("url", "valueSet")
    given = given_value_set(params)
    if given is not None:
        params.mutually_exclusive("valueSet", "valueSetVersion")  # (the version of the one 'url' names)
        return given
    url = params.string("url")
    if url is None:
        raise InvalidRequest("Give the value set: 'url' (with 'valueSetVersion'), or 'valueSet'", expression="url")
    return find(url, params.string("valueSetVersion"))


def _mode(params: OperationInput) -> str:
    """What is checked (``valueSetMode``, or ``mode``): everything, membership only, or a display leniently."""
    if "mode" not in params and "valueSetMode" not in params:
        return _ALL_CHECKS
    params.mutually_exclusive("mode", "valueSetMode")
    name = "mode" if "mode" in params else "valueSetMode"
    mode = params.string(name) or _ALL_CHECKS
    if mode.upper().startswith("CHECK_MEM"):  # (tx.fhir.org's own spelling is CHECK_MEMERSHIP_ONLY)
        return _MEMBERSHIP_ONLY
    if mode in (_ALL_CHECKS, _LENIENT_DISPLAY):
        return mode
    if mode.upper() == "NO_MEMBERSHIP_CHECK":
        raise NotSupported(f"The parameter '{name}' with the value NO_MEMBERSHIP_CHECK is not supported: validate against the code system instead", expression=name)
    raise InvalidRequest(f"Unknown {name} '{mode}': use {_ALL_CHECKS}, {_MEMBERSHIP_ONLY} or {_LENIENT_DISPLAY}", expression=name)
