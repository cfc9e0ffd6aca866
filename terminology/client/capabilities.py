"""What a server says it offers: its CapabilityStatement (``/metadata``) read into
:class:`ServerCapabilities`, and the input parameters of an OperationDefinition it names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .errors import ClientError
from .shapes import array, obj, optional_str

__all__ = ["ServerCapabilities", "read_capabilities", "read_operation_parameters"]


@dataclass(frozen=True)
class ServerCapabilities:
    """A server's CapabilityStatement: its software, its FHIR version, the operations it offers on each
    resource type (name without ``$`` -> the canonical of its OperationDefinition, None if it names
    none) and on the whole server (``system_operations``), whether it runs ``batch`` Bundles, and the
    statement's JSON as received."""

    software_name: str | None
    software_version: str | None
    fhir_version: str | None
    operations: Mapping[str, Mapping[str, str | None]]
    system_operations: Mapping[str, str | None]
    batch: bool
    statement: dict[str, Any] = field(repr=False, compare=False)

    def offers(self, operation: str, resource_type: str) -> bool:
        """Whether ``$operation`` is offered on ``resource_type`` (or on the whole server)."""
        return operation in self.operations.get(resource_type, {}) or operation in self.system_operations

    def definition(self, operation: str, resource_type: str) -> str | None:
        """The canonical of the OperationDefinition of ``$operation`` on ``resource_type``, if named."""
        return self.operations.get(resource_type, {}).get(operation) or self.system_operations.get(operation)


def read_capabilities(statement: dict[str, Any]) -> ServerCapabilities:
    if statement.get("resourceType") != "CapabilityStatement":
        raise ClientError(f"Malformed answer: /metadata answered a {statement.get('resourceType')!r}, not a CapabilityStatement")
    software = obj(statement.get("software") or {}, "CapabilityStatement.software")
    rest = _server_rest(statement)
    operations = {}
    for index, resource in enumerate(array(rest.get("resource"), "CapabilityStatement.rest.resource")):
        where = f"CapabilityStatement.rest.resource[{index}]"
        kind = optional_str(obj(resource, where), "type", where)
        if kind is not None:
            operations[kind] = MappingProxyType(_operations(resource, where))
    interactions = array(rest.get("interaction"), "CapabilityStatement.rest.interaction")
    return ServerCapabilities(
        software_name=optional_str(software, "name", "CapabilityStatement.software"),
        software_version=optional_str(software, "version", "CapabilityStatement.software"),
        fhir_version=optional_str(statement, "fhirVersion", "CapabilityStatement"),
        operations=MappingProxyType(operations),
        system_operations=MappingProxyType(_operations(rest, "CapabilityStatement.rest")),
        batch=any(isinstance(item, dict) and item.get("code") == "batch" for item in interactions),
        statement=statement,
    )


def _server_rest(statement: dict[str, Any]) -> dict[str, Any]:
    """The ``rest`` entry that says what the server does (``mode`` server); empty when it has none."""
    rests = [obj(rest, "CapabilityStatement.rest") for rest in array(statement.get("rest"), "CapabilityStatement.rest")]
    return next((rest for rest in rests if rest.get("mode") == "server"), {})


def _operations(holder: dict[str, Any], where: str) -> dict[str, str | None]:
    found = {}
    for index, operation in enumerate(array(holder.get("operation"), f"{where}.operation")):
        path = f"{where}.operation[{index}]"
        name = optional_str(obj(operation, path), "name", path)
        if name:
            found[name.removeprefix("$")] = optional_str(operation, "definition", path)
    return found


def read_operation_parameters(bundle: dict[str, Any]) -> frozenset[str]:
    """The input parameters of the OperationDefinition a search by its url found (none found: none)."""
    if bundle.get("resourceType") != "Bundle":
        raise ClientError(f"Malformed answer: a search for an OperationDefinition answered a {bundle.get('resourceType')!r}")
    for index, entry in enumerate(array(bundle.get("entry"), "Bundle.entry")):
        resource = obj(obj(entry, f"Bundle.entry[{index}]").get("resource") or {}, f"Bundle.entry[{index}].resource")
        if resource.get("resourceType") == "OperationDefinition":
            parameters = array(resource.get("parameter"), "OperationDefinition.parameter")
            where = "OperationDefinition.parameter"
            return frozenset(
                name
                for parameter in parameters
                if obj(parameter, where).get("use") == "in" and (name := optional_str(parameter, "name", where))
            )
    return frozenset()
