"""``ConceptMap/$translate``: what the concept maps a server knows say a code maps to (or, in
reverse, which codes map to it).

A map a client sends in R4's shape or R5's translates alike: both are read as R4's meaning
(:mod:`terminology.definitions.concept_map`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..definitions import ConceptMapDefinition
from ..definitions.concept_map import MapGroup, MapTarget, Unmapped
from ..errors import InvalidRequest, NotFound
from ..model import Coding
from ..registry import Registry

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
    ``products``: the other elements the mapping yields, ``(element, Coding)``."""

    equivalence: str
    source: Coding
    target: Coding | None
    map: str
    products: tuple[tuple[str, Coding], ...] = ()


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
    matches: dict[TranslateMatch, None] = {}  # (in order, each once: the same map may come from a request and the server both)
    for coding in request.codings:
        for concept_map in maps:
            matches.update(dict.fromkeys(_matches(registry, concept_map, coding, request, 0)))
    result = TranslateResult(tuple(matches), request.reverse)
    notes = _code_notes(registry, request, result.matches)
    if not result.result:
        notes.insert(0, _no_translation_message(request, bool(maps)))
    return TranslateResult(result.matches, request.reverse, "; ".join(notes) or None)


# -- choosing maps and groups -------------------------------------------------------------------


def _maps(registry: Registry, request: TranslateRequest) -> list[ConceptMapDefinition]:
    if request.concept_map is not None:
        maps = [request.concept_map]
    elif request.url is not None:
        maps = registry.concept_maps_for(request.url, request.map_version)
        if not maps:
            version = f" version '{request.map_version}'" if request.map_version else ""
            raise NotFound(f"Unable to find ConceptMap '{request.url}'{version}", tx_code="not-found", expression="url")
    else:
        maps = list(registry.concept_maps())
    return [m for m in maps if _fits_scope(m.source_scope, request.source_scope) and _fits_scope(m.target_scope, request.target_scope)]


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
        if not _applies(group, coding, request):
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


def _applies(group: MapGroup, coding: Coding, request: TranslateRequest) -> bool:
    """Whether a group maps ``coding`` (its target side does, in reverse) as the request wants."""
    system, version = (group.target, group.target_version) if request.reverse else (group.source, group.source_version)
    if system != coding.system or (coding.version and version and coding.version != version):
        return False
    return _names(request.source_system, group.source, group.source_version) and _names(request.target_system, group.target, group.target_version)


def _names(wanted: str | None, system: str | None, version: str | None) -> bool:
    """Whether ``wanted``, a code system (``url``, or ``url|version``: one version of it), names a group's
    side (any side, when None)."""
    if wanted is None:
        return True
    url, _, wanted_version = wanted.partition("|")
    return url == system and (not wanted_version or wanted_version == version)


def _reverse_matches(group: MapGroup, code: str | None, canonical: str) -> Iterator[TranslateMatch]:
    for element in group.elements_to(code):
        for target in element.targets:
            if target.code == code:
                yield _match(target, group.source_coding(element.code, element.display), group, canonical)


def _match(target: MapTarget, source: Coding, group: MapGroup, canonical: str) -> TranslateMatch:
    coding = group.target_coding(target.code, target.display) if target.code is not None else None
    products = tuple((p.property, Coding(system=p.system, code=p.value, display=p.display)) for p in target.products)
    return TranslateMatch(target.equivalence, source, coding, canonical, products)


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


def _code_notes(registry: Registry, request: TranslateRequest, matches: tuple[TranslateMatch, ...]) -> list[str]:
    """What the code systems say of the codes the matches name, where a client should know it: a code the
    version asked about does not have, or one whose history it would mislead about (deleted, made a header),
    so that no code is passed over in silence. The version asked about: on the side of the request's code,
    its version, else the map's; on the other side, the map's; else the code system's default."""
    notes: list[str] = []
    seen: set[Coding] = set()
    for match in matches:
        own, other = (match.target, match.source) if request.reverse else (match.source, match.target)
        for coding in (_as_asked(own, request.codings), other):
            if coding is None or coding.code is None or coding.system is None or coding in seen:
                continue
            seen.add(coding)
            note = _code_note(registry, coding.system, coding.version, coding.code)
            if note is not None:
                notes.append(note)
    return notes


def _as_asked(coding: Coding | None, asked: tuple[Coding, ...]) -> Coding | None:
    """``coding`` (a match's side of the request's code) in the version the request names of it, if it names one."""
    if coding is None:
        return None
    version = next((c.version for c in asked if c.version and c.system == coding.system and c.code == coding.code), None)
    return Coding(coding.system, version or coding.version, coding.code)


def _code_note(registry: Registry, system: str, version: str | None, code: str) -> str | None:
    provider = registry.code_system(system, version)
    if provider is None:  # (a code system the server does not hold: it has nothing to say of its codes)
        return None
    past = provider.history_note(code, None)
    if provider.locate(code) is not None:
        return past.text if past is not None else None
    absent = f"'{code}' is not a code of {provider.info.url} version {provider.info.version}"
    return f"{absent}: {past.text}" if past is not None else absent


def _no_translation_message(request: TranslateRequest, any_map: bool) -> str:
    codes = ", ".join(f"'{coding.code}' of {coding.system}" for coding in request.codings)
    if not any_map:
        return f"No ConceptMap that fits the request was found to translate {codes}"
    direction = "to" if request.reverse else "from"
    return f"No translation was found {direction} {codes} in the ConceptMaps that fit the request"
