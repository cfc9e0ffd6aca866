"""Pages of whole resources: a ValueSet's expansion, a CodeSystem, ValueSet or ConceptMap read, a search's
Bundle, an OperationOutcome, the CapabilityStatement."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from .code_pages import coding_markup, issues_table
from .generic import MAX_ITEMS, element_rows, resource_title
from .links import PageLinks
from .markup import Html, PageBody, cells_table, definitions, element, get_form, join, link

__all__ = ["bundle_page", "capability_page", "definition_page", "expansion_page", "outcome_page"]

# The elements of a definition shown as its summary; the rest are in the table below it.
_SUMMARY = ("url", "version", "name", "title", "status", "experimental", "date", "publisher", "description", "content", "count")
_OWN = ("resourceType", "id", "meta", "text", "concept", "group", "expansion", *_SUMMARY)


def expansion_page(resource: dict[str, Any], links: PageLinks) -> PageBody:
    """A ValueSet's expansion: its codes, each linking to its page, with the previous and next pages."""
    expansion = resource.get("expansion") or {}
    contains = list(_flattened(expansion.get("contains") or ()))
    offset = expansion.get("offset") or 0
    total = expansion.get("total")
    parameters = [p for p in expansion.get("parameter") or () if isinstance(p, dict)]
    count = next((_parameter_value(p) for p in parameters if p.get("name") == "count"), None)
    summary = definitions([
        ("Value set", element("span", resource.get("url"), class_="code") if resource.get("url") else None),
        ("Version", resource.get("version")),
        ("Total", f"{total:,}" if isinstance(total, int) else None),
        ("Shown", f"{offset + 1:,} to {offset + len(contains):,}" if contains else "none"),
    ])  # fmt: skip
    # (a code links to its page in the release the expansion took it from)
    used = dict(str(_parameter_value(p)).partition("|")[::2] for p in parameters if p.get("name") == "used-codesystem")
    rows = ([_indented(depth, _code_link(links, entry, used)), entry.get("display") or "", _flags(entry)] for depth, entry in contains[:MAX_ITEMS])
    sections: list[object] = [summary]
    if links.method == "GET":  # (a POST's parameters are not in its URL: a form could not repeat them)
        kept = [(name, value) for name, value in links.query if name not in ("filter", "offset")]
        sections.append(get_form(None, kept, "filter", "Words or a code", "Search", links.arg("filter")))
    sections.append(_paging(links, offset, len(contains), total, count, "offset", "count"))
    sections.append(cells_table(["Code", "Display", "Flags"], rows, caption="Codes") + _cut(len(contains)))
    named = [[p.get("name", ""), str(_parameter_value(p))] for p in parameters if p.get("name") not in ("count", "offset")]
    if named:
        sections.append(element("h2", "Expansion parameters") + cells_table(["Name", "Value"], named))
    title = f"Expansion of {resource.get('title') or resource.get('name') or resource.get('url') or 'a value set'}"
    return PageBody(title, sections, has_form=links.method == "GET")


