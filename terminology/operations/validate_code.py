"""``$validate-code``: is a code (a Coding, a CodeableConcept) valid in its code system, and in a value set?"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..context import RequestContext
from ..definitions import ValueSetDefinition
from ..errors import NotFound
from ..model import CodeableConcept, Coding, Issue, ValidationResult
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from ..valuesets.expand import value_set_languages
from ..valuesets.membership import imported_value_sets, included_systems, is_member, pinned_version
from ..valuesets.resolution import UnknownCodeSystem, VersionNotAllowed, VersionRules, unknown_system_message
from .code_versions import choose_version
from .contained import with_contained
from .display_check import DEFAULT_LANGUAGE_DISPLAY, WITHDRAWN_DISPLAY, check_display
from .supplements import with_supplements

__all__ = ["CodeValidationRequest", "validate_code"]

_ABSTRACT_NOT_ALLOWED = "ABSTRACT_CODE_NOT_ALLOWED"
_UNKNOWN_IN_FRAGMENT = "UNKNOWN_CODE_IN_FRAGMENT"
_DEPRECATED_IN_VALUE_SET = "CONCEPT_DEPRECATED_IN_VALUESET"
_UNRESOLVED_VALUE_SET = "Unable_to_resolve_value_Set_"
# The statuses (FHIR's concept-properties#status codes) an answer reports: a concept on its way out.
_REPORTED_STATUSES = frozenset({"deprecated", "retired", "withdrawn"})
_QUIET = frozenset({_UNKNOWN_IN_FRAGMENT, _DEPRECATED_IN_VALUE_SET, "VALUESET_VALUE_MISMATCH_DEFAULT", WITHDRAWN_DISPLAY})
_TOLD = frozenset({DEFAULT_LANGUAGE_DISPLAY})  # information that still makes the message


@dataclass(frozen=True, slots=True)
class CodeValidationRequest:
    """``codings``: one for ``code``/``coding``, one or more for a ``codeableConcept``;
    ``form`` says which of the three the client sent (issues name the input they are about).

    ``abstract_allowed``: whether an abstract concept (an ICD-10-CM header) counts as valid.
    """

    codings: tuple[Coding, ...]
    form: str = "code"  # code | coding | codeableConcept
    abstract_allowed: bool = True
    concept_text: str | None = None  # a CodeableConcept's text, echoed with it
    value_set: ValueSetDefinition | None = None
    active_only: bool = False
    membership_only: bool = False
    lenient_display: bool = False
    version_rules: VersionRules = field(default_factory=VersionRules)
    supplements: tuple[str, ...] = ()

    @property
    def codeable_concept(self) -> bool:
        return self.form == "codeableConcept"


def validate_code(registry: Registry, request: CodeValidationRequest, context: RequestContext) -> ValidationResult:
    """Validates each coding; a CodeableConcept is valid when one of its codings is."""
    if request.value_set is not None:
        registry = with_contained(registry, request.value_set)
    needed = (*request.supplements, *(request.value_set.supplements if request.value_set is not None else ()))
    registry = with_supplements(registry, needed)
    if request.value_set is not None and not context.languages and (languages := value_set_languages(request.value_set)):
        context = replace(context, languages=languages)
    checks = [_check_coding(registry, request, coding, _path(request, index), context) for index, coding in enumerate(request.codings)]
    valid = next((check for check in checks if check.result), None)
    chosen = valid or checks[0]
    issues = tuple(issue for check in checks for issue in check.issues) + _status_issues(registry, request, checks)
    in_value_set = request.codeable_concept and request.value_set is not None
    if in_value_set:
        # One coding in the value set is enough: that another is not is only a note. A coding that is
        # wrong in its own code system (an unknown code) stays an error all the same.
        issues = tuple(
            replace(issue, severity="information", tx_code="this-code-not-in-vs") if issue.tx_code == "not-in-vs" else issue
            for issue in issues
        )
    if valid is None and in_value_set:
        # A coding the value set holds, wrong only in what it says of itself (its display, its version),
        # is the one answered for; if none is, no coding is echoed, and none was found is the error.
        member = next(
            ((coding, check) for coding, check in zip(request.codings, checks) if not _not_in_value_set_found(check)), None
        )
        if member is not None and not _value_set_unresolved(issues):
            chosen = _as_answered_for(*member)
        else:
            chosen = ValidationResult(False)
            if not _value_set_unresolved(issues):  # (then what is wrong is the value set, and that is said)
                text = f"No valid coding was found for the value set '{_value_set_name(request.value_set)}'"
                issues = (Issue("error", "code-invalid", text, "not-in-vs", (), "TX_GENERAL_CC_ERROR_MESSAGE"), *issues)
    errors = [issue.text for issue in issues if issue.severity == "error"]
    if in_value_set and errors:
        valid = None
    elif valid is not None and request.codeable_concept:
        # A CodeableConcept is valid when one coding is: the others' errors are only warnings.
        issues = tuple(_as_warning(issue) for issue in issues)
        errors = []
    # tx.fhir.org's message: the errors and warnings, sorted; information, and the warnings about a value
    # set's own marks or a fragment's gaps, are left out.
    messages = sorted(
        (errors + [i.text for i in issues if i.severity == "warning" and i.message_id not in _QUIET])
        or [i.text for i in issues if i.message_id in _TOLD]
    )
    return ValidationResult(
        result=valid is not None,
        message="; ".join(messages) if messages else None,
        system=chosen.system,
        version=chosen.version,
        code=chosen.code,
        display=chosen.display,
        normalized_code=chosen.normalized_code,
        inactive=chosen.inactive,
        status=chosen.status,
        issues=issues,
        codeable_concept=CodeableConcept(request.codings, request.concept_text) if request.codeable_concept else None,
        unknown_systems=tuple(system for check in checks for system in check.unknown_systems),
        noted_unknown_systems=tuple(system for check in checks for system in check.noted_unknown_systems),
    )


def _value_set_unresolved(issues: tuple[Issue, ...]) -> bool:
    """Whether the value set (or one it imports) could not be found: then nothing can be said of codings in it."""
    return any(issue.message_id == _UNRESOLVED_VALUE_SET for issue in issues)


def _not_in_value_set_found(check: ValidationResult) -> bool:
    return any(issue.tx_code == "not-in-vs" for issue in check.issues)


def _as_answered_for(coding: Coding, check: ValidationResult) -> ValidationResult:
    """The coding's answer as echoed for a CodeableConcept: when the value set's own version of the code
    system is what is unknown, the code could not be placed at all, and only what was found is told."""
    own = f"{coding.system}|{coding.version}" if coding.version else None
    if check.unknown_systems and own not in check.unknown_systems:
        return replace(check, code=None, system=None)
    return check


def _path(request: CodeValidationRequest, index: int) -> str:
    """The FHIRPath prefix of an input, as tx.fhir.org writes it (``code``, ``Coding.code``, ...)."""
    if request.form == "codeableConcept":
        return f"CodeableConcept.coding[{index}]."
    return "Coding." if request.form == "coding" else ""


def _as_warning(issue: Issue) -> Issue:
    if issue.severity != "error":
        return issue
    return Issue("warning", issue.code, issue.text, issue.tx_code, issue.expression, issue.message_id)


def _status_issues(registry: Registry, request: CodeValidationRequest, checks: list[ValidationResult]) -> tuple[Issue, ...]:
    """Information that a code system or value set used is deprecated, withdrawn, draft or experimental."""
    found: dict[tuple[str, str, str], None] = {}
    for check in checks:
        provider = registry.code_system(check.system, check.version) if check.system else None
        if provider is not None and provider.info.warning_status:
            found.setdefault((provider.info.warning_status, "CodeSystem", provider.info.canonical))
    if request.value_set is not None:
        for value_set in [request.value_set, *imported_value_sets(request.value_set, registry)]:
            status = value_set.metadata.standards_status  # (tx.fhir.org warns of no draft or experimental value set)
            if status:
                found.setdefault((status, "ValueSet", _value_set_name(value_set)))
    return tuple(
        Issue("information", "business-rule", f"Reference to {status} {kind} {canonical}", "status-check", (), f"MSG_{status.upper()}")
        for status, kind, canonical in found
    )


def _value_set_name(value_set: ValueSetDefinition) -> str:
    """How messages name a value set: ``url|version``; one sent without a url as tx.fhir.org names it."""
    return value_set.canonical if value_set.url else "(unidentified)"


def _check_coding(
    registry: Registry, request: CodeValidationRequest, coding: Coding, path: str, context: RequestContext
) -> ValidationResult:
    """The code system's verdict on one coding, then the value set's, if there is one."""
    if request.value_set is not None and coding.system is None:
        if request.form != "code":
            return _no_system(request, coding, path)
        holding = _systems_holding(registry, request.value_set, coding.code or "")
        if len(holding) != 1:
            return _not_inferred(request.value_set, coding, path, holding)
        coding = replace(coding, system=holding[0])
    if request.value_set is None:
        return _check(registry, coding, path, request.abstract_allowed, context, request.lenient_display)
    stated = coding
    choice = choose_version(
        registry, request.value_set, coding.system or "", coding.code or "", coding.version, request.version_rules, path,
        coding.display,
    )
    if choice.version != coding.version:
        coding = coding.with_version(choice.version)
    checked = _check(registry, coding, path, request.abstract_allowed, context, request.lenient_display)
    if any(issue.message_id == _UNKNOWN_IN_FRAGMENT for issue in checked.issues):
        return checked  # (a code a fragment lacks cannot be placed in or out of the value set either)
    if checked.unknown_systems:
        if coding.system in included_systems(request.value_set, registry):
            return checked  # the value set needs what is missing: its answer is caused by the unknown system
        # Not the value set's system: the code is simply not in it, and the unknown system is only noted.
        issues = (_not_in_value_set(request.value_set, stated, path), *checked.issues)
        return replace(checked, issues=issues, unknown_systems=(), noted_unknown_systems=checked.unknown_systems)
    if choice.issues:
        wrong_version = any(issue.severity == "error" for issue in choice.issues)
        checked = replace(checked, result=checked.result and not wrong_version, issues=checked.issues + choice.issues)
    if choice.unknown is not None:  # the answer depends on a version that is not known here
        return replace(checked, result=False, unknown_systems=(choice.unknown,))
    try:
        membership = is_member(request.value_set, coding.system, coding.version, coding.code or "", registry, request.version_rules)
    except UnknownCodeSystem as error:
        issue = Issue("error", "not-found", error.message, "not-found", (f"{path}system",), "UNKNOWN_CODESYSTEM")
        unknown = error.system if error.version is None else f"{error.system}|{error.version}"
        return replace(checked, result=False, issues=checked.issues + (issue,), unknown_systems=(unknown,))
    except NotFound as error:
        issue = Issue("error", "not-found", error.message, "not-found", (), _UNRESOLVED_VALUE_SET)
        return replace(checked, result=False, issues=(issue,))
    except VersionNotAllowed as error:
        issue = Issue("error", "exception", error.message, "version-error", (f"{path}version",), "VALUESET_VERSION_CHECK")
        return replace(checked, result=False, issues=checked.issues + (issue,))
    issues = list(checked.issues)
    valid = checked.result
    if any(issue.message_id == _ABSTRACT_NOT_ALLOWED for issue in issues):
        membership.found = False  # an abstract code, not allowed here, is no member either
    excluded_as_inactive = checked.inactive and (request.active_only or request.value_set.compose.inactive is False)
    if excluded_as_inactive:
        valid = False
        text = f"The concept '{coding.code}' is valid but is not active"
        issues[:0] = [
            Issue("error", "business-rule", text, "code-rule", (f"{path}code",), "STATUS_CODE_WARNING_CODE"),
            _not_in_value_set(request.value_set, stated, path),
        ]
    elif not membership.found:
        valid = False
        issues.insert(0, _not_in_value_set(request.value_set, stated, path))
    elif membership.status:
        text = (
            f"The presence of the concept '{coding.code}' in the system '{coding.system}' in the value set "
            f"{_value_set_name(request.value_set)} is marked with a status of {membership.status} and its use should be reviewed"
        )
        issues.append(Issue("warning", "business-rule", text, "code-comment", (f"{path}code",), _DEPRECATED_IN_VALUE_SET))
    if request.membership_only:  # only membership is asked: what the code system says of the code is left out
        issues = [issue for issue in issues if issue.tx_code not in ("invalid-code", "invalid-display")]
        valid = not any(issue.severity == "error" for issue in issues)
    return replace(checked, result=valid, issues=tuple(issues))


def _not_in_value_set(value_set: ValueSetDefinition, coding: Coding, path: str) -> Issue:
    version = f"|{coding.version}" if coding.version else ""
    shown = f"{coding.system or ''}{version}#{coding.code}" + (f" ('{coding.display}')" if coding.display else "")
    text = f"The provided code '{shown}' was not found in the value set '{_value_set_name(value_set)}'"
    return Issue("error", "code-invalid", text, "not-in-vs", (f"{path}code",), "None_of_the_provided_codes_are_in_the_value_set_one")


def _systems_holding(registry: Registry, value_set: ValueSetDefinition, code: str) -> list[str]:
    """The code systems of the value set's includes that have ``code`` (a code sent without its system):
    the system is inferred when there is one."""
    found = []
    for system in included_systems(value_set, registry):
        provider = registry.code_system(system, pinned_version(value_set, system, registry))
        if provider is not None and provider.locate(code) is not None:
            found.append(system)
    return found


def _not_inferred(value_set: ValueSetDefinition, coding: Coding, path: str, candidates: list[str]) -> ValidationResult:
    canonical = _value_set_name(value_set)
    reason = f"The System URI could not be determined for the code '{coding.code}' in the ValueSet '{canonical}'"
    message_id = "UNABLE_TO_INFER_CODESYSTEM"
    if len(candidates) > 1:
        reason += f": value set expansion has multiple matches: [{', '.join(candidates)}]"
        message_id = "Unable_to_resolve_system__value_set_has_multiple_matches"
    issues = (
        Issue(
            "error", "code-invalid", f"The provided code '#{coding.code}' was not found in the value set '{canonical}'",
            "not-in-vs", (f"{path}code",), "None_of_the_provided_codes_are_in_the_value_set_one",
        ),
        Issue("error", "not-found", reason, "cannot-infer", (f"{path}code",), message_id),
    )
    return ValidationResult(False, None, None, None, coding.code, issues=issues)


def _no_system(request: CodeValidationRequest, coding: Coding, path: str) -> ValidationResult:
    text = "Coding has no system. A code with no system has no defined meaning, and it cannot be validated. A system should be provided"
    issue = Issue("warning", "invalid", text, "invalid-data", (path.rstrip("."),), "Coding_has_no_system__cannot_validate")
    return ValidationResult(False, None, None, None, coding.code, issues=(_not_in_value_set(request.value_set, coding, path), issue))


def _check(
    registry: Registry,
    coding: Coding,
    path: str,
    abstract_allowed: bool,
    context: RequestContext,
    lenient_display: bool = False,
) -> ValidationResult:
    system, code = coding.system or "", coding.code or ""
    provider = registry.code_system(system, coding.version)
    supplement = registry.supplement(system) if provider is None else None
    if supplement is not None:  # a supplement adds to a code system: it holds no codes of its own
        text = f"CodeSystem {supplement.canonical} is a supplement, so can't be used as a value in {path or ''}system"
        issue = Issue("error", "invalid", text, "invalid-data", (f"{path}system",), "CODESYSTEM_CS_NO_SUPPLEMENT")
        return ValidationResult(False, text, system, coding.version, code, issues=(issue,), unknown_systems=(system,))
    if provider is None and registry.value_set(system) is not None:  # a common slip, worth its own message
        text = f"The Coding references a value set, not a code system ('{system}')"
        issue = Issue("error", "invalid", text, "invalid-data", (f"{path}system",), "Terminology_TX_System_ValueSet2")
        return ValidationResult(False, text, system, coding.version, code, issues=(issue,))
    if provider is None:
        message = unknown_system_message(registry, system, coding.version, "the code cannot be validated")
        known = registry.versions(system)
        # Caused by the system, or (where other versions are known) by the version asked for.
        unknown = f"{system}|{coding.version}" if coding.version is not None and known else system
        if coding.version is None:
            issue_id = "UNKNOWN_CODESYSTEM"
        else:
            issue_id = "UNKNOWN_CODESYSTEM_VERSION" if known else "UNKNOWN_CODESYSTEM_VERSION_NONE"
        issues = [Issue("error", "not-found", message, "not-found", (f"{path}system",), issue_id)]
        if ":" not in system:  # 'Location1': a local name, never a code system's url
            text = f"{path or 'Coding.'}system must be an absolute reference, not a local reference"
            issues.append(Issue("error", "invalid", text, "invalid-data", (f"{path}system",), "Terminology_TX_System_Relative"))
        return ValidationResult(False, message, system, coding.version, code, issues=tuple(issues), unknown_systems=(unknown,))
    concept = provider.locate(code)
    if concept is None:
        return _unknown_code(provider, coding, path)
    display = provider.display(concept, context)
    issues: list[Issue] = []
    valid = True
    normalized = provider.code(concept) if provider.code(concept) != code else None
    if normalized is not None:  # found ignoring case, in a code system that ignores case
        text = (
            f"The code '{code}' differs from the correct code '{normalized}' by case. Although the code system "
            f"'{provider.info.canonical}' is case insensitive, implementers are strongly encouraged to use the correct case anyway"
        )
        issues.append(Issue("information", "business-rule", text, "code-rule", (f"{path}code",), "CODE_CASE_DIFFERENCE"))
    if provider.is_abstract(concept):
        # Allowed, an abstract code is valid; some code systems (ICD-10-CM) still warn what to use instead.
        reason = provider.abstract_reason(concept)
        if not abstract_allowed:
            valid = False
            text = f"Code '{provider.info.url}#{code}' is abstract, and not allowed in this context"
            text += f": {reason}" if reason else ""
            issues.append(Issue("error", "business-rule", text, "code-rule", (f"{path}code",), _ABSTRACT_NOT_ALLOWED))
        elif reason:
            issues.append(Issue("warning", "business-rule", reason, "code-rule", (f"{path}code",)))
    inactive = provider.is_inactive(concept) or None
    status = provider.status(concept)
    if inactive:
        shown = "inactive" if status in (None, "inactive") else f"{status} and inactive"
        text = f"The concept '{code}' has a status of {shown} and its use should be reviewed"
        issues.append(Issue("warning", "business-rule", text, "code-comment", (path.rstrip(".") or "code",), "INACTIVE_CONCEPT_FOUND"))
    elif status == "deprecated":  # still valid, on its way out
        text = f"The concept '{code}' is deprecated and its use should be reviewed"
        issues.append(Issue("warning", "business-rule", text, "code-comment", (f"{path}code",), "DEPRECATED_CONCEPT_FOUND"))
    if coding.display is not None:
        display_issues, wrong = check_display(provider, concept, code, coding.display, path, context, lenient_display)
        issues += display_issues
        valid = valid and not wrong
    message = "; ".join(sorted(issue.text for issue in issues if issue.severity != "information")) or None
    return ValidationResult(
        valid, message, provider.info.url, provider.info.version, code, display,
        normalized_code=normalized, issues=tuple(issues), inactive=inactive,
        status=status if status in _REPORTED_STATUSES else None,
    )


def _unknown_code(provider: CodeSystemProvider, coding: Coding, path: str) -> ValidationResult:
    info = provider.info
    if info.content == "fragment":  # the code may be in a part of the code system this resource leaves out
        text = (
            f"Unknown Code '{coding.code}' in the CodeSystem '{info.url}' version '{info.version}' - note that the code "
            "system is labeled as a fragment, so the code may be valid in some other fragment"
        )
        issue = Issue("warning", "code-invalid", text, "invalid-code", (f"{path}code",), _UNKNOWN_IN_FRAGMENT)
        return ValidationResult(True, None, info.url, info.version, coding.code, issues=(issue,))
    message = f"Unknown code '{coding.code}' in the CodeSystem '{info.url}' version '{info.version}'"
    probable = provider.probable_code(coding.code or "")
    if probable is not None:
        message += f"; did you mean '{probable}'?"
    issue = Issue("error", "code-invalid", message, "invalid-code", (f"{path}code",), "Unknown_Code_in_Version")
    return ValidationResult(
        False, message, info.url, info.version, coding.code, normalized_code=probable, issues=(issue,)
    )
