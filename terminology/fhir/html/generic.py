"""Any resource as a page: its elements in a table, nested elements as tables within it.

What a resource holds is shown as text: a narrative's XHTML (``text.div``) is a client's or a package's
markup, and is shown as the text it contains, never as markup.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from .markup import Html, PageBody, element, join, text

__all__ = ["MAX_ITEMS", "element_rows", "element_value", "narrative_text", "resource_page", "resource_title"]

#: The most items of one list a page shows (a CodeSystem read with ``_summary=false`` lists 98,000 concepts).
MAX_ITEMS = 1000


def resource_title(resource: dict[str, Any]) -> str:
    """``CodeSystem icd-10-cm: ICD-10-CM``: the type, the id, and the title or name if any."""
    kind = str(resource.get("resourceType") or "Resource")
    id = resource.get("id")
    name = resource.get("title") or resource.get("name")
    title = f"{kind} {id}" if isinstance(id, str) else kind
    return f"{title}: {name}" if isinstance(name, str) and name else title


def resource_page(resource: dict[str, Any]) -> PageBody:
    """Every element of ``resource`` in a table."""
    return PageBody(resource_title(resource), [element_rows(resource, skip=("resourceType",))])


def element_rows(value: dict[str, Any], skip: tuple[str, ...] = ()) -> Html:
    """A table of an element's children: name and value."""
    rows = (element("tr", element("th", name, scope="row") + element("td", element_value(child, name))) for name, child in value.items() if name not in skip)
    return element("div", element("table", join(rows), class_="elements"), class_="scroll")


def element_value(value: Any, name: str = "") -> Html:
    """One element's value: text, a nested table, or a list of either."""
    if isinstance(value, dict):
        if name == "text" and isinstance(value.get("div"), str):
            return text(narrative_text(value["div"]))
        return element_rows(value)
    if isinstance(value, list):
        shown = [element("li", element_value(item, name)) for item in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            shown.append(element("li", f"… and {len(value) - MAX_ITEMS:,} more (the JSON has them all)"))
        return element("ol" if value and isinstance(value[0], dict) else "ul", join(shown))
    if isinstance(value, bool):
        return text("true" if value else "false")
    return text(value)


def narrative_text(div: str) -> str:
    """The text of a narrative's XHTML, without its markup."""
    reader = _TextReader()
    reader.feed(div)
    reader.close()
    return " ".join("".join(reader.parts).split())


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")  # (cells and paragraphs are words apart)
