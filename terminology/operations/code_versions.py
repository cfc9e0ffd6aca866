"""Which version of its code system a coding is checked in against a value set, and what is wrong
with the version the coding states.

The value set decides: a version its include names (or ``force-system-version``, or for an include
that names none, ``system-version`` or ``check-system-version``) is the one used, and a coding that
states another is an error in itself (tx.fhir.org's VALUESET_VALUE_MISMATCH rules). Only where
nothing decides is the coding's own version used.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..context import RequestContext
from ..definitions import ValueSetDefinition
from ..errors import TerminologyError
from ..model import Coding, Issue
from ..registry import Registry
from ..valuesets.membership import is_member, pinned_versions
from ..valuesets.resolution import VersionRules
from ..versions import version_key, version_matches
from . import messages
from .display_check import display_matches

__all__ = ["VersionChoice", "choose_version"]


@dataclass(frozen=True, slots=True)
class VersionChoice:
    """``version``: the version to check the code in (None: the code system's default); ``issues``:
    what is wrong with the stated version; ``unknown``: ``system|version`` of a version that is not
    known and that the answer therefore depends on."""

    version: str | None
    issues: tuple[Issue, ...] = ()
    unknown: str | None = None


def choose_version(
    registry: Registry, value_set: ValueSetDefinition, coding: Coding, rules: VersionRules, path: str
) -> VersionChoice:
    """The version of the coding's system to check its code in (the coding states a version, and a
    display, or not)."""
    system, stated = coding.system or "", coding.version
    if not registry.versions(system):
        return VersionChoice(stated)  # the code system itself is unknown: the code's own check says so
    decided, mismatch = _decided(registry, value_set, coding, rules, path)
    stated_unknown = stated is not None and registry.code_system(system, stated) is None
    decided_unknown = decided is not None and registry.code_system(system, decided) is None
    unknown = stated if stated_unknown else (decided if decided_unknown else None)
    # Where the code is checked: in the version decided; if that is not known, where it can be.
    candidates = [*(v for v in (stated, _default(rules, system)) if v is not None), None] if decided_unknown else [decided]
    provider = next((found for v in candidates if (found := registry.code_system(system, v)) is not None), None)
    unknown_issue = messages.unknown_system(registry, system, unknown, path) if unknown is not None else None
    return VersionChoice(
        provider.info.version if provider is not None else decided,
        tuple(issue for issue in (mismatch, unknown_issue) if issue is not None),
        f"{system}|{unknown}" if unknown is not None else None,
    )


def _decided(
    registry: Registry, value_set: ValueSetDefinition, coding: Coding, rules: VersionRules, path: str
) -> tuple[str | None, Issue | None]:
    """The version the value set (or a version parameter) decides, and what is wrong with the one the
    coding states for it: a version parameter first, then the include's version, then the coding's own."""
    system, stated = coding.system or "", coding.version
    pinned = pinned_versions(value_set, system, registry)
    forced, default = rules.forced.get(system), _default(rules, system)
    if forced is not None:
        if stated is None or _fits(forced, stated):
            return forced, None
        return forced, messages.version_changed(system, forced, max(pinned, key=version_key) if pinned else "", stated, path)
    if pinned:
        if stated is None:
            return _pinned_for(registry, value_set, system, coding.code or "", coding.display, pinned, rules), None
        if any(_fits(version, stated) for version in pinned):
            return stated, None
        latest = max(pinned, key=version_key)
        return latest, messages.version_mismatch(system, latest, stated, path)
    if default is not None:
        return default, None if stated is None or _fits(default, stated) else messages.version_changed(system, default, "", stated, path)
    if stated is not None and registry.code_system(system, stated) is None:
        # Nothing decides, and the stated version is not known: the latest is used, and the difference said.
        latest = registry.code_system(system)
        used = latest.info.version if latest is not None else None
        return used, messages.versionless_mismatch(system, used, stated, path)
    return stated, None


def _default(rules: VersionRules, system: str) -> str | None:
    """The version a version parameter gives where the value set names none."""
    return rules.defaults.get(system) or rules.checked.get(system)


def _fits(pattern: str, version: str) -> bool:
    return version == pattern or version_matches(pattern, version)


def _pinned_for(
    registry: Registry,
    value_set: ValueSetDefinition,
    system: str,
    code: str,
    display: str | None,
    pinned: list[str],
    rules: VersionRules,
) -> str:
    """The latest pinned version whose include holds the code (value sets may take codes from several
    versions); of those, the latest in which the code has the display the coding gives."""
    latest_first = sorted(set(pinned), key=version_key, reverse=True)
    holding = []
    for version in latest_first if len(latest_first) > 1 else ():
        try:
            if is_member(value_set, system, version, code, registry, rules).found:
                holding.append(version)
        except TerminologyError:
            continue  # (an include that cannot be read holds nothing; the value set's answer will say why)
    if display is not None:
        shown = next((version for version in holding if _has_display(registry, system, version, code, display)), None)
        if shown is not None:
            return shown
    return holding[0] if holding else latest_first[0]


def _has_display(registry: Registry, system: str, version: str, code: str, display: str) -> bool:
    provider = registry.code_system(system, version)
    concept = provider.locate(code) if provider is not None else None
    return concept is not None and display_matches(provider, concept, display, RequestContext())