def definition_page(resource: dict[str, Any], links: PageLinks) -> PageBody:
    """A CodeSystem, ValueSet or ConceptMap: its metadata, where to go from it, its concepts or mappings
    when the read shows them, and its other elements."""
    kind = resource.get("resourceType")
    url, version = resource.get("url"), resource.get("version")
    summary = definitions((name, _shown(resource.get(name))) for name in _SUMMARY)
    sections: list[object] = [summary]
    has_form = False
    if kind == "CodeSystem" and isinstance(url, str):
        has_form = True
        hidden = [("system", url)] + ([("version", str(version))] if version else []) + links.html_format
        sections.append(get_form(links.bare_path("CodeSystem/$lookup"), hidden, "code", "Code", "Look up"))
        if resource.get("valueSet") or resource.get("content") == "complete":
            all_codes = resource.get("valueSet") or f"{url}?fhir_vs"
            release = f"{url}|{version}" if version else None
            hidden = [("url", all_codes)] + ([("system-version", release)] if release else []) + [("count", "100")] + links.html_format
            sections.append(get_form(links.bare_path("ValueSet/$expand"), hidden, "filter", "Words or a code", "Search"))
            sections.append(_actions([(links.expand(all_codes, system_version=release), "Its codes (the first 100)")]))
    elif kind == "ValueSet" and isinstance(url, str):
        has_form = True
        hidden = [("url", url)] + ([("valueSetVersion", str(version))] if version else []) + [("count", "100")] + links.html_format
        sections.append(get_form(links.bare_path("ValueSet/$expand"), hidden, "filter", "Words or a code", "Search"))
        sections.append(_actions([(links.expand(url, version), "Its codes (the first 100)")]))
    concepts = resource.get("concept")
    if kind == "CodeSystem" and isinstance(concepts, list) and isinstance(url, str):
        rows = ([link(links.lookup(url, str(c.get("code")), version), element("code", c.get("code"))), c.get("display") or ""] for c in concepts[:MAX_ITEMS])
        sections.append(element("h2", "Concepts") + cells_table(["Code", "Display"], rows) + _cut(len(concepts)))
    for group in resource.get("group") or () if kind == "ConceptMap" else ():
        sections.append(_group_section(group, links))
    rest = {name: value for name, value in resource.items() if name not in _OWN}
    if rest:
        sections.append(element("h2", "Other elements") + element_rows(rest))
    return PageBody(resource_title(resource), sections, has_form)


def bundle_page(resource: dict[str, Any], links: PageLinks) -> PageBody:
    """A Bundle (a search's page of matches, a batch's answers): an entry per row, linking to the resource's
    own page, with the previous and next pages."""
    entries = resource.get("entry") or []
    rows = []
    outcomes = []
    for number, entry in enumerate(entries, 1):
        found = entry.get("resource") or {}
        if (entry.get("search") or {}).get("mode") == "outcome" and found.get("resourceType") == "OperationOutcome":
            outcomes += found.get("issue") or []
            continue
        target = links.of_url(entry["fullUrl"]) if isinstance(entry.get("fullUrl"), str) else None
        name = f"{found.get('resourceType', '')} {found.get('id', '')}".strip() or str(number)
        rows.append([
            link(target, name) if target else name,
            found.get("title") or found.get("name") or "",
            element("span", found.get("url") or "", class_="code"),
            found.get("version") or "",
            (entry.get("response") or {}).get("status") or found.get("status") or "",
        ])  # fmt: skip
    total = resource.get("total")
    summary = definitions([("Type", resource.get("type")), ("Total", f"{total:,}" if isinstance(total, int) else None), ("Entries", str(len(rows)))])
    paging = [(links.of_url(item.get("url", "")), item.get("relation", "")) for item in resource.get("link") or () if item.get("relation") in ("previous", "next")]
    sections: list[object] = [summary, _actions([(href, relation.capitalize() + " page") for href, relation in paging if href])]
    sections.append(cells_table(["Resource", "Title", "URL", "Version", "Status"], rows, caption="Entries"))
    if outcomes:
        sections.append(element("h2", "Issues") + issues_table(outcomes))
    kind = "Search results" if resource.get("type") == "searchset" else f"Bundle ({resource.get('type', '')})"
    return PageBody(kind, sections)


def outcome_page(resource: dict[str, Any], status: int) -> PageBody:
    """An OperationOutcome: an error's (with its HTTP status), or a note of what was done."""
    title = f"Error {status}: {_reason(status)}" if status >= 400 else "Outcome"
    return PageBody(title, [issues_table(resource.get("issue") or ())])


