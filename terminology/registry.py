"""The code systems, value sets, supplements and concept maps a server knows, by canonical url and version.

A registry can sit on top of another (``Registry(parent=...)``): the resources a request brings
(``tx-resource``) are layered over the server's own, and shadow them, for that request only.
CodeSystem definitions become providers when first used, so loading many costs little.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from .definitions import CodeSystemDefinition, ConceptMapDefinition, Definition, SupplementDefinition, ValueSetDefinition
from .definitions.implicit import implicit_value_set
from .definitions.metadata import ResourceMetadata
from .providers.base import CodeSystemInfo, CodeSystemProvider
from .versions import version_key, version_matches, versions_comparable

__all__ = ["CodeSystemEntry", "Registry"]


class CodeSystemEntry:
    """A code system version: a ready provider, or a CodeSystem definition made into one when first used.
    What describes it (``metadata``, ``content``) is known without making the provider."""

    __slots__ = ("provider", "definition")

    def __init__(self, provider: CodeSystemProvider | None, definition: CodeSystemDefinition | None) -> None:
        self.provider = provider
        self.definition = definition

    @property
    def version(self) -> str | None:
        return self.provider.info.version if self.provider is not None else self.definition.metadata.version

    def named(self, version: str) -> bool:
        """Whether ``version`` names this version: its own version, or one of its aliases."""
        return self.version == version or (self.provider is not None and version in self.provider.info.aliases)

    @property
    def metadata(self) -> ResourceMetadata:
        return self.definition.metadata if self.definition is not None else _metadata_of(self.provider.info)

    @property
    def content(self) -> str:
        return self.definition.content if self.definition is not None else self.provider.info.content

    def get(self) -> CodeSystemProvider:
        if self.provider is None:
            from .providers.codesystem import FhirCodeSystemProvider

            with _MAKING:  # (two request threads asking first must not each keep a provider of their own)
                if self.provider is None:
                    self.provider = FhirCodeSystemProvider(self.definition)
        return self.provider


def _parts(url: str, version: str | None) -> tuple[str, str | None]:
    """A canonical's url and version: ``url|version`` is taken apart where no version is given beside it."""
    if version is None and "|" in url:
        found, _, version = url.partition("|")
        return found, version
    return url, version


_MAKING = threading.Lock()  # held while a definition is made into a provider: rarely, and briefly


@lru_cache(maxsize=64)  # (few providers are added ready-made: the ICD-10-CM releases)
def _metadata_of(info: CodeSystemInfo) -> ResourceMetadata:
    """A provider's own description, as a CodeSystem resource's metadata would say it."""
    return ResourceMetadata(
        "CodeSystem", id=info.id, url=info.url, version=info.version, name=info.name, title=info.title,
        status=info.status, experimental=info.experimental, date=info.date, publisher=info.publisher,
        description=info.description,
    )  # fmt: skip


