"""The wire form of ``CodeSystem/$drg-cc-exclusion``: its OperationDefinition, its input parameters and its
output Parameters. The parameters the operation takes are those its definition declares."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequest
from ..operations.drg_cc_exclusion import CcExclusionRequest, CcExclusionResult
from .outcome import operation_outcome
from .own_operations import own_operation_definition
from .output import ParametersBuilder
from .parameters import OperationInput

__all__ = ["CC_EXCLUSION_DEFINITION", "CC_EXCLUSION_URL", "cc_exclusion_parameters", "read_cc_exclusion_request"]

CC_EXCLUSION_URL = "http://fhir.icd10cm-terminology.org/OperationDefinition/CodeSystem-drg-cc-exclusion"

# (name, type, min, max, documentation); a type of None: the parameter is made of parts, listed after it.
_Parameter = tuple[str, str | None, int, str, str]
_IN: tuple[_Parameter, ...] = (
    ("principal", "code", 1, "1", "The principal diagnosis: a billable ICD-10-CM code, as the release writes it (I21.09)"),
    ("secondary", "code", 1, "1", "The secondary diagnosis: a billable ICD-10-CM code"),
    ("version", "string", 0, "1", "The ICD-10-CM release (2026); the MS-DRG version of its fiscal year answers"),
    ("date", "date", 0, "1", "The day of service: the release in effect then answers (with neither: the newest)"),
)
_OUT: tuple[_Parameter, ...] = (
    ("excluded", "boolean", 1, "1", (
        "True: the secondary is a CC or MCC that counts as a non-CC under this principal diagnosis (the principal is in "
        "its PDX collection); false where it counts, and where it is neither a CC nor an MCC"
    )),
    ("severity", "code", 0, "1", "cc or mcc, as the CC and MCC lists have the secondary (Tables 6J, 6I); absent: neither"),
    ("collection", "string", 0, "1", "The secondary's PDX collection in Table 6K (0998); absent where no principal excludes it"),
    ("discharged-alive-only", "boolean", 0, "1", "True: the secondary counts only if the patient is discharged alive (Table 6K Part 2)"),
    ("drg-exclusion", None, 0, "*", "MS-DRGs the secondary does not count in, whatever the principal (Table 6K Part 3)"),
    ("ms-drg-version", "string", 1, "1", "The MS-DRG version that answered (43.0)"),
    ("version", "string", 1, "1", "The ICD-10-CM release that answered (2026)"),
    ("message", "string", 1, "1", "The answer, for a person to read"),
    ("issues", "OperationOutcome", 0, "1", "Warnings: the release that answered is not in effect on the day asked about"),
)  # fmt: skip
_DRG_EXCLUSION_PARTS: tuple[_Parameter, ...] = (
    ("mdc", "code", 1, "1", "The Major Diagnostic Category (24)"),
    ("drg", "code", 1, "*", "Each MS-DRG of the group (957, 958, 959)"),
    ("title", "string", 1, "1", "The group's title in Table 6K"),
)
_NAMES = frozenset(name for name, *_ in _IN)


def _parameter(use: str, parameter: _Parameter) -> dict[str, Any]:
    name, type_, low, high, documentation = parameter
    written: dict[str, Any] = {"name": name, "use": use, "min": low, "max": high, "documentation": documentation}
    if type_ is not None:
        written["type"] = type_
    else:
        written["part"] = [_parameter(use, part) for part in _DRG_EXCLUSION_PARTS]
    return written


CC_EXCLUSION_DEFINITION = own_operation_definition(
    CC_EXCLUSION_URL,
    "DrgCcExclusion",
    "Is a secondary diagnosis excluded as a CC or MCC under a principal diagnosis (MS-DRG CC exclusions)",
    (
        "Whether an ICD-10-CM secondary diagnosis counts as a complication or comorbidity (CC) or a major one (MCC) under a "
        "principal diagnosis, by the CC exclusion list (CMS Table 6K) of the MS-DRG version of the ICD-10-CM release that "
        "answers: MS-DRG v43.0 with the releases of FY2026. A release of another fiscal year has no MS-DRG version here: "
        "the answer is a 404 that names the releases that have one. An unknown code is a 404, a code that is not billable a 400."
    ),
    [_parameter("in", p) for p in _IN] + [_parameter("out", p) for p in _OUT],
    resource="CodeSystem",
)


def read_cc_exclusion_request(params: OperationInput) -> CcExclusionRequest:
    """The request, from the parameters the definition declares; :class:`InvalidRequest` names one missing
    or not declared."""
    params.reject_unknown(_NAMES, "$drg-cc-exclusion")
    principal, secondary = _required(params, "principal"), _required(params, "secondary")
    return CcExclusionRequest(principal, secondary, params.string("version"), params.day("date"))


def _required(params: OperationInput, name: str) -> str:
    given = params.string(name)
    if given is None:
        raise InvalidRequest(
            f"$drg-cc-exclusion needs the parameter '{name}': the {name} diagnosis, an ICD-10-CM code", expression=name
        )
    return given


def cc_exclusion_parameters(result: CcExclusionResult) -> dict[str, Any]:
    out = ParametersBuilder().add("excluded", "boolean", result.excluded)
    secondary = result.secondary
    if secondary is not None:
        out.add("severity", "code", secondary.severity).add("collection", "string", secondary.collection)
        if secondary.alive_only:
            out.add("discharged-alive-only", "boolean", True)
        for group in secondary.drg_exclusions:
            parts = ParametersBuilder().add("mdc", "code", group.mdc)
            for drg in group.drgs:
                parts.add("drg", "code", drg)
            out.add_parts("drg-exclusion", parts.add("title", "string", group.title).parameters)
    out.add("ms-drg-version", "string", result.ms_drg_version).add("version", "string", result.version)
    out.add("message", "string", result.message)
    if result.issues:
        out.add_resource("issues", operation_outcome(result.issues))
    return out.resource()
