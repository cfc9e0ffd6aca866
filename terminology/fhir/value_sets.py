"""Reading a ValueSet resource (FHIR JSON) into a :class:`ValueSetDefinition`.

Reads ``ValueSet.compose``: ``include``/``exclude`` with ``system``, ``version``, ``concept``
(``code``, ``display``, ``designation``), ``filter`` (``property``, ``op``, ``value``) and
``valueSet``; ``inactive``; ``lockedDate`` (for code system versions: a value set import follows the
import's own version). And of the ValueSet itself: ``language``, ``contained``, ``expansion.contains``,
and the extensions ``valueset-supplement`` and ``valueset-expansion-parameter`` (on it or its compose).

An element of the compose of the wrong JSON type makes the compose an :class:`InvalidRequest` naming its
FHIRPath (said when the compose is used); other elements of the wrong type are taken as absent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from ..definitions import Definition
from ..definitions.value_set import CarriedExpansion, Compose, ConceptReference, Filter, Include, ValueSetDefinition
from ..errors import InvalidRequest
from .dates import day_of
from ..extensions import annotations, carried
from ..model import Coding
from .elements import array, items, read_coding, read_designations, read_extensions, string, text
from .metadata import STANDARDS_STATUS, read_metadata

__all__ = ["read_value_set"]

_SUPPLEMENT = "http://hl7.org/fhir/StructureDefinition/valueset-supplement"
_EXPANSION_PARAMETER = "http://hl7.org/fhir/StructureDefinition/valueset-expansion-parameter"
_DEPRECATED = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"
# R4 carries R5's filter operators child-of and descendent-leaf in this extension on ``op``.
_R5_FILTER_OP = "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.compose.include.filter.op"


def read_value_set(resource: Mapping[str, Any], contained: Mapping[str, Definition] | None = None) -> ValueSetDefinition:
    """``contained``: the resources it contains, read, by their local reference (``#vs1``); the compose's
    references to them are resolved to their urls. A compose that cannot be read is kept as the
    :class:`InvalidRequest` that says what is wrong (see :class:`ValueSetDefinition`)."""
    parameters = _expansion_parameters(resource)
    contained = contained or {}
    local = {reference: definition.url or reference for reference, definition in contained.items()}
    compose = error = None
    try:
        compose = _compose(resource.get("compose"), local, parameters.get("versionsMatch"))
    except InvalidRequest as problem:
        error = problem
    return ValueSetDefinition(
        metadata=read_metadata(resource),
        parsed_compose=compose,
        compose_error=error,
        language=text(resource.get("language")),
        supplements=tuple(
            str(extension["valueCanonical"])
            for extension in items(resource.get("extension"))
            if isinstance(extension, dict) and extension.get("url") == _SUPPLEMENT and text(extension.get("valueCanonical"))
        ),
        contained=tuple(contained.values()),
        expansion_parameters=parameters,
        expansion=_expansion(resource.get("expansion")),
        source=resource,
    )


def _expansion_parameters(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The expansion parameters a ValueSet sets for itself, on the ValueSet or on its compose."""
    found: dict[str, Any] = {}
    compose = resource.get("compose") if isinstance(resource.get("compose"), dict) else {}
    for extension in [*items(resource.get("extension")), *items(compose.get("extension"))]:
        if not isinstance(extension, dict) or extension.get("url") != _EXPANSION_PARAMETER:
            continue
        parts = {part.url: part for part in read_extensions(extension)}  # its name and value, as extensions
        name = parts["name"].value if "name" in parts and parts["name"].value_type == "Code" else None
        value = parts["value"].value if "value" in parts else None
        if isinstance(name, str):
            found[name] = {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value
    return found


def _expansion(expansion: Any) -> CarriedExpansion | None:
    if not isinstance(expansion, dict):
        return None
    total = expansion.get("total")
    counted = isinstance(total, int) and not isinstance(total, bool)  # (JSON's true is no count)
    return CarriedExpansion(total if counted else None, tuple(_contains(expansion.get("contains"))))


def _contains(entries: Any) -> Iterator[Coding]:
    for entry in items(entries):
        if isinstance(entry, dict):
            if isinstance(entry.get("code"), str):
                yield read_coding(entry)
            yield from _contains(entry.get("contains"))


def _compose(compose: Any, local: Mapping[str, str], versions_match: Any) -> Compose | None:
    if compose is None:
        return None
    if not isinstance(compose, dict):
        raise InvalidRequest("ValueSet.compose must be an object", expression="ValueSet.compose")
    locked = _locked_day(compose)
    return Compose(
        includes=tuple(_include(item, f"ValueSet.compose.include[{n}]", locked, local) for n, item in enumerate(_list(compose, "include"))),
        excludes=tuple(_include(item, f"ValueSet.compose.exclude[{n}]", locked, local) for n, item in enumerate(_list(compose, "exclude"))),
        inactive=compose.get("inactive") if isinstance(compose.get("inactive"), bool) else None,
        locked_date=locked,
        versions_match=versions_match if isinstance(versions_match, bool) else None,
    )


def _locked_day(compose: Mapping[str, Any]) -> date | None:
    """``compose.lockedDate`` as the day it names; :class:`InvalidRequest` when it is no date."""
    text = string(compose, "lockedDate", "ValueSet.compose")
    if text is None:
        return None
    day = day_of(text)
    if day is None:
        raise InvalidRequest(f"ValueSet.compose.lockedDate must be a date (2026-04-01), not {text!r}", expression="ValueSet.compose.lockedDate")
    return day


def _list(compose: Mapping[str, Any], key: str) -> list[Any]:
    # (an empty one, of any type, is as good as none: as it was read before)
    return array(compose, key, "ValueSet.compose") if compose.get(key) else []


def _include(item: Any, path: str, locked_date: date | None, local: Mapping[str, str]) -> Include:
    if not isinstance(item, dict):
        raise InvalidRequest(f"{path} must be an object", expression=path)
    system, value_sets = string(item, "system", path), _urls(item, path)
    if system is None and not value_sets:
        raise InvalidRequest(f"{path} has neither a system nor a valueSet", expression=path)
    concepts = tuple(_concept(c, f"{path}.concept[{n}]") for n, c in enumerate(array(item, "concept", path)))
    filters = tuple(_filter(f, f"{path}.filter[{n}]", system) for n, f in enumerate(array(item, "filter", path)))
    system = local.get(system, system) if system is not None else None
    imports = tuple(local.get(url, url) for url in value_sets)
    return Include(system, string(item, "version", path), concepts, filters, imports, locked_date)


def _urls(item: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The value sets an include imports (``valueSet``: an array of canonicals)."""
    urls = array(item, "valueSet", path) if item.get("valueSet") else []
    for n, url in enumerate(urls):
        if not isinstance(url, str):
            raise InvalidRequest(f"{path}.valueSet[{n}] must be a string", expression=f"{path}.valueSet[{n}]")
    return tuple(urls)


def _concept(item: Any, path: str) -> ConceptReference:
    if not isinstance(item, dict) or not isinstance(item.get("code"), str):
        raise InvalidRequest(f"{path} has no code", expression=path)
    display = string(item, "display", path)
    if "designation" not in item and "extension" not in item:  # (most are: FHIR's own value sets list 12,000)
        return ConceptReference(item["code"], display)
    extensions = read_extensions(item)
    return ConceptReference(
        item["code"], display, read_designations(item.get("designation")), _concept_status(item),
        annotations(extensions, on_value_set=True), carried(extensions, on_value_set=True),
    )  # fmt: skip


def _concept_status(item: Mapping[str, Any]) -> str | None:
    for extension in items(item.get("extension")):
        if not isinstance(extension, dict):
            continue
        if extension.get("url") == _DEPRECATED and (extension.get("valueBoolean") is True or extension.get("valueCode") == "true"):
            return "deprecated"
        if extension.get("url") == STANDARDS_STATUS and extension.get("valueCode") in ("deprecated", "withdrawn"):
            return str(extension["valueCode"])
    return None


def _filter(item: Any, path: str, system: str | None) -> Filter:
    if not isinstance(item, dict):
        raise InvalidRequest(f"{path} must be an object", expression=path)
    op = item.get("op")
    element = item.get("_op")  # (an R4 primitive's extensions)
    for extension in items(element.get("extension")) if isinstance(element, dict) else ():
        if isinstance(extension, dict) and extension.get("url") == _R5_FILTER_OP:
            op = extension.get("valueCode", op)
    prop, value = item.get("property"), item.get("value")
    if not isinstance(prop, str) or not isinstance(op, str):
        raise InvalidRequest(f"{path} needs a property and an op", tx_code="vs-invalid", expression=path)
    if not isinstance(value, str):
        raise InvalidRequest(
            f"The system {system} filter with property = {prop}, op = {op} has no value", tx_code="vs-invalid", expression=path
        )
    return Filter(prop, op, value)
