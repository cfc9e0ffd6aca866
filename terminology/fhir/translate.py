"""The wire form of ``ConceptMap/$translate``: its input parameters and its output Parameters.

FHIR R4 names the inputs ``code``, ``system``, ``coding``, ``codeableConcept``, ``source``,
``target``, ``targetsystem`` and ``reverse``. The HL7 validator and its test suite send R5's names
(``sourceCode``, ``sourceSystem``, ``targetCode``, ``targetSystem``, ``sourceScope``...) to R4
servers as well; those are read too, and answered as tx.fhir.org does: each match names its map
``originMap`` (R5) instead of R4's ``source``, which in a reverse translation is the source Coding.
"""

from __future__ import annotations

from typing import Any

from ..definitions import ConceptMapDefinition
from ..errors import InvalidRequest
from ..model import Coding
from ..operations.translate import TranslateMatch, TranslateRequest, TranslateResult
from .definitions import read_resource
from .ecosystem import VALIDATOR_PARAMETERS, refuse_unhonoured
from .output import ParametersBuilder
from .parameters import OperationInput

__all__ = ["TRANSLATE_PARAMETERS", "read_translate_request", "translate_parameters", "uses_r5_names"]

_SHARED = frozenset({"url", "conceptMap", "conceptMapVersion", "system", "version"})
_R4_ONLY = frozenset({"code", "coding", "codeableConcept", "source", "target", "targetsystem", "reverse"})
_R5_ONLY = frozenset(
    {
        "sourceCode", "sourceSystem", "sourceCoding", "sourceCodeableConcept", "sourceScope",
        "targetCode", "targetCoding", "targetCodeableConcept", "targetScope", "targetSystem",
    }
)  # fmt: skip
TRANSLATE_PARAMETERS = _SHARED | _R4_ONLY | _R5_ONLY | VALIDATOR_PARAMETERS
# R4 equivalence -> R5 relationship, for answers to R5-style requests (ConceptMap40_50's table).
_RELATIONSHIP = {
    "relatedto": "related-to",
    "equivalent": "equivalent",
    "equal": "equivalent",
    "wider": "source-is-narrower-than-target",
    "subsumes": "source-is-narrower-than-target",
    "narrower": "source-is-broader-than-target",
    "specializes": "source-is-broader-than-target",
    "inexact": "related-to",
    "disjoint": "not-related-to",
}


def uses_r5_names(params: OperationInput) -> bool:
    """Whether the request names its inputs as R5 does (and so gets R5's names back)."""
    return bool(params.names() & _R5_ONLY)


def read_translate_request(params: OperationInput, concept_map: ConceptMapDefinition | None = None) -> TranslateRequest:
    """``concept_map``: the ConceptMap an instance-level call was made on."""
    refuse_unhonoured(params)
    params.not_supported("dependency", reason="mappings are not qualified by other elements here")
    params.reject_unknown(TRANSLATE_PARAMETERS, "ConceptMap/$translate")
    names = params.names()
    if names & _R4_ONLY and names & _R5_ONLY:
        raise InvalidRequest(
            f"Use either R4's parameter names ({', '.join(sorted(names & _R4_ONLY))}) or R5's "
            f"({', '.join(sorted(names & _R5_ONLY))}), not both",
        )
    given = params.resource("conceptMap")
    if given is not None:
        given = read_resource(given, "conceptMap")
        if not isinstance(given, ConceptMapDefinition):
            raise InvalidRequest("The parameter 'conceptMap' must be a ConceptMap", expression="conceptMap")
    if given is not None and concept_map is not None:
        raise InvalidRequest("Give no 'conceptMap' when calling $translate on a ConceptMap instance", expression="conceptMap")
    maps = {"concept_map": concept_map or given, "url": params.string("url"), "map_version": params.string("conceptMapVersion")}
    if maps["concept_map"] is not None:
        maps["url"] = None  # the map is at hand: a url can only name it again
    return _read_r5(params, maps) if uses_r5_names(params) else _read_r4(params, maps)


def _read_r4(params: OperationInput, maps: dict[str, Any]) -> TranslateRequest:
    codings = _codings(params, "code", "coding", "codeableConcept", ("system",))
    # With reverse, source and target swap meaning: the code is in the map's target value set.
    reverse = bool(params.boolean("reverse"))
    source, target, system = params.string("source"), params.string("target"), params.string("targetsystem")
    if reverse:
        return TranslateRequest(codings, True, **maps, source_scope=target, target_scope=source, source_system=system)
    return TranslateRequest(codings, False, **maps, source_scope=source, target_scope=target, target_system=system)


