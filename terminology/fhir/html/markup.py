"""The pieces HTML pages are made of: escaped text, elements, tables, and the document around them.

Everything a resource holds is untrusted (a client's tx-resource, a display from a loaded file): it is
escaped as it is put into a page. Markup made here is an :class:`Html` string, which is never escaped
again; any other string is text and is escaped, so that text cannot be mistaken for markup.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from collections.abc import Iterable
from html import escape

__all__ = ["Html", "PageBody", "cells_table", "definitions", "document", "element", "get_form", "join", "link", "text"]


class Html(str):
    """A string of markup that is safe as it is (made by this module from escaped text). Joined to a
    string by ``+``, it escapes the string: the sum is markup still."""

    __slots__ = ()

    def __add__(self, other: object) -> Html:
        return Html(str.__add__(self, text(other)))

    def __radd__(self, other: object) -> Html:
        return Html(str.__add__(text(other), self))


def text(value: object) -> Html:
    """``value`` as markup: escaped, unless it is markup already."""
    if isinstance(value, Html):
        return value
    return Html(escape(str(value), quote=True))


def element(tag: str, content: object = "", **attributes: str | None) -> Html:
    """``<tag attributes>content</tag>``; an attribute whose value is None is left out (``class_`` is
    written ``class``)."""
    written = "".join(f' {name.rstrip("_")}="{text(value)}"' for name, value in attributes.items() if value is not None)
    return Html(f"<{tag}{written}>{text(content)}</{tag}>")


def link(href: str, content: object) -> Html:
    return element("a", content, href=href)


def join(parts: Iterable[object], separator: str = "") -> Html:
    """The parts, each escaped unless markup, one after another."""
    return Html(text(separator).join(text(part) for part in parts))


def get_form(action: str | None, hidden: Iterable[tuple[str, str]], field: str, label: str, button: str, value: str | None = None) -> Html:
    """A form that sends ``hidden`` and one field a person fills in by GET to ``action`` (a path; None: the
    page's own), whose answer is a page with a URL of its own."""
    inputs = join(Html(f'<input type="hidden" name="{text(name)}" value="{text(given)}">') for name, given in hidden)
    shown = f' value="{text(value)}"' if value else ""
    asked = Html(
        f'<label for="{text(field)}">{text(label)}</label> <input id="{text(field)}" name="{text(field)}"{shown} required> '
        f'<button type="submit">{text(button)}</button>'
    )
    return element("form", inputs + asked, action=action, method="get")


def cells_table(headers: Iterable[str], rows: Iterable[Iterable[object]], caption: str | None = None) -> Html:
    """A table with a header row (``scope="col"``, for screen readers) and a cell per value."""
    head = join(element("th", header, scope="col") for header in headers)
    body = join(element("tr", join(element("td", cell) for cell in row)) for row in rows)
    inner = (element("caption", caption) if caption else Html("")) + element("thead", element("tr", head)) + element("tbody", body)
    return element("div", element("table", Html(inner)), class_="scroll")


def definitions(pairs: Iterable[tuple[str, object]]) -> Html:
    """A description list of (label, value); a pair whose value is None or empty is left out."""
    items = join(element("dt", label) + element("dd", value) for label, value in pairs if value is not None and value != "")
    return element("dl", items) if items else Html("")


# A page's only style: inline, allowed by its hash in the page's Content-Security-Policy (no file to serve,
# and nothing else can run or load: no script, image, font, frame or form but the page's own).
STYLESHEET = (
    "body{font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:72rem;"
    "padding:0 1rem 2rem;color:#1b1b1b;background:#fff}"
    "header{border-bottom:1px solid #ccc;padding:.5rem 0;font-size:.9rem}"
    "h1{font-size:1.5rem;margin:1rem 0 .5rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}"
    "a{color:#0645ad}code,.code{font-family:ui-monospace,Menlo,Consolas,monospace}"
    ".scroll{overflow-x:auto}table{border-collapse:collapse;margin:.5rem 0;min-width:50%}"
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2}caption{text-align:left;font-weight:600}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}"
    "nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}"
    ".valid{color:#176317;font-weight:600}.invalid{color:#a4000f;font-weight:600}"
    ".error,.fatal{color:#a4000f}.warning{color:#7a4d00}"
    "form{margin:.5rem 0}input{font:inherit;padding:.2rem}"
    "@media (max-width:40rem){dl{grid-template-columns:auto}dd{margin-bottom:.5rem}}"
)
_STYLE_HASH = b64encode(hashlib.sha256(STYLESHEET.encode()).digest()).decode()
_POLICY = f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action "


class PageBody:
    """What a page shows: its title (the ``<title>`` and the ``<h1>``), the sections below it, and whether
    it has a form (its policy then lets a form be sent to this server)."""

    __slots__ = ("title", "sections", "has_form")

    def __init__(self, title: str, sections: Iterable[object], has_form: bool = False) -> None:
        self.title = title
        self.sections = list(sections)
        self.has_form = has_form


def document(page: PageBody, navigation: Html, language: str = "en") -> tuple[bytes, str]:
    """The page as an HTML document (UTF-8) and the Content-Security-Policy that lets it show as it is."""
    head = (
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer">{element("title", page.title)}<style>{STYLESHEET}</style>'
    )
    body = element("header", navigation) + element("main", element("h1", page.title) + join(page.sections))
    written = f'<!DOCTYPE html>\n<html lang="{text(language)}"><head>{head}</head><body>{body}</body></html>\n'
    return written.encode(), _POLICY + ("'self'" if page.has_form else "'none'")
