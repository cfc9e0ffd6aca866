"""Validating a file of codes: each row's verdict, from one validation of each distinct code (and, for each
valid one, whether it is billable)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..client.errors import OperationOutcomeError
from ..client.results import ICD10CM, CodeQuery, Lookup, Validation, worst_severity
from .report import Value

__all__ = ["REPORT_COLUMNS", "ServerValidator", "Validator", "Verdict", "Verdicts"]

#: The columns a validation report adds to the input's.
REPORT_COLUMNS = ("valid", "billable", "display", "version", "message", "suggested_code", "severity")
#: What a lookup is asked for when only whether a code is billable (not abstract) matters: the answer says
#: that in any case, and ``display`` is the smallest property R4 defines for every code system.
BILLABLE_PROPERTIES = ("display",)
DELETED = "ICD10CM_CODE_DELETED"


class Validator(Protocol):
    """What validates codes: a server (:class:`ServerValidator`), or the embedded content."""

    def validate_many(self, queries: Iterable[CodeQuery], *, value_set: str | None = None) -> Iterator[Validation | OperationOutcomeError]: ...

    def billable_many(self, queries: Iterable[CodeQuery]) -> Iterator[bool | None]:
        """Whether each code (valid in its version) is billable; None where that is not known."""
        ...


class LookingUp(Protocol):
    def validate_many(self, queries: Iterable[CodeQuery], *, value_set: str | None = None) -> Iterator[Validation | OperationOutcomeError]: ...

    def lookup_many(self, queries: Iterable[CodeQuery], *, properties: Sequence[str] = ()) -> Iterator[Lookup | OperationOutcomeError]: ...


class ServerValidator:
    """A server's validations (through ``client``), and whether a code is billable from its ``$lookup``: the
    one standard answer that says whether a code is abstract."""

    def __init__(self, client: LookingUp) -> None:
        self.client = client

    def validate_many(self, queries: Iterable[CodeQuery], *, value_set: str | None = None) -> Iterator[Validation | OperationOutcomeError]:
        return self.client.validate_many(queries, value_set=value_set)

    def billable_many(self, queries: Iterable[CodeQuery]) -> Iterator[bool | None]:
        for found in self.client.lookup_many(queries, properties=BILLABLE_PROPERTIES):
            yield found.billable if isinstance(found, Lookup) else None


@dataclass(frozen=True, slots=True)
class Verdict:
    """A row's line of the report. ``suggested_code``: the code meant (``M48.48XA`` for ``m4848xa``), else the
    codes that replaced a deleted code or one that became a header, separated by a space; ``normalised``:
    invalid, with a code meant; ``deleted``: invalid because the code was deleted."""

    valid: bool
    billable: bool | None = None
    display: str | None = None
    version: str | None = None
    message: str | None = None
    suggested_code: str | None = None
    severity: str | None = None
    normalised: bool = False
    deleted: bool = False

    def values(self) -> tuple[Value, ...]:
        """The values of :data:`REPORT_COLUMNS`."""
        return (self.valid, self.billable, self.display, self.version, self.message, self.suggested_code, self.severity)

    @classmethod
    def refused(cls, why: str) -> Verdict:
        """The verdict on a row that asks nothing that can be answered."""
        return cls(False, message=why, severity="error")

    @classmethod
    def of_error(cls, error: OperationOutcomeError) -> Verdict:
        return cls(False, message=error.message, severity=worst_severity(error.issues) or "error")


class Verdicts:
    """The verdicts on queries, from ``validator``: each query's validation (against ``value_set``, if
    given), and for a valid code whether it is billable, asked once for each code in each release."""

    def __init__(self, validator: Validator, value_set: str | None = None) -> None:
        self.validator = validator
        self.value_set = value_set
        self._billable: dict[tuple[str, str | None], bool | None] = {}  # by (code, version)

    def __call__(self, queries: list[CodeQuery]) -> list[Verdict]:
        """The verdict on each query, in order."""
        answers = list(self.validator.validate_many(queries, value_set=self.value_set))
        valid = [
            CodeQuery(answer.code or query.code, answer.system or ICD10CM, answer.version)
            for query, answer in zip(queries, answers)
            if isinstance(answer, Validation) and answer.valid
        ]
        self._look_up(valid)
        return [self._verdict(query, answer) for query, answer in zip(queries, answers)]

    def _look_up(self, codes: list[CodeQuery]) -> None:
        """Whether each of ``codes`` (valid codes) is billable, for those not known yet."""
        new = [query for query in dict.fromkeys(codes) if (query.code, query.version) not in self._billable]
        for query, billable in zip(new, self.validator.billable_many(new), strict=True):
            self._billable[(query.code, query.version)] = billable

    def _verdict(self, query: CodeQuery, answer: Validation | OperationOutcomeError) -> Verdict:
        if isinstance(answer, OperationOutcomeError):
            return Verdict.of_error(answer)
        return Verdict(
            valid=answer.valid,
            billable=self._billable.get((answer.code or query.code, answer.version)) if answer.valid else None,
            display=answer.display,
            version=answer.version,
            message=answer.message,
            suggested_code=answer.normalized_code or " ".join(answer.replaced_by) or None,
            severity=answer.severity,
            normalised=not answer.valid and answer.normalized_code is not None,
            deleted=DELETED in answer.message_ids,
        )