def _read_r5(params: OperationInput, maps: dict[str, Any]) -> TranslateRequest:
    names = params.names()
    source_side = names & {"sourceCode", "sourceCoding", "sourceCodeableConcept"}
    target_side = names & {"targetCode", "targetCoding", "targetCodeableConcept"}
    if source_side and target_side:
        raise InvalidRequest("Give the code to translate from (sourceCode...) or to (targetCode...), not both", expression="sourceCode")
    scopes = {"source_scope": params.string("sourceScope"), "target_scope": params.string("targetScope")}
    source_system, target_system = params.string("sourceSystem"), params.string("targetSystem")
    if target_side:  # in reverse: targetSystem is the code's system, sourceSystem the one wanted back
        codings = _codings(params, "targetCode", "targetCoding", "targetCodeableConcept", ("system", "targetSystem"))
        return TranslateRequest(codings, True, **maps, **scopes, source_system=source_system)
    codings = _codings(params, "sourceCode", "sourceCoding", "sourceCodeableConcept", ("system", "sourceSystem"))
    return TranslateRequest(codings, False, **maps, **scopes, target_system=target_system)


def _codings(
    params: OperationInput, code_name: str, coding_name: str, concept_name: str, system_names: tuple[str, ...]
) -> tuple[Coding, ...]:
    """The code to translate: ``code`` (with its system, the first of ``system_names`` given, and
    ``version``), a Coding, or a CodeableConcept."""
    if not params.names() & {code_name, coding_name, concept_name}:
        raise InvalidRequest(
            f"Give the code to translate: '{code_name}' with 'system', '{coding_name}' or '{concept_name}'", expression=code_name
        )
    name = params.exactly_one_of(code_name, coding_name, concept_name)
    if name == code_name:
        system = next((found for found in map(params.string, system_names) if found is not None), None)
        codings = (Coding(system, params.string("version"), params.string(code_name)),)
    else:  # a Coding or CodeableConcept carries its own system and version
        for other in (*system_names, "version"):
            params.mutually_exclusive(name, other)
        codings = (params.coding(coding_name),) if name == coding_name else params.codeable_concept(concept_name).codings
    for item in codings:
        if not item.code or not item.system:
            raise InvalidRequest(f"The code to translate ('{name}') needs both a system and a code", expression=name)
    return tuple(codings)


def translate_parameters(result: TranslateResult, r5_names: bool = False) -> dict[str, Any]:
    """``r5_names``: answer an R5-style request as tx.fhir.org does (see the module's docstring)."""
    out = ParametersBuilder()
    out.add("result", "boolean", result.result)
    out.add("message", "string", result.message)
    for match in result.matches:
        out.add_parts("match", _r5_match(match, result.reverse) if r5_names else _r4_match(match, result.reverse))
    return out.resource()


def _r4_match(match: TranslateMatch, reverse: bool) -> list[dict[str, Any]]:
    """R4's match has no ``dependsOn``: what the mapping depends on comes first among its ``product``s, each
    told by its element."""
    parts = ParametersBuilder().add("equivalence", "code", match.equivalence)
    parts.add("concept", "Coding", match.source if reverse else match.target)
    for element, coding in (*match.depends_on, *match.products):
        parts.add_parts("product", ParametersBuilder().add("element", "uri", element).add("concept", "Coding", coding).parameters)
    return parts.add("source", "uri", match.map).parameters


def _r5_match(match: TranslateMatch, reverse: bool) -> list[dict[str, Any]]:
    parts = ParametersBuilder().add("equivalence", "code", match.equivalence)
    parts.add("relationship", "code", _RELATIONSHIP.get(match.equivalence))
    parts.add("concept", "Coding", match.target)
    for name, elements in (("dependsOn", match.depends_on), ("product", match.products)):
        for element, coding in elements:
            parts.add_parts(name, ParametersBuilder().add("attribute", "uri", element).add("value", "Coding", coding).parameters)
    if reverse:
        parts.add("source", "Coding", match.source)
    return parts.add("originMap", "canonical", match.map).parameters
