"""Reading a terminology server's answers into typed results: the Parameters of ``$validate-code``,
``$lookup``, ``$subsumes`` and ``$translate``, a page of ``$expand``, and the answers of batches.

Each reader takes the JSON of the answer and either returns its typed result or raises a
:class:`ClientError` that says what in the answer is malformed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import ClientError, OperationOutcomeError
from .outcomes import error_of_answer, read_issues
from .results import Coding, ExpansionConcept, Issue, Lookup, Property, Subsumption, Translation, TranslationMatch, Validation, code_history
from .shapes import NamedParameters, array, obj, optional_bool, optional_int, optional_str

__all__ = [
    "ExpansionPage",
    "answer_or_error",
    "read_batch_response",
    "read_batch_validations",
    "read_expansion_page",
    "read_lookup",
    "read_subsumption",
    "read_translation",
    "read_validation",
]

T = TypeVar("T")

# R5's ConceptMap relationship, said as R4's equivalence (the inverse of FHIR's R4-to-R5 table).
_EQUIVALENCE_OF_RELATIONSHIP = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}


def answer_or_error(status: int | None, resource: Any, read: Callable[[dict[str, Any]], T]) -> T | OperationOutcomeError:
    """What one answer (of an HTTP status, or of a batch entry; None: one that has no status of its
    own) says: its typed result, or, for an OperationOutcome or an error status, the
    :class:`OperationOutcomeError` it stands for."""
    if (status or 0) >= 400 or (isinstance(resource, dict) and resource.get("resourceType") == "OperationOutcome"):
        came = "no resource" if resource is None else f"a {obj(resource, 'the answer').get('resourceType')}"
        return error_of_answer(status, resource, came)
    return read(obj(resource, "the answer"))


def read_validation(resource: dict[str, Any]) -> Validation:
    params = NamedParameters.of(resource, "$validate-code")
    valid = params.flag("result")
    if valid is None:
        raise ClientError("Malformed answer: a $validate-code answer without 'result'")
    return Validation(
        valid=valid,
        code=params.text("code"),
        system=params.text("system"),
        version=params.text("version"),
        display=params.text("display"),
        message=params.text("message"),
        normalized_code=params.text("normalized-code"),
        inactive=params.flag("inactive"),
        issues=_issues(params),
    )


def read_lookup(resource: dict[str, Any], code: str, system: str) -> Lookup:
    """``code`` and ``system``: those asked about, for a server that does not repeat them (R4 has it not)."""
    params = NamedParameters.of(resource, "$lookup")
    properties = tuple(_property(parts) for parts in params.parts("property"))
    return Lookup(
        code=params.text("code") or code,
        system=params.text("system") or system,
        name=params.text("name"),
        version=params.text("version"),
        display=params.text("display"),
        definition=params.text("definition"),
        abstract=params.flag("abstract"),
        designations=tuple(_designation(parts) for parts in params.parts("designation")),
        properties=properties,
        history=code_history(properties),
        issues=_issues(params),
    )


def read_subsumption(resource: dict[str, Any]) -> Subsumption:
    params = NamedParameters.of(resource, "$subsumes")
    outcome = params.text("outcome")
    if outcome is None:
        raise ClientError("Malformed answer: a $subsumes answer without 'outcome'")
    return Subsumption(outcome, _issues(params))


def read_translation(resource: dict[str, Any]) -> Translation:
    params = NamedParameters.of(resource, "$translate")
    result = params.flag("result")
    if result is None:
        raise ClientError("Malformed answer: a $translate answer without 'result'")
    return Translation(result, params.text("message"), tuple(_match(parts) for parts in params.parts("match")))


@dataclass(frozen=True, slots=True)
class ExpansionPage:
    """One page of an expansion: its concepts (nested ones flattened, each after its parent), and the
    ``total`` and ``offset`` the server gave (None when it gave none)."""

    concepts: tuple[ExpansionConcept, ...]
    total: int | None
    offset: int | None


def read_expansion_page(resource: dict[str, Any]) -> ExpansionPage:
    if resource.get("resourceType") != "ValueSet":
        raise ClientError(f"Malformed answer: $expand answered a {resource.get('resourceType')!r}, not a ValueSet")
    expansion = obj(resource.get("expansion"), "ValueSet.expansion")
    concepts: list[ExpansionConcept] = []
    _flatten(expansion.get("contains"), "ValueSet.expansion.contains", concepts)
    where = "ValueSet.expansion"
    return ExpansionPage(tuple(concepts), optional_int(expansion, "total", where), optional_int(expansion, "offset", where))


def _flatten(contains: Any, where: str, into: list[ExpansionConcept]) -> None:
    for index, entry in enumerate(array(contains, where)):
        path = f"{where}[{index}]"
        entry = obj(entry, path)
        code = optional_str(entry, "code", path)
        if code is not None:  # an entry without a code only groups the ones below it
            into.append(
                ExpansionConcept(
                    system=optional_str(entry, "system", path),
                    code=code,
                    display=optional_str(entry, "display", path),
                    version=optional_str(entry, "version", path),
                    abstract=optional_bool(entry, "abstract", path),
                    inactive=optional_bool(entry, "inactive", path),
                )
            )
        _flatten(entry.get("contains"), f"{path}.contains", into)


def read_batch_validations(resource: dict[str, Any], sent: int) -> list[dict[str, Any]]:
    """The answer of each of the ``sent`` validations of a ``$batch-validate-code``, in order: a
    Parameters, or an OperationOutcome (an error of that validation alone)."""
    answers = NamedParameters.of(resource, "$batch-validate-code").resources("validation")
    return _all_answered(answers, sent, "$batch-validate-code")


def read_batch_response(bundle: dict[str, Any], sent: int) -> list[tuple[int, dict[str, Any] | None]]:
    """The ``(HTTP status, resource)`` of each of the ``sent`` entries of a ``batch-response`` Bundle, in order."""
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "batch-response":
        raise ClientError("Malformed answer: a batch was answered with something other than a batch-response Bundle")
    answers = []
    for index, entry in enumerate(array(bundle.get("entry"), "Bundle.entry")):
        where = f"Bundle.entry[{index}]"
        entry = obj(entry, where)
        response = obj(entry.get("response"), f"{where}.response")
        status = _status(optional_str(response, "status", f"{where}.response"), where)
        resource = entry.get("resource")
        answers.append((status, None if resource is None else obj(resource, f"{where}.resource")))
    return _all_answered(answers, sent, "The batch")


def _status(line: str | None, where: str) -> int:
    """The status code that starts ``Bundle.entry.response.status`` (``200 OK``, or ``200``)."""
    code = (line or "").split(" ", 1)[0]
    if not (code.isascii() and code.isdigit() and len(code) == 3):
        raise ClientError(f"Malformed answer: {where}.response.status is not an HTTP status ({line!r})")
    return int(code)


def _all_answered(answers: list[T], sent: int, what: str) -> list[T]:
    if len(answers) != sent:
        raise ClientError(f"Malformed answer: {what} of {sent} requests came back with {len(answers)} answers")
    return answers


def _issues(params: NamedParameters) -> tuple[Issue, ...]:
    outcome = params.resource("issues")
    return () if outcome is None else read_issues(outcome, "Parameters.parameter(issues).resource")


def _property(parts: NamedParameters) -> Property:
    code = parts.text("code")
    if code is None:
        raise ClientError(f"Malformed answer: a property without a code in {parts.where}")
    subproperties = tuple(_property(sub) for sub in parts.parts("subproperty"))
    return Property(code, parts.value("value"), parts.text("description"), subproperties)


def _designation(parts: NamedParameters) -> tuple[str | None, str]:
    value = parts.text("value")
    if value is None:
        raise ClientError(f"Malformed answer: a designation without a value in {parts.where}")
    return parts.text("language"), value


def _match(parts: NamedParameters) -> TranslationMatch:
    relationship = parts.text("relationship")
    source = parts.value("source")  # R4: the map's url; R5 (reverse): the source Coding, and originMap names the map
    return TranslationMatch(
        equivalence=parts.text("equivalence") or _EQUIVALENCE_OF_RELATIONSHIP.get(relationship or "", relationship),
        concept=parts.coding("concept"),
        source=source if isinstance(source, str) else parts.text("originMap"),
        depends_on=tuple(_element_and_concept(sub) for sub in parts.parts("dependsOn")),
        product=tuple(_element_and_concept(sub) for sub in parts.parts("product")),
    )


def _element_and_concept(parts: NamedParameters) -> tuple[str, Coding]:
    """A ``dependsOn`` or ``product``: R4's element and concept, or R5's attribute and value."""
    element = parts.text("element") or parts.text("attribute")
    concept = parts.value("concept") or parts.value("value")
    if element is None or not isinstance(concept, Coding):
        raise ClientError(f"Malformed answer: a dependsOn or product without its element and Coding in {parts.where}")
    return element, concept