def capability_page(resource: dict[str, Any], links: PageLinks) -> PageBody:
    """The CapabilityStatement: the server, and what it answers (with links to its searches)."""
    software = resource.get("software") or {}
    summary = definitions([
        ("Software", f"{software.get('name', '')} {software.get('version', '')}".strip()),
        ("FHIR version", resource.get("fhirVersion")),
        ("Formats", ", ".join(resource.get("format") or ())),
        ("Description", resource.get("description")),
    ])  # fmt: skip
    rows = []
    for rest in resource.get("rest") or ():
        for kind in rest.get("resource") or ():
            type_ = kind.get("type", "")
            interactions = ", ".join(i.get("code", "") for i in kind.get("interaction") or ())
            operations = ", ".join("$" + o.get("name", "") for o in kind.get("operation") or ())
            searched = "search-type" in interactions
            rows.append([link(links.path(type_), type_) if searched else type_, interactions, operations])
    actions = _actions([(links.path("metadata", [("mode", "terminology")]), "Terminology capabilities"), (links.path("openapi.json"), "OpenAPI description")])
    return PageBody(resource.get("title") or "Capability statement", [summary, actions, cells_table(["Resource", "Interactions", "Operations"], rows, caption="Resources")])


# -- pieces ------------------------------------------------------------------------------------------


def _flattened(contains: Any, depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """An expansion's codes in order, nested ones after their parent, with their depth."""
    for entry in contains:
        yield depth, entry
        yield from _flattened(entry.get("contains") or (), depth + 1)


def _parameter_value(parameter: dict[str, Any]) -> Any:
    return next((value for key, value in parameter.items() if key.startswith("value")), None)


def _code_link(links: PageLinks, entry: dict[str, Any], used: dict[str, str]) -> Html:
    """An expansion's code, linking to its page in its release (its own version, else the one ``used`` names
    for its system)."""
    code, system = entry.get("code"), entry.get("system")
    shown = element("code", code)
    if not (isinstance(system, str) and isinstance(code, str)):
        return shown
    return link(links.lookup(system, code, entry.get("version") or used.get(system) or None), shown)


def _indented(depth: int, content: Html) -> Html:
    return Html("\u00a0\u00a0" * depth) + content if depth else content


def _flags(entry: dict[str, Any]) -> str:
    return ", ".join(flag for flag in ("abstract", "inactive") if entry.get(flag) is True)


def _paging(links: PageLinks, offset: int, shown: int, total: Any, count: Any, offset_name: str, count_name: str) -> Html:
    """Previous and next page links, when there are pages around this one (and its query can be repeated)."""
    size = count if isinstance(count, int) and count > 0 else shown
    pages = []
    if offset > 0 and size:
        pages.append((links.requery({offset_name: str(max(offset - size, 0)), count_name: str(size)}), "Previous page"))
    if isinstance(total, int) and size and offset + shown < total:
        pages.append((links.requery({offset_name: str(offset + shown), count_name: str(size)}), "Next page"))
    return _actions([(href, label) for href, label in pages if href])


def _actions(items: list[tuple[str | None, str]]) -> Html:
    shown = [element("li", link(href, label)) for href, label in items if href]
    return element("nav", element("ul", join(shown)), **{"aria-label": "Links"}) if shown else Html("")


def _group_section(group: dict[str, Any], links: PageLinks) -> Html:
    """A ConceptMap group: each source code and its targets, both linking to their pages."""
    source, target = group.get("source"), group.get("target")
    rows = []
    for mapped in (group.get("element") or [])[:MAX_ITEMS]:
        origin = coding_markup({"system": source, "version": group.get("sourceVersion"), "code": mapped.get("code"), "display": mapped.get("display")}, links)
        for aim in mapped.get("target") or [{}]:
            goal = coding_markup({"system": target, "version": group.get("targetVersion"), "code": aim.get("code"), "display": aim.get("display")}, links) if aim else ""
            rows.append([origin, aim.get("equivalence") or aim.get("relationship") or "", goal, aim.get("comment") or ""])
    heading = element("h2", f"{source or ''} {group.get('sourceVersion') or ''} to {target or ''} {group.get('targetVersion') or ''}")
    return heading + cells_table(["Source", "Relationship", "Target", "Comment"], rows) + _cut(len(group.get("element") or []))


def _cut(count: int) -> Html:
    return element("p", f"The first {MAX_ITEMS:,} of {count:,} are shown; the JSON has them all.") if count > MAX_ITEMS else Html("")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _shown(value: Any) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return element_rows({"": value}) if value else None
    return value
