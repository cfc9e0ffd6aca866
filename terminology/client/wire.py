"""What the client sends: each operation's standard R4 parameters as a GET query, and the bodies of the
two kinds of batch (a ``batch`` Bundle of such GETs; a ``$batch-validate-code`` Parameters).

A bulk call and a single call send the same parameters for the same code, so that their answers agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from .results import CodeQuery

__all__ = [
    "OperationCall",
    "batch_bundle",
    "batch_validate_code_parameters",
    "expand_call",
    "lookup_call",
    "subsumes_call",
    "translate_call",
    "validate_code_call",
]

Query = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class OperationCall:
    """One operation call: its path below the FHIR base (``CodeSystem/$lookup``) and its query."""

    path: str
    query: Query

    def relative_url(self) -> str:
        """The path with its query, as a batch entry's ``request.url`` gives it."""
        return f"{self.path}?{urlencode(self.query)}"


def _query(*pairs: tuple[str, str | date | None]) -> Query:
    """The pairs that have a value, dates as FHIR writes them."""
    return tuple((name, value.isoformat() if isinstance(value, date) else value) for name, value in pairs if value is not None)


def _canonical(reference: str) -> tuple[str, str | None]:
    """``url|version`` (or a bare ``url``) as its url and version."""
    url, bar, version = reference.partition("|")
    return url, (version if bar else None)


def validate_code_call(query: CodeQuery, value_set: str | None) -> OperationCall:
    """``CodeSystem/$validate-code`` of the code, or ``ValueSet/$validate-code`` when ``value_set``
    (``url`` or ``url|version``) names the value set it must be in."""
    if value_set is None:
        pairs = (("url", query.system), ("code", query.code), ("version", query.version), ("display", query.display), ("date", query.date))
        return OperationCall("CodeSystem/$validate-code", _query(*pairs))
    url, version = _canonical(value_set)
    return OperationCall("ValueSet/$validate-code", _query(("url", url), ("valueSetVersion", version), *_coded(query)))


def _coded(query: CodeQuery) -> tuple[tuple[str, str | date | None], ...]:
    """A code's own parameters in ``ValueSet/$validate-code``."""
    return (
        ("code", query.code),
        ("system", query.system),
        ("systemVersion", query.version),
        ("display", query.display),
        ("date", query.date),
    )


def lookup_call(query: CodeQuery, properties: Sequence[str]) -> OperationCall:
    pairs = [("system", query.system), ("code", query.code), ("version", query.version), ("date", query.date)]
    return OperationCall("CodeSystem/$lookup", _query(*pairs, *(("property", name) for name in properties)))


def expand_call(value_set: str, *, filter: str | None, count: int, offset: int, date: date | None) -> OperationCall:
    url, version = _canonical(value_set)
    pairs = (("url", url), ("valueSetVersion", version), ("filter", filter), ("date", date))
    return OperationCall("ValueSet/$expand", _query(*pairs, ("offset", str(offset)), ("count", str(count))))


def subsumes_call(code_a: str, code_b: str, system: str, version: str | None, date: date | None) -> OperationCall:
    """``date`` is no R4 parameter of ``$subsumes``: the caller sends it only to a server that takes it."""
    pairs = (("system", system), ("codeA", code_a), ("codeB", code_b), ("version", version), ("date", date))
    return OperationCall("CodeSystem/$subsumes", _query(*pairs))


def translate_call(
    code: str, system: str, *, url: str | None, target_system: str | None, reverse: bool, version: str | None
) -> OperationCall:
    pairs = (("url", url), ("system", system), ("code", code), ("version", version), ("targetsystem", target_system))
    return OperationCall("ConceptMap/$translate", _query(*pairs, ("reverse", "true" if reverse else None)))


def batch_bundle(calls: Sequence[OperationCall]) -> dict[str, Any]:
    """A ``batch`` Bundle of one GET per call, to POST to the FHIR base."""
    return {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [{"request": {"method": "GET", "url": call.relative_url()}} for call in calls],
    }


# The FHIR type of each parameter a validation sends, for a Parameters body.
_TYPES = {"code": "Code", "system": "Uri", "systemVersion": "String", "display": "String", "date": "DateTime"}


def batch_validate_code_parameters(queries: Sequence[CodeQuery], value_set: str) -> dict[str, Any]:
    """The body of ``ValueSet/$batch-validate-code``: the value set once, one ``validation`` per code."""
    url, version = _canonical(value_set)
    shared = [{"name": "url", "valueUri": url}]
    if version is not None:
        shared.append({"name": "valueSetVersion", "valueString": version})
    validations = [
        {
            "name": "validation",
            "resource": {
                "resourceType": "Parameters",
                "parameter": [{"name": name, f"value{_TYPES[name]}": value} for name, value in _query(*_coded(query))],
            },
        }
        for query in queries
    ]
    return {"resourceType": "Parameters", "parameter": shared + validations}
