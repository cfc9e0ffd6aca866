"""A ConceptMap from each ICD-10-CM fiscal year to the next the code history knows, made from it, so that
``ConceptMap/$translate`` takes a code of one release to the next.

A code deleted, or one that became a header, maps to what replaced it (``narrower``), or, when the code
lists name nothing, to no code (``unmatched``); a retitled code maps to itself (``equivalent``); every
other code carries over unchanged (the group's unmapped mode ``provided``). Each mapping's comment says
what happened and when.
"""

from __future__ import annotations

from .definitions import ConceptMapDefinition, ResourceMetadata
from .definitions.concept_map import MapElement, MapGroup, MapTarget, Unmapped
from .providers.icd10cm import ICD10CM_URL
from .providers.icd10cm_history import Icd10cmHistory, Transition

__all__ = ["CANONICAL_BASE", "PUBLISHER", "project_map_metadata", "transition_map", "transition_maps"]

#: The canonical base of the resources the project makes (as the coding guidance package's).
CANONICAL_BASE = "http://fhir.icd10cm-terminology.org"
PUBLISHER = "The terminology project"  # of the resources the project makes
_CARRIED_OVER = Unmapped("provided", "equivalent")


def project_map_metadata(id: str, name: str, title: str, description: str) -> ResourceMetadata:
    """What describes a ConceptMap the project makes from data: its url ``…/ConceptMap/<id>`` on
    :data:`CANONICAL_BASE`, active, published by :data:`PUBLISHER`."""
    url = f"{CANONICAL_BASE}/ConceptMap/{id}"
    return ResourceMetadata(kind="ConceptMap", id=id, url=url, name=name, title=title, status="active", publisher=PUBLISHER, description=description)


def transition_maps(history: Icd10cmHistory) -> list[ConceptMapDefinition]:
    """One map per transition from a fiscal year to the next, oldest first."""
    return [transition_map(history, transition) for transition in history.transitions()]


def transition_map(history: Icd10cmHistory, transition: Transition) -> ConceptMapDefinition:
    """The map of one transition: ``icd10cm-fy2021-to-fy2022`` (its id) for FY2021 to FY2022."""
    source, target = transition.from_fy, transition.to_fy
    id = f"icd10cm-fy{source}-to-fy{target}"
    metadata = project_map_metadata(
        id,
        f"ICD10CM_FY{source}_to_FY{target}",
        f"ICD-10-CM FY{source} to FY{target}",
        f"The ICD-10-CM codes of FY{source} that FY{target} deleted, made headers or retitled: a deleted code or a new "
        "header maps to the codes that replaced it where the code lists say so (narrower), else to none (unmatched); "
        "a retitled code to itself (equivalent). Every other code carries over unchanged.",
    )
    elements = [
        *(_replaced(history, transition, code, new, deleted=True) for code, new in transition.deleted.items()),
        *(_replaced(history, transition, code, new, deleted=False) for code, new in transition.became_header.items()),
        *(_retitled(code, titles, target) for code, titles in transition.retitled.items() if code not in transition.became_header),
    ]
    elements.sort(key=lambda element: element.code or "")
    group = MapGroup(ICD10CM_URL, str(source), ICD10CM_URL, str(target), tuple(elements), _CARRIED_OVER)
    return ConceptMapDefinition(metadata=metadata, groups=(group,))


def _replaced(history: Icd10cmHistory, transition: Transition, code: str, replacements: tuple[str, ...], deleted: bool) -> MapElement:
    source, target = transition.from_fy, transition.to_fy
    what = f"{code} was deleted in FY{target}" if deleted else f"{code} is a header from FY{target} on, not billable"
    if not replacements:
        comment = f"{what}; the code lists name no code that replaced it"
        return MapElement(code, history.title(code, source), (MapTarget(None, "unmatched", comment=comment),))
    if deleted:
        comment = f"{what}; {', '.join(replacements)}, added then, take its place (its placeholder X filled in)"
    else:
        comment = f"{what}: use a billable code below it ({', '.join(replacements)})"
    targets = tuple(MapTarget(new, "narrower", history.title(new, target), comment) for new in replacements)
    return MapElement(code, history.title(code, source), targets)


def _retitled(code: str, titles: tuple[str, str], target: int) -> MapElement:
    before, after = titles
    comment = f"Retitled in FY{target}; until then '{before}'"
    return MapElement(code, before, (MapTarget(code, "equivalent", after, comment),))
