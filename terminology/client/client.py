"""``TerminologyClient``: the terminology operations of any FHIR R4 server as Python calls with typed answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import partial
from typing import Any, Literal, TypeVar, get_args

from .answers import (
    answer_or_error,
    read_batch_response,
    read_batch_validations,
    read_expansion_page,
    read_lookup,
    read_subsumption,
    read_translation,
    read_validation,
)
from .bulk import in_chunks
from .capabilities import ServerCapabilities, read_capabilities, read_operation_parameters
from .errors import ClientError, OperationOutcomeError
from .results import ICD10CM, CodeQuery, ExpansionConcept, Lookup, Subsumption, Translation, Validation
from .transport import Transport
from .wire import (
    OperationCall,
    batch_bundle,
    batch_validate_code_parameters,
    expand_call,
    lookup_call,
    subsumes_call,
    translate_call,
    validate_code_call,
)

__all__ = ["BulkForm", "TerminologyClient"]

T = TypeVar("T")
Reader = Callable[[dict[str, Any]], T]  # reads an answer's JSON into its typed result
BulkForm = Literal["auto", "batch-validate-code", "bundle", "single"]
_BULK_FORMS = get_args(BulkForm)
# HL7's own OperationDefinitions: their parameters are R4's, and a server that names one takes no others.
_HL7_DEFINITIONS = "http://hl7.org/fhir/OperationDefinition/"


class TerminologyClient:
    """A client of the FHIR terminology server at ``base_url`` (its FHIR base, ``http://host/fhir``).

    Every request has ``timeout`` seconds; connection failures, 429 and 503 are retried ``retries``
    times with exponential backoff from ``backoff`` seconds (honouring ``Retry-After``). ``headers``
    are sent with every request, ``auth`` is requests' (a ``(user, password)`` pair, or an AuthBase).

    ``validate_many`` and ``lookup_many`` send ``batch_size`` codes a request, in the form ``bulk``
    names: ``auto`` reads the server's CapabilityStatement once and takes ``$batch-validate-code``
    where it is offered and a value set is given, else a ``batch`` Bundle where batches are offered,
    else one request per code (``single``); the others force theirs. ``concurrency`` chunks are in
    flight at once (a server with several workers answers them side by side).

    Only R4's standard parameters are sent, unless the server declares more. Use it as a context
    manager, or call :meth:`close`, to release its pooled connections.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        headers: dict[str, str] | None = None,
        auth: Any = None,
        batch_size: int = 1000,
        bulk: BulkForm = "auto",
        concurrency: int = 2,
    ) -> None:
        if timeout <= 0 or retries < 0 or backoff < 0 or batch_size < 1 or concurrency < 1:
            raise ValueError("timeout, batch_size and concurrency must be positive, retries and backoff not negative")
        if bulk not in _BULK_FORMS:
            raise ValueError(f"bulk must be one of {', '.join(_BULK_FORMS)}, not {bulk!r}")
        self._transport = Transport(
            base_url, timeout=timeout, retries=retries, backoff=backoff, headers=headers, auth=auth, connections=concurrency
        )
        self.batch_size = batch_size
        self.bulk = bulk
        self.concurrency = concurrency
        self._capabilities: ServerCapabilities | None = None
        self._declared: dict[str, frozenset[str]] = {}  # OperationDefinition canonical -> its input parameters

    @property
    def base_url(self) -> str:
        return self._transport.base

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> TerminologyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- one call, one answer -----------------------------------------------------------------

    def metadata(self) -> ServerCapabilities:
        """The server's CapabilityStatement, read now (and kept for choosing how to send bulk calls)."""
        self._capabilities = read_capabilities(self._transport.get("metadata"))
        return self._capabilities

    def validate_code(
        self, code: str, system: str = ICD10CM, *, version: str | None = None, display: str | None = None,
        date: date | None = None, value_set: str | None = None,
    ) -> Validation:  # fmt: skip
        """``CodeSystem/$validate-code``, or ``ValueSet/$validate-code`` when ``value_set`` (``url`` or
        ``url|version``) is given. An invalid code is a Validation; an error answer raises
        :class:`OperationOutcomeError`."""
        return self._call(validate_code_call(CodeQuery(code, system, version, display, date), value_set), read_validation)

    def lookup(
        self, code: str, system: str = ICD10CM, *, version: str | None = None, date: date | None = None, properties: Sequence[str] = ()
    ) -> Lookup:
        """``CodeSystem/$lookup``; raises :class:`OperationOutcomeError` (404 for an unknown code)."""
        call = lookup_call(CodeQuery(code, system, version, None, date), properties)
        return self._call(call, lambda resource: read_lookup(resource, code, system))

    def expand(
        self,
        url: str,
        *,
        filter: str | None = None,
        count: int | None = None,
        date: date | None = None,
        page_size: int = 1000,
    ) -> Iterator[ExpansionConcept]:
        """The concepts of the value set ``url`` (or ``url|version``), nested ones after their parent,
        read ``page_size`` at a time with ``offset`` paging: all of them, or the first ``count``."""
        if page_size < 1 or (count is not None and count < 0):
            raise ValueError("page_size must be positive, and count not negative")
        return self._expansion(url, filter, count, date, page_size)

    def subsumes(
        self, code_a: str, code_b: str, system: str = ICD10CM, *, version: str | None = None, date: date | None = None
    ) -> Subsumption:
        """``CodeSystem/$subsumes``. R4's has no ``date``: it is sent only to a server whose
        OperationDefinition declares one, else the call raises :class:`ClientError` and sends nothing."""
        if date is not None and not self._declares("CodeSystem", "subsumes", "date"):
            raise ClientError(
                "The server does not declare a 'date' parameter for $subsumes (FHIR R4 defines none): give a version instead"
            )
        return self._call(subsumes_call(code_a, code_b, system, version, date), read_subsumption)

    def translate(
        self,
        code: str,
        system: str,
        *,
        url: str | None = None,
        target_system: str | None = None,
        reverse: bool = False,
        version: str | None = None,
    ) -> Translation:
        """``ConceptMap/$translate`` of the code, by the map ``url`` or any the server finds."""
        call = translate_call(code, system, url=url, target_system=target_system, reverse=reverse, version=version)
        return self._call(call, read_translation)

    # -- bulk -------------------------------------------------------------------------------------

    def validate_many(
        self, queries: Iterable[str | CodeQuery], *, value_set: str | None = None
    ) -> Iterator[Validation | OperationOutcomeError]:
        """Each code validated (in ``value_set``, if given), in the input's order; an error answer for one
        code is yielded in its place. The input is read and answered a chunk at a time."""
        if self.bulk == "batch-validate-code" and value_set is None:
            raise ValueError("$batch-validate-code validates codes in a value set: give value_set, or use bulk='bundle' or 'single'")
        return self._many(queries, lambda query: (validate_code_call(query, value_set), read_validation), value_set)

    def lookup_many(
        self, queries: Iterable[str | CodeQuery], *, properties: Sequence[str] = ()
    ) -> Iterator[Lookup | OperationOutcomeError]:
        """Each code looked up, in the input's order; an error answer for one code (an unknown code's 404)
        is yielded in its place. The input is read and answered a chunk at a time."""
        if self.bulk == "batch-validate-code":
            raise ValueError("$batch-validate-code validates codes, it looks none up: use bulk='bundle' or 'single' for lookup_many")
        return self._many(queries, lambda query: (lookup_call(query, properties), _lookup_reader(query)), None)

    def _many(self, queries: Iterable[str | CodeQuery], call_of: Callable[[CodeQuery], Any], value_set: str | None) -> Iterator[Any]:
        """The answers of ``call_of(query)`` for each query, in chunks, in the form :meth:`_bulk_form` chooses."""
        codes = (_code_query(query) for query in queries)
        form = self._bulk_form(value_set is not None)
        if form == "batch-validate-code":
            yield from in_chunks(codes, self.batch_size, partial(self._batch_validations, value_set=value_set), self.concurrency)
        else:
            send = self._bundle if form == "bundle" else self._one_by_one
            yield from in_chunks(map(call_of, codes), self.batch_size, send, self.concurrency)

    def _bulk_form(self, value_set_given: bool) -> str:
        """The form of bulk call to use: the one asked for, or (``auto``) the best the server offers."""
        if self.bulk != "auto":
            return self.bulk
        offered = self._capabilities or self.metadata()
        if value_set_given and offered.offers("batch-validate-code", "ValueSet"):
            return "batch-validate-code"
        return "bundle" if offered.batch else "single"

    def _one_by_one(self, calls: list[tuple[OperationCall, Reader[T]]]) -> list[T | OperationOutcomeError]:
        answers: list[T | OperationOutcomeError] = []
        for call, read in calls:
            try:
                answers.append(self._call(call, read))
            except OperationOutcomeError as error:
                answers.append(error)
        return answers

    def _bundle(self, calls: list[tuple[OperationCall, Reader[T]]]) -> list[T | OperationOutcomeError]:
        bundle = self._transport.post("", batch_bundle([call for call, _ in calls]))
        answers = read_batch_response(bundle, len(calls))
        return [answer_or_error(status, resource, read) for (status, resource), (_, read) in zip(answers, calls)]

    def _batch_validations(self, queries: list[CodeQuery], value_set: str) -> list[Validation | OperationOutcomeError]:
        answer = self._transport.post("ValueSet/$batch-validate-code", batch_validate_code_parameters(queries, value_set))
        return [answer_or_error(None, resource, read_validation) for resource in read_batch_validations(answer, len(queries))]

    # -- plumbing ---------------------------------------------------------------------------------

    def _call(self, call: OperationCall, read: Reader[T]) -> T:
        answer = answer_or_error(200, self._transport.get(call.path, call.query), read)
        if isinstance(answer, OperationOutcomeError):
            raise answer
        return answer

    def _expansion(
        self, url: str, filter: str | None, count: int | None, day: date | None, page_size: int
    ) -> Iterator[ExpansionConcept]:
        """Page after page until the expansion's ``total`` (or, from a server that gives none, a page
        shorter than asked); a page longer than asked is all there is from its offset."""
        offset = given = 0
        while count is None or given < count:
            asked = page_size if count is None else min(page_size, count - given)
            page = self._call(expand_call(url, filter=filter, count=asked, offset=offset, date=day), read_expansion_page)
            if page.offset not in (None, offset):
                raise ClientError(f"The server answered the expansion of {url} at offset {page.offset} when asked for {offset}")
            shown = page.concepts if count is None else page.concepts[: count - given]
            yield from shown
            given += len(shown)
            offset += len(page.concepts)
            if page.total is not None and offset < page.total and not page.concepts:
                raise ClientError(f"The server's expansion of {url} stopped at {offset} of its {page.total} concepts")
            if len(page.concepts) > asked or (offset >= page.total if page.total is not None else len(page.concepts) < asked):
                return

    def _declares(self, resource_type: str, operation: str, parameter: str) -> bool:
        """Whether the OperationDefinition the server names for the operation declares ``parameter``."""
        offered = self._capabilities or self.metadata()
        definition = offered.definition(operation, resource_type)
        if definition is None or definition.startswith(_HL7_DEFINITIONS):
            return False
        if definition not in self._declared:
            try:
                found = read_operation_parameters(self._transport.get("OperationDefinition", (("url", definition),)))
            except OperationOutcomeError:  # a server that cannot show it declares nothing more
                found = frozenset()
            self._declared[definition] = found
        return parameter in self._declared[definition]


def _code_query(query: str | CodeQuery) -> CodeQuery:
    if isinstance(query, CodeQuery):
        return query
    if isinstance(query, str):
        return CodeQuery(query)
    raise TypeError(f"A code to validate or look up is a str or a CodeQuery, not {type(query).__name__}")


def _lookup_reader(query: CodeQuery) -> Callable[[dict[str, Any]], Lookup]:
    return lambda resource: read_lookup(resource, query.code, query.system)
