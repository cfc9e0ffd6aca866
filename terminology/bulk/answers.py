"""The server's answers (:mod:`terminology.model`) as a client reads them (:mod:`terminology.client.results`).

Each function gives what :class:`~terminology.client.TerminologyClient` reads from the Parameters the
server writes for the same answer (``terminology.fhir``), so that the embedded content and a server
answer alike: a field the wire leaves out is left out here too.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..client.errors import OperationOutcomeError
from ..client.results import Coding, ExpansionConcept, Issue, Lookup, Property, Validation, code_history
from ..errors import TerminologyError
from ..fhir.outcome import error_issue, error_outcome
from ..fhir.parameters import is_fhir_code
from ..model import Coding as ServerCoding
from ..model import Issue as ServerIssue
from ..model import LookupResult, ValidationResult
from ..model import Property as ServerProperty
from ..valuesets.expand import ExpansionEntry

__all__ = ["error_answer", "expansion_concepts", "lookup_answer", "validation_answer"]


def validation_answer(result: ValidationResult) -> Validation:
    """A ``$validate-code`` answer; its ``code`` only where it is a FHIR code (the wire echoes no other)."""
    code = result.code if result.code and is_fhir_code(result.code) else None
    return Validation(
        result.result, code, result.system, result.version, result.display, result.message, result.normalized_code,
        result.inactive, _issues(result.issues),
    )  # fmt: skip


def lookup_answer(result: LookupResult, code: str, system: str) -> Lookup:
    """A ``$lookup`` answer for ``code`` of ``system`` (which the answer echoes)."""
    properties = tuple(_property(prop) for prop in result.properties)
    return Lookup(
        code=code,
        system=system,
        name=result.name,
        version=result.version,
        display=result.display,
        definition=result.definition,
        abstract=result.abstract,
        designations=tuple((designation.language, designation.value) for designation in result.designations),
        properties=properties,
        history=code_history(properties),
        issues=_issues(result.issues),
    )


def expansion_concepts(entries: list[ExpansionEntry], versioned: frozenset[str]) -> Iterator[ExpansionConcept]:
    """The concepts of an expansion page, each before those nested in it. ``versioned``: the systems the
    expansion takes in several versions, whose concepts say which (the others' do not)."""
    for entry in entries:
        yield ExpansionConcept(
            system=entry.system,
            code=entry.code,
            display=entry.display or None,
            version=entry.version if entry.version and entry.system in versioned else None,
            abstract=True if entry.abstract else None,
            inactive=True if entry.inactive else None,
        )
        yield from expansion_concepts(entry.children, versioned)


def error_answer(error: TerminologyError) -> OperationOutcomeError:
    """The error a client raises for the OperationOutcome the server answers ``error`` with."""
    return OperationOutcomeError(error.status, _issues((error_issue(error),)), error_outcome(error))


def _issues(issues: tuple[ServerIssue, ...]) -> tuple[Issue, ...]:
    return tuple(
        Issue(issue.severity, issue.code, issue.text, issue.message_id, issue.tx_code, issue.expression, issue.replaced_by)
        for issue in issues
    )


def _property(prop: ServerProperty) -> Property:
    value = prop.value
    if isinstance(value, ServerCoding):
        value = Coding(value.system, value.version, value.code, value.display)
    return Property(prop.code, value, prop.description, tuple(_property(sub) for sub in prop.subproperties))
