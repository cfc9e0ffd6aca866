"""Pages of the answers about one code: ``$lookup`` (a code's page), ``$validate-code``, and any other
Parameters (``$subsumes``, ``$translate``...) as a table of its parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .generic import element_rows, element_value
from .links import PageLinks
from .markup import Html, PageBody, cells_table, definitions, element, join, link, text

__all__ = ["coding_markup", "issues_table", "lookup_page", "parameters_page", "validation_page"]

# Properties shown as the code's place in the hierarchy, and as its flags, rather than in the table.
_HIERARCHY = ("parent", "child")
_FLAGS = {"billable": "Billable", "notSelectable": "Not selectable", "inactive": "Inactive", "status": "Status"}


@dataclass(frozen=True, slots=True)
class _Property:
    """A ``property`` (or ``subproperty``) parameter's parts."""

    code: str
    type: str  # the FHIR type of its value: code, string, Coding...
    value: Any
    description: str | None
    subproperties: tuple[_Property, ...]


def lookup_page(resource: dict[str, Any], links: PageLinks) -> PageBody:
    """A code's page: what it is, its parent and children (each linking to its own page), its notes and
    other properties, its designations."""
    parameters = resource.get("parameter") or []
    single = _single_values(parameters)
    system, code, version = single.get("system"), single.get("code"), single.get("version")
    kept_version = version if links.arg("version") is not None else None  # (the page was asked for a version)
    properties = [_read_property(parameter) for parameter in parameters if parameter.get("name") == "property"]
    flags = {prop.code: prop.value for prop in properties if prop.code in _FLAGS}

    def code_link(value: object, description: str | None = None) -> Html:
        shown = element("code", value) + (" " + text(description) if description else "")
        return link(links.lookup(system, str(value), kept_version), shown) if isinstance(system, str) else shown

    summary = definitions([
        ("Code", element("code", code)),
        ("Display", single.get("display")),
        ("Code system", _system_markup(links, single.get("name"), system, version)),
        ("Version", version),
        ("Abstract", _yes_no(single.get("abstract"))),
        *((_FLAGS[name], _yes_no(value)) for name, value in flags.items()),
        ("Definition", single.get("definition")),
    ])  # fmt: skip
    sections: list[object] = [summary, _code_actions(links, system, code, kept_version)]
    sections += _property_sections(properties, code_link, links)
    sections.append(_designations_section(parameters))
    sections += _issues_sections(parameters)
    title = f"{code} {single.get('display') or ''}".strip() if code else "Lookup"
    return PageBody(title, sections)


def _property_sections(properties: list[_Property], code_link: Callable[..., Html], links: PageLinks) -> list[Html]:
    """The parent and children, each linking to its page; the notes (text written at the code or a level
    above it: the subproperties say where); the other properties."""
    sections = []
    for name, heading in (("parent", "Parent"), ("child", "Children")):
        related = [element("li", code_link(prop.value, prop.description)) for prop in properties if prop.code == name]
        if related:
            sections.append(element("h2", heading) + element("ul", join(related)))
    notes = [prop for prop in properties if prop.type == "string" and prop.subproperties]
    if notes:
        rows = ([prop.code, prop.value, _subproperties(prop.subproperties, code_link)] for prop in notes)
        sections.append(element("h2", "Notes") + cells_table(["Kind", "Text", "From"], rows))
    others = [prop for prop in properties if prop.code not in _HIERARCHY and prop.code not in _FLAGS and prop not in notes]
    if others:
        rows = ([prop.code, _typed_value(prop.type, prop.value, links), prop.description or "", _subproperties(prop.subproperties, code_link)] for prop in others)
        sections.append(element("h2", "Properties") + cells_table(["Property", "Value", "Description", "Details"], rows))
    return sections


