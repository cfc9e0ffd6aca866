"""The server's CapabilityStatement (``/metadata``) and TerminologyCapabilities (``?mode=terminology``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __release_date__, __version__
from ..errors import NotFound
from ..fiscal_years import release_label
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from .cache_control import CACHE_CONTROL_DEFINITION, CACHE_CONTROL_URL
from .drg_cc_exclusion import CC_EXCLUSION_DEFINITION, CC_EXCLUSION_URL
from .output import ParametersBuilder
from .search import SEARCH_PARAMETERS, search_parameter_definition

__all__ = [
    "EFFECTIVE_PERIOD",
    "capability_statement",
    "operation_definition",
    "terminology_capabilities",
    "versions_parameters",
]

#: The extension on TerminologyCapabilities.codeSystem.version that says when a release is in effect.
EFFECTIVE_PERIOD = "http://fhir.icd10cm-terminology.org/StructureDefinition/release-effective-period"

_OPERATIONS = {
    "CodeSystem": (
        ("lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"),
        ("validate-code", "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code"),
        ("subsumes", "http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes"),
        ("drg-cc-exclusion", CC_EXCLUSION_URL),
    ),
    "ValueSet": (
        ("expand", "http://hl7.org/fhir/OperationDefinition/ValueSet-expand"),
        ("validate-code", "http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code"),
        # tx.fhir.org's operation, which HL7 defines no OperationDefinition for: many validations, one answer each
        ("batch-validate-code", "http://fhir.icd10cm-terminology.org/OperationDefinition/ValueSet-batch-validate-code"),
    ),
    "ConceptMap": (("translate", "http://hl7.org/fhir/OperationDefinition/ConceptMap-translate"),),
}
#: The OperationDefinitions of this server's own operations, by id: ``[base]/OperationDefinition/{id}`` reads them.
_OWN_DEFINITIONS = {definition["id"]: definition for definition in (CC_EXCLUSION_DEFINITION, CACHE_CONTROL_DEFINITION)}
# (the HL7 validator and its conformance runner use the validator's caches where $cache-control is listed)
_SYSTEM_OPERATIONS = (("versions", "http://hl7.org/fhir/OperationDefinition/-versions"), ("cache-control", CACHE_CONTROL_URL))
_FEATURE = "http://hl7.org/fhir/uv/application-feature/StructureDefinition/feature"
# What the HL7 validator reads before it uses a terminology server (TerminologyClientContext).
_FEATURES = (
    ("http://hl7.org/fhir/uv/tx-tests/FeatureDefinition/test-version", {"valueCode": "1.9.0"}),
    ("http://hl7.org/fhir/uv/tx-ecosystem/FeatureDefinition/CodeSystemAsParameter", {"valueBoolean": True}),
)
#: The $expand parameters this server understands, as TerminologyCapabilities.expansion lists them.
EXPANSION_PARAMETERS = (
    "activeOnly", "check-system-version", "count", "default-valueset-version", "designation", "displayLanguage", "excludeNested",
    "filter", "force-system-version", "includeDefinition", "includeDesignations", "offset", "property",
    "system-version", "tx-resource",
)
_SECURITY = (
    "No authentication or authorization: the server is read-only and serves public terminology. "
    "Put it behind a gateway that authenticates clients where that is needed."
)


def _header(kind: str, base: str) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "id": "terminology-server",
        "url": f"{base}/metadata" if kind == "CapabilityStatement" else f"{base}/metadata?mode=terminology",
        "version": __version__,
        "name": "ICD10CMTerminologyServer",
        "title": "ICD-10-CM FHIR Terminology Server",
        "status": "active",
        "experimental": False,
        "date": __release_date__,
        "publisher": "terminology project",
        "description": "FHIR R4 terminology services for ICD-10-CM and any FHIR code system, value set and concept map: $lookup, $validate-code, $subsumes, $expand, $translate, read and search.",
        "kind": "instance",
    }


def _software_and_implementation(base: str, release_date: bool) -> dict[str, Any]:
    """``release_date``: CapabilityStatement.software has one; TerminologyCapabilities.software does not."""
    software = {"name": "terminology", "version": __version__}
    if release_date:
        software["releaseDate"] = __release_date__
    return {"software": software, "implementation": {"description": "ICD-10-CM FHIR terminology server", "url": base}}


def capability_statement(base: str, registry: Registry) -> dict[str, Any]:
    """``base``: the FHIR base url of this server as the client reached it. ``rest.documentation`` says
    which releases of the code systems released in time it holds, and when each is in effect, and the
    supplements it applies without being asked."""
    header = _header("CapabilityStatement", base)
    # FHIR's element order (which XML keeps): id, then extension, then the rest.
    statement = {"resourceType": header.pop("resourceType"), "id": header.pop("id")}
    statement["extension"] = [
        {"url": _FEATURE, "extension": [{"url": "definition", "valueCanonical": definition}, {"url": "value", **value}]}
        for definition, value in _FEATURES
    ]
    statement.update(header)
    statement["instantiates"] = ["http://hl7.org/fhir/CapabilityStatement/terminology-server"]
    statement.update(_software_and_implementation(base, release_date=True))
    statement["fhirVersion"] = "4.0.1"
    statement["format"] = ["application/fhir+json", "application/fhir+xml", "json", "xml"]
    resources = []
    for kind, operations in _OPERATIONS.items():
        resources.append(
            {
                "type": kind,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": [
                    {"name": name, "definition": search_parameter_definition(kind, name), "type": type_}
                    for name, type_ in SEARCH_PARAMETERS[kind].items()
                ],
                "operation": [{"name": name, "definition": definition} for name, definition in operations],
            }
        )
    resources.append({"type": "OperationDefinition", "interaction": [{"code": "read"}]})
    documentation = " ".join(filter(None, (_releases(registry), _applied(registry.supplements_applied))))
    statement["rest"] = [
        {
            "mode": "server",
            **({"documentation": documentation} if documentation else {}),
            "security": {"cors": True, "description": _SECURITY},
            "resource": resources,
            "interaction": [{"code": "batch"}],  # POST [base] with a batch Bundle
            "operation": [{"name": name, "definition": definition} for name, definition in _SYSTEM_OPERATIONS],
        }
    ]
    return statement


def _releases(registry: Registry) -> str:
    """The releases of each code system released in time, with when each is in effect."""
    said = []
    for url in sorted(registry.dated_systems()):
        default = registry.code_system(url)
        listed = []
        for provider in _dated_versions(registry, url):
            period = provider.info.effective
            listed.append(
                f"version {provider.info.version} ({release_label(period.start)}), in effect from {period.start.isoformat()} "
                f"to {period.end.isoformat()}" + (" (the default)" if provider is default else "")
            )
        said.append(f"Releases of {url}: {'; '.join(listed)}. A request's 'date' chooses the release in effect on it.")
    return " ".join(said)


def _dated_versions(registry: Registry, url: str) -> list[CodeSystemProvider]:
    """The versions of a code system released in time, oldest first."""
    found = (registry.code_system(url, version) for version in registry.versions(url))
    return sorted((p for p in found if p is not None and p.info.effective is not None), key=lambda p: p.info.effective.start)


def _applied(supplements: Sequence[str]) -> str:
    if not supplements:
        return ""
    listed = ", ".join(supplements)
    return (
        f"CodeSystem supplements applied by default, without useSupplement: {listed}. "
        "Lookups and validations carry what they add, and name them in used-supplement."
    )


def terminology_capabilities(registry: Registry, base: str) -> dict[str, Any]:
    capabilities = _header("TerminologyCapabilities", base)
    capabilities.update(_software_and_implementation(base, release_date=False))
    by_url: dict[str, list[dict[str, Any]]] = {}
    dated = registry.dated_systems()
    for url, version, default in registry.catalog():
        entry: dict[str, Any] = {}
        period = registry.code_system(url, version).info.effective if url in dated else None
        if period is not None:
            entry["extension"] = [{"url": EFFECTIVE_PERIOD, "valuePeriod": {"start": period.start.isoformat(), "end": period.end.isoformat()}}]
        if version:
            entry["code"] = version
        entry["isDefault"] = default
        by_url.setdefault(url, []).append(entry)
    capabilities["codeSystem"] = [{"uri": url, "version": versions} for url, versions in by_url.items()]
    capabilities["expansion"] = {"parameter": [{"name": name} for name in EXPANSION_PARAMETERS]}
    capabilities["validateCode"] = {"translations": False}
    capabilities["translation"] = {"needsMap": False}  # $translate finds maps by the systems and value sets too
    return capabilities


def operation_definition(id: str) -> dict[str, Any]:
    """The OperationDefinition ``id`` of one of this server's own operations; :class:`NotFound` otherwise."""
    definition = _OWN_DEFINITIONS.get(id)
    if definition is None:
        defined = ", ".join(sorted(_OWN_DEFINITIONS))
        raise NotFound(f"There is no OperationDefinition '{id}' here; this server defines {defined}", expression="id")
    return dict(definition)


def versions_parameters() -> dict[str, Any]:
    """The answer of ``$versions``: the FHIR versions served, and the default one (R4, ``4.0``)."""
    return ParametersBuilder().add("version", "string", "4.0").add("default", "string", "4.0").resource()
