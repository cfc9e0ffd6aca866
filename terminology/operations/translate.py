"""``ConceptMap/$translate``: what the concept maps a server knows say a code maps to (or, in
reverse, which codes map to it).

A map a client sends in R4's shape or R5's translates alike: both are read as R4's meaning
(:mod:`terminology.definitions.concept_map`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..definitions import ConceptMapDefinition
from ..definitions.concept_map import MapDependency, MapGroup, MapTarget, Unmapped
from ..errors import InvalidRequest, NotFound
from ..model import Coding
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from ..versions import version_key

__all__ = [
    "NO_TRANSLATION",
    "TranslateMatch",
    "TranslateRequest",
    "TranslateResult",
    "translate",
]

#: Equivalences that say the codes do not correspond: a match with one of them translates nothing.
NO_TRANSLATION = frozenset({"unmatched", "disjoint"})
# How deep unmapped mode other-map may chain maps before the chain counts as a loop.
_MAX_OTHER_MAPS = 8


@dataclass(frozen=True, slots=True)
class TranslateRequest:
    """What to translate and with which maps.

    ``codings``: the code to translate (a CodeableConcept's codings are each tried); each has a
    system. ``reverse``: find the codes that map *to* them. The map is ``concept_map`` (given, or
    the instance called on), else the maps of ``url`` (in ``map_version``), else every map.
    The other fields narrow the maps and their groups, always in the map's own terms: the value
    sets the map is from and to (``source_scope``, ``target_scope``), the code systems of a group
    (``source_system``, ``target_system``; ``url|version`` names one version of it).
    """

    codings: tuple[Coding, ...]
    reverse: bool = False
    concept_map: ConceptMapDefinition | None = None
    url: str | None = None
    map_version: str | None = None
    source_scope: str | None = None
    target_scope: str | None = None
    source_system: str | None = None
    target_system: str | None = None


@dataclass(frozen=True, slots=True)
class TranslateMatch:
    """One mapping: its R4 ``equivalence`` from ``source`` (the map's source side) to ``target``
    (None when the map says the source has no counterpart), and the map's ``url|version``.
    ``depends_on``: the elements the mapping holds for, ``products``: the other elements it yields,
    each ``(element, Coding)``."""

    equivalence: str
    source: Coding
    target: Coding | None
    map: str
    products: tuple[tuple[str, Coding], ...] = ()
    depends_on: tuple[tuple[str, Coding], ...] = ()


@dataclass(frozen=True, slots=True)
class TranslateResult:
    matches: tuple[TranslateMatch, ...]
    reverse: bool = False
    message: str | None = None

    @property
    def result(self) -> bool:
        """True when a match translates the code (R4: an equivalence other than unmatched or disjoint)."""
        return any(match.equivalence not in NO_TRANSLATION for match in self.matches)


def translate(registry: Registry, request: TranslateRequest) -> TranslateResult:
    """Raises :class:`NotFound` when the map ``request.url`` names is not known."""
    maps = _maps(registry, request)
    # (a dict keeps the first of equal matches, in order: the same map may come from a request and the server both)
    matches = dict.fromkeys(
        match for coding in request.codings for concept_map in maps for match in _matches(registry, concept_map, coding, request, 0)
    )
    result = TranslateResult(tuple(matches), request.reverse)
    messages = [] if result.result else [_no_translation_message(request, bool(maps)), *_versions_not_mapped(registry, maps, request)]
    messages += _codes_not_in_release(registry, request, result.matches)
    return TranslateResult(result.matches, request.reverse, "; ".join(messages) or None)


# -- choosing maps and groups -------------------------------------------------------------------


def _maps(registry: Registry, request: TranslateRequest) -> list[ConceptMapDefinition]:
    if request.concept_map is not None:
        maps = [request.concept_map]
    elif request.url is not None:
        maps = registry.concept_maps_for(request.url, request.map_version)
        if not maps:
            version = f" version '{request.map_version}'" if request.map_version else ""
            raise NotFound(f"Unable to find ConceptMap '{request.url}'{version}", tx_code="not-found", expression="url")
        if request.map_version is None:
            maps = _latest_for_named_versions(registry, request) or maps
    else:
        maps = list(registry.concept_maps())
    return [m for m in maps if _fits_scope(m.source_scope, request.source_scope) and _fits_scope(m.target_scope, request.target_scope)]


def _latest_for_named_versions(registry: Registry, request: TranslateRequest) -> list[ConceptMapDefinition]:
    """Of the versions of the map ``request.url``, the latest that translates a coding of the version it names
    (none when no coding names one): the latest payment year's HCC map is not the one for an older release."""
    named = [coding for coding in request.codings if coding.version]
    if request.reverse or not named:
        return []
    fitting = [
        concept_map for concept_map in registry.concept_maps()
        if concept_map.url == request.url and any(_applies(registry, group, coding, request) for group in concept_map.groups for coding in named)
    ]  # fmt: skip
    if not fitting:
        return []
    latest = max(version_key(concept_map.metadata.version) for concept_map in fitting)
    return [concept_map for concept_map in fitting if version_key(concept_map.metadata.version) == latest]


def _fits_scope(declared: str | None, wanted: str | None) -> bool:
    """A map that does not say which value set it maps from (or to) is not ruled out by one."""
    return wanted is None or declared is None or _same_canonical(declared, wanted)


def _same_canonical(a: str, b: str) -> bool:
    """Equal urls, and equal versions when both name one."""
    url_a, _, version_a = a.partition("|")
    url_b, _, version_b = b.partition("|")
    return url_a == url_b and (not version_a or not version_b or version_a == version_b)


def _matches(
    registry: Registry, concept_map: ConceptMapDefinition, coding: Coding, request: TranslateRequest, depth: int
) -> Iterator[TranslateMatch]:
    canonical = concept_map.canonical
    for group in concept_map.groups:
        if not _applies(registry, group, coding, request):
            continue
        if request.reverse:
            yield from _reverse_matches(group, coding.code, canonical)
            continue
        elements = group.elements_for(coding.code)
        for element in elements:
            source = group.source_coding(coding.code, element.display)
            if element.no_map:
                yield TranslateMatch("unmatched", source, None, canonical)
            for target in element.targets:
                yield _match(target, source, group, canonical)
        if not elements and group.unmapped is not None:
            yield from _unmapped(registry, group.unmapped, coding, request, group, canonical, depth)


def _applies(registry: Registry, group: MapGroup, coding: Coding, request: TranslateRequest) -> bool:
    """Whether a group maps ``coding`` (its target side does, in reverse) as the request wants."""
    if request.reverse:
        if group.target != coding.system or (coding.version and group.target_version and coding.version != group.target_version):
            return False
    elif group.source != coding.system or (coding.version and not _maps_version(registry, group, coding.version)):
        return False
    return _names_source(registry, request.source_system, group) and _names(request.target_system, group.target, group.target_version)


def _maps_version(registry: Registry, group: MapGroup, version: str) -> bool:
    """Whether a group maps the codes of ``version`` of its source, as written or as the version it names
    (``2026-04-01`` names ICD-10-CM's ``2026``)."""
    if group.maps_source_version(version):
        return True
    provider = registry.code_system(group.source, version) if group.source is not None else None
    return provider is not None and provider.info.version != version and group.maps_source_version(provider.info.version)


def _names_source(registry: Registry, wanted: str | None, group: MapGroup) -> bool:
    """Whether ``wanted`` (``url`` or ``url|version``) names a group's source, as :func:`_names` does."""
    if wanted is None or group.source_versions is None:
        return _names(wanted, group.source, group.source_version)
    url, _, version = wanted.partition("|")
    return url == group.source and (not version or _maps_version(registry, group, version))


def _names(wanted: str | None, system: str | None, version: str | None) -> bool:
    """Whether ``wanted``, a code system (``url``, or ``url|version``: one version of it), names a group's
    side (any side, when None)."""
    if wanted is None:
        return True
    url, _, wanted_version = wanted.partition("|")
    return url == system and (not wanted_version or wanted_version == version)


def _reverse_matches(group: MapGroup, code: str | None, canonical: str) -> Iterator[TranslateMatch]:
    for element, target in group.mappings_to(code):
        yield _match(target, group.source_coding(element.code, element.display), group, canonical)


def _match(target: MapTarget, source: Coding, group: MapGroup, canonical: str) -> TranslateMatch:
    coding = group.target_coding(target.code, target.display) if target.code is not None else None
    return TranslateMatch(target.equivalence, source, coding, canonical, _elements(target.products), _elements(target.depends_on))


def _elements(dependencies: tuple[MapDependency, ...]) -> tuple[tuple[str, Coding], ...]:
    return tuple((d.property, Coding(system=d.system, code=d.value, display=d.display)) for d in dependencies)


def _unmapped(
    registry: Registry, unmapped: Unmapped, coding: Coding, request: TranslateRequest, group: MapGroup, canonical: str, depth: int
) -> Iterator[TranslateMatch]:
    """What a group says of a code it has no element for: keep the code, use a fixed one, or ask another map."""
    source = group.source_coding(coding.code, coding.display)
    if unmapped.mode == "provided":
        yield TranslateMatch(unmapped.equivalence, source, group.target_coding(coding.code, None), canonical)
    elif unmapped.mode == "fixed" and unmapped.code is not None:
        yield TranslateMatch(unmapped.equivalence, source, group.target_coding(unmapped.code, unmapped.display), canonical)
    elif unmapped.mode == "other-map":
        if unmapped.url is None:
            return
        if depth >= _MAX_OTHER_MAPS:
            raise InvalidRequest(f"The ConceptMaps that unmapped mode other-map chains from {canonical} go round in a loop")
        for concept_map in registry.concept_maps_for(unmapped.url):
            yield from _matches(registry, concept_map, coding, request, depth + 1)


def _codes_not_in_release(registry: Registry, request: TranslateRequest, matches: tuple[TranslateMatch, ...]) -> list[str]:
    """What the matches name of a code system released in time (ICD-10-CM) that its release asked about does
    not hold as a code to use: a map made against one release may name codes another lacks or made headers.
    The release: the one the match's coding names, else the request's coding's of that system, else the default."""
    dated = registry.dated_systems()
    asked = {coding.system: coding.version for coding in request.codings}
    found: list[str] = []
    seen: set[tuple[str | None, str | None]] = set()
    for match in matches:
        for coding in (match.source, match.target, *(coding for _, coding in match.products)):
            if coding is None or coding.system not in dated or coding.code is None or (coding.system, coding.code) in seen:
                continue
            seen.add((coding.system, coding.code))
            provider = registry.code_system(coding.system, coding.version or asked.get(coding.system))
            note = _not_in_release(provider, coding.code) if provider is not None else None
            if note is not None:
                found.append(note)
    return found


def _not_in_release(provider: CodeSystemProvider, code: str) -> str | None:
    release = f"{provider.info.url} version {provider.info.version}"
    concept = provider.locate(code)
    note = provider.history_note(code, None)
    if concept is not None:  # a header: what its history says (it was billable once), else what to use
        if not provider.is_abstract(concept):
            return None
        reason = provider.abstract_reason(concept)
        return note.text if note is not None else f"In {release}, {reason}" if reason is not None else None
    missing = f"{code} is not a code of {release}"
    return f"{missing}: {note.text}" if note is not None else f"{missing}, and its history does not say what became of it"


def _versions_not_mapped(registry: Registry, maps: list[ConceptMapDefinition], request: TranslateRequest) -> Iterator[str]:
    """Why a map that translates a code system leaves out the version a coding names: which versions it maps."""
    if request.reverse:
        return
    for coding in request.codings:
        for concept_map in maps:
            for group in concept_map.groups:
                if group.source == coding.system and group.source_versions is not None and coding.version and not _maps_version(registry, group, coding.version):
                    versions = ", ".join(sorted(group.source_versions)) or "none of those loaded"
                    yield f"{concept_map.canonical} maps the codes of {coding.system} versions {versions}, not version {coding.version}"


def _no_translation_message(request: TranslateRequest, any_map: bool) -> str:
    codes = ", ".join(f"'{coding.code}' of {coding.system}" for coding in request.codings)
    if not any_map:
        return f"No ConceptMap that fits the request was found to translate {codes}"
    direction = "to" if request.reverse else "from"
    return f"No translation was found {direction} {codes} in the ConceptMaps that fit the request"