def _designations_section(parameters: list[dict[str, Any]]) -> Html:
    designations = [_parts(parameter) for parameter in parameters if parameter.get("name") == "designation"]
    if not designations:
        return Html("")
    # (a use is a code of a code system this server may not hold: shown, not linked)
    rows = ([_part_value(parts.get("language")), _part_value(parts.get("use")), _part_value(parts.get("value"))] for parts in designations)
    return element("h2", "Designations") + cells_table(["Language", "Use", "Value"], rows)


def validation_page(resource: dict[str, Any], links: PageLinks) -> PageBody:
    """A ``$validate-code`` answer: the result first, then what the code is, the message, the issues."""
    parameters = resource.get("parameter") or []
    single = _single_values(parameters)
    valid = single.get("result") is True
    system, code = single.get("system"), single.get("code")
    result = element("p", "Valid" if valid else "Not valid", class_="valid" if valid else "invalid")
    code_shown: object = element("code", code) if code is not None else None
    if isinstance(system, str) and isinstance(code, str):
        code_shown = link(links.lookup(system, code, single.get("version") if links.arg("version") is not None else None), code_shown)
    summary = definitions([
        ("Code", code_shown),
        ("Display", single.get("display")),
        ("Code system", _system_markup(links, None, system, single.get("version"))),
        ("Version", single.get("version")),
        ("Inactive", _yes_no(single.get("inactive"))),
        ("Message", single.get("message")),
    ])  # fmt: skip
    others = [p for p in parameters if p.get("name") not in ("result", "code", "system", "version", "display", "inactive", "message", "issues")]
    sections = [result, summary, *_issues_sections(parameters)]
    if others:
        sections.append(element("h2", "Other parameters") + _parameters_table(others, links))
    return PageBody(f"Validation of {code}" if code else "Validation", sections)


def parameters_page(resource: dict[str, Any], links: PageLinks, title: str = "Parameters") -> PageBody:
    """Any Parameters: a row per parameter."""
    return PageBody(title, [_parameters_table(resource.get("parameter") or [], links)])


def issues_table(issues: Iterable[dict[str, Any]]) -> Html:
    """An OperationOutcome's issues: severity, type, what it says, where."""
    rows = (
        [
            element("span", issue.get("severity", ""), class_=str(issue.get("severity", ""))),
            issue.get("code", ""),
            _issue_text(issue),
            ", ".join(issue.get("expression") or issue.get("location") or ()),
        ]
        for issue in issues
    )
    return cells_table(["Severity", "Type", "Details", "Where"], rows)


def _issue_text(issue: dict[str, Any]) -> Html:
    """What an issue says, and its diagnostics (the request's id, on an error) below it."""
    said, diagnostics = (issue.get("details") or {}).get("text"), issue.get("diagnostics")
    if said and diagnostics:
        return element("div", said) + element("div", element("small", diagnostics))
    return text(said or diagnostics or "")


def coding_markup(coding: dict[str, Any], links: PageLinks | None) -> Html:
    """``code display (system version)``, the code linking to its page when it has a system (and ``links``)."""
    code, system, version = coding.get("code"), coding.get("system"), coding.get("version")
    shown = element("code", code) if code is not None else Html("")
    if isinstance(code, str) and isinstance(system, str) and links is not None:
        shown = link(links.lookup(system, code, version), shown)
    if coding.get("display"):
        shown += " " + text(coding["display"])
    if system:
        shown += element("small", f" ({system}{' ' + version if version else ''})")
    return shown


# -- reading Parameters ----------------------------------------------------------------------------


