"""Reading the HTML pages the server writes, as a browser and a screen reader would: its links, headings,
tables, inline style, and whether its tags are balanced."""

from __future__ import annotations

import hashlib
from base64 import b64encode
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

# Elements without an end tag.
_VOID = frozenset({"meta", "input", "br", "img", "link", "hr"})


@dataclass
class Form:
    action: str | None
    method: str | None
    inputs: list[dict[str, str | None]] = field(default_factory=list)

    def hidden(self) -> list[tuple[str | None, str | None]]:
        return [(i.get("name"), i.get("value")) for i in self.inputs if i.get("type") == "hidden"]


@dataclass
class Page:
    """What a page holds."""

    lang: str | None = None
    title: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)  # (level, text)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    styles: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    attributes: list[tuple[str, str, str | None]] = field(default_factory=list)  # (tag, name, value)
    text: str = ""
    forms: list[Form] = field(default_factory=list)
    tables: int = 0
    header_cells: int = 0
    unbalanced: list[str] = field(default_factory=list)

    def hrefs(self, containing: str = "") -> list[str]:
        return [href for href, _ in self.links if containing in href]

    def link_to(self, text: str) -> str:
        """The href of the first link whose text contains ``text``."""
        return next(href for href, shown in self.links if text in shown)

    def form_with(self, field_name: str) -> Form:
        """The form that asks for ``field_name``."""
        return next(form for form in self.forms if any(i.get("name") == field_name and i.get("type") != "hidden" for i in form.inputs))

    def style_hash(self) -> str:
        """``sha256-...`` of the page's one inline style, as a Content-Security-Policy names it."""
        assert len(self.styles) == 1, self.styles
        return "sha256-" + b64encode(hashlib.sha256(self.styles[0].encode()).digest()).decode()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []
        self.heading: list[str] | None = None
        self.in_title = False
        self.in_style = False
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        page = self.page
        page.tags.add(tag)
        page.attributes += [(tag, name, value) for name, value in attrs]
        if tag == "html":
            page.lang = dict(attrs).get("lang")
        if tag == "form":
            page.forms.append(Form(dict(attrs).get("action"), dict(attrs).get("method")))
        if tag == "input" and page.forms:
            page.forms[-1].inputs.append(dict(attrs))
        if tag not in _VOID:
            self.open.append(tag)
        if tag == "a":
            self.href, self.link_text = dict(attrs).get("href"), []
        if tag in ("h1", "h2", "h3", "h4"):
            self.heading = []
        self.in_title = tag == "title"
        self.in_style = tag == "style"
        page.tables += tag == "table"
        page.header_cells += tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.page.unbalanced.append(tag)
        else:
            self.open.pop()
        if tag == "a" and self.href is not None:
            self.page.links.append((self.href, "".join(self.link_text).strip()))
            self.href = None
        if tag in ("h1", "h2", "h3", "h4") and self.heading is not None:
            self.page.headings.append((int(tag[1]), "".join(self.heading).strip()))
            self.heading = None
        self.in_title = self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.page.styles.append(data)
            return
        if self.in_title:
            self.page.title += data
        if self.href is not None:
            self.link_text.append(data)
        if self.heading is not None:
            self.heading.append(data)
        self.texts.append(data)


def read_page(body: bytes | str) -> Page:
    reader = _Reader()
    reader.feed(body.decode() if isinstance(body, bytes) else body)
    reader.close()
    reader.page.text = "".join(reader.texts)
    reader.page.unbalanced += reader.open
    return reader.page


def resolve(page_url: str, href: str) -> str:
    """The URL a browser goes to from ``page_url`` (path and query) by following ``href``."""
    return urljoin("http://host" + page_url, href).removeprefix("http://host")
