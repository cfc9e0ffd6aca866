"""Whether a code is in a ValueSet, decided on the code: no expansion of the value set.

An include with a filter asks the provider's filter about this one concept (``is-a`` walks up
from the code), so checking an ICD-10-CM code against "all billable codes" costs a few steps,
not a list of 74,000 codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..definitions.value_set import Compose, Include, ValueSetDefinition
from ..providers.base import CodeSystemProvider
from ..versions import version_key, version_matches
from .resolution import CircularReference, Resolver, VersionRules

__all__ = ["Membership", "imported_value_sets", "included_systems", "is_member", "pinned_version", "pinned_versions"]


@dataclass(frozen=True, slots=True)
class Membership:
    """``found``: the code is in the value set; ``provider``: the code system that said so;
    ``display``, ``status``: what the include that holds the code says of it (its display, and its
    place in the value set: deprecated ...)."""

    found: bool
    provider: CodeSystemProvider | None = None
    display: str | None = None
    status: str | None = None


_NOT_FOUND = Membership(False)


def is_member(
    value_set: ValueSetDefinition,
    system: str | None,
    version: str | None,
    code: str,
    resolver: Resolver,
    rules: VersionRules,
) -> Membership:
    """Whether ``system#code`` is in ``value_set``. With no ``system``, any include's system may hold it.

    :class:`CircularReference` when the value set imports itself: it then has no defined content,
    whichever include would hold the code."""
    _check_no_cycle(value_set, resolver, ())
    return _membership(value_set, _Asked(system, version, code, resolver, rules), ())


@dataclass(frozen=True, slots=True)
class _Asked:
    """The code asked about (``system``, ``version``: None when not given), and how to find what value sets name."""

    system: str | None
    version: str | None
    code: str
    resolver: Resolver
    rules: VersionRules


def _membership(value_set: ValueSetDefinition, asked: _Asked, chain: tuple[str, ...]) -> Membership:
    chain = chain + (str(value_set.url),)
    compose = value_set.compose
    for include in compose.includes:
        match = _include_matches(include, asked, chain)
        if match is None:
            continue
        if compose.inactive is False and match.provider is not None:
            concept = match.provider.locate(asked.code)
            if concept is None or match.provider.is_inactive(concept):
                continue
        if not _excluded(compose, match.provider, asked, chain):
            return match
    return _NOT_FOUND


def _excluded(compose: Compose, provider: CodeSystemProvider | None, asked: _Asked, chain: tuple[str, ...]) -> bool:
    """Whether an exclude removes the code an include took from ``provider``: in that version only when
    the value set says versionsMatch false or includes the exclude's version itself; otherwise in any
    version (one version excluded from another), as expansion does."""
    for exclude in compose.excludes:
        match = _include_matches(exclude, asked, chain, strict=False)
        if match is None:
            continue
        excluding = match.provider
        if excluding is None or provider is None or exclude.system is None:
            return True
        scoped = compose.versions_match is False or (
            compose.versions_match is None and excluding.info.version in _included_versions(compose, exclude.system, asked)
        )
        if not scoped or excluding.info.version == provider.info.version:
            return True
    return False


def _included_versions(compose: Compose, system: str, asked: _Asked) -> set[str | None]:
    return {
        asked.rules.code_system(asked.resolver, include, "the code cannot be validated").info.version
        for include in compose.includes
        if include.system == system
    }


def _include_matches(include: Include, asked: _Asked, chain: tuple[str, ...], strict: bool = True) -> Membership | None:
    """The include's answer (its code system, and the display and status it gives the code) when it
    selects the code, else None. ``strict``: an include pinned to another version than the one asked
    about selects nothing."""
    rules, version = asked.rules, asked.version
    provider = None
    display = status = None
    if include.system is not None:
        if asked.system is not None and include.system != asked.system:
            return None
        if strict and version is not None and include.version is not None and include.system not in rules.forced:
            if version != include.version and not version_matches(include.version, version):
                return None  # the include takes its codes from another version than the one asked about
        provider = rules.code_system(asked.resolver, _with_version(include, version), "the code cannot be validated")
        concept = provider.locate(asked.code)
        if concept is None:
            return None
        if include.concepts:
            reference = next((r for r in include.concepts if provider.locate(r.code) is concept), None)
            if reference is None:
                return None
            display, status = reference.display, reference.status
        for item in include.filters:
            if not provider.filter(item.property, item.op, item.value).matches(concept):
                return None
    for url in include.value_sets:
        if url in chain or url.split("|")[0] in chain:
            raise CircularReference(url, chain)
        imported = rules.imported_value_set(asked.resolver, url, "A definition for the value Set '{url}|{version}' could not be found")
        inner = _membership(imported, asked, chain)
        if not inner.found:
            return None
        provider = provider or inner.provider
    return Membership(True, provider, display, status)


def _with_version(include: Include, version: str | None) -> Include:
    """The include, with the coding's version where the value set names none, or names a
    pattern (``1.x``) that the coding's version fits."""
    if version is None or version == include.version or (include.version is not None and not version_matches(include.version, version)):
        return include
    return include.with_version(version)