def _single_values(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """The value of each parameter that has one (the first, when one repeats)."""
    values: dict[str, Any] = {}
    for parameter in parameters:
        typed = _value_of(parameter)
        if typed is not None:
            values.setdefault(parameter.get("name"), typed[1])
    return values


def _value_of(parameter: dict[str, Any]) -> tuple[str, Any] | None:
    """(type, value) of a parameter's ``value[x]``; None when it has none."""
    for key, value in parameter.items():
        if key.startswith("value") and len(key) > 5:
            return key[5].lower() + key[6:], value
    return None


def _parts(parameter: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A parameter's parts by name (the first of each)."""
    found: dict[str, dict[str, Any]] = {}
    for part in parameter.get("part") or ():
        found.setdefault(part.get("name"), part)
    return found


def _read_property(parameter: dict[str, Any]) -> _Property:
    parts = parameter.get("part") or ()
    code, type_, value, description, subproperties = "", "string", None, None, []
    for part in parts:
        name = part.get("name")
        if name == "code":
            code = str((_value_of(part) or ("", ""))[1])
        elif name == "value":
            type_, value = _value_of(part) or ("string", None)
        elif name == "description":
            description = (_value_of(part) or ("", None))[1]
        elif name == "subproperty":
            subproperties.append(_read_property(part))
    return _Property(code, type_, value, description, tuple(subproperties))


def _issues_sections(parameters: list[dict[str, Any]]) -> list[Html]:
    sections = []
    for parameter in parameters:
        resource = parameter.get("resource")
        if parameter.get("name") == "issues" and isinstance(resource, dict) and resource.get("issue"):
            sections.append(element("h2", "Issues") + issues_table(resource["issue"]))
    return sections


def _parameters_table(parameters: list[dict[str, Any]], links: PageLinks) -> Html:
    rows = []
    for parameter in parameters:
        typed = _value_of(parameter)
        if typed is not None:
            shown = _typed_value(typed[0], typed[1], links)
        elif "part" in parameter:
            shown = _parameters_table(parameter["part"], links)
        else:
            shown = element_rows(parameter["resource"]) if isinstance(parameter.get("resource"), dict) else Html("")
        rows.append([parameter.get("name", ""), shown])
    return cells_table(["Name", "Value"], rows)


def _part_value(part: dict[str, Any] | None, links: PageLinks | None = None) -> Html:
    typed = _value_of(part) if part is not None else None
    if typed is None:
        return Html("")
    return _typed_value(typed[0], typed[1], links)


def _typed_value(type_: str, value: Any, links: PageLinks | None) -> Html:
    if type_ == "coding" and isinstance(value, dict):
        return coding_markup(value, links)
    if type_ == "code":
        return element("code", value)
    return element_value(value)


def _subproperties(subproperties: tuple[_Property, ...], code_link: Any) -> Html:
    """``source: E11, level: category``: a ``source`` (the code a note is written at) links to its page, but
    a chapter's, which is no code (ICD-10-CM numbers its chapters)."""
    chapter = any(sub.code == "level" and sub.value == "chapter" for sub in subproperties)

    def shown(sub: _Property) -> Html:
        value = sub.value.get("code", "") if isinstance(sub.value, dict) else sub.value
        return text(sub.code + ": ") + (code_link(value) if sub.code == "source" and not chapter else text(value))

    return join((shown(sub) for sub in subproperties), ", ")


def _code_actions(links: PageLinks, system: object, code: object, version: str | None) -> Html:
    """Where to go from a code: validate it, the codes below it."""
    if not (isinstance(system, str) and isinstance(code, str)):
        return Html("")
    items = [
        link(links.validate_code(system, code, version), "Validate this code"),
        link(links.expand(f"{system}?fhir_vs=isa/{code}", system_version=f"{system}|{version}" if version else None), "This code and the codes below it"),
    ]
    return element("nav", element("ul", join(element("li", item) for item in items)), **{"aria-label": "Actions"})


def _system_markup(links: PageLinks, name: object, system: object, version: object) -> Html | None:
    """A code system's name and url, linking to the search that finds it (its page is at an id the answer
    does not say)."""
    if not isinstance(system, str):
        return None
    query = [("url", system), ("version", version if isinstance(version, str) else None)]
    shown = (text(name) + " " if isinstance(name, str) and name else Html("")) + element("span", system, class_="code")
    return link(links.path("CodeSystem", query), shown)


def _yes_no(value: object) -> str | None:
    if value is None:
        return None
    return "yes" if value is True else "no" if value is False else str(value)