class Registry:
    """Without a version, a url resolves to the version a provider was added as default, else the latest."""

    def __init__(self, parent: Registry | None = None) -> None:
        self.parent = parent
        self._code_systems: dict[str, list[CodeSystemEntry]] = {}
        self._defaults: dict[str, CodeSystemEntry] = {}
        self._by_id: dict[str, CodeSystemEntry] = {}
        self._dated: set[str] = set()  # the urls of code systems released in time (a version has an effective period)
        self._value_sets: dict[str, list[ValueSetDefinition]] = {}
        self._value_sets_by_id: dict[str, ValueSetDefinition] = {}
        self._supplements: dict[str, list[SupplementDefinition]] = {}
        self._supplements_by_id: dict[str, SupplementDefinition] = {}
        self._concept_maps: dict[str, list[ConceptMapDefinition]] = {}
        self._concept_maps_by_id: dict[str, ConceptMapDefinition] = {}
        self._found: dict[tuple[str, str | None], CodeSystemProvider] = {}  # code_system's answers
        self._versions: dict[str, tuple[str, ...]] = {}  # versions' answers
        # ``url|version`` of the supplements this layer applies to its parent's code systems.
        self.supplements_applied: tuple[str, ...] = parent.supplements_applied if parent is not None else ()

    # -- adding -----------------------------------------------------------------------------------

    def add_code_system(self, provider: CodeSystemProvider, default: bool | None = None) -> None:
        """``default``: whether a request that names no version gets this one; None makes the first
        provider of a url its default (the server's own content), False leaves the latest version to win."""
        info = provider.info
        entry = CodeSystemEntry(provider, None)
        self._add_code_system_entry(info.url, info.version, info.id, entry)
        if info.effective is not None:
            self._dated.add(info.url)
        if default or (default is None and info.url not in self._defaults):
            self._defaults[info.url] = entry  # (the entry's adding emptied what code_system keeps)

    def add(self, definition: Definition) -> None:
        """Adds a code system, a supplement, a value set or a concept map; one without a url is passed over."""
        metadata = definition.metadata
        url = metadata.url
        if url is None:
            return
        if isinstance(definition, CodeSystemDefinition):
            if definition.content == "not-present":  # a placeholder: it can answer nothing
                return
            self._add_code_system_entry(url, metadata.version, metadata.id, CodeSystemEntry(None, definition))
        elif isinstance(definition, SupplementDefinition):
            self._supplements.setdefault(url, []).append(definition)
            if metadata.id is not None:
                self._supplements_by_id.setdefault(metadata.id, definition)
        elif isinstance(definition, ValueSetDefinition):
            versions = self._value_sets.setdefault(url, [])
            versions[:] = [known for known in versions if known.metadata.version != metadata.version]
            versions.append(definition)
            if metadata.id is not None:
                self._value_sets_by_id.setdefault(metadata.id, definition)
        else:
            # Unlike a value set, a second map of the same url and version does not replace the first:
            # each may map other systems (the HL7 tests send two such maps), and translation tries both.
            self._concept_maps.setdefault(url, []).append(definition)
            if metadata.id is not None:
                self._concept_maps_by_id.setdefault(metadata.id, definition)

    def _add_code_system_entry(self, url: str, version: str | None, id: str | None, entry: CodeSystemEntry) -> None:
        versions = self._code_systems.setdefault(url, [])
        if any(known.version == version for known in versions):
            if entry.provider is not None:
                raise ValueError(f"code system {url} version {version} is loaded twice")
            versions[:] = [known for known in versions if known.version != version]
        versions.append(entry)
        self._found.clear()
        self._versions.clear()
        if id:
            if entry.provider is not None and id in self._by_id:
                raise ValueError(f"two code systems have the id '{id}'")
            self._by_id.setdefault(id, entry)

    # -- finding ----------------------------------------------------------------------------------

    def code_system(self, url: str, version: str | None = None) -> CodeSystemProvider | None:
        """The provider of ``url`` (in ``version``, when given), or None."""
        # One validation asks for the same code system several times: what is found is kept until this
        # layer changes (a layer's parents do not change once it is made). What is not found is not
        # kept: clients may name any number of unknown systems.
        key = (url, version)
        found = self._found.get(key)
        if found is None:
            found = self._code_system(url, version)
            if found is not None:
                self._found[key] = found
        return found

    def _code_system(self, url: str, version: str | None) -> CodeSystemProvider | None:
        if version is None:
            default = self._default_entry(url)
            return default.get() if default is not None else None
        versions = self._code_systems.get(url)
        if versions:
            matching = [entry for entry in versions if entry.named(version)] or [
                entry for entry in versions if version_matches(version, entry.version)
            ]
            if matching:
                return (matching[0] if len(matching) == 1 else max(matching, key=lambda entry: version_key(entry.version))).get()
        return self.parent.code_system(url, version) if self.parent is not None else None

    def _default_entry(self, url: str) -> CodeSystemEntry | None:
        """The version of ``url`` a request naming none gets, not made into a provider."""
        if url in self._defaults:
            return self._defaults[url]
        versions = self._code_systems.get(url)
        inherited = self.parent._default_entry(url) if self.parent is not None else None
        if not versions:
            return inherited
        own = max(versions, key=lambda entry: version_key(entry.version))
        # The latest of this layer's and the parent's: a layer adds versions, it does not hide later
        # ones. Versions of different kinds (4.0.0, 2018-08-12) do not compare: this layer's stands.
        if (
            inherited is not None
            and versions_comparable(inherited.version, own.version)
            and version_key(inherited.version) > version_key(own.version)
        ):
            return inherited
        return own

    def dated_systems(self) -> set[str]:
        """The urls of the code systems released in time: those a day chooses a version of."""
        return set().union(*(layer._dated for layer in self._layers()))

    def in_effect(self, url: str, day: date) -> tuple[CodeSystemProvider, bool] | None:
        """The version of ``url`` in effect on ``day``, and True; where none is, the version nearest in
        time (of two as near, the later), and False. None when no version of ``url`` is tied to dates."""
        dated = [
            entry.provider
            for layer in self._layers()
            for entry in layer._code_systems.get(url, ())
            if entry.provider is not None and entry.provider.info.effective is not None
        ]
        if not dated:
            return None
        nearest = min(dated, key=lambda provider: (provider.info.effective.distance(day), -provider.info.effective.start.toordinal()))
        return nearest, nearest.info.effective.covers(day)

    def code_system_by_id(self, id: str) -> CodeSystemProvider | None:
        entry = self.code_system_entry_by_id(id)
        return entry.get() if entry is not None else None

    def code_system_entry_by_id(self, id: str) -> CodeSystemEntry | None:
        """The code system version with ``id``, not made into a provider."""
        return self._by_id_in_layers("_by_id", id)

    def versions(self, url: str) -> list[str]:
        """The versions of ``url`` that are known (empty when the code system is unknown), oldest first."""
        found = self._versions.get(url)
        if found is None:
            own = [entry.version or "" for entry in self._code_systems.get(url, ())]
            inherited = self.parent.versions(url) if self.parent is not None else []
            found = tuple(sorted(set(own + inherited), key=version_key))
            if found:  # (as above: unknown urls are not kept)
                self._versions[url] = found
        return list(found)

    def catalog(self) -> Iterator[tuple[str, str | None, bool]]:
        """``(url, version, is the default version)`` of every code system, without reading any."""
        seen: set[tuple[str, str | None]] = set()
        for layer in self._layers():
            for url, versions in layer._code_systems.items():
                default = self._default_entry(url)  # (the whole registry's: a layer's own may be older than its parent's)
                for entry in versions:
                    if (url, entry.version) not in seen:
                        seen.add((url, entry.version))
                        yield url, entry.version, entry is default

    def code_system_entries(self) -> Iterator[CodeSystemEntry]:
        """Every code system version: this layer's, then its parent's; none is made into a provider."""
        return self._every("_code_systems")

    def value_set(self, url: str, version: str | None = None) -> ValueSetDefinition | None:
        """A value set by canonical url (``url|version`` is accepted too)."""
        url, version = _parts(url, version)
        versions = self._value_sets.get(url)
        if versions:
            if version is None:
                return max(versions, key=lambda known: version_key(known.metadata.version))
            for known in versions:
                if known.metadata.version == version:
                    return known
        inherited = self.parent.value_set(url, version) if self.parent is not None else None
        if inherited is not None:
            return inherited
        implicit = implicit_value_set(url)
        if implicit is not None and self.code_system(implicit[0]) is not None:
            return implicit[1]
        return None

    def value_set_by_id(self, id: str) -> ValueSetDefinition | None:
        return self._by_id_in_layers("_value_sets_by_id", id)

    def value_sets(self) -> Iterator[ValueSetDefinition]:
        return self._every("_value_sets")

    def supplement(self, url: str, version: str | None = None) -> SupplementDefinition | None:
        """A supplement by canonical url (``url|version`` is accepted too); the latest without a version."""
        url, version = _parts(url, version)
        candidates = [s for s in self._supplements.get(url, ()) if version is None or s.metadata.version == version]
        if candidates:
            return max(candidates, key=lambda supplement: version_key(supplement.metadata.version))
        return self.parent.supplement(url, version) if self.parent is not None else None

    def supplement_by_id(self, id: str) -> SupplementDefinition | None:
        return self._by_id_in_layers("_supplements_by_id", id)

    def supplements(self) -> Iterator[SupplementDefinition]:
        return self._every("_supplements")

    def concept_maps_for(self, url: str, version: str | None = None) -> list[ConceptMapDefinition]:
        """The ConceptMaps of ``url`` (``url|version`` is accepted too) in ``version``, which may hold
        wildcards (``1.x``), else in their latest version; more than one when maps of one url and
        version were added more than once. Empty when there is none."""
        url, version = _parts(url, version)
        maps = self._concept_maps.get(url, [])
        if version is None and maps:
            latest = max(version_key(known.metadata.version) for known in maps)
            return [known for known in maps if version_key(known.metadata.version) == latest]
        matching = [known for known in maps if known.metadata.version == version] or [
            known for known in maps if version_matches(version or "", known.metadata.version)
        ]
        if matching:
            return matching
        return self.parent.concept_maps_for(url, version) if self.parent is not None else []

    def concept_map(self, url: str, version: str | None = None) -> ConceptMapDefinition | None:
        """A ConceptMap by canonical url, as :meth:`concept_maps_for`; the one added last of several."""
        found = self.concept_maps_for(url, version)
        return found[-1] if found else None

    def concept_map_by_id(self, id: str) -> ConceptMapDefinition | None:
        return self._by_id_in_layers("_concept_maps_by_id", id)

    def concept_maps(self) -> Iterator[ConceptMapDefinition]:
        return self._every("_concept_maps")

    # -- walking the layers -----------------------------------------------------------------------

    def _layers(self) -> Iterator[Registry]:
        layer: Registry | None = self
        while layer is not None:
            yield layer
            layer = layer.parent

    def _by_id_in_layers(self, table: str, id: str) -> Any:
        """The resource of ``id`` in this layer's ``table`` (a dict by id), else in its parent's."""
        return next((found for layer in self._layers() if (found := getattr(layer, table).get(id)) is not None), None)

    def _every(self, table: str) -> Iterator[Any]:
        """Every resource of this layer's ``table`` (a dict of lists by url), then those of its parent's
        that no nearer layer has a version of (a layer's version shadows its parent's)."""
        seen: set[tuple[str, str | None]] = set()
        for layer in self._layers():
            here: set[tuple[str, str | None]] = set()
            for url, versions in getattr(layer, table).items():
                for item in versions:
                    key = (url, item.version if isinstance(item, CodeSystemEntry) else item.metadata.version)
                    if key not in seen:
                        here.add(key)
                        yield item
            seen |= here
