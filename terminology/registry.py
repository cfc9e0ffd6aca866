"""The code systems, value sets, supplements and concept maps a server knows, by canonical url and version.

A registry can sit on top of another (``Registry(parent=...)``): the resources a request brings
(``tx-resource``) are layered over the server's own, and shadow them, for that request only.
CodeSystem resources become providers when first used, so loading many costs little.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .providers.base import CodeSystemProvider
from .versions import version_key, version_matches, versions_comparable
from .valuesets.implicit import implicit_value_set

__all__ = ["Registry"]

Resource = Mapping[str, Any]


class _CodeSystemEntry:
    """A code system version: a ready provider, or a CodeSystem resource made into one when first used."""

    __slots__ = ("provider", "resource", "registry")

    def __init__(self, provider: CodeSystemProvider | None, resource: Resource | None, registry: Registry) -> None:
        self.provider = provider
        self.resource = resource
        self.registry = registry

    @property
    def version(self) -> str | None:
        return self.provider.info.version if self.provider is not None else self.resource.get("version")

    def get(self) -> CodeSystemProvider:
        if self.provider is None:
            from .providers.codesystem import FhirCodeSystemProvider

            self.provider = FhirCodeSystemProvider(self.resource)
        return self.provider


class Registry:
    """Without a version, a url resolves to the version a provider was added as default, else the latest."""

    def __init__(self, parent: Registry | None = None) -> None:
        self.parent = parent
        self._code_systems: dict[str, list[_CodeSystemEntry]] = {}
        self._defaults: dict[str, _CodeSystemEntry] = {}
        self._by_id: dict[str, _CodeSystemEntry] = {}
        self._value_sets: dict[str, list[Resource]] = {}
        self._value_sets_by_id: dict[str, Resource] = {}
        self._supplements: dict[str, list[Resource]] = {}
        self._concept_maps: dict[str, list[Resource]] = {}
        self._concept_maps_by_id: dict[str, Resource] = {}
        # ``url|version`` of the supplements this layer applies to its parent's code systems.
        self.supplements_applied: tuple[str, ...] = parent.supplements_applied if parent is not None else ()

    # -- adding -----------------------------------------------------------------------------------

    def add_code_system(self, provider: CodeSystemProvider, default: bool | None = None) -> None:
        """``default``: whether a request that names no version gets this one; None makes the first
        provider of a url its default (the server's own content), False leaves the latest version to win."""
        info = provider.info
        entry = _CodeSystemEntry(provider, None, self)
        self._add_code_system_entry(info.url, info.version, info.id, entry)
        if default or (default is None and info.url not in self._defaults):
            self._defaults[info.url] = entry

    def add_resource(self, resource: Resource) -> None:
        """Adds a CodeSystem (a supplement goes with the supplements), a ValueSet, a ConceptMap; other kinds are ignored."""
        kind, url = resource.get("resourceType"), resource.get("url")
        if not isinstance(url, str):
            return
        if kind == "CodeSystem":
            if resource.get("content") == "not-present":  # a placeholder: it can answer nothing
                return
            if resource.get("content") == "supplement":
                self._supplements.setdefault(url, []).append(resource)
            else:
                self._add_code_system_entry(url, resource.get("version"), resource.get("id"), _CodeSystemEntry(None, resource, self))
        elif kind == "ValueSet":
            versions = self._value_sets.setdefault(url, [])
            versions[:] = [known for known in versions if known.get("version") != resource.get("version")]
            versions.append(resource)
            if isinstance(resource.get("id"), str):
                self._value_sets_by_id.setdefault(resource["id"], resource)
        elif kind == "ConceptMap":
            # Unlike a value set, a second map of the same url and version does not replace the first:
            # each may map other systems (the HL7 tests send two such maps), and translation tries both.
            self._concept_maps.setdefault(url, []).append(resource)
            if isinstance(resource.get("id"), str):
                self._concept_maps_by_id.setdefault(resource["id"], resource)

    def _add_code_system_entry(self, url: str, version: str | None, id: str | None, entry: _CodeSystemEntry) -> None:
        versions = self._code_systems.setdefault(url, [])
        if any(known.version == version for known in versions):
            if entry.provider is not None:
                raise ValueError(f"code system {url} version {version} is loaded twice")
            versions[:] = [known for known in versions if known.version != version]
        versions.append(entry)
        if id:
            if entry.provider is not None and id in self._by_id:
                raise ValueError(f"two code systems have the id '{id}'")
            self._by_id.setdefault(id, entry)

    # -- finding ----------------------------------------------------------------------------------

    def code_system(self, url: str, version: str | None = None) -> CodeSystemProvider | None:
        """The provider of ``url`` (in ``version``, when given), or None."""
        versions = self._code_systems.get(url)
        if versions:
            if version is None:
                if url in self._defaults:
                    return self._defaults[url].get()
                own = max(versions, key=lambda entry: version_key(entry.version))
                inherited = self.parent.code_system(url) if self.parent is not None else None
                # The latest of this layer's and the parent's: a layer adds versions, it does not hide later
                # ones. Versions of different kinds (4.0.0, 2018-08-12) do not compare: this layer's stands.
                if (
                    inherited is not None
                    and versions_comparable(inherited.info.version, own.version)
                    and version_key(inherited.info.version) > version_key(own.version)
                ):
                    return inherited
                return own.get()
            matching = [entry for entry in versions if entry.version == version] or [
                entry for entry in versions if version_matches(version, entry.version)
            ]
            if matching:
                return (matching[0] if len(matching) == 1 else max(matching, key=lambda entry: version_key(entry.version))).get()
        return self.parent.code_system(url, version) if self.parent is not None else None

    def code_system_by_id(self, id: str) -> CodeSystemProvider | None:
        entry = self._by_id.get(id)
        if entry is not None:
            return entry.get()
        return self.parent.code_system_by_id(id) if self.parent is not None else None

    def versions(self, url: str) -> list[str]:
        """The versions of ``url`` that are known (empty when the code system is unknown)."""
        own = [entry.version or "" for entry in self._code_systems.get(url, ())]
        inherited = self.parent.versions(url) if self.parent is not None else []
        return sorted(set(own + inherited), key=version_key)

    def catalog(self) -> Iterator[tuple[str, str | None, bool]]:
        """``(url, version, is the default version)`` of every code system, without reading any."""
        seen: set[tuple[str, str | None]] = set()
        layer: Registry | None = self
        while layer is not None:
            for url, versions in layer._code_systems.items():
                default = layer._defaults.get(url) or max(versions, key=lambda entry: version_key(entry.version))
                for entry in versions:
                    if (url, entry.version) not in seen:
                        seen.add((url, entry.version))
                        yield url, entry.version, entry is default
            layer = layer.parent

    def code_systems(self) -> Iterator[CodeSystemProvider]:
        for versions in self._code_systems.values():
            for entry in versions:
                yield entry.get()
        if self.parent is not None:
            yield from self.parent.code_systems()

    def value_set(self, url: str, version: str | None = None) -> Resource | None:
        """A ValueSet resource by canonical url (``url|version`` is accepted too)."""
        if version is None and "|" in url:
            url, version = url.split("|", 1)
        versions = self._value_sets.get(url)
        if versions:
            if version is None:
                return max(versions, key=lambda resource: version_key(resource.get("version")))
            for resource in versions:
                if resource.get("version") == version:
                    return resource
        inherited = self.parent.value_set(url, version) if self.parent is not None else None
        if inherited is not None:
            return inherited
        implicit = implicit_value_set(url)
        if implicit is not None and self.code_system(implicit[0]) is not None:
            return implicit[1]
        return None

    def value_set_by_id(self, id: str) -> Resource | None:
        found = self._value_sets_by_id.get(id)
        if found is None and self.parent is not None:
            return self.parent.value_set_by_id(id)
        return found

    def value_sets(self) -> Iterator[Resource]:
        for versions in self._value_sets.values():
            yield from versions
        if self.parent is not None:
            yield from self.parent.value_sets()

    def supplement(self, url: str, version: str | None = None) -> Resource | None:
        if version is None and "|" in url:
            url, version = url.split("|", 1)
        candidates = [r for r in self._supplements.get(url, ()) if version is None or r.get("version") == version]
        if candidates:
            return max(candidates, key=lambda resource: version_key(resource.get("version")))
        return self.parent.supplement(url, version) if self.parent is not None else None

    def concept_maps_for(self, url: str, version: str | None = None) -> list[Resource]:
        """The ConceptMaps of ``url`` (``url|version`` is accepted too) in ``version``, which may hold
        wildcards (``1.x``), else in their latest version; more than one when maps of one url and
        version were added more than once. Empty when there is none."""
        if version is None and "|" in url:
            url, version = url.split("|", 1)
        maps = self._concept_maps.get(url, [])
        if version is None and maps:
            latest = max(version_key(resource.get("version")) for resource in maps)
            return [resource for resource in maps if version_key(resource.get("version")) == latest]
        matching = [resource for resource in maps if resource.get("version") == version] or [
            resource for resource in maps if version_matches(version or "", resource.get("version"))
        ]
        if matching:
            return matching
        return self.parent.concept_maps_for(url, version) if self.parent is not None else []

    def concept_map(self, url: str, version: str | None = None) -> Resource | None:
        """A ConceptMap by canonical url, as :meth:`concept_maps_for`; the one added last of several."""
        found = self.concept_maps_for(url, version)
        return found[-1] if found else None

    def concept_map_by_id(self, id: str) -> Resource | None:
        found = self._concept_maps_by_id.get(id)
        if found is None and self.parent is not None:
            return self.parent.concept_map_by_id(id)
        return found

    def concept_maps(self) -> Iterator[Resource]:
        """Every ConceptMap: this layer's, then its parent's."""
        for versions in self._concept_maps.values():
            yield from versions
        if self.parent is not None:
            yield from self.parent.concept_maps()
