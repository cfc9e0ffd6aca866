"""Reading FHIR JSON that came over the wire, totally: every step checks the shape it reads, and a shape
that is not FHIR's is a :class:`ClientError` that says where, never a KeyError or a TypeError."""

from __future__ import annotations

from typing import Any

from .errors import ClientError
from .results import Coding, PropertyValue

__all__ = ["NamedParameters", "array", "checked", "obj", "optional_bool", "optional_int", "optional_str", "typed_value"]

# value[x] suffixes read as text, as true/false, as numbers.
_TEXT_TYPES = frozenset(
    {"String", "Code", "Uri", "Url", "Canonical", "DateTime", "Date", "Instant", "Time", "Id", "Markdown", "Oid", "Uuid"}
)
_WHOLE_NUMBER_TYPES = frozenset({"Integer", "UnsignedInt", "PositiveInt", "Integer64"})


def obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ClientError(f"Malformed answer: {where} is not a JSON object")
    return value


def array(value: Any, where: str) -> list[Any]:
    """An element that repeats: absent is empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ClientError(f"Malformed answer: {where} is not a JSON array")
    return value


def optional_str(mapping: dict[str, Any], key: str, where: str) -> str | None:
    return _optional(mapping, key, str, "a string", where)


def optional_bool(mapping: dict[str, Any], key: str, where: str) -> bool | None:
    return _optional(mapping, key, bool, "true or false", where)


def optional_int(mapping: dict[str, Any], key: str, where: str) -> int | None:
    value = mapping.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ClientError(f"Malformed answer: {where}.{key} is not a whole number")
    return value


def _optional(mapping: dict[str, Any], key: str, kind: type, said: str, where: str) -> Any:
    value = mapping.get(key)
    if value is not None and not isinstance(value, kind):
        raise ClientError(f"Malformed answer: {where}.{key} is not {said}")
    return value


def _coding(value: Any, where: str) -> Coding:
    coding = obj(value, where)
    return Coding(*(optional_str(coding, key, where) for key in ("system", "version", "code", "display")))


def typed_value(element: dict[str, Any], where: str) -> PropertyValue | None:
    """The ``value[x]`` of a parameter or extension: text, true/false, a number or a Coding; None when
    it has none, or one of a type no answer read here carries (a Quantity, say)."""
    for key, value in element.items():
        if not key.startswith("value") or key == "value":
            continue
        suffix = key[len("value") :]
        if suffix in _TEXT_TYPES:
            return checked(value, str, f"{where}.{key}", "a string")
        if suffix == "Boolean":
            return checked(value, bool, f"{where}.{key}", "true or false")
        if suffix in _WHOLE_NUMBER_TYPES:
            return optional_int(element, key, where)
        if suffix == "Decimal":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ClientError(f"Malformed answer: {where}.{key} is not a number")
            return value
        if suffix == "Coding":
            return _coding(value, f"{where}.{key}")
        return None
    return None


def checked(value: Any, kind: type, where: str, said: str) -> Any:
    """``value``, if it is of ``kind``; else a ClientError that says ``where`` is not ``said``."""
    if not isinstance(value, kind):
        raise ClientError(f"Malformed answer: {where} is not {said}")
    return value


class NamedParameters:
    """The parameters of a ``Parameters`` resource (or the parts of one parameter), by name."""

    def __init__(self, entries: Any, where: str) -> None:
        self.where = where
        self._by_name: dict[str, list[dict[str, Any]]] = {}
        for index, entry in enumerate(array(entries, where)):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                raise ClientError(f"Malformed answer: {where}[{index}] is not a named parameter")
            self._by_name.setdefault(name, []).append(entry)

    @classmethod
    def of(cls, resource: dict[str, Any], what: str) -> NamedParameters:
        """The parameters of ``resource``, which must be a Parameters (the answer of ``what``)."""
        if resource.get("resourceType") != "Parameters":
            raise ClientError(f"Malformed answer: {what} answered a {resource.get('resourceType')!r}, not a Parameters")
        return cls(resource.get("parameter"), "Parameters.parameter")

    def all(self, name: str) -> list[dict[str, Any]]:
        """Each parameter named ``name``, in order."""
        return self._by_name.get(name, [])

    def value(self, name: str) -> PropertyValue | None:
        found = self._by_name.get(name)
        return typed_value(found[0], self._where(name)) if found else None

    def text(self, name: str) -> str | None:
        return self._expect(name, str, "text")

    def flag(self, name: str) -> bool | None:
        return self._expect(name, bool, "true or false")

    def coding(self, name: str) -> Coding | None:
        return self._expect(name, Coding, "a Coding")

    def parts(self, name: str) -> list[NamedParameters]:
        """The parts of each parameter named ``name``."""
        return [NamedParameters(entry.get("part"), f"{self._where(name)}.part") for entry in self.all(name)]

    def resource(self, name: str) -> dict[str, Any] | None:
        found = self._by_name.get(name)
        return obj(found[0].get("resource"), f"{self._where(name)}.resource") if found else None

    def resources(self, name: str) -> list[dict[str, Any]]:
        return [obj(entry.get("resource"), f"{self._where(name)}.resource") for entry in self.all(name)]

    def _where(self, name: str) -> str:
        return f"{self.where}({name})"

    def _expect(self, name: str, kind: type, said: str) -> Any:
        value = self.value(name)
        if value is not None and not isinstance(value, kind):
            raise ClientError(f"Malformed answer: the parameter {name!r} in {self.where} is not {said}")
        return value
