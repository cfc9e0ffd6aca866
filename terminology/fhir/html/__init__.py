"""FHIR resources as HTML pages a person reads in a browser, with links between them (as tx.fhir.org
shows its FHIR URLs): the page of a code (``$lookup``), of a validation, of an expansion, of a search,
of a code system, value set or concept map, of an error; any other resource as a table of its elements.
"""

from __future__ import annotations

from typing import Any

from .code_pages import lookup_page, parameters_page, validation_page
from .generic import resource_page
from .links import PageLinks
from .markup import PageBody, document, element, join, link
from .resource_pages import bundle_page, capability_page, definition_page, expansion_page, outcome_page

__all__ = ["PageLinks", "html_page"]

#: The operations whose answer (a Parameters) has a page of its own.
_OPERATION_PAGES = {"lookup": lookup_page, "validate-code": validation_page}
_DEFINITIONS = frozenset({"CodeSystem", "ValueSet", "ConceptMap"})


def html_page(resource: dict[str, Any], status: int, links: PageLinks, operation: str | None = None) -> tuple[bytes, str]:
    """``resource`` (the answer of ``operation``, with HTTP ``status``) as an HTML document, and the
    Content-Security-Policy it needs."""
    return document(_page(resource, status, links, operation), _navigation(links))


def _page(resource: dict[str, Any], status: int, links: PageLinks, operation: str | None) -> PageBody:
    kind = resource.get("resourceType")
    if kind == "OperationOutcome":
        return outcome_page(resource, status)
    if kind == "Parameters":
        page = _OPERATION_PAGES.get(operation or "")
        return page(resource, links) if page is not None else parameters_page(resource, links, f"${operation}" if operation else "Parameters")
    if kind == "ValueSet" and "expansion" in resource:
        return expansion_page(resource, links)
    if kind in _DEFINITIONS:
        return definition_page(resource, links)
    if kind == "Bundle":
        return bundle_page(resource, links)
    if kind == "CapabilityStatement":
        return capability_page(resource, links)
    return resource_page(resource)


def _navigation(links: PageLinks) -> Any:
    """The links at the top of every page: the server's own, and this page in FHIR JSON and XML."""
    items = [
        (links.path("metadata"), "Server"),
        (links.path("CodeSystem"), "Code systems"),
        (links.path("ValueSet"), "Value sets"),
        (links.path("ConceptMap"), "Concept maps"),
        (links.requery({"_format": "json"}), "JSON"),
        (links.requery({"_format": "xml"}), "XML"),
    ]
    shown = join(element("li", link(href, label)) for href, label in items if href is not None)
    return element("nav", element("ul", shown), **{"aria-label": "Site"})
