"""Any FHIR CodeSystem resource as a code system provider (with the supplements applied to it)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ..context import RequestContext
from ..definitions import CodeSystemDefinition, SupplementDefinition
from ..definitions.code_system import ConceptDefinition
from ..errors import InvalidRequest
from ..model import Designation, Extension, Property, PropertyDefinition
from .base import CodeSystemInfo, CodeSystemProvider, ConceptFilter
from .filters import generic_filter

__all__ = ["FhirCodeSystemProvider", "FhirConcept"]

_CONCEPT_PROPERTIES = "http://hl7.org/fhir/concept-properties#"
_STANDARD_PROPERTIES = ("notSelectable", "status", "inactive")
# Property values that say a concept is inactive (status codes of http://hl7.org/fhir/concept-properties).
_INACTIVE_STATUSES = frozenset({"retired", "inactive"})


@dataclass(slots=True, eq=False)
class FhirConcept:
    """A concept as the provider holds it: linked to its parents and children, with what supplements add."""

    code: str
    display: str | None
    definition: str | None
    designations: list[Designation] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    annotations: list[Property] = field(default_factory=list)  # properties stated by extensions (order, label ...)
    carried: list[Extension] = field(default_factory=list)  # extensions an expansion carries (rendering hints)
    parents: list[FhirConcept] = field(default_factory=list)
    children: list[FhirConcept] = field(default_factory=list)

    def property_values(self, code: str) -> list[Property]:
        return [p for p in self.properties if p.code == code]


class FhirCodeSystemProvider(CodeSystemProvider):
    """``definition``: a CodeSystem; ``supplements``: those whose ``supplements`` names it, whose designations
    and properties are added to its concepts."""

    def __init__(self, definition: CodeSystemDefinition, supplements: Iterable[SupplementDefinition] = ()) -> None:
        if definition.url is None:
            raise InvalidRequest("A CodeSystem needs a url to be used as a code system")
        self.code_system = definition
        self.info = _info(definition)
        self.supplements = tuple(supplements)
        self._definitions = list(definition.property_definitions)
        self._by_code: dict[str, FhirConcept] | None = None  # made when first needed: most are never used
        self._roots: list[FhirConcept] = []
        self._folded: dict[str, FhirConcept] | None = None
        self._lock = threading.Lock()

    def _concepts(self) -> dict[str, FhirConcept]:
        if self._by_code is None:
            with self._lock:  # several threads of a worker may ask first; one reads
                if self._by_code is None:
                    index: dict[str, FhirConcept] = {}
                    roots = [self._made(read, None, index) for read in self.code_system.read_concepts()]
                    if not self.info.case_sensitive:
                        self._folded = {code.casefold(): c for code, c in index.items()}
                    find = self._finder(index)
                    self._roots = self._link_declared_parents(index, find) or roots
                    for supplement in self.supplements:
                        self._apply(supplement, find)
                    self._by_code = index
        return self._by_code

    # -- making the concepts ----------------------------------------------------------------------

    def _made(self, read: ConceptDefinition, parent: FhirConcept | None, index: dict[str, FhirConcept]) -> FhirConcept:
        concept = FhirConcept(
            read.code, read.display, read.definition,
            list(read.designations), list(read.properties), list(read.annotations), list(read.carried),
        )  # fmt: skip
        index.setdefault(concept.code, concept)
        if parent is not None:
            concept.parents.append(parent)
        concept.children = [self._made(child, concept, index) for child in read.children]
        return concept
    def _finder(self, index: dict[str, FhirConcept]) -> Callable[[str], FhirConcept | None]:
        """Finds a code as :meth:`locate` does (ignoring case where the code system does)."""
        folded = self._folded
        if folded is None:
            return index.get
        return lambda code: index.get(code) or folded.get(code.casefold())

    def _link_declared_parents(
        self, by_code: dict[str, FhirConcept], find: Callable[[str], FhirConcept | None]
    ) -> list[FhirConcept] | None:
        """Flat hierarchies: the ``parent`` (or ``subsumedBy``) and ``child`` properties; the new roots."""
        moved = False
        for concept in list(by_code.values()):
            for prop in concept.properties:
                target = find(prop.value) if isinstance(prop.value, str) else None
                if target is None or target is concept:
                    continue
                if prop.code in ("parent", "subsumedBy") and target not in concept.parents:
                    concept.parents.append(target)
                    target.children.append(concept)
                    moved = True
                elif prop.code == "child" and concept not in target.parents:
                    target.parents.append(concept)
                    concept.children.append(target)
                    moved = True
        return [c for c in by_code.values() if not c.parents] if moved else None

    def _apply(self, supplement: SupplementDefinition, find: Callable[[str], FhirConcept | None]) -> None:
        for code, added in supplement.concepts.items():
            concept = find(code)
            if concept is not None:
                concept.designations += added.designations
                concept.properties += added.properties
                concept.annotations += added.annotations
                concept.carried += added.carried
        known = {d.code for d in self._definitions}
        self._definitions += [d for d in supplement.property_definitions if d.code not in known]

    # -- the provider interface -------------------------------------------------------------------

    def with_supplements(self, supplements: Sequence[SupplementDefinition]) -> FhirCodeSystemProvider:
        return FhirCodeSystemProvider(self.code_system, (*self.supplements, *supplements))

    def locate(self, code: str) -> FhirConcept | None:
        concept = self._concepts().get(code)
        if concept is None and self._folded is not None:
            concept = self._folded.get(code.casefold())
        return concept

    def code(self, concept: FhirConcept) -> str:
        return concept.code

    def display(self, concept: FhirConcept, context: RequestContext) -> str:
        return self._display(concept, context).value

    def display_language(self, concept: FhirConcept, context: RequestContext) -> str | None:
        return self._display(concept, context).language

    def _display(self, concept: FhirConcept, context: RequestContext) -> Designation:
        """The display in the first of the client's languages that the concept has one in, else its own."""
        own = Designation(concept.display or "", self.info.language)
        for wanted in context.languages:
            if own.language and _language_matches(own.language, wanted):
                return own
            for designation in concept.designations:
                if designation.language and _language_matches(designation.language, wanted) and _is_display_use(designation):
                    return designation
        return own

    def definition(self, concept: FhirConcept) -> str | None:
        return concept.definition

    def designations(self, concept: FhirConcept, context: RequestContext) -> Sequence[Designation]:
        return concept.designations

    @cached_property
    def _standard_codes(self) -> dict[str, str]:
        """The codes this code system gives FHIR's standard properties (their uris say which); read
        once, after the concepts (and so the supplements' property definitions)."""
        self._concepts()
        found = {}
        for name in _STANDARD_PROPERTIES:
            uri = _CONCEPT_PROPERTIES + name
            found[name] = next((d.code for d in self._definitions if d.uri == uri), name)
        return found

    def _standard(self, name: str) -> str:
        return self._standard_codes[name]

    def is_abstract(self, concept: FhirConcept) -> bool:
        return any(p.value is True for p in concept.property_values(self._standard("notSelectable")))

    def status(self, concept: FhirConcept) -> str | None:
        statuses = concept.property_values(self._standard("status"))
        if statuses:
            return str(statuses[0].value)
        if any(p.value is True for p in concept.property_values(self._standard("inactive"))):
            return "inactive"
        stated = next((p.value for p in concept.annotations if p.code == "status"), None)  # standards-status
        return str(stated) if stated is not None else None

    def is_inactive(self, concept: FhirConcept) -> bool:
        if any(p.value is True for p in concept.property_values(self._standard("inactive"))):
            return True
        return (self.status(concept) or "") in _INACTIVE_STATUSES

    def property_definitions(self) -> Sequence[PropertyDefinition]:
        self._concepts()  # (the supplements' definitions are added as they are applied)
        return self._definitions

    def annotations(self, concept: FhirConcept) -> Sequence[Property]:
        return concept.annotations

    def carried_extensions(self, concept: FhirConcept) -> Sequence[Extension]:
        return concept.carried

    def supplement_canonicals(self) -> Sequence[str]:
        return [supplement.canonical for supplement in self.supplements]

    def properties(
        self, concept: FhirConcept, wanted: Collection[str] | None, inherited: bool = True
    ) -> Iterator[Property]:
        def want(name: str) -> bool:
            return wanted is None or name in wanted

        if want("parent"):
            for parent in concept.parents:
                yield Property("parent", parent.code, "code", parent.display)
        if want("child"):
            for child in concept.children:
                yield Property("child", child.code, "code", child.display)
        for prop in concept.properties:
            if prop.code not in ("parent", "child") and want(prop.code):
                yield prop
        if want("inactive") and not concept.property_values("inactive"):
            yield Property("inactive", self.is_inactive(concept), "boolean")

    def children(self, concept: FhirConcept) -> Sequence[FhirConcept]:
        return concept.children

    def parents(self, concept: FhirConcept) -> Sequence[FhirConcept]:
        return concept.parents

    def roots(self) -> Sequence[FhirConcept]:
        self._concepts()
        return self._roots

    def count(self) -> int:
        return len(self._concepts())

    def filter(self, prop: str, op: str, value: str) -> ConceptFilter:
        return generic_filter(self, prop, op, value)


def _info(definition: CodeSystemDefinition) -> CodeSystemInfo:
    metadata = definition.metadata
    url = metadata.url or ""
    return CodeSystemInfo(
        id=metadata.id or "",
        url=url,
        version=metadata.version,
        name=metadata.name or metadata.id or url,
        title=metadata.title or metadata.name or url,
        status=metadata.status or "unknown",
        publisher=metadata.publisher,
        description=metadata.description,
        copyright=definition.copyright,
        date=metadata.date,
        case_sensitive=definition.case_sensitive,
        hierarchy_meaning=definition.hierarchy_meaning,
        content=definition.content,
        experimental=metadata.experimental,
        language=definition.language,
        warning_status=metadata.warning_status,
    )


_DISPLAY_USES = frozenset({"display", "preferredForLanguage"})


def _is_display_use(designation: Designation) -> bool:
    return designation.use is None or designation.use.code in _DISPLAY_USES


def _language_matches(tag: str, wanted: str) -> bool:
    """``de`` is matched by ``de`` and ``de-CH``; ``de-CH`` by ``de-CH`` and ``de``."""
    tag, wanted = tag.lower(), wanted.lower()
    return tag == wanted or tag.startswith(wanted + "-") or wanted.startswith(tag + "-")
