"""The code system's verdict on a coding: is the code there (as written, or but for its case), is it
abstract where that is not allowed, inactive or deprecated, and is its display right?"""

from __future__ import annotations

from datetime import date

from ...context import RequestContext
from ...model import Coding, Issue, ValidationResult
from ...providers.base import CodeSystemProvider, Concept
from ...registry import Registry
from .. import messages
from ..display_check import check_display
from .system import unusable_system

__all__ = ["check_concept"]

# The statuses (FHIR's concept-properties#status codes) an answer reports: a concept on its way out.
_REPORTED_STATUSES = frozenset({"deprecated", "retired", "withdrawn"})


def check_concept(
    registry: Registry,
    coding: Coding,
    path: str,
    context: RequestContext,
    abstract_allowed: bool = True,
    lenient_display: bool = False,
    day: date | None = None,
) -> ValidationResult:
    """Whether ``coding`` is valid in its code system (in its version); ``abstract_allowed``: whether an
    abstract concept (an ICD-10-CM header) counts as valid; ``lenient_display``: a wrong display is
    only a warning. Where the code system's history says the code changed (deleted, not yet valid on
    ``day``, became a header), an issue says so."""
    provider = registry.code_system(coding.system or "", coding.version)
    if provider is None:
        return unusable_system(registry, coding, path)
    code = coding.code or ""
    concept = provider.locate(code)
    if concept is None:
        return _unknown_code(provider, coding, path, day)
    found = provider.code(concept)
    normalized = found if found != code else None  # found ignoring case, in a code system that ignores case
    issues = [messages.case_difference(code, normalized, provider.info.canonical, path)] if normalized is not None else []
    abstract = _abstract(provider, concept, code, abstract_allowed, path)
    issues += [abstract] if abstract is not None else []
    status = provider.status(concept)
    inactive = provider.is_inactive(concept) or None
    issues += _status_issues(code, status, inactive, path)
    wrong_display = False
    if coding.display is not None:
        display_issues, wrong_display = check_display(provider, concept, code, coding.display, path, context, lenient_display)
        issues += display_issues
    valid = not wrong_display and (abstract is None or abstract.severity != "error")
    if abstract is not None:
        issues += _history_issues(provider, code, day, path)
    return ValidationResult(
        valid,
        "; ".join(sorted(issue.text for issue in issues if issue.severity != "information")) or None,
        provider.info.url,
        provider.info.version,
        code,
        provider.display(concept, context),
        normalized_code=normalized,
        issues=tuple(issues),
        inactive=inactive,
        status=status if status in _REPORTED_STATUSES else None,
    )


def _unknown_code(provider: CodeSystemProvider, coding: Coding, path: str, day: date | None) -> ValidationResult:
    info = provider.info
    if info.content == "fragment":  # the code may be in a part of the code system this resource leaves out
        issue = messages.unknown_code_in_fragment(info, coding.code, path)
        return ValidationResult(True, None, info.url, info.version, coding.code, issues=(issue,))
    probable = provider.probable_code(coding.code or "")
    issues = [messages.unknown_code(info, coding.code, path, probable), *_history_issues(provider, coding.code or "", day, path)]
    message = "; ".join(issue.text for issue in issues)
    return ValidationResult(False, message, info.url, info.version, coding.code, normalized_code=probable, issues=tuple(issues))


def _history_issues(provider: CodeSystemProvider, code: str, day: date | None, path: str) -> list[Issue]:
    note = provider.history_note(code, day)
    return [messages.history(note, path)] if note is not None else []


def _abstract(provider: CodeSystemProvider, concept: Concept, code: str, allowed: bool, path: str) -> Issue | None:
    """An error for an abstract code where none is allowed; where it is, a warning if its code system
    (ICD-10-CM) says what to use instead."""
    if not provider.is_abstract(concept):
        return None
    reason = provider.abstract_reason(concept)
    if not allowed:
        return messages.abstract_not_allowed(provider.info.url, code, reason, path)
    return messages.abstract_warning(reason, path) if reason else None


def _status_issues(code: str, status: str | None, inactive: bool | None, path: str) -> list[Issue]:
    """A warning for a concept that is inactive, or deprecated (still valid, on its way out)."""
    if inactive:
        return [messages.inactive_concept(code, status, path)]
    return [messages.deprecated_concept(code, path)] if status == "deprecated" else []
