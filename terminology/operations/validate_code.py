"""``CodeSystem/$validate-code``: is a code (a Coding, a CodeableConcept) valid in its code system?"""

from __future__ import annotations

from dataclasses import dataclass

from ..context import RequestContext
from ..model import Coding, Issue, ValidationResult
from ..providers.base import CodeSystemProvider
from ..registry import Registry
from .resolve import unknown_system_message

__all__ = ["CodeValidationRequest", "validate_code"]


@dataclass(frozen=True, slots=True)
class CodeValidationRequest:
    """``codings``: one for ``code``/``coding``, one or more for a ``codeableConcept``;
    ``form`` says which of the three the client sent (issues name the input they are about).

    ``abstract_allowed``: whether an abstract concept (an ICD-10-CM header) counts as valid.
    """

    codings: tuple[Coding, ...]
    form: str = "code"  # code | coding | codeableConcept
    abstract_allowed: bool = True

    @property
    def codeable_concept(self) -> bool:
        return self.form == "codeableConcept"


def validate_code(registry: Registry, request: CodeValidationRequest, context: RequestContext) -> ValidationResult:
    """Validates each coding; a CodeableConcept is valid when one of its codings is."""
    checks = [
        _check(registry, coding, _path(request, index), request.abstract_allowed, context)
        for index, coding in enumerate(request.codings)
    ]
    valid = next((check for check in checks if check.result), None)
    chosen = valid or checks[0]
    issues = tuple(issue for check in checks for issue in check.issues)
    errors = [issue.text for issue in issues if issue.severity == "error"]
    if valid is not None and request.codeable_concept:
        # A CodeableConcept is valid when one coding is: the others' errors are only warnings.
        issues = tuple(_as_warning(issue) for issue in issues)
        errors = []
    # tx.fhir.org's message: the errors, else the warnings, sorted; information is left out.
    messages = sorted(errors or [issue.text for issue in issues if issue.severity == "warning"])
    return ValidationResult(
        result=valid is not None,
        message="; ".join(messages) if messages else None,
        system=chosen.system,
        version=chosen.version,
        code=chosen.code,
        display=chosen.display,
        normalized_code=chosen.normalized_code,
        issues=issues,
        codeable_concept=request.codings if request.codeable_concept else None,
        unknown_systems=tuple(system for check in checks for system in check.unknown_systems),
    )


def _path(request: CodeValidationRequest, index: int) -> str:
    """The FHIRPath prefix of an input, as tx.fhir.org writes it (``code``, ``Coding.code``, ...)."""
    if request.form == "codeableConcept":
        return f"CodeableConcept.coding[{index}]."
    return "Coding." if request.form == "coding" else ""


def _as_warning(issue: Issue) -> Issue:
    if issue.severity != "error":
        return issue
    return Issue("warning", issue.code, issue.text, issue.tx_code, issue.expression, issue.message_id)


def _check(
    registry: Registry, coding: Coding, path: str, abstract_allowed: bool, context: RequestContext
) -> ValidationResult:
    system, code = coding.system or "", coding.code or ""
    provider = registry.code_system(system, coding.version)
    if provider is None:
        message = unknown_system_message(registry, system, coding.version)
        unknown = system if coding.version is None else f"{system}|{coding.version}"
        issue_id = "UNKNOWN_CODESYSTEM" if coding.version is None else "UNKNOWN_CODESYSTEM_VERSION"
        issue = Issue("error", "not-found", message, "not-found", (f"{path}system",), issue_id)
        return ValidationResult(False, message, system, coding.version, code, issues=(issue,), unknown_systems=(unknown,))
    concept = provider.locate(code)
    if concept is None:
        return _unknown_code(provider, coding, path)
    display = provider.display(concept, context)
    issues: list[Issue] = []
    valid = True
    if provider.is_abstract(concept):
        valid = abstract_allowed
        severity = "warning" if abstract_allowed else "error"
        reason = provider.abstract_reason(concept)
        if not abstract_allowed:
            reason = f"Code '{provider.info.url}#{code}' is abstract, and not allowed in this context: {reason}"
        issue_id = "ABSTRACT_CODE_NOT_ALLOWED" if not abstract_allowed else None
        issues.append(Issue(severity, "business-rule", reason, "code-rule", (f"{path}code",), issue_id))
    if coding.display is not None and not _display_matches(provider, concept, coding.display, context):
        valid = False
        message = (
            f"Wrong Display Name '{coding.display}' for {provider.info.url}#{code}. "
            f"Valid display is '{display}'{_language_suffix(provider)} (for the language(s) '{_languages(context)}')"
        )
        issue_id = "Display_Name_for__should_be_one_of__instead_of"
        issues.append(Issue("error", "invalid", message, "invalid-display", (f"{path}display",), issue_id))
    message = "; ".join(sorted(issue.text for issue in issues)) or None
    return ValidationResult(valid, message, provider.info.url, provider.info.version, code, display, issues=tuple(issues))


def _unknown_code(provider: CodeSystemProvider, coding: Coding, path: str) -> ValidationResult:
    info = provider.info
    message = f"Unknown code '{coding.code}' in the CodeSystem '{info.url}' version '{info.version}'"
    probable = provider.probable_code(coding.code or "")
    if probable is not None:
        message += f"; did you mean '{probable}'?"
    issue = Issue("error", "code-invalid", message, "invalid-code", (f"{path}code",), "Unknown_Code_in_Version")
    return ValidationResult(
        False, message, info.url, info.version, coding.code, normalized_code=probable, issues=(issue,)
    )


def _display_matches(provider: CodeSystemProvider, concept, display: str, context: RequestContext) -> bool:
    """A display is right when it equals the display or a designation, ignoring case and spacing."""
    wanted = " ".join(display.split()).casefold()
    candidates = [provider.display(concept, context)]
    candidates += [designation.value for designation in provider.designations(concept, context)]
    return any(" ".join(candidate.split()).casefold() == wanted for candidate in candidates)


def _language_suffix(provider: CodeSystemProvider) -> str:
    return f" ({provider.info.language})" if provider.info.language else ""


def _languages(context: RequestContext) -> str:
    return ",".join(context.languages) if context.languages else "--"
