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
from ..model import Issue
from ..registry import Registry
from ..valuesets.membership import is_member, pinned_versions
from ..valuesets.resolution import VersionRules, unknown_system_message
from ..versions import version_key, version_matches
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
    registry: Registry,
    value_set: ValueSetDefinition,
    system: str,
    code: str,
    stated: str | None,
    rules: VersionRules,
    path: str,
    display: str | None = None,
) -> VersionChoice:
    """The version of ``system`` to check ``code`` (stated in version ``stated``, if any, with
    ``display``, if any) in."""
    if not registry.versions(system):
        return VersionChoice(stated)  # the code system itself is unknown: the code's own check says so
    pinned = pinned_versions(value_set, system, registry)
    forced = rules.forced.get(system)
    default = rules.defaults.get(system) or rules.checked.get(system)
    mismatch = None
    if forced is not None:
        decided = forced
        if stated is not None and not _fits(forced, stated):
            mismatch = _changed(system, forced, max(pinned, key=version_key) if pinned else "", stated, path)
    elif pinned:
        if stated is None:
            decided = _pinned_for(registry, value_set, system, code, display, pinned, rules)
        elif any(_fits(version, stated) for version in pinned):
            decided = stated
        else:
            decided = max(pinned, key=version_key)
            mismatch = _mismatch(system, decided, stated, path)
    elif default is not None:
        decided = default
        if stated is not None and not _fits(default, stated):
            mismatch = _changed(system, default, "", stated, path)
    elif stated is not None and registry.code_system(system, stated) is None:
        # Nothing decides, and the stated version is not known: the latest is used, and the difference said.
        latest = registry.code_system(system)
        decided = latest.info.version if latest is not None else None
        mismatch = _versionless(system, decided, stated, path)
    else:
        decided = stated
    stated_unknown = stated is not None and registry.code_system(system, stated) is None
    decided_unknown = decided is not None and registry.code_system(system, decided) is None
    unknown = stated if stated_unknown else (decided if decided_unknown else None)
    # Where the code is checked: in the version decided; if that is not known, where it can be.
    candidates = [*(v for v in (stated, default) if v is not None), None] if decided_unknown else [decided]
    provider = next((found for v in candidates if (found := registry.code_system(system, v)) is not None), None)
    issues = tuple(issue for issue in (mismatch, _unknown(registry, system, unknown, path)) if issue is not None)
    return VersionChoice(
        provider.info.version if provider is not None else decided, issues, f"{system}|{unknown}" if unknown is not None else None
    )


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


def _unknown(registry: Registry, system: str, version: str | None, path: str) -> Issue | None:
    if version is None:
        return None
    text = unknown_system_message(registry, system, version, "the code cannot be validated")
    return Issue("error", "not-found", text, "not-found", (f"{path}system",), "UNKNOWN_CODESYSTEM_VERSION")


def _mismatch(system: str, pinned: str, stated: str, path: str) -> Issue:
    text = (
        f"The code system '{system}' version '{pinned}' in the ValueSet include is different to the one in the value ('{stated}')"
    )
    return Issue("error", "invalid", text, "vs-invalid", (f"{path}version",), "VALUESET_VALUE_MISMATCH")


def _changed(system: str, used: str, pinned: str, stated: str, path: str) -> Issue:
    text = (
        f"The code system '{system}' version '{used}' resulting from the version '{pinned}' in the ValueSet include "
        f"is different to the one in the value ('{stated}')"
    )
    return Issue("error", "invalid", text, "vs-invalid", (f"{path}version",), "VALUESET_VALUE_MISMATCH_CHANGED")


def _versionless(system: str, used: str | None, stated: str, path: str) -> Issue:
    text = (
        f"The code system '{system}' version '{used}' for the versionless include in the ValueSet include "
        f"is different to the one in the value ('{stated}')"
    )
    return Issue("warning", "invalid", text, "vs-invalid", (f"{path}version",), "VALUESET_VALUE_MISMATCH_DEFAULT")
