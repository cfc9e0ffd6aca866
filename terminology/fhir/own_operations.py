"""The OperationDefinition of an operation this server defines itself (``[base]/OperationDefinition/{id}``)."""

from __future__ import annotations

from typing import Any

__all__ = ["own_operation_definition"]


def own_operation_definition(
    url: str, name: str, title: str, description: str, parameters: list[dict[str, Any]], *, resource: str | None, affects_state: bool = False
) -> dict[str, Any]:
    """The definition of the operation at ``url`` (its code and id: the url's last segment, less a type
    prefix), called on the type ``resource``, or on the server where that is None."""
    id = url.rpartition("/")[2]
    definition: dict[str, Any] = {
        "resourceType": "OperationDefinition", "id": id, "url": url, "name": name, "title": title, "status": "active",
        "kind": "operation", "publisher": "terminology project", "description": description, "affectsState": affects_state,
        "code": id.removeprefix(f"{resource}-") if resource else id,
    }  # fmt: skip
    if resource is not None:
        definition["resource"] = [resource]
    return {**definition, "system": resource is None, "type": resource is not None, "instance": False, "parameter": parameters}
