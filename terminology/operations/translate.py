"""``ConceptMap/$translate``: what the concept maps a server knows say a code maps to (or, in
reverse, which codes map to it).

Maps are read as FHIR R4 has them, and as R5 does where the two differ (``relationship`` for
``equivalence``, ``noMap``, ``sourceScope``, ``group.source`` as ``url|version``, unmapped mode
``use-source-code``), so a map a client sends in either shape translates alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..canonical import canonical_of
from ..conceptmap import GroupSystems, map_groups, map_scope
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

Resource = Mapping[str, Any]

#: Equivalences that say the codes do not correspond: a match with one of them translates nothing.
NO_TRANSLATION = frozenset({"unmatched", "disjoint"})
# R5's ConceptMap relationship as the R4 equivalence that means the same (VersionConvertor_40_50's table).
_RELATIONSHIP_EQUIVALENCE = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}
# R4's unmapped has no equivalence: a code carried over is taken as equivalent, a fixed one as related.
_UNMAPPED_EQUIVALENCE = {"provided": "equivalent", "fixed": "relatedto"}
_UNMAPPED_MODES = {"use-source-code": "provided"}  # R5's name of R4's mode
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
    (``source_system``, ``target_system``).
    """

    codings: tuple[Coding, ...]
    reverse: bool = False
    concept_map: Resource | None = None
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
    matches: list[TranslateMatch] = []
    for coding in request.codings:
        for concept_map in maps:
            for match in _matches(registry, concept_map, coding, request, 0):
                if match not in matches:  # the same map may come from a request and the server both
                    matches.append(match)
    result = TranslateResult(tuple(matches), request.reverse)
    if result.result:
        return result
    return TranslateResult(result.matches, request.reverse, _no_translation_message(request, bool(maps)))


# -- choosing maps and groups -------------------------------------------------------------------


def _maps(registry: Registry, request: TranslateRequest) -> list[Resource]:
    if request.concept_map is not None:
        maps = [request.concept_map]
    elif request.url is not None:
        maps = registry.concept_maps_for(request.url, request.map_version)
        if not maps:
            version = f" version '{request.map_version}'" if request.map_version else ""
            raise NotFound(f"Unable to find ConceptMap '{request.url}'{version}", tx_code="not-found", expression="url")
    else:
        maps = list(registry.concept_maps())
    return [m for m in maps if _fits_scope(m, "source", request.source_scope) and _fits_scope(m, "target", request.target_scope)]


def _fits_scope(concept_map: Resource, side: str, wanted: str | None) -> bool:
    """A map that does not say which value set it maps from (or to) is not ruled out by one."""
    declared = map_scope(concept_map, side)
    return wanted is None or declared is None or _same_canonical(declared, wanted)


def _same_canonical(a: str, b: str) -> bool:
    """Equal urls, and equal versions when both name one."""
    url_a, _, version_a = a.partition("|")
    url_b, _, version_b = b.partition("|")
    return url_a == url_b and (not version_a or not version_b or version_a == version_b)


def _matches(registry: Registry, concept_map: Resource, coding: Coding, request: TranslateRequest, depth: int) -> Iterator[TranslateMatch]:
    canonical = canonical_of(concept_map)
    for group in map_groups(concept_map):
        sides = GroupSystems.of(group)
        if not _applies(sides, coding, request):
            continue
        if request.reverse:
            yield from _reverse_matches(group, sides, coding.code, canonical)
            continue
        elements = [e for e in _list(group.get("element")) if isinstance(e, dict) and e.get("code") == coding.code]
        for element in elements:
            source = sides.source_coding(coding.code, _text(element.get("display")))
            if element.get("noMap") is True:
                yield TranslateMatch("unmatched", source, None, canonical)
            for item in _list(element.get("target")):
                if isinstance(item, dict):
                    yield _match(item, source, sides, canonical)
        if not elements and isinstance(group.get("unmapped"), dict):
            yield from _unmapped(registry, group["unmapped"], coding, request, sides, canonical, depth)


