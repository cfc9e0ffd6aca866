"""The system of a coding: inferred where a code comes without one, and why one that names no code
system here (a supplement, a value set, a local name, an unknown url or version) cannot be used."""

from __future__ import annotations

from ...definitions import ValueSetDefinition
from ...model import Coding, ValidationResult
from ...registry import Registry
from ...valuesets.membership import included_systems, pinned_version
from .. import messages

__all__ = ["inferred_system", "unusable_system"]


def inferred_system(registry: Registry, value_set: ValueSetDefinition, coding: Coding, path: str, form: str) -> Coding | ValidationResult:
    """The coding (sent without a system, against ``value_set``) with the system of the value set's
    includes that has its code; a failed validation when none or several do, or when it came as a
    Coding (``form``), whose system must be given."""
    if form != "code":
        issues = (messages.not_in_value_set(value_set, coding, path), messages.no_system(path))
        return ValidationResult(False, None, None, None, coding.code, issues=issues)
    holding = _systems_holding(registry, value_set, coding.code or "")
    if len(holding) == 1:
        return Coding(holding[0], coding.version, coding.code, coding.display)
    issues = (
        messages.not_in_value_set(value_set, Coding(code=coding.code), path),
        messages.system_not_inferred(value_set, coding.code, path, holding),
    )
    return ValidationResult(False, None, None, None, coding.code, issues=issues)


def _systems_holding(registry: Registry, value_set: ValueSetDefinition, code: str) -> list[str]:
    """The code systems of the value set's includes that have ``code``."""
    found = []
    for system in included_systems(value_set, registry):
        provider = registry.code_system(system, pinned_version(value_set, system, registry))
        if provider is not None and provider.locate(code) is not None:
            found.append(system)
    return found


def unusable_system(registry: Registry, coding: Coding, path: str) -> ValidationResult:
    """The answer for a coding whose system (in its version) is no code system known here."""
    system, code = coding.system or "", coding.code or ""
    supplement = registry.supplement(system)
    if supplement is not None:  # a supplement adds to a code system: it holds no codes of its own
        issue = messages.supplement_as_system(supplement.canonical, path)
        return ValidationResult(False, issue.text, system, coding.version, code, issues=(issue,), unknown_systems=(system,))
    if registry.value_set(system) is not None:  # a common slip, worth its own message
        issue = messages.value_set_as_system(system, path)
        return ValidationResult(False, issue.text, system, coding.version, code, issues=(issue,))
    issue = messages.unknown_system(registry, system, coding.version, path)
    # Caused by the system, or (where other versions are known) by the version asked for.
    unknown = f"{system}|{coding.version}" if coding.version is not None and registry.versions(system) else system
    issues = (issue,) if ":" in system else (issue, messages.relative_system(path))  # 'Location1': a local name
    return ValidationResult(False, issue.text, system, coding.version, code, issues=issues, unknown_systems=(unknown,))
