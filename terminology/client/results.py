"""What a terminology server answers, as typed values: the client's answers, and the bulk paths' too.

These are the client's own types, not the server's (:mod:`terminology.model`): a client reads them from any
FHIR R4 terminology server's Parameters, so every field a server may leave out is optional. The command
line's bulk paths answer with the same types whether the answer came over HTTP or from the embedded content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Union

__all__ = [
    "ICD10CM",
    "CodeHistory",
    "Coding",
    "CodeQuery",
    "ExpansionConcept",
    "Issue",
    "Lookup",
    "Property",
    "PropertyValue",
    "Subsumption",
    "Translation",
    "TranslationMatch",
    "Validation",
    "code_history",
    "worst_severity",
]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

#: FHIR's issue severities, worst first.
_SEVERITIES = ("fatal", "error", "warning", "information")
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(_SEVERITIES)}


@dataclass(frozen=True, slots=True)
class Coding:
    system: str | None = None
    version: str | None = None
    code: str | None = None
    display: str | None = None


@dataclass(frozen=True, slots=True)
class CodeQuery:
    """One code to validate or look up, as a bulk call takes it: a date of service (or a version) per code."""

    code: str
    system: str = ICD10CM
    version: str | None = None
    display: str | None = None
    date: date | None = None


@dataclass(frozen=True, slots=True)
class Issue:
    """One ``OperationOutcome.issue``: ``message`` is its ``details.text`` (else its ``diagnostics``);
    ``message_id`` the ``operationoutcome-message-id`` extension tx.fhir.org and this server give;
    ``tx_code`` its ``tx-issue-type``; ``replaced_by`` the codes the server names as this code's
    replacements (this server's ``replaced-by`` extension, on a deleted code or one that became a header)."""

    severity: str
    code: str
    message: str
    message_id: str | None = None
    tx_code: str | None = None
    expression: tuple[str, ...] = ()
    replaced_by: tuple[str, ...] = ()


def issues_worst_first(issues: tuple[Issue, ...]) -> list[Issue]:
    """``issues`` from the worst severity to the least (``fatal`` before ``error`` before ``warning``),
    in their order within each; an issue of a severity FHIR does not define comes last."""
    return sorted(issues, key=lambda issue: _SEVERITY_RANK.get(issue.severity, len(_SEVERITIES)))


def worst_severity(issues: tuple[Issue, ...]) -> str | None:
    """The worst severity among ``issues``, None if none has one FHIR defines."""
    ranks = [_SEVERITY_RANK[issue.severity] for issue in issues if issue.severity in _SEVERITY_RANK]
    return _SEVERITIES[min(ranks)] if ranks else None


@dataclass(frozen=True, slots=True)
class Validation:
    """A ``$validate-code`` answer. ``version`` is the code system version that answered (for ICD-10-CM, the
    release); ``normalized_code`` the code the server took a near miss for (``M48.48XA`` for ``m4848xa``)."""

    valid: bool
    code: str | None = None
    system: str | None = None
    version: str | None = None
    display: str | None = None
    message: str | None = None
    normalized_code: str | None = None
    inactive: bool | None = None
    issues: tuple[Issue, ...] = ()

    @property
    def severity(self) -> str | None:
        return worst_severity(self.issues)

    @property
    def message_ids(self) -> tuple[str, ...]:
        return tuple(issue.message_id for issue in self.issues if issue.message_id)

    @property
    def replaced_by(self) -> tuple[str, ...]:
        """The codes the server names as replacements, in its order, each once."""
        return tuple(dict.fromkeys(code for issue in self.issues for code in issue.replaced_by))


PropertyValue = Union[str, bool, int, float, Coding]


@dataclass(frozen=True, slots=True)
class Property:
    code: str
    value: PropertyValue | None = None
    description: str | None = None
    subproperties: tuple[Property, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeHistory:
    """An ICD-10-CM code's history, from this server's ``$lookup`` history properties: fiscal years as
    ``2019-2026`` spans, dates as ``YYYY-MM-DD``; ``previous_titles`` as ``(title, fiscal years)``."""

    fiscal_years: str | None = None
    billable_fiscal_years: str | None = None
    added: str | None = None
    deleted: str | None = None
    became_header: str | None = None
    replaced_by: tuple[str, ...] = ()
    previous_titles: tuple[tuple[str, str | None], ...] = ()


# The $lookup properties of this server that tell an ICD-10-CM code's history.
_HISTORY_PROPERTIES = frozenset(
    {"fiscalYears", "billableFiscalYears", "added", "deleted", "becameHeader", "replacedBy", "previousTitle"}
)


def code_history(properties: tuple[Property, ...]) -> CodeHistory | None:
    """The code's history ``$lookup`` properties tell, when they have any of this server's history properties."""
    told = [prop for prop in properties if prop.code in _HISTORY_PROPERTIES and isinstance(prop.value, str)]
    if not told:
        return None

    def first(code: str) -> str | None:
        return next((prop.value for prop in told if prop.code == code), None)

    return CodeHistory(
        fiscal_years=first("fiscalYears"),
        billable_fiscal_years=first("billableFiscalYears"),
        added=first("added"),
        deleted=first("deleted"),
        became_header=first("becameHeader"),
        replaced_by=tuple(prop.value for prop in told if prop.code == "replacedBy"),
        previous_titles=tuple((prop.value, _subproperty_text(prop, "fiscalYears")) for prop in told if prop.code == "previousTitle"),
    )


def _subproperty_text(prop: Property, code: str) -> str | None:
    return next((sub.value for sub in prop.subproperties if sub.code == code and isinstance(sub.value, str)), None)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A ``$lookup`` answer; ``billable`` is ICD-10-CM's word for a code that is not ``abstract``."""

    code: str
    system: str
    name: str | None = None
    version: str | None = None
    display: str | None = None
    definition: str | None = None
    abstract: bool | None = None
    designations: tuple[tuple[str | None, str], ...] = ()  # (language, value)
    properties: tuple[Property, ...] = ()
    history: CodeHistory | None = None
    issues: tuple[Issue, ...] = ()

    @property
    def billable(self) -> bool | None:
        return None if self.abstract is None else not self.abstract

    def values(self, code: str) -> tuple[PropertyValue, ...]:
        """The values of the properties named ``code``, in the answer's order."""
        return tuple(prop.value for prop in self.properties if prop.code == code and prop.value is not None)


@dataclass(frozen=True, slots=True)
class ExpansionConcept:
    system: str | None
    code: str
    display: str | None = None
    version: str | None = None
    abstract: bool | None = None
    inactive: bool | None = None


@dataclass(frozen=True, slots=True)
class Subsumption:
    """A ``$subsumes`` answer: ``equivalent``, ``subsumes``, ``subsumed-by`` or ``not-subsumed``."""

    outcome: str
    issues: tuple[Issue, ...] = ()


@dataclass(frozen=True, slots=True)
class TranslationMatch:
    equivalence: str | None
    concept: Coding | None
    source: str | None = None  # the ConceptMap that gave the match
    depends_on: tuple[tuple[str, Coding], ...] = ()  # (property, value)
    product: tuple[tuple[str, Coding], ...] = ()


@dataclass(frozen=True, slots=True)
class Translation:
    result: bool
    message: str | None = None
    matches: tuple[TranslationMatch, ...] = ()
