"""The server's own vocabulary: immutable values that operations take and return.

Nothing here knows about Flask, JSON or XML; ``terminology.fhir`` maps these to and from the wire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

__all__ = [
    "CodeableConcept",
    "Coding",
    "Designation",
    "Extension",
    "Issue",
    "LookupResult",
    "Property",
    "PropertyDefinition",
    "PropertyValue",
    "ValidationResult",
]


@dataclass(frozen=True, slots=True)
class Coding:
    system: str | None = None
    version: str | None = None
    code: str | None = None
    display: str | None = None

    def with_version(self, version: str | None) -> Coding:
        # (dataclasses.replace reads the fields anew each call: a validation makes one of these)
        return Coding(self.system, version, self.code, self.display)


@dataclass(frozen=True, slots=True)
class CodeableConcept:
    codings: tuple[Coding, ...]
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Extension:
    """A simple extension as a resource writes it, carried through: ``value_type`` is the FHIR type
    its value has (``String``, ``Code``, ``Id``)."""

    url: str
    value_type: str
    value: PropertyValue | dict


@dataclass(frozen=True, slots=True)
class Designation:
    value: str
    language: str | None = None
    use: Coding | None = None
    extensions: tuple[Extension, ...] = field(default=(), compare=False)  # carried into expansions
    source: str | None = field(default=None, compare=False)  # ``url|version`` of the supplement that adds it


#: A property's value: ``code`` and ``string`` properties hold ``str`` (see :attr:`Property.type`).
PropertyValue = Union[str, bool, int, float, Coding]


@dataclass(frozen=True, slots=True)
class Property:
    """One value of one property of a concept, as ``$lookup`` returns it."""

    code: str
    value: PropertyValue
    type: str  # the FHIR type of value: code, string, boolean, integer, decimal, dateTime, Coding
    description: str | None = None
    subproperties: tuple[Property, ...] = ()


@dataclass(frozen=True, slots=True)
class PropertyDefinition:
    """A property a code system defines (``CodeSystem.property``)."""

    code: str
    type: str
    description: str
    uri: str | None = None


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding of an operation, as an OperationOutcome issue shows it.

    ``code`` is from http://hl7.org/fhir/issue-type; ``tx_code`` from
    http://hl7.org/fhir/tools/CodeSystem/tx-issue-type; ``expression`` names the input it is about;
    ``replaced_by`` the codes that took the place of a code its code system's history retired.
    """

    severity: str
    code: str
    text: str
    tx_code: str | None = None
    expression: tuple[str, ...] = ()
    message_id: str | None = None
    replaced_by: tuple[str, ...] = ()  # the codes that took the place of a deleted code, or of one that became a header


@dataclass(frozen=True, slots=True)
class LookupResult:
    name: str
    version: str | None
    display: str
    abstract: bool
    designations: tuple[Designation, ...] = ()
    properties: tuple[Property, ...] = ()
    definition: str | None = None
    supplements: tuple[str, ...] = ()  # ``url|version`` of the supplements applied
    issues: tuple[Issue, ...] = ()  # warnings about the answer (the release answering is not in effect on the day asked)


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """The answer of ``$validate-code``. ``codings`` echoes a CodeableConcept that was validated."""

    result: bool
    message: str | None = None
    system: str | None = None
    version: str | None = None
    code: str | None = None
    display: str | None = None
    normalized_code: str | None = None
    issues: tuple[Issue, ...] = ()
    codeable_concept: CodeableConcept | None = None
    unknown_systems: tuple[str, ...] = field(default=())
    noted_unknown_systems: tuple[str, ...] = field(default=())
    inactive: bool | None = None
    status: str | None = None  # the concept's status where it is on its way out (deprecated, retired, withdrawn)

    def with_issue(self, issue: Issue) -> ValidationResult:
        """The same answer with one more issue (its ``message`` stays: an answer puts messages together)."""
        # (dataclasses.replace reads the fields anew each call, and a validation makes one of these)
        return ValidationResult(
            self.result, self.message, self.system, self.version, self.code, self.display, self.normalized_code,
            (*self.issues, issue), self.codeable_concept, self.unknown_systems, self.noted_unknown_systems, self.inactive,
            self.status,
        )  # fmt: skip
