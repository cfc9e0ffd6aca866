"""A ValueSet's ``compose``, read once into plain values the engine works on.

Reads ``ValueSet.compose``: ``include``/``exclude`` with ``system``, ``version``, ``concept``
(``code``, ``display``, ``designation``), ``filter`` (``property``, ``op``, ``value``) and
``valueSet``; ``inactive``; ``lockedDate`` (for code system versions: a value set import follows the import's own version).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest
from ..extensions import annotations, carried, read_extensions
from ..identity_cache import IdentityCache
from ..model import Coding, Designation, Extension, Property

__all__ = ["CircularReference", "Compose", "ConceptReference", "Filter", "Include", "expansion_parameters", "read_compose"]

# R4 carries R5's filter operators child-of and descendent-leaf in this extension on ``op``.
_R5_FILTER_OP = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.compose.include.filter.op"


class CircularReference(InvalidRequest):
    """A value set that imports itself, directly or through others."""

    issue_type = "processing"

    def __init__(self, url: str, chain: tuple[str, ...]) -> None:
        super().__init__(
            f"The value set {url} refers to itself (through {' -> '.join(chain + (url,))}), so it has no defined content",
            tx_code="vs-invalid",
        )


@dataclass(frozen=True, slots=True)
class ConceptReference:
    code: str
    display: str | None = None
    designations: tuple[Designation, ...] = ()
    status: str | None = None  # deprecated or withdrawn in this value set (valueset-deprecated, standards-status)
    annotations: tuple[Property, ...] = ()  # properties the value set states of the concept (its order, label)
    carried: tuple[Extension, ...] = ()  # extensions an expansion carries into the concept's entry


@dataclass(frozen=True, slots=True)
class Filter:
    property: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class Include:
    system: str | None = None
    version: str | None = None
    concepts: tuple[ConceptReference, ...] = ()
    filters: tuple[Filter, ...] = ()
    value_sets: tuple[str, ...] = ()
    locked_date: str | None = None  # the compose's lockedDate: a version it names none of is the one current then

    @property
    def whole_system(self) -> bool:
        return self.system is not None and not self.concepts and not self.filters

    def with_version(self, version: str | None) -> Include:
        # (dataclasses.replace reads the fields anew each call: a validation makes one of these)
        return Include(self.system, version, self.concepts, self.filters, self.value_sets, self.locked_date)


@dataclass(frozen=True, slots=True)
class Compose:
    includes: tuple[Include, ...]
    excludes: tuple[Include, ...] = ()
    inactive: bool | None = None
    locked_date: str | None = None
    versions_match: bool | None = None  # the value set's versionsMatch expansion parameter, if it sets one


_EXPANSION_PARAMETER = "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter"


def expansion_parameters(value_set: Mapping[str, Any]) -> dict[str, Any]:
    """The expansion parameters a ValueSet sets for itself (``valueset-expansion-parameter`` on the
    ValueSet or on its compose)."""
    found: dict[str, Any] = {}
    compose = value_set.get("compose") if isinstance(value_set.get("compose"), dict) else {}
    for extension in [*(value_set.get("extension") or ()), *(compose.get("extension") or ())]:
        if not isinstance(extension, dict) or extension.get("url") != _EXPANSION_PARAMETER:
            continue
        parts = {part.get("url"): part for part in extension.get("extension") or () if isinstance(part, dict)}
        name = (parts.get("name") or {}).get("valueCode")
        value = next((v for k, v in (parts.get("value") or {}).items() if k.startswith("value")), None)
        if isinstance(name, str):
            found[name] = {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value
    return found


# The composes read, by the identity of their ValueSet: one validation reads a value set's compose
# several times, and most are the registry's.
_READ: IdentityCache[Mapping[str, Any], Compose] = IdentityCache(512)


def read_compose(value_set: Mapping[str, Any]) -> Compose:
    """:class:`InvalidRequest` names what is malformed (an include with neither system nor valueSet, ...).

    A ValueSet is read as it is the first time: change a resource, and hand over a new one."""
    return _READ.get(value_set, _read)


def _read(value_set: Mapping[str, Any]) -> Compose:
    compose = value_set.get("compose")
    if compose is None:
        return Compose(())
    if not isinstance(compose, dict):
        raise InvalidRequest("ValueSet.compose must be an object")
    locked = compose.get("lockedDate") if isinstance(compose.get("lockedDate"), str) else None
    return Compose(
        includes=tuple(_include(item, f"ValueSet.compose.include[{n}]", locked) for n, item in enumerate(_list(compose, "include"))),
        excludes=tuple(_include(item, f"ValueSet.compose.exclude[{n}]", locked) for n, item in enumerate(_list(compose, "exclude"))),
        inactive=compose.get("inactive") if isinstance(compose.get("inactive"), bool) else None,
        locked_date=locked,
        versions_match=_boolean(expansion_parameters(value_set).get("versionsMatch")),
    )


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _list(holder: Mapping[str, Any], key: str) -> list:
    value = holder.get(key) or []
    if not isinstance(value, list):
        raise InvalidRequest(f"ValueSet.compose.{key} must be an array")
    return value


def _include(item: Any, path: str, locked_date: str | None) -> Include:
    if not isinstance(item, dict):
        raise InvalidRequest(f"{path} must be an object")
    system, value_sets = item.get("system"), item.get("valueSet") or []
    if system is None and not value_sets:
        raise InvalidRequest(f"{path} has neither a system nor a valueSet")
    concepts = tuple(_concept(c, f"{path}.concept[{n}]") for n, c in enumerate(item.get("concept") or []))
    filters = tuple(_filter(f, f"{path}.filter[{n}]", system) for n, f in enumerate(item.get("filter") or []))
    return Include(system, item.get("version"), concepts, filters, tuple(str(v) for v in value_sets), locked_date)


def _concept(item: Any, path: str) -> ConceptReference:
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        raise InvalidRequest(f"{path} has no code")
    designations = []
    for designation in item.get("designation") or []:
        if isinstance(designation, dict) and isinstance(designation.get("value"), str):
            use = designation.get("use")
            use = Coding(use.get("system"), use.get("version"), use.get("code"), use.get("display")) if isinstance(use, dict) else None
            designations.append(Designation(designation["value"], designation.get("language"), use, read_extensions(designation)))
    extensions = read_extensions(item)
    return ConceptReference(
        item["code"], item.get("display"), tuple(designations), _concept_status(item),
        annotations(extensions, on_value_set=True), carried(extensions, on_value_set=True),
    )  # fmt: skip


_DEPRECATED = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"
_STANDARDS_STATUS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"


def _concept_status(item: Mapping[str, Any]) -> str | None:
    for extension in item.get("extension") or []:
        if not isinstance(extension, dict):
            continue
        if extension.get("url") == _DEPRECATED and (extension.get("valueBoolean") is True or extension.get("valueCode") == "true"):
            return "deprecated"
        if extension.get("url") == _STANDARDS_STATUS and extension.get("valueCode") in ("deprecated", "withdrawn"):
            return str(extension["valueCode"])
    return None


def _filter(item: Any, path: str, system: str | None) -> Filter:
    if not isinstance(item, dict):
        raise InvalidRequest(f"{path} must be an object", expression=path)
    op = item.get("op")
    for extension in (item.get("_op") or {}).get("extension") or []:
        if extension.get("url") == _R5_FILTER_OP:
            op = extension.get("valueCode", op)
    prop, value = item.get("property"), item.get("value")
    if not isinstance(prop, str) or not isinstance(op, str):
        raise InvalidRequest(f"{path} needs a property and an op", tx_code="vs-invalid", expression=path)
    if not isinstance(value, str):
        raise InvalidRequest(
            f"The system {system} filter with property = {prop}, op = {op} has no value", tx_code="vs-invalid", expression=path
        )
    return Filter(prop, op, value)
