"""The code systems a server knows, by canonical url, by ``url|version`` and by resource id."""

from __future__ import annotations

from collections.abc import Iterator

from .providers.base import CodeSystemProvider

__all__ = ["Registry"]


class Registry:
    """Holds providers; several versions of one code system sit side by side.

    Without a version, a url resolves to the version added first (the server's default).
    """

    def __init__(self) -> None:
        self._by_url: dict[str, list[CodeSystemProvider]] = {}
        self._by_id: dict[str, CodeSystemProvider] = {}

    def add_code_system(self, provider: CodeSystemProvider) -> None:
        info = provider.info
        if info.id in self._by_id:
            raise ValueError(f"two code systems have the id '{info.id}'")
        versions = self._by_url.setdefault(info.url, [])
        if any(known.info.version == info.version for known in versions):
            raise ValueError(f"code system {info.url} version {info.version} is loaded twice")
        versions.append(provider)
        self._by_id[info.id] = provider

    def code_system(self, url: str, version: str | None = None) -> CodeSystemProvider | None:
        """The provider of ``url`` (in ``version``, when given), or None."""
        versions = self._by_url.get(url)
        if not versions:
            return None
        if version is None:
            return versions[0]
        for provider in versions:
            if provider.info.version == version:
                return provider
        return None

    def code_system_by_id(self, id: str) -> CodeSystemProvider | None:
        return self._by_id.get(id)

    def versions(self, url: str) -> list[str]:
        """The versions of ``url`` that are loaded (empty when the code system is unknown)."""
        return [provider.info.version or "" for provider in self._by_url.get(url, ())]

    def code_systems(self) -> Iterator[CodeSystemProvider]:
        for versions in self._by_url.values():
            yield from versions
