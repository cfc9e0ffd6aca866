"""ICD-9-CM (http://hl7.org/fhir/sid/icd-9-cm), diagnoses and procedures, as a code system provider over
CMS's version 32 titles.

HL7 names one system for both volumes (its NamingSystems for ICD-9-CM diagnosis and procedure codes give
the same uri): a code's kind is a property. Codes are written with their dot, as the ICD-9-CM books write
them (``250.00``, ``V45.81``, ``E880.9``; procedures ``00.01``): without it a diagnosis and a procedure may be
written alike (``0010`` is 001.0 and 00.10). CMS's files title the codes valid on a claim only, none of the
categories above them, so the code system is flat: every concept is a code, none is below another.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from ..context import RequestContext
from ..errors import InvalidRequest
from ..loaders.icd9cm import DIAGNOSIS, PROCEDURE, Icd9cmTitles, dotted
from ..model import Coding, Designation, Property, PropertyDefinition
from .base import CodeSystemInfo, CodeSystemProvider, ConceptFilter
from .filters import PredicateFilter, generic_filter

__all__ = ["ICD9CM_URL", "ICD9CM_VERSION", "KINDS", "SHORT_TITLE", "Icd9cmProvider"]

ICD9CM_URL = "http://hl7.org/fhir/sid/icd-9-cm"
#: CMS's name of the release: version 32, in effect from October 1, 2014, the last one.
ICD9CM_VERSION = "32"
#: The values of the ``kind`` property.
KINDS = ("diagnosis", "procedure")
#: The designation use of CMS's abbreviated title (at most 24 characters).
SHORT_TITLE = Coding("http://fhir.icd10cm-terminology.org/CodeSystem/icd9cm-designation-use", None, "short-title", "Short title")

_KIND = PropertyDefinition("kind", "code", "Whether the code is a diagnosis (volumes 1 and 2) or a procedure (volume 3)")


class Icd9cmProvider(CodeSystemProvider):
    """Concepts are the codes' positions in ``titles`` (one int object each, so that a code located twice is
    the same concept)."""

    def __init__(self, titles: Icd9cmTitles) -> None:
        self.titles = titles
        self._concepts = tuple(range(len(titles.codes)))
        self.info = CodeSystemInfo(
            id="icd-9-cm",
            url=ICD9CM_URL,
            version=ICD9CM_VERSION,
            name="ICD9CM",
            title="International Classification of Diseases, Ninth Revision, Clinical Modification (ICD-9-CM)",
            publisher="Centers for Medicare & Medicaid Services (CMS) and National Center for Health Statistics (NCHS)",
            description=(
                f"ICD-9-CM version 32 (in effect from October 1, 2014, the last release): the {titles.diagnoses:,} diagnosis "
                f"and {len(titles.codes) - titles.diagnoses:,} procedure codes valid on a claim, with CMS's full titles "
                "(display) and abbreviated titles (designation). The categories above them are not in CMS's files, and not here."
            ),
            copyright="ICD-9-CM is published by CMS and the US National Center for Health Statistics (public domain).",
            case_sensitive=True,
            hierarchy_meaning=None,
            language="en",
        )

    def locate(self, code: str) -> int | None:
        position = self.titles.position(code)
        return None if position is None else self._concepts[position]

    def probable_code(self, code: str) -> str | None:
        """The one code this was meant to be, written with its dot and in upper case (``25000`` -> ``250.00``,
        ``v4581`` -> ``V45.81``); None where it could be a diagnosis or a procedure (``0010``)."""
        compact = "".join(code.split()).upper().replace(".", "")
        found = {written for kind in (DIAGNOSIS, PROCEDURE) if self.locate(written := dotted(kind, compact)) is not None}
        return found.pop() if len(found) == 1 and code not in found else None

    def code(self, concept: int) -> str:
        return self.titles.codes[concept]

    def display(self, concept: int, context: RequestContext) -> str:
        return self.titles.long_titles[concept]

    def designations(self, concept: int, context: RequestContext) -> Sequence[Designation]:
        return (Designation(self.titles.short_titles[concept], "en", SHORT_TITLE),)

    def is_abstract(self, concept: int) -> bool:
        return False

    def property_definitions(self) -> Sequence[PropertyDefinition]:
        return (_KIND,)

    def properties(self, concept: int, wanted: Collection[str] | None, inherited: bool = True) -> Iterator[Property]:
        if wanted is None or "kind" in wanted:
            yield Property("kind", self._kind(concept), "code")

    def _kind(self, concept: int) -> str:
        return KINDS[concept >= self.titles.diagnoses]

    def children(self, concept: int) -> Sequence[int]:
        return ()

    def parents(self, concept: int) -> Sequence[int]:
        return ()

    def roots(self) -> Sequence[int]:
        return self._concepts

    def all_concepts(self) -> Iterator[int]:
        return iter(self._concepts)

    def subsumes(self, ancestor: int, concept: int) -> bool:
        return ancestor == concept

    def count(self) -> int:
        return len(self._concepts)

    def filter(self, prop: str, op: str, value: str) -> ConceptFilter:
        """``kind`` ``=`` (or ``in``) ``diagnosis``/``procedure`` selects the run of that kind without testing each code."""
        if prop == "kind" and op in ("=", "in"):
            wanted = {item.strip() for item in value.split(",")}
            if not wanted <= set(KINDS):
                raise InvalidRequest(f"The property 'kind' of {ICD9CM_URL} is 'diagnosis' or 'procedure', not '{value}'")
            runs = {KINDS[0]: self._concepts[: self.titles.diagnoses], KINDS[1]: self._concepts[self.titles.diagnoses :]}
            return PredicateFilter(lambda concept: self._kind(concept) in wanted, lambda: (c for kind in KINDS if kind in wanted for c in runs[kind]))
        return generic_filter(self, prop, op, value)