def _applies(sides: GroupSystems, coding: Coding, request: TranslateRequest) -> bool:
    """Whether a group maps ``coding`` (its target side does, in reverse) as the request wants."""
    system, version = (sides.target, sides.target_version) if request.reverse else (sides.source, sides.source_version)
    if system != coding.system or (coding.version and version and coding.version != version):
        return False
    return request.source_system in (None, sides.source) and request.target_system in (None, sides.target)


def _reverse_matches(group: dict, sides: GroupSystems, code: str | None, canonical: str) -> Iterator[TranslateMatch]:
    for element in _list(group.get("element")):
        if not isinstance(element, dict) or not isinstance(element.get("code"), str):
            continue
        for item in _list(element.get("target")):
            if isinstance(item, dict) and item.get("code") == code:
                yield _match(item, sides.source_coding(element["code"], _text(element.get("display"))), sides, canonical)


def _match(item: dict, source: Coding, sides: GroupSystems, canonical: str) -> TranslateMatch:
    code = _text(item.get("code"))
    target = sides.target_coding(code, _text(item.get("display"))) if code is not None else None
    return TranslateMatch(_equivalence(item), source, target, canonical, _products(item))


def _equivalence(item: dict) -> str:
    if isinstance(item.get("equivalence"), str):
        return item["equivalence"]
    if isinstance(item.get("relationship"), str):
        return _RELATIONSHIP_EQUIVALENCE.get(item["relationship"], "relatedto")
    return "relatedto" if item.get("code") else "unmatched"


def _products(item: dict) -> tuple[tuple[str, Coding], ...]:
    """R4's ``target.product``: an element (``property``) and the value it takes in a system."""
    products = []
    for product in _list(item.get("product")):
        if isinstance(product, dict) and isinstance(product.get("property"), str) and isinstance(product.get("value"), str):
            coding = Coding(system=_text(product.get("system")), code=product["value"], display=_text(product.get("display")))
            products.append((product["property"], coding))
    return tuple(products)


def _unmapped(
    registry: Registry, unmapped: dict, coding: Coding, request: TranslateRequest, sides: GroupSystems, canonical: str, depth: int
) -> Iterator[TranslateMatch]:
    """What a group says of a code it has no element for: keep the code, use a fixed one, or ask another map."""
    mode = _UNMAPPED_MODES.get(unmapped.get("mode"), unmapped.get("mode"))
    equivalence = _RELATIONSHIP_EQUIVALENCE.get(unmapped.get("relationship")) or _UNMAPPED_EQUIVALENCE.get(mode, "relatedto")
    source = sides.source_coding(coding.code, coding.display)
    if mode == "provided":
        yield TranslateMatch(equivalence, source, sides.target_coding(coding.code, None), canonical)
    elif mode == "fixed" and isinstance(unmapped.get("code"), str):
        yield TranslateMatch(equivalence, source, sides.target_coding(unmapped["code"], _text(unmapped.get("display"))), canonical)
    elif mode == "other-map":
        other = _text(unmapped.get("url")) or _text(unmapped.get("otherMap"))
        if other is None:
            return
        if depth >= _MAX_OTHER_MAPS:
            raise InvalidRequest(f"The ConceptMaps that unmapped mode other-map chains from {canonical} go round in a loop")
        for concept_map in registry.concept_maps_for(other):
            yield from _matches(registry, concept_map, coding, request, depth + 1)


def _no_translation_message(request: TranslateRequest, any_map: bool) -> str:
    codes = ", ".join(f"'{coding.code}' of {coding.system}" for coding in request.codings)
    if not any_map:
        return f"No ConceptMap that fits the request was found to translate {codes}"
    direction = "to" if request.reverse else "from"
    return f"No translation was found {direction} {codes} in the ConceptMaps that fit the request"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []
