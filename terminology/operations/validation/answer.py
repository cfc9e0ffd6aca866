"""The answer of ``$validate-code`` from each coding's check: which coding is answered for, which
issues stand, and the message tx.fhir.org would write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ...definitions import ValueSetDefinition
from ...model import CodeableConcept, Coding, Issue, ValidationResult
from ...registry import Registry
from ...valuesets.membership import imported_value_sets
from .. import messages

__all__ = ["answer"]

# Warnings left out of the message: a value set's own marks, a fragment's gaps, a version the value set
# set aside, a display that was right once.
_QUIET = frozenset(
    {messages.UNKNOWN_IN_FRAGMENT, messages.DEPRECATED_IN_VALUE_SET, messages.VERSIONLESS_MISMATCH, messages.WITHDRAWN_DISPLAY}
)
_TOLD = frozenset({messages.DEFAULT_LANGUAGE_DISPLAY})  # information that still makes the message


def answer(
    registry: Registry,
    value_set: ValueSetDefinition | None,
    codings: Sequence[Coding],
    concept: CodeableConcept | None,
    checks: Sequence[ValidationResult],
) -> ValidationResult:
    """The answer for ``codings`` (those of ``concept``, when a CodeableConcept was sent) from their
    ``checks``, in order: valid when one coding is."""
    # (dict.fromkeys: an issue several codings share, such as the release answering them all, is said once)
    issues = tuple(dict.fromkeys((*(issue for check in checks for issue in check.issues), *_status_issues(registry, value_set, checks))))
    valid = next((check for check in checks if check.result), None)
    chosen = valid or checks[0]
    if concept is not None and value_set is not None:
        valid, chosen, issues = _concept_in_value_set(value_set, codings, checks, valid, issues)
    elif concept is not None and valid is not None:
        issues = tuple(_as_warning(issue) for issue in issues)  # one valid coding is enough: the others only warn
    return ValidationResult(
        result=valid is not None,
        message=_message(issues),
        system=chosen.system,
        version=chosen.version,
        code=chosen.code,
        display=chosen.display,
        normalized_code=chosen.normalized_code,
        inactive=chosen.inactive,
        status=chosen.status,
        issues=issues,
        codeable_concept=concept,
        unknown_systems=tuple(system for check in checks for system in check.unknown_systems),
        noted_unknown_systems=tuple(system for check in checks for system in check.noted_unknown_systems),
    )


def _concept_in_value_set(
    value_set: ValueSetDefinition,
    codings: Sequence[Coding],
    checks: Sequence[ValidationResult],
    valid: ValidationResult | None,
    issues: tuple[Issue, ...],
) -> tuple[ValidationResult | None, ValidationResult, tuple[Issue, ...]]:
    """(the valid coding's check, the check answered for, the issues) of a CodeableConcept against a value set."""
    # One coding in the value set is enough: that another is not is only a note. A coding that is wrong
    # in its own code system (an unknown code) stays an error all the same.
    issues = tuple(_noted(issue) if issue.tx_code == "not-in-vs" else issue for issue in issues)
    chosen = valid
    if valid is None:
        chosen, issues = _answered_for(value_set, codings, checks, issues)
    if any(issue.severity == "error" for issue in issues):
        valid = None
    return valid, chosen, issues


def _answered_for(
    value_set: ValueSetDefinition, codings: Sequence[Coding], checks: Sequence[ValidationResult], issues: tuple[Issue, ...]
) -> tuple[ValidationResult, tuple[Issue, ...]]:
    """No coding is valid: a coding the value set holds, wrong only in what it says of itself (its display,
    its version), is the one answered for; if none is, no coding is echoed, and none was found is the error
    (unless the value set itself could not be found: then that is said)."""
    unresolved = any(issue.message_id == messages.UNRESOLVED_VALUE_SET for issue in issues)
    member = next(((coding, check) for coding, check in zip(codings, checks) if not _not_in_value_set(check)), None)
    if member is not None and not unresolved:
        return _as_answered_for(*member), issues
    return ValidationResult(False), issues if unresolved else (messages.no_valid_coding(value_set), *issues)


def _not_in_value_set(check: ValidationResult) -> bool:
    return any(issue.tx_code == "not-in-vs" for issue in check.issues)


def _as_answered_for(coding: Coding, check: ValidationResult) -> ValidationResult:
    """The coding's answer as echoed for a CodeableConcept: when the value set's own version of the code
    system is what is unknown, the code could not be placed at all, and only what was found is told."""
    own = f"{coding.system}|{coding.version}" if coding.version else None
    if check.unknown_systems and own not in check.unknown_systems:
        return replace(check, code=None, system=None)
    return check


def _noted(issue: Issue) -> Issue:
    return Issue("information", issue.code, issue.text, "this-code-not-in-vs", issue.expression, issue.message_id)


def _as_warning(issue: Issue) -> Issue:
    if issue.severity != "error":
        return issue
    return Issue("warning", issue.code, issue.text, issue.tx_code, issue.expression, issue.message_id, issue.replaced_by)


def _message(issues: tuple[Issue, ...]) -> str | None:
    """tx.fhir.org's message: the errors and warnings, sorted; information, and the warnings about a value
    set's own marks or a fragment's gaps, are left out."""
    shown = [i.text for i in issues if i.severity == "error" or (i.severity == "warning" and i.message_id not in _QUIET)]
    shown = shown or [i.text for i in issues if i.message_id in _TOLD]
    return "; ".join(sorted(shown)) if shown else None


def _status_issues(registry: Registry, value_set: ValueSetDefinition | None, checks: Sequence[ValidationResult]) -> list[Issue]:
    """Information that a code system or value set used is deprecated, withdrawn, draft or experimental."""
    found: dict[tuple[str, str, str], None] = {}
    for check in checks:
        provider = registry.code_system(check.system, check.version) if check.system else None
        if provider is not None and provider.info.warning_status:
            found.setdefault((provider.info.warning_status, "CodeSystem", provider.info.canonical))
    if value_set is not None:
        for used in [value_set, *imported_value_sets(value_set, registry)]:
            status = used.metadata.standards_status  # (tx.fhir.org warns of no draft or experimental value set)
            if status:
                found.setdefault((status, "ValueSet", messages.value_set_name(used)))
    return [messages.status_reference(status, kind, canonical) for status, kind, canonical in found]
