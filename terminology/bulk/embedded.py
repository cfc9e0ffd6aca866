"""The embedded content behind the client's interface: the command line runs the same code with a server or without.

:class:`EmbeddedTerminology` offers what :class:`~terminology.client.TerminologyClient` offers for
codes (``validate_code``, ``lookup``, ``expand``, ``validate_many``, ``lookup_many``), with the same
typed answers and errors, answered in this process by :class:`~terminology.library.LocalTerminology`:
the server's operations over the content ``terminology serve`` serves.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence

from ..client.errors import OperationOutcomeError
from ..client.results import ICD10CM, CodeQuery, ExpansionConcept, Lookup, Validation
from ..errors import TerminologyError
from ..library import LocalTerminology
from ..operations.expand import MAX_RETURNED
from .answers import error_answer, expansion_concepts, lookup_answer, validation_answer

__all__ = ["EmbeddedTerminology"]


class EmbeddedTerminology:
    """The operations of ``terminology`` (by default a :class:`LocalTerminology` of the content the
    server serves) as the client's calls."""

    def __init__(self, terminology: LocalTerminology | None = None) -> None:
        self.terminology = terminology if terminology is not None else LocalTerminology()

    def validate_code(
        self,
        code: str,
        system: str = ICD10CM,
        *,
        version: str | None = None,
        display: str | None = None,
        date: datetime.date | None = None,
        value_set: str | None = None,
    ) -> Validation:
        """``$validate-code`` of ``code`` (against the value set of the canonical ``value_set``, if given);
        :class:`OperationOutcomeError` where the server answers with an error."""
        try:
            result = self.terminology.validate_code(code, system, display=display, version=version, value_set=value_set, date=date)
        except TerminologyError as error:
            raise error_answer(error) from None
        return validation_answer(result)

    def lookup(
        self,
        code: str,
        system: str = ICD10CM,
        *,
        version: str | None = None,
        date: datetime.date | None = None,
        properties: Sequence[str] = (),
    ) -> Lookup:
        """``$lookup`` of ``code``: the properties named (none named: those the server gives when none is
        asked for); :class:`OperationOutcomeError` (404) for an unknown code."""
        try:
            result = self.terminology.lookup(code, system, version=version, properties=tuple(properties) or None, date=date)
        except TerminologyError as error:
            raise error_answer(error) from None
        return lookup_answer(result, code, system)

    def expand(
        self, url: str, *, filter: str | None = None, count: int | None = None, date: datetime.date | None = None
    ) -> Iterator[ExpansionConcept]:
        """The concepts of the value set of the canonical ``url``, page after page (the first ``count``, if
        given); :class:`OperationOutcomeError` where the server answers with an error."""
        offset = 0
        while True:
            page = MAX_RETURNED if count is None else min(count - offset, MAX_RETURNED)
            try:
                result = self.terminology.expand(url, filter=filter, count=page, offset=offset, date=date)
            except TerminologyError as error:
                raise error_answer(error) from None
            yield from expansion_concepts(result.entries, result.expansion.versioned_systems())
            offset += len(result.entries)
            if not result.entries or offset >= result.total or (count is not None and offset >= count):
                return

    def validate_many(self, queries: Iterable[str | CodeQuery], *, value_set: str | None = None) -> Iterator[Validation | OperationOutcomeError]:
        """A :meth:`validate_code` answer per query, in order; an error answer in its place, not raised."""
        for query in queries:
            asked = CodeQuery(query) if isinstance(query, str) else query
            try:
                yield self.validate_code(
                    asked.code, asked.system, version=asked.version, display=asked.display, date=asked.date, value_set=value_set
                )
            except OperationOutcomeError as error:
                yield error

    def billable_many(self, queries: Iterable[CodeQuery]) -> Iterator[bool | None]:
        """Whether each code is billable (not abstract) in its system and version: what a ``$lookup`` of it
        says, read from the code system itself (a bulk validation asks this of every valid code); None for
        a code the version does not have."""
        registry = self.terminology.registry
        for query in queries:
            provider = registry.code_system(query.system, query.version)
            concept = provider.locate(query.code) if provider is not None else None
            yield None if concept is None else not provider.is_abstract(concept)

    def lookup_many(self, queries: Iterable[str | CodeQuery], *, properties: Sequence[str] = ()) -> Iterator[Lookup | OperationOutcomeError]:
        """A :meth:`lookup` answer per query, in order; an error answer (an unknown code) in its place, not raised."""
        for query in queries:
            asked = CodeQuery(query) if isinstance(query, str) else query
            try:
                yield self.lookup(asked.code, asked.system, version=asked.version, date=asked.date, properties=properties)
            except OperationOutcomeError as error:
                yield error
