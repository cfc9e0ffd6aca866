"""The answers of the code commands as a person reads them, or as JSON (``--json``)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..client.results import ICD10CM, Coding, ExpansionConcept, Issue, Lookup, Property, PropertyValue, Validation, issues_worst_first

__all__ = ["as_json", "concept_line", "lookup_text", "validation_text"]


def as_json(answer: Any) -> str:
    """A typed answer (or a list of them) as JSON: its fields, by their names."""
    value = [dataclasses.asdict(item) for item in answer] if isinstance(answer, list) else dataclasses.asdict(answer)
    return json.dumps(value, indent=2, ensure_ascii=False)


def validation_text(code: str, answer: Validation) -> str:
    """``CODE: valid in version V``, the display, the code meant or the codes that replace it, then each issue."""
    lines = [f"{code}: {'valid' if answer.valid else 'not valid'}{_in_version(answer.system, answer.version)}"]
    if answer.display:
        lines.append(f"  {answer.display}")
    if answer.normalized_code:
        lines.append(f"  did you mean {answer.normalized_code}?")
    elif answer.replaced_by:
        lines.append(f"  replaced by {' '.join(answer.replaced_by)}")
    return "\n".join(lines + _issue_lines(answer.issues))


def lookup_text(found: Lookup) -> str:
    """``CODE  display``, its version and whether it is billable, then each property (with its
    subproperties in brackets) and each issue."""
    billable = {True: ", billable", False: ", not billable (a header)", None: ""}[found.billable]
    release = f"{_name(found.system)} {found.version}" if found.version else _name(found.system)
    lines = [f"{found.code}  {found.display or ''}".rstrip(), f"  {release}{billable}"]
    if found.definition:
        lines.append(f"  definition: {found.definition}")
    lines += [f"  {prop.code}: {_property_text(prop)}" for prop in found.properties]
    return "\n".join(lines + _issue_lines(found.issues))


def concept_line(concept: ExpansionConcept) -> str:
    """``CODE  display`` (the system first, if not ICD-10-CM), marked where abstract or inactive."""
    system = f"{concept.system} " if concept.system and concept.system != ICD10CM else ""
    marks = "".join(f"  ({mark})" for mark, on in (("abstract", concept.abstract), ("inactive", concept.inactive)) if on)
    return f"{system}{concept.code}  {concept.display or ''}".rstrip() + marks


def _in_version(system: str | None, version: str | None) -> str:
    if system is None:
        return ""
    return f" in {_name(system)} {version}" if version else f" in {_name(system)}"


def _name(system: str) -> str:
    return "ICD-10-CM" if system == ICD10CM else system


def _issue_lines(issues: tuple[Issue, ...]) -> list[str]:
    return [f"  {issue.severity}: {issue.message}" for issue in issues_worst_first(issues)]


def _property_text(prop: Property) -> str:
    text = _value_text(prop.value)
    if prop.subproperties:
        text += " (" + ", ".join(f"{sub.code}: {_value_text(sub.value)}" for sub in prop.subproperties) + ")"
    return text


def _value_text(value: PropertyValue | None) -> str:
    if isinstance(value, Coding):
        return " ".join(part for part in (value.code, f"({value.display})" if value.display else None) if part)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
