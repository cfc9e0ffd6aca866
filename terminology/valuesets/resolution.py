"""What the value-set engine is handed instead of the store: how to find code systems and value sets,
and the version rules of the request that decide which version of a code system an include uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from ..definitions.value_set import Include, ValueSetDefinition
from ..errors import InvalidRequest, NotFound, TerminologyError
from ..providers.base import CodeSystemProvider
from ..versions import version_matches

__all__ = ["CircularReference", "Resolver", "UnknownCodeSystem", "VersionNotAllowed", "VersionRules", "unknown_system_message"]


class Resolver(Protocol):
    """The lookups the engine needs (a :class:`~terminology.registry.Registry` is one)."""

    def code_system(self, url: str, version: str | None = None) -> CodeSystemProvider | None: ...

    def value_set(self, url: str, version: str | None = None) -> ValueSetDefinition | None: ...

    def versions(self, url: str) -> list[str]: ...

    def in_effect(self, url: str, day: date) -> tuple[CodeSystemProvider, bool] | None: ...


class CircularReference(InvalidRequest):
    """A value set that imports itself, directly or through others."""

    issue_type = "processing"

    def __init__(self, url: str, chain: tuple[str, ...]) -> None:
        super().__init__(
            f"The value set {url} refers to itself (through {' -> '.join(chain + (url,))}), so it has no defined content",
            tx_code="vs-invalid",
        )


class VersionNotAllowed(TerminologyError):
    """The version of a code system that would be used is ruled out by ``check-system-version``."""

    issue_type = "exception"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message, tx_code="version-error")


class UnknownCodeSystem(NotFound):
    """An include names a code system (or a version of one) that is not known here."""

    def __init__(self, message: str, system: str, version: str | None) -> None:
        super().__init__(message, tx_code="not-found")
        self.system = system
        self.version = version


@dataclass(frozen=True, slots=True)
class VersionRules:
    """``system-version``: the version to use where the value set names none; ``force-system-version``:
    the version to use whatever it names; ``check-system-version``: the versions allowed (a pattern such
    as ``1.0.x``): it refuses the others, and where the value set names no version, it chooses the
    latest it allows."""

    defaults: Mapping[str, str] = field(default_factory=dict)
    forced: Mapping[str, str] = field(default_factory=dict)
    checked: Mapping[str, str] = field(default_factory=dict)
    value_sets: Mapping[str, str] = field(default_factory=dict)  # default-valueset-version: for imports naming none

    @classmethod
    def from_canonicals(
        cls, defaults: list[str], forced: list[str], checked: list[str], value_sets: list[str] = ()
    ) -> VersionRules:
        if not (defaults or forced or checked or value_sets):
            return _NO_RULES  # (most requests: made once)
        return cls(
            _split(defaults, "system-version"),
            _split(forced, "force-system-version"),
            _split(checked, "check-system-version"),
            _split(value_sets, "default-valueset-version"),
        )

    def imported_value_set(self, resolver: Resolver, url: str, missing: str) -> ValueSetDefinition:
        """The value set an import names: in the version it names, else the request's default version
        for it, else the latest. :class:`NotFound` when there is none; ``missing`` says so for a
        versioned import (with ``{url}`` and ``{version}``), or the import's url alone is named."""
        version = None if "|" in url else self.value_sets.get(url)
        found = resolver.value_set(url, version)
        if found is not None:
            return found
        if version is not None:
            raise NotFound(missing.format(url=url, version=version), tx_code="not-found")
        raise NotFound(f"A definition for the value Set '{url}' could not be found", tx_code="not-found")

    def version_for(self, system: str, stated: str | None) -> str | None:
        rule = self.rule_for(system, stated)
        return stated if rule is None else self._by_name[rule][system]

    def rule_for(self, system: str, stated: str | None) -> str | None:
        """The name of the parameter that decides the version of ``system`` an include stating
        ``stated`` uses; None when the include's own version stands."""
        if system in self.forced:
            return "force-system-version"
        if stated is None and system in self.defaults:
            return "system-version"
        if stated is None and system in self.checked:
            return "check-system-version"
        return None

    @property
    def _by_name(self) -> dict[str, Mapping[str, str]]:
        return {"force-system-version": self.forced, "system-version": self.defaults, "check-system-version": self.checked}

    def code_system(self, resolver: Resolver, include: Include, purpose: str) -> CodeSystemProvider:
        assert include.system is not None
        version = self.version_for(include.system, include.version)
        if version is None and include.locked_date:
            version = _current_on(resolver, include.system, include.locked_date)
        provider = resolver.code_system(include.system, version)
        if provider is None:
            raise UnknownCodeSystem(unknown_system_message(resolver, include.system, version, purpose), include.system, version)
        self.check(provider.info.url, provider.info.version)
        return provider

    def check(self, system: str, version: str | None) -> None:
        """:class:`VersionNotAllowed` when ``check-system-version`` rules out the version used."""
        required = self.checked.get(system)
        if required is not None and version != required and not version_matches(required, version):
            raise VersionNotAllowed(
                f"The version '{version}' is not allowed for system '{system}': required to be '{required}' by a version-check parameter"
            )


_NO_RULES = VersionRules()


def _current_on(resolver: Resolver, system: str, locked: date) -> str | None:
    """The version of ``system`` current on ``locked`` (a value set's lockedDate): for a code system
    released in time (ICD-10-CM), the release in effect then (else the nearest); for another, the latest
    version published on or before it; None (the default version) when no version says when it was published."""
    dated = resolver.in_effect(system, locked)
    if dated is not None:
        return dated[0].info.version
    for version in reversed(resolver.versions(system)):
        provider = resolver.code_system(system, version)
        published = provider.info.date if provider is not None else None
        if published and published[:10] <= locked.isoformat():
            return version
    return None


def _split(canonicals: list[str], name: str) -> dict[str, str]:
    result = {}
    for canonical in canonicals:
        url, bar, version = canonical.partition("|")
        if not bar or not url or not version:
            raise InvalidRequest(f"The parameter '{name}' takes url|version, not '{canonical}'", expression=name)
        result[url] = version
    return result


def unknown_system_message(resolver: Resolver, system: str, version: str | None, consequence: str) -> str:
    """Why ``system`` (in ``version``) cannot be used, naming the versions that can (tx.fhir.org's
    UNKNOWN_CODESYSTEM and UNKNOWN_CODESYSTEM_VERSION); ``consequence``: "the code cannot be validated"."""
    known = resolver.versions(system)
    if version is None:
        return f"A definition for CodeSystem '{system}' could not be found, so {consequence}"
    if not known:
        return f"A definition for CodeSystem '{system}' version '{version}' could not be found, so {consequence}. No versions of this code system are known"
    listed = " or ".join(known) if len(known) <= 2 else ", ".join(known[:-1]) + " and " + known[-1]
    return f"A definition for CodeSystem '{system}' version '{version}' could not be found, so {consequence}. Valid versions: {listed}"