def pinned_version(value_set: ValueSetDefinition, system: str, resolver: Resolver) -> str | None:
    """The version of ``system`` the value set's includes name (through its imports); the latest
    when they name several."""
    versions = pinned_versions(value_set, system, resolver)
    return max(versions, key=version_key) if versions else None


def pinned_versions(value_set: ValueSetDefinition, system: str, resolver: Resolver) -> list[str]:
    """The versions of ``system`` the value set's includes name (through its imports), in order."""
    return _pinned_versions(value_set, system, resolver, ())


def _pinned_versions(value_set: ValueSetDefinition, system: str, resolver: Resolver, chain: tuple[str, ...]) -> list[str]:
    url = str(value_set.url)
    if url in chain:
        return []
    compose = value_set.compose
    found = list(compose.pinned.get(system, ()))
    for imported_url in compose.imports:
        imported = resolver.value_set(imported_url)
        if imported is not None:
            found += _pinned_versions(imported, system, resolver, chain + (url,))
    return found


def included_systems(value_set: ValueSetDefinition, resolver: Resolver, chain: tuple[str, ...] = ()) -> list[str]:
    """The code systems the value set's includes name (through its imports), each once, in order."""
    url = str(value_set.url)
    if url in chain:
        return []
    compose = value_set.compose
    if not compose.imports:
        return list(compose.systems)
    found: dict[str, None] = {}
    for include in compose.includes:  # (in the includes' order: a message lists them so)
        if include.system is not None:
            found.setdefault(include.system)
        for imported_url in include.value_sets:
            imported = resolver.value_set(imported_url)
            if imported is not None:
                found.update(dict.fromkeys(included_systems(imported, resolver, chain + (url,))))
    return list(found)


def imported_value_sets(value_set: ValueSetDefinition, resolver: Resolver, chain: tuple[str, ...] = ()) -> list[ValueSetDefinition]:
    """The value sets ``value_set`` imports, directly or through others, each once."""
    url = str(value_set.url)
    found: list[ValueSetDefinition] = []
    for imported_url in value_set.compose.imports:
        imported = resolver.value_set(imported_url)
        if imported is not None and imported.url not in chain + (url,) and imported not in found:
            found.append(imported)
            found += [v for v in imported_value_sets(imported, resolver, chain + (url,)) if v not in found]
    return found


def _check_no_cycle(value_set: ValueSetDefinition, resolver: Resolver, chain: tuple[str, ...]) -> None:
    url = str(value_set.url)
    if url in chain:
        raise CircularReference(url, chain)
    for imported_url in value_set.compose.references:
        imported = resolver.value_set(imported_url)
        if imported is not None:
            _check_no_cycle(imported, resolver, chain + (url,))
