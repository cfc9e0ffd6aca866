"""Search on the wire: a query string read into a :class:`SearchRequest`, and the searchset Bundle
of a page of matches, with its links and the ``_summary`` or ``_elements`` a client asked for.

The parameters supported for each resource type are listed here once: the reader accepts exactly
these, and the CapabilityStatement declares exactly these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ..errors import InvalidRequest
from ..model import Issue
from ..operations.search_criteria import (
    DATE_PREFIXES,
    MODIFIERS,
    Criterion,
    DateValue,
    ParameterType,
    SearchRequest,
    date_range,
)
from .outcome import operation_outcome

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "SEARCH_PARAMETERS",
    "SUBSETTED",
    "ReadSearch",
    "lenient_handling",
    "marked_subsetted",
    "read_search",
    "read_shown",
    "search_parameter_definition",
    "searchset_bundle",
    "subsetted",
]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

_COMMON: dict[str, ParameterType] = {
    "url": "uri",
    "version": "token",
    "name": "string",
    "title": "string",
    "status": "token",
    "publisher": "string",
    "description": "string",
    "date": "date",
    "identifier": "token",
}
#: The search parameters of each resource type (R4's, those a terminology client uses), by type.
SEARCH_PARAMETERS: dict[str, dict[str, ParameterType]] = {
    "CodeSystem": {**_COMMON, "content-mode": "token", "supplements": "reference"},
    "ValueSet": {**_COMMON, "reference": "uri"},
    "ConceptMap": {
        **_COMMON,
        "source": "reference",
        "target": "reference",
        "source-uri": "reference",
        "target-uri": "reference",
        "source-system": "uri",
        "target-system": "uri",
    },
}
# R4 defines the parameters all canonical resources share once, as conformance-[name].
_SHARED_DEFINITION = "http://hl7.org/fhir/SearchParameter/conformance-{name}"
_OWN_DEFINITION = "http://hl7.org/fhir/SearchParameter/{kind}-{name}"

_RESULT_PARAMETERS = frozenset({"_count", "_offset", "_summary", "_elements", "_total", "_format"})
_SUMMARIES = ("true", "false", "text", "data", "count")
_TOTALS = ("none", "estimate", "accurate")
_ELEMENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(\[x\])?")
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")

# Elements R4 marks as part of a summary (isSummary), and those every answer keeps (min 1).
_SUMMARY_ELEMENTS: dict[str, frozenset[str]] = {
    "CodeSystem": frozenset({
        "url", "identifier", "version", "name", "title", "status", "experimental", "date", "publisher",
        "contact", "useContext", "jurisdiction", "caseSensitive", "valueSet", "hierarchyMeaning",
        "compositional", "versionNeeded", "content", "supplements", "count", "filter", "property",
    }),
    "ValueSet": frozenset({
        "url", "identifier", "version", "name", "title", "status", "experimental", "date", "publisher",
        "contact", "useContext", "jurisdiction", "immutable",
    }),
    "ConceptMap": frozenset({
        "url", "identifier", "version", "name", "title", "status", "experimental", "date", "publisher",
        "contact", "useContext", "jurisdiction", "sourceUri", "sourceCanonical", "targetUri", "targetCanonical",
    }),
}  # fmt: skip
_MANDATORY: dict[str, frozenset[str]] = {
    "CodeSystem": frozenset({"status", "content"}),
    "ValueSet": frozenset({"status"}),
    "ConceptMap": frozenset({"status"}),
}
_ALWAYS = frozenset({"resourceType", "id", "meta", "implicitRules"})
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


@dataclass(frozen=True, slots=True)
class ReadSearch:
    """A query as read: what to search for, how to show what is found, and what was ignored
    (``warnings``, under ``handling=lenient``)."""

    request: SearchRequest
    summary: str | None = None
    elements: tuple[str, ...] = ()
    total: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def shows_concepts(self) -> bool:
        """Whether a CodeSystem is shown with its concepts (about 98,000 for ICD-10-CM), and a large ConceptMap
        with its mappings: only when asked for."""
        return self.summary == "false"


def search_parameter_definition(kind: str, name: str) -> str:
    """The canonical SearchParameter that defines ``name`` for ``kind`` in R4."""
    template = _SHARED_DEFINITION if name in _COMMON else _OWN_DEFINITION
    return template.format(kind=kind, name=name)


def read_search(kind: str, query: Sequence[tuple[str, str]], lenient: bool = False) -> ReadSearch:
    """The search that ``query`` asks of ``kind``. An unknown parameter or modifier is an
    :class:`InvalidRequest`, or (``lenient``, the client's ``Prefer: handling=lenient``) ignored with a warning."""
    supported = SEARCH_PARAMETERS[kind]
    criteria: list[Criterion] = []
    result: dict[str, str] = {}
    ignored: list[str] = []
    for key, value in query:
        name, _, modifier = key.partition(":")
        if key in _RESULT_PARAMETERS:
            if key in result and result[key] != value:
                raise InvalidRequest(f"The search parameter {key} is given twice", expression=key)
            result[key] = value
        elif name in supported:
            try:
                criteria.append(_criterion(name, supported[name], modifier or None, value))
            except InvalidRequest:
                if not lenient:
                    raise
                ignored.append(key)
        elif lenient:
            ignored.append(key)
        else:
            known = ", ".join(sorted(supported))
            raise InvalidRequest(
                f"{kind} search does not support the parameter '{key}'; it supports {known}, and _count, _offset, "
                "_summary, _elements and _total (send the header 'Prefer: handling=lenient' to have unknown parameters ignored)",
                expression=key,
            )
    summary, elements = _shown(result)
    count = DEFAULT_PAGE_SIZE if "_count" not in result else min(_whole(result["_count"], "_count"), MAX_PAGE_SIZE)
    offset = _whole(result["_offset"], "_offset") if "_offset" in result else 0
    if summary == "count":
        count = 0
    total = result.get("_total")
    if total is not None and total not in _TOTALS:
        raise InvalidRequest(f"Unknown _total value '{total}': use none, estimate or accurate", expression="_total")
    warnings = tuple(f"The search parameter '{key}' is not supported here and was ignored" for key in ignored)
    return ReadSearch(SearchRequest(tuple(criteria), count, offset), summary, elements, total, warnings)


def read_shown(query: Sequence[tuple[str, str]]) -> ReadSearch:
    """What a read shows of the resource: its ``_summary`` or ``_elements`` (the read's other parameters are its id's)."""
    summary, elements = _shown(dict((key, value) for key, value in query if key in ("_summary", "_elements")))
    if summary == "count":
        raise InvalidRequest("_summary=count is for a search, not a read", expression="_summary")
    return ReadSearch(SearchRequest(), summary, elements)


def lenient_handling(prefer: str | None) -> bool:
    """Whether a ``Prefer`` header asks for ``handling=lenient`` (search parameters it does not know ignored)."""
    return prefer is not None and any(part.strip().replace(" ", "") == "handling=lenient" for part in prefer.split(","))


def _criterion(name: str, type_: ParameterType, modifier: str | None, value: str) -> Criterion:
    if modifier is not None and modifier not in MODIFIERS[type_]:
        allowed = ", ".join(f":{m}" for m in sorted(MODIFIERS[type_]))
        raise InvalidRequest(f"The search parameter '{name}' (a {type_}) does not take :{modifier}; it takes {allowed}", expression=name)
    if modifier == "missing":
        if value not in ("true", "false"):
            raise InvalidRequest(f"{name}:missing takes true or false, not '{value}'", expression=name)
        return Criterion(name, type_, (value,), modifier)
    values = tuple(part.replace("\\,", ",") for part in _UNESCAPED_COMMA.split(value))
    if any(not part for part in values):
        raise InvalidRequest(f"The search parameter '{name}' has an empty value", expression=name)
    if type_ == "date":
        return Criterion(name, type_, tuple(_date_value(part) for part in values), modifier)
    return Criterion(name, type_, values, modifier)


def _date_value(text: str) -> DateValue:
    prefix = text[:2] if text[:2] in DATE_PREFIXES else "eq"
    return DateValue(prefix, date_range(text[2:] if text[:2] in DATE_PREFIXES else text))


def _whole(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise InvalidRequest(f"{name} must be a whole number of 0 or more, not '{value}'", expression=name)
    return int(value)


def _shown(result: Mapping[str, str]) -> tuple[str | None, tuple[str, ...]]:
    summary, elements = result.get("_summary"), result.get("_elements")
    if summary is not None and summary not in _SUMMARIES:
        raise InvalidRequest(f"Unknown _summary value '{summary}': use true, false, text, data or count", expression="_summary")
    if elements is None:
        return summary, ()
    if summary is not None:
        raise InvalidRequest("_summary and _elements cannot be used together: use one of them", expression="_elements")
    names = tuple(name.strip() for name in elements.split(",") if name.strip())
    for name in names:
        if not _ELEMENT_NAME.fullmatch(name):
            raise InvalidRequest(f"_elements lists '{name}', which is not the name of an element", expression="_elements")
    return None, names


def subsetted(kind: str, resource: Mapping[str, Any], summary: str | None, elements: Sequence[str]) -> dict[str, Any]:
    """``resource`` as ``_summary`` or ``_elements`` asks for it, marked SUBSETTED when something was
    left out; the mandatory elements, ``id`` and ``meta`` are always kept."""
    if summary in ("true", "text"):
        keep = _ALWAYS | _MANDATORY[kind] | (_SUMMARY_ELEMENTS[kind] if summary == "true" else {"text"})
    elif summary == "data":
        keep = frozenset(resource) - {"text"}
    elif elements:
        keep = _ALWAYS | _MANDATORY[kind] | frozenset(elements)
    else:
        return dict(resource)
    kept = {key: value for key, value in resource.items() if key in keep}
    return marked_subsetted(kept) if len(kept) < len(resource) else kept


def marked_subsetted(resource: Mapping[str, Any]) -> dict[str, Any]:
    """``resource`` with the SUBSETTED tag: what it shows is not all of it. (``meta`` goes after ``id``,
    where FHIR's element order, which XML keeps, has it.)"""
    meta = dict(resource.get("meta") or {})
    tags = list(meta.get("tag") or [])
    if SUBSETTED not in tags:
        tags.append(SUBSETTED)
    meta["tag"] = tags
    marked: dict[str, Any] = {}
    for key, value in resource.items():
        if key != "meta":
            marked[key] = value
        if key == "id" or (key == "resourceType" and "id" not in resource):
            marked["meta"] = meta
    return marked


def searchset_bundle(
    kind: str,
    resources: Sequence[Mapping[str, Any]],
    total: int,
    search: ReadSearch,
    base: str,
    query: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """The searchset Bundle of one page: ``resources`` (already rendered) of ``total`` matches, with
    ``self``, ``next`` and ``previous`` links that repeat ``query`` with the page's ``_offset``, and an
    OperationOutcome entry for what a lenient search ignored."""
    request = search.request
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if search.total != "none":
        bundle["total"] = total
    kept = [(key, value) for key, value in query if key not in ("_offset", "_count")]
    page = request.count

    def link(relation: str, offset: int) -> dict[str, str]:
        pairs = [*kept, ("_count", str(page)), ("_offset", str(offset))] if page else kept
        return {"relation": relation, "url": f"{base}/{kind}" + (f"?{urlencode(pairs)}" if pairs else "")}

    links = [link("self", request.offset)]
    if page and request.offset + page < total:
        links.append(link("next", request.offset + page))
    if page and request.offset > 0:
        links.append(link("previous", max(request.offset - page, 0)))
    bundle["link"] = links
    entries = [
        {
            "fullUrl": f"{base}/{kind}/{resource.get('id', '')}",
            "resource": subsetted(kind, resource, search.summary, search.elements),
            "search": {"mode": "match"},
        }
        for resource in resources
    ]
    if search.warnings:
        warnings = (Issue("warning", "not-supported", text) for text in search.warnings)
        entries.append({"resource": operation_outcome(warnings), "search": {"mode": "outcome"}})
    if entries:
        bundle["entry"] = entries
    return bundle
