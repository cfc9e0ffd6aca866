"""Reading an operation's input parameters, from a query string or a ``Parameters`` resource alike.

Each accessor checks cardinality and type and raises :class:`InvalidRequest` with a message that
names the parameter, so operations receive only well-formed values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from ..errors import InvalidRequest, NotSupported
from ..model import CodeableConcept, Coding
from .dates import day_of

__all__ = ["OperationInput", "is_fhir_code"]

# FHIR primitive types whose JSON form is a string; a query-string value may stand for any of them.
_STRING_TYPES = frozenset(
    {"string", "code", "uri", "url", "canonical", "id", "markdown", "oid", "uuid", "date", "dateTime", "instant"}
)
_QUERY = "query"  # the type of a value that came from a query string or a form: text, to be parsed
_CODING_FIELDS = ("system", "version", "code", "display")
# FHIR's code datatype: no leading, trailing or doubled white space.
_FHIR_CODE = re.compile(r"[^\s]+(\s[^\s]+)*")


def is_fhir_code(text: str) -> bool:
    """Whether ``text`` is a value of FHIR's ``code`` datatype."""
    return _FHIR_CODE.fullmatch(text) is not None


class OperationInput:
    """The parameters of one call: ``(name, type, value)`` triples in the order they were given."""

    def __init__(self, entries: list[tuple[str, str, Any]]) -> None:
        self._entries = entries
        # (type, value) of each name, in order: an operation reads a dozen names of a few parameters.
        self._by_name: dict[str, list[tuple[str, Any]]] = {}
        for name, kind, value in entries:
            found = self._by_name.get(name)
            if found is None:
                self._by_name[name] = [(kind, value)]
            else:
                found.append((kind, value))

    @classmethod
    def from_query(cls, pairs: Iterable[tuple[str, str]]) -> OperationInput:
        """From query or form pairs; FHIR's own search controls (``_format``, ``_pretty``) are not inputs."""
        return cls([(name, _QUERY, value) for name, value in pairs if not name.startswith("_")])

    @classmethod
    def from_parameters(cls, resource: Mapping[str, Any]) -> OperationInput:
        """From a ``Parameters`` resource in its JSON form."""
        if resource.get("resourceType") != "Parameters":
            raise InvalidRequest(
                f"The request body must be a Parameters resource, not {resource.get('resourceType')!r}"
            )
        entries = []
        for index, parameter in enumerate(_list(resource.get("parameter"), "Parameters.parameter")):
            if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
                raise InvalidRequest(f"Parameters.parameter[{index}] has no name", expression=f"Parameters.parameter[{index}]")
            entries.append(_typed(parameter, index))
        return cls(entries)

    def names(self) -> set[str]:
        return set(self._by_name)

    def __contains__(self, name: object) -> bool:
        """Whether the request gives the parameter ``name``."""
        return name in self._by_name

    def gives_any(self, names: frozenset[str]) -> bool:
        """Whether the request gives any of ``names`` (one cheap test before the checks that name them)."""
        return not self._by_name.keys().isdisjoint(names)

    def entries(self) -> list[tuple[str, str, Any]]:
        """``(name, type, value)`` for every parameter, in the order given (type ``query`` for text)."""
        return list(self._entries)

    def reject_unknown(self, known: frozenset[str], operation: str) -> None:
        unknown = sorted(self._by_name.keys() - known)
        if unknown:
            listed = ", ".join(f"'{name}'" for name in unknown)
            raise InvalidRequest(
                f"{operation} does not take the parameter(s) {listed}; it takes: {', '.join(sorted(known))}"
            )

    def exactly_one_of(self, *names: str) -> str:
        """The one of ``names`` the request gives; :class:`InvalidRequest` when it gives none, or several."""
        given = self._given(names)
        if len(given) != 1:
            found = f"gives {_listed(given, 'and')}" if given else "gives none"
            raise InvalidRequest(f"Give exactly one of {_listed(names, 'or')}; the request {found}", expression=(given or names)[0])
        return given[0]

    def mutually_exclusive(self, *names: str) -> None:
        """:class:`InvalidRequest` when the request gives more than one of ``names``."""
        given = self._given(names)
        if len(given) < 2:
            return
        if len(names) == 2:
            raise InvalidRequest(f"Give either {_listed(names, 'or')}, not both", expression=given[1])
        raise InvalidRequest(f"Give only one of {_listed(names, 'or')}, not {_listed(given, 'and')} together", expression=given[1])

    def not_supported(self, *names: str, reason: str) -> None:
        """:class:`NotSupported` naming those of ``names`` the request gives, with ``reason``: why they are
        not honoured here, and what to do instead."""
        given = self._given(names)
        if given:
            named = f"parameter {_listed(given, 'and')} is" if len(given) == 1 else f"parameters {_listed(given, 'and')} are"
            raise NotSupported(f"The {named} not supported: {reason}", expression=given[0])

    def _given(self, names: tuple[str, ...]) -> list[str]:
        return [name for name in names if name in self._by_name]

    def _values(self, name: str) -> list[tuple[str, Any]]:
        return self._by_name.get(name, [])

    def _single(self, name: str) -> tuple[str, Any] | None:
        values = self._by_name.get(name)
        if values is None:
            return None
        if len(values) > 1:
            raise InvalidRequest(f"The parameter '{name}' is given {len(values)} times; give it once", expression=name)
        return values[0]

    def string(self, name: str) -> str | None:
        """A parameter of a string-like type (string, code, uri, canonical, ...)."""
        found = self._single(name)
        if found is None:
            return None
        kind, value = found
        if kind != _QUERY and kind not in _STRING_TYPES:
            raise InvalidRequest(f"The parameter '{name}' must be a string-like value, not a {kind}", expression=name)
        if not value.strip():
            raise InvalidRequest(f"The parameter '{name}' is empty", expression=name)
        return value

    def strings(self, name: str) -> list[str]:
        """Every value of a repeating string-like parameter."""
        values = []
        for kind, value in self._values(name):
            if kind != _QUERY and kind not in _STRING_TYPES:
                raise InvalidRequest(f"The parameter '{name}' must be a string-like value, not a {kind}", expression=name)
            values.append(value)
        return values

    def day(self, name: str) -> date | None:
        """A ``date`` or ``dateTime`` parameter, as the day it names (a year or a month: its first day;
        a time of day is passed over, as the releases it chooses among change from one day to the next)."""
        text = self.string(name)
        if text is None:
            return None
        day = day_of(text)
        if day is None:
            raise InvalidRequest(
                f"The parameter '{name}' must be a date (2026-04-01, or a dateTime such as 2026-04-01T10:00:00Z), not {text!r}",
                expression=name,
            )
        return day

    def boolean(self, name: str) -> bool | None:
        found = self._single(name)
        if found is None:
            return None
        kind, value = found
        if kind == "boolean":
            return value
        if kind == _QUERY and value in ("true", "false"):
            return value == "true"
        raise InvalidRequest(f"The parameter '{name}' must be a boolean (true or false), not {value!r}", expression=name)

    def integer(self, name: str) -> int | None:
        found = self._single(name)
        if found is None:
            return None
        kind, value = found
        if kind in ("integer", "positiveInt", "unsignedInt") and isinstance(value, int):
            return value
        digits = value.strip().lstrip("-") if kind == _QUERY else ""
        if digits.isascii() and digits.isdigit() and len(value) < 12:  # (isdigit alone takes '²', which int() refuses)
            return int(value)
        raise InvalidRequest(f"The parameter '{name}' must be a whole number, not {value!r}", expression=name)

    def resource(self, name: str) -> dict[str, Any] | None:
        """A parameter that carries a resource (``valueSet``), which a query string cannot."""
        found = self._single(name)
        if found is None:
            return None
        kind, value = found
        if kind != "resource" or not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
            raise InvalidRequest(f"The parameter '{name}' must be a resource; send it in a POSTed Parameters", expression=name)
        return value

    def resources(self, name: str) -> list[dict[str, Any]]:
        """Every resource of a repeating parameter (``tx-resource``)."""
        found = []
        for kind, value in self._values(name):
            if kind != "resource" or not isinstance(value, dict) or not isinstance(value.get("resourceType"), str):
                raise InvalidRequest(f"Every '{name}' parameter must carry a resource", expression=name)
            found.append(value)
        return found

    def coding(self, name: str) -> Coding | None:
        """A Coding; in a query string written ``system|code`` as FHIR's token search syntax has it."""
        found = self._single(name)
        if found is None:
            return None
        kind, value = found
        if kind == "Coding":
            return value
        if kind == _QUERY and "|" in value:
            system, _, code = value.rpartition("|")
            return Coding(system=system or None, code=code or None)
        raise InvalidRequest(f"The parameter '{name}' must be a Coding (in a query: system|code)", expression=name)

    def codeable_concept(self, name: str) -> CodeableConcept | None:
        found = self._single(name)
        if found is None:
            return None
        kind, value = found
        if kind != "CodeableConcept":
            raise InvalidRequest(f"The parameter '{name}' must be a CodeableConcept; use a POST with a Parameters body", expression=name)
        return value


