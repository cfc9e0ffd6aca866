"""The General Equivalence Mappings of diagnoses as two ConceptMaps, ICD-9-CM to ICD-10-CM and back, so that
``ConceptMap/$translate`` takes a legacy code to its successors (and, with ``reverse``, back).

Each GEM row is one target of its source code's element, and its five flags are said in R4's terms:

- approximate 0: ``equivalent``; approximate 1: ``inexact`` (the codes do not mean quite the same);
- no map (target ``NoDx``): ``unmatched``, with no target code;
- combination (the source needs several codes together): the row's ``dependsOn`` says in which scenario and
  for which choice list it stands (:data:`SCENARIO` and :data:`CHOICE_LIST`, values ``1``, ``2`` ...), and its
  ``product`` names the codes of the scenario's other choice lists (:func:`choice_list_element`, ``…#choice-list-2``),
  of which one per list goes with it. A row outside a combination has neither (its scenario and choice list are 0).

The rows stay in :class:`~terminology.loaders.gems.GemTable`'s compact columns; an element is made when a
request asks for its code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .context import RequestContext
from .definitions import ConceptMapDefinition
from .definitions.concept_map import IndexedElements, MapDependency, MapElement, MapGroup, MapTarget
from .loaders.gems import GemTable
from .providers.base import CodeSystemProvider
from .providers.icd10cm import ICD10CM_URL
from .providers.icd9cm import ICD9CM_URL, ICD9CM_VERSION
from .transition_maps import CANONICAL_BASE, project_map_metadata

__all__ = ["CHOICE_LIST", "SCENARIO", "choice_list_element", "gem_maps"]

#: The elements a combination row depends on: its scenario, and its choice list in that scenario.
SCENARIO = f"{CANONICAL_BASE}/gem#scenario"
CHOICE_LIST = f"{CANONICAL_BASE}/gem#choice-list"

#: A code's title in a code system, None when it has none there.
Titles = Callable[[str], "str | None"]
_CONTEXT = RequestContext()

# (id, title, name, whether ICD-9-CM is the source)
_MAPS = (
    ("icd9cm-to-icd10cm", "ICD-9-CM to ICD-10-CM", "ICD9CM_to_ICD10CM", True),
    ("icd10cm-to-icd9cm", "ICD-10-CM to ICD-9-CM", "ICD10CM_to_ICD9CM", False),
)


def choice_list_element(number: str) -> str:
    """The element (``product.property``) of the codes of a combination's choice list ``number``."""
    return f"{CHOICE_LIST}-{number}"


def gem_maps(tables: Mapping[str, GemTable], icd9cm: CodeSystemProvider, icd10cm: CodeSystemProvider) -> list[ConceptMapDefinition]:
    """The two maps, from the GEMs' tables (by the names of :data:`~terminology.loaders.gems.GEM_FILES`); the
    code systems give each code's display (ICD-10-CM's release: the one a server answers with by default)."""
    icd9cm_titles, icd10cm_titles = _titles(icd9cm), _titles(icd10cm)
    maps = []
    for id, title, name, from_icd9cm in _MAPS:
        icd9cm, icd10cm = (ICD9CM_URL, ICD9CM_VERSION, icd9cm_titles), (ICD10CM_URL, None, icd10cm_titles)
        (source, source_version, source_titles), (target, target_version, target_titles) = (
            (icd9cm, icd10cm) if from_icd9cm else (icd10cm, icd9cm)
        )
        metadata = project_map_metadata(
            id,
            f"{name}_GEM",
            f"General Equivalence Mappings, {title} (diagnoses)",
            f"CMS's General Equivalence Mappings of diagnoses, {title}, of FY2015 or FY2016 (ICD-9-CM version 32; "
            "ICD-10-CM as before October 1, 2016): every row, its flags as equivalent or inexact, unmatched for no map, "
            "and a combination's scenario and choice list as dependsOn, the codes that go with it as product.",
        )
        elements = GemElements(tables[id], target, source_titles, target_titles)
        maps.append(ConceptMapDefinition(metadata=metadata, groups=(MapGroup(source, source_version, target, target_version, elements),)))
    return maps


def _titles(provider: CodeSystemProvider) -> Titles:
    def title(code: str) -> str | None:
        concept = provider.locate(code)
        return None if concept is None else provider.display(concept, _CONTEXT)

    return title


class GemElements(IndexedElements):
    """The elements of one GEM, one per source code (sorted by code), made from its table when asked for."""

    __slots__ = ("_source_titles", "_table", "_target_system", "_target_titles")

    def __init__(self, table: GemTable, target_system: str, source_titles: Titles, target_titles: Titles) -> None:
        self._table = table
        self._target_system = target_system
        self._source_titles = source_titles
        self._target_titles = target_titles

    def __len__(self) -> int:
        return len(self._table.sources)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._element(code) for code in self._table.sources[index]]
        return self._element(self._table.sources[index])

    def with_code(self, code: str | None) -> tuple[MapElement, ...]:
        return (self._element(code),) if code is not None and self._table.rows_from(code) else ()

    def mapping_to(self, code: str | None) -> tuple[tuple[MapElement, MapTarget], ...]:
        if code is None:
            return ()
        found = []
        for row in self._table.rows_to(code):
            source = self._table.source(row)
            element = self._element(source)
            found.append((element, element.targets[row - self._table.rows_from(source).start]))
        return tuple(found)

    def _element(self, code: str) -> MapElement:
        table = self._table
        rows = table.rows_from(code)
        flags = [table.row_flags(row) for row in rows]
        targets = [table.target(row) for row in rows]
        made = []
        for index, (target, (approximate, no_map, combination, scenario, choice)) in enumerate(zip(targets, flags)):
            if no_map == "1":
                made.append(MapTarget(None, "unmatched"))
                continue
            depends_on = products = ()
            if combination == "1":
                depends_on = (MapDependency(SCENARIO, scenario), MapDependency(CHOICE_LIST, choice))
                products = tuple(
                    MapDependency(choice_list_element(other[4]), targets[at], self._target_system, self._target_titles(targets[at]))
                    for at, other in enumerate(flags)
                    if at != index and other[2] == "1" and other[3] == scenario and other[4] != choice
                )
            equivalence = "equivalent" if approximate == "0" else "inexact"
            made.append(MapTarget(target, equivalence, self._target_titles(target), None, depends_on, products))
        return MapElement(code, self._source_titles(code), tuple(made))
