"""The server's CapabilityStatement (``/metadata``) and TerminologyCapabilities (``?mode=terminology``)."""

from __future__ import annotations

from typing import Any

from .. import __release_date__, __version__
from ..registry import Registry

__all__ = ["capability_statement", "terminology_capabilities"]

_OPERATIONS = {
    "CodeSystem": (
        ("lookup", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"),
        ("validate-code", "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code"),
    ),
}
_SEARCH_PARAMETERS = {
    "CodeSystem": (
        ("url", "uri", "http://hl7.org/fhir/SearchParameter/conformance-url"),
        ("version", "token", "http://hl7.org/fhir/SearchParameter/conformance-version"),
        ("name", "string", "http://hl7.org/fhir/SearchParameter/conformance-name"),
    ),
}
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
        "description": "FHIR R4 terminology services for ICD-10-CM: $lookup, $validate-code, read and search.",
        "kind": "instance",
    }


def _software_and_implementation(base: str, release_date: bool) -> dict[str, Any]:
    """``release_date``: CapabilityStatement.software has one; TerminologyCapabilities.software does not."""
    software = {"name": "terminology", "version": __version__}
    if release_date:
        software["releaseDate"] = __release_date__
    return {"software": software, "implementation": {"description": "ICD-10-CM FHIR terminology server", "url": base}}


def capability_statement(base: str) -> dict[str, Any]:
    """``base``: the FHIR base url of this server as the client reached it."""
    statement = _header("CapabilityStatement", base)
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
                    {"name": name, "definition": definition, "type": type_}
                    for name, type_, definition in _SEARCH_PARAMETERS[kind]
                ],
                "operation": [{"name": name, "definition": definition} for name, definition in operations],
            }
        )
    statement["rest"] = [
        {
            "mode": "server",
            "security": {"cors": True, "description": _SECURITY},
            "resource": resources,
        }
    ]
    return statement


def terminology_capabilities(registry: Registry, base: str) -> dict[str, Any]:
    capabilities = _header("TerminologyCapabilities", base)
    capabilities.update(_software_and_implementation(base, release_date=False))
    capabilities["codeSystem"] = []
    by_url: dict[str, list[dict[str, Any]]] = {}
    for provider in registry.code_systems():
        info = provider.info
        version: dict[str, Any] = {"code": info.version or "", "isDefault": registry.code_system(info.url) is provider}
        if info.language:
            version["language"] = [info.language]
        version["property"] = [definition.code for definition in provider.property_definitions()]
        by_url.setdefault(info.url, []).append(version)
    for url, versions in by_url.items():
        capabilities["codeSystem"].append({"uri": url, "version": versions})
    capabilities["validateCode"] = {"translations": False}
    return capabilities
