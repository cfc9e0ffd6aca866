"""The value set's verdict on a coding its code system has judged: the engine's membership answer,
the errors the engine raises said as issues, an inactive code excluded, a code the value set marks
deprecated warned of."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...definitions import ValueSetDefinition
from ...errors import NotFound
from ...model import Coding, ValidationResult
from ...registry import Registry
from ...valuesets.membership import Membership, included_systems, is_member
from ...valuesets.resolution import UnknownCodeSystem, VersionNotAllowed, VersionRules
from .. import messages
from ..code_versions import VersionChoice

__all__ = ["ValueSetCheck", "value_set_verdict"]

# What the code system says of a code, left out when only membership is asked.
_CODE_SYSTEM_FINDINGS = frozenset({"invalid-code", "invalid-display"})


@dataclass(frozen=True, slots=True)
class ValueSetCheck:
    """What the value set's verdict depends on besides the coding: the value set, the request's
    version rules, ``active_only`` (inactive codes are not members), and ``membership_only`` (only
    membership is asked, not what the code system says of the code)."""

    value_set: ValueSetDefinition
    rules: VersionRules
    active_only: bool = False
    membership_only: bool = False


def value_set_verdict(
    registry: Registry, asked: ValueSetCheck, stated: Coding, choice: VersionChoice, checked: ValidationResult, path: str
) -> ValidationResult:
    """The answer for ``stated`` (the coding as sent, its system inferred if need be) in the value set,
    given ``checked``, its code system's verdict in the version ``choice`` decided."""
    if any(issue.message_id == messages.UNKNOWN_IN_FRAGMENT for issue in checked.issues):
        return checked  # (a code a fragment lacks cannot be placed in or out of the value set either)
    if checked.unknown_systems:
        return _system_unknown(registry, asked.value_set, stated, checked, path)
    if choice.issues:
        wrong_version = any(issue.severity == "error" for issue in choice.issues)
        checked = replace(checked, result=checked.result and not wrong_version, issues=checked.issues + choice.issues)
    if choice.unknown is not None:  # the answer depends on a version that is not known here
        return replace(checked, result=False, unknown_systems=(choice.unknown,))
    try:
        membership = is_member(asked.value_set, stated.system, choice.version, stated.code or "", registry, asked.rules)
    except UnknownCodeSystem as error:
        unknown = error.system if error.version is None else f"{error.system}|{error.version}"
        issues = (*checked.issues, messages.include_system_unknown(error, path))
        return replace(checked, result=False, issues=issues, unknown_systems=(unknown,))
    except NotFound as error:
        return replace(checked, result=False, issues=(messages.value_set_unresolved(error),))
    except VersionNotAllowed as error:
        return replace(checked, result=False, issues=(*checked.issues, messages.version_not_allowed(error, path)))
    verdict = _membership_verdict(asked, stated, membership, checked, path)
    return _membership_only(verdict) if asked.membership_only else verdict


def _system_unknown(
    registry: Registry, value_set: ValueSetDefinition, stated: Coding, checked: ValidationResult, path: str
) -> ValidationResult:
    """A coding of an unknown system: where the value set includes it, its answer is caused by the
    unknown system; where not, the code is simply not in it, and the unknown system only noted."""
    if stated.system in included_systems(value_set, registry):
        return checked
    issues = (messages.not_in_value_set(value_set, stated, path), *checked.issues)
    return replace(checked, issues=issues, unknown_systems=(), noted_unknown_systems=checked.unknown_systems)


def _membership_verdict(
    asked: ValueSetCheck, stated: Coding, membership: Membership, checked: ValidationResult, path: str
) -> ValidationResult:
    """In or out: an inactive code where the value set takes active ones only is out, and so is an
    abstract code that is not allowed here."""
    value_set = asked.value_set
    refused_abstract = any(issue.message_id == messages.ABSTRACT_NOT_ALLOWED for issue in checked.issues)
    if checked.inactive and (asked.active_only or value_set.compose.inactive is False):
        excluded = (messages.inactive_excluded(stated.code, path), messages.not_in_value_set(value_set, stated, path))
        return replace(checked, result=False, issues=(*excluded, *checked.issues))
    if not membership.found or refused_abstract:
        return replace(checked, result=False, issues=(messages.not_in_value_set(value_set, stated, path), *checked.issues))
    if membership.status:
        return replace(checked, issues=(*checked.issues, messages.deprecated_in_value_set(value_set, stated, membership.status, path)))
    return checked


def _membership_only(verdict: ValidationResult) -> ValidationResult:
    """The verdict on membership alone: what the code system says of the code is left out."""
    issues = tuple(issue for issue in verdict.issues if issue.tx_code not in _CODE_SYSTEM_FINDINGS)
    return replace(verdict, result=not any(issue.severity == "error" for issue in issues), issues=issues)
