"""``$validate-code``: is a code (a Coding, a CodeableConcept) valid in its code system, and in a value set?

Each coding is checked in turn: its system (inferred, against a value set, where a code comes without
one), the version of it the value set decides (:mod:`.code_versions`), the concept in its code system
(:mod:`.validation.concept`), the value set's verdict (:mod:`.validation.value_set`); the answer puts
the codings' checks together (:mod:`.validation.answer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from ..context import RequestContext
from ..definitions import ValueSetDefinition
from ..model import CodeableConcept, Coding, Issue, ValidationResult
from ..registry import Registry
from ..valuesets.expand import value_set_languages
from ..valuesets.resolution import VersionRules
from .code_versions import choose_version
from .contained import with_contained
from .in_time import choose_release, rules_on, used_release_warning
from .supplements import with_supplements
from .validation.answer import answer
from .validation.concept import check_concept
from .validation.system import inferred_system
from .validation.value_set import ValueSetCheck, value_set_verdict

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
    concept_text: str | None = None  # a CodeableConcept's text, echoed with it
    value_set: ValueSetDefinition | None = None
    active_only: bool = False
    membership_only: bool = False
    lenient_display: bool = False
    version_rules: VersionRules = field(default_factory=VersionRules)
    supplements: tuple[str, ...] = ()
    date: date | None = None  # the day asked about: it chooses the releases in effect then


    @property
    def codeable_concept(self) -> bool:
        return self.form == "codeableConcept"


def validate_code(registry: Registry, request: CodeValidationRequest, context: RequestContext) -> ValidationResult:
    """Validates each coding; a CodeableConcept is valid when one of its codings is."""
    registry, context = _prepared(registry, request, context)
    value_set = request.value_set
    # The day asked about: the request's, else the value set's lockedDate (which a request's date overrides).
    day = request.date or (value_set.compose.locked_date if value_set is not None else None)
    asked = None
    if value_set is not None:
        rules = rules_on(registry, request.version_rules, day)
        asked = ValueSetCheck(value_set, rules, request.active_only, request.membership_only)
    checks = [
        _check_coding(registry, request, asked, coding, _path(request, index), context, day)
        for index, coding in enumerate(request.codings)
    ]
    concept = CodeableConcept(request.codings, request.concept_text) if request.codeable_concept else None
    return answer(registry, value_set, request.codings, concept, checks)


def _prepared(registry: Registry, request: CodeValidationRequest, context: RequestContext) -> tuple[Registry, RequestContext]:
    """The registry with the value set's contained resources and the supplements asked for (by the request
    or the value set), and the context in the value set's language where the client names none."""
    value_set = request.value_set
    if value_set is None:
        return with_supplements(registry, request.supplements), context
    registry = with_supplements(with_contained(registry, value_set), (*request.supplements, *value_set.supplements))
    if not context.languages and (languages := value_set_languages(value_set)):
        context = replace(context, languages=languages)
    return registry, context


def _check_coding(
    registry: Registry,
    request: CodeValidationRequest,
    asked: ValueSetCheck | None,
    coding: Coding,
    path: str,
    context: RequestContext,
    day: date | None,
) -> ValidationResult:
    """The code system's verdict on one coding, then the value set's, if there is one; with a warning
    where the release that answers is not in effect on the day asked about."""
    if asked is None:
        release = choose_release(registry, coding.system or "", coding.version, day)
        in_release = coding if release.version == coding.version else coding.with_version(release.version)
        checked = check_concept(registry, in_release, path, context, request.abstract_allowed, request.lenient_display, day)
        return _warned(checked, release.warning)
    if coding.system is None:
        inferred = inferred_system(registry, asked.value_set, coding, path, request.form)
        if isinstance(inferred, ValidationResult):
            return inferred
        coding = inferred
    choice = choose_version(registry, asked.value_set, coding, asked.rules, path)
    in_version = coding if choice.version == coding.version else coding.with_version(choice.version)
    checked = check_concept(registry, in_version, path, context, request.abstract_allowed, request.lenient_display, day)
    return value_set_verdict(registry, asked, coding, choice, _warned(checked, _release_warning(registry, coding, choice.version, day)), path)


def _release_warning(registry: Registry, coding: Coding, version: str | None, day: date | None) -> Issue | None:
    used = registry.code_system(coding.system or "", version)
    return used_release_warning(registry, used, day, named=coding.version is not None) if used is not None else None


def _warned(checked: ValidationResult, warning: Issue | None) -> ValidationResult:
    return checked if warning is None else checked.with_issue(warning)


def _path(request: CodeValidationRequest, index: int) -> str:
    """The FHIRPath prefix of an input, as tx.fhir.org writes it (``code``, ``Coding.code``, ...)."""
    if request.form == "codeableConcept":
        return f"CodeableConcept.coding[{index}]."
    return "Coding." if request.form == "coding" else ""