def _listed(names: Iterable[str], conjunction: str) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {conjunction} {quoted[-1]}"


def _list(value: Any, path: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRequest(f"{path} must be an array", expression=path)
    return value


def _typed(parameter: dict[str, Any], index: int) -> tuple[str, str, Any]:
    name = parameter["name"]
    path = f"Parameters.parameter[{index}]"
    values = [key for key in parameter if key.startswith("value")]
    if len(values) > 1:
        raise InvalidRequest(f"{path} ('{name}') has more than one value", expression=path)
    if not values:
        kind = "resource" if "resource" in parameter else "part"
        return name, kind, parameter.get(kind)
    key = values[0]
    kind = key[5:6].lower() + key[6:]
    value = parameter[key]
    if kind == "Coding" or kind == "coding":
        return name, "Coding", _coding(value, f"{path}.valueCoding")
    if kind == "CodeableConcept" or kind == "codeableConcept":
        if not isinstance(value, dict):
            raise InvalidRequest(f"{path}.valueCodeableConcept must be an object", expression=path)
        codings = tuple(
            _coding(item, f"{path}.valueCodeableConcept.coding[{n}]")
            for n, item in enumerate(_list(value.get("coding"), f"{path}.valueCodeableConcept.coding"))
        )
        if not codings:
            raise InvalidRequest(f"{path}.valueCodeableConcept has no coding", expression=path)
        text = value.get("text")
        if text is not None and not isinstance(text, str):
            raise InvalidRequest(f"{path}.valueCodeableConcept.text must be a string", expression=path)
        return name, "CodeableConcept", CodeableConcept(codings, text)
    expected = bool if kind == "boolean" else (int if kind in ("integer", "positiveInt", "unsignedInt") else str)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise InvalidRequest(f"{path}.{key} ('{name}') must be a JSON {expected.__name__}", expression=path)
    return name, kind, value


def _coding(value: Any, path: str) -> Coding:
    if not isinstance(value, dict):
        raise InvalidRequest(f"{path} must be an object", expression=path)
    fields = {}
    for field in _CODING_FIELDS:
        item = value.get(field)
        if item is not None and not isinstance(item, str):
            raise InvalidRequest(f"{path}.{field} must be a string", expression=f"{path}.{field}")
        # Checked as the parameters are (see ``string``): the codings are echoed back in the answer.
        if item is not None and not item.strip():
            raise InvalidRequest(f"{path}.{field} is empty", expression=f"{path}.{field}")
        if field == "code" and item is not None and not is_fhir_code(item):
            raise InvalidRequest(f"{path}.code {item!r} is not a FHIR code: it has stray white space", expression=f"{path}.code")
        fields[field] = item
    return Coding(**fields)
