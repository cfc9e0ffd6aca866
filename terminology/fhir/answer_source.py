"""Which code system and version an answer came from, as the answer itself says: the ``system`` and
``version`` parameters of a ``$lookup`` or ``$validate-code``, an expansion's ``used-codesystem``. The
request log reads it there, so that no operation has to report it on the side."""

from __future__ import annotations

from typing import Any

__all__ = ["answering_code_system"]


def answering_code_system(resource: dict[str, Any]) -> tuple[str, str] | None:
    """``(url, version)`` of the code system that answered, where the answer names one (the first, for an
    expansion over several); None for other answers."""
    kind = resource.get("resourceType")
    if kind == "Parameters":
        return _from_parameters(resource.get("parameter") or ())
    if kind == "ValueSet":
        for parameter in (resource.get("expansion") or {}).get("parameter") or ():
            if parameter.get("name") == "used-codesystem":
                url, _, version = str(parameter.get("valueUri", "")).partition("|")
                return url, version
    return None


def _from_parameters(parameters: Any) -> tuple[str, str] | None:
    system = version = None
    for parameter in parameters:
        name = parameter.get("name")
        if name == "system":
            system = parameter.get("valueUri")
        elif name == "version":
            version = parameter.get("valueString")
        else:
            continue
        if system is not None and version is not None:  # (they come first: a lookup's properties follow)
            break
    if system is None:
        return None
    return system, version or ""
