"""Content negotiation: which format a response is written in, and which one a request body is in.

Formats are named ``"json"`` and ``"xml"`` (and ``"form"`` for a form-encoded request body, ``"html"``
for a page a person reads); the media types here are the only place that knows how they are spelled
on the wire. A client gets HTML only when it prefers text/html to every FHIR type (a browser following
a link does); one that ties them, or names none of them (``*/*``, no Accept), gets FHIR JSON.
"""

from __future__ import annotations

from ..errors import NotAcceptable, UnsupportedMediaType

__all__ = [
    "FHIR_JSON_CONTENT_TYPE",
    "FHIR_XML_CONTENT_TYPE",
    "HTML_CONTENT_TYPE",
    "response_format",
    "request_format",
]

FHIR_JSON_CONTENT_TYPE = "application/fhir+json; charset=utf-8"
FHIR_XML_CONTENT_TYPE = "application/fhir+xml; charset=utf-8"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"

# Media types of each format, including the pre-R4 "+fhir" spellings clients still send.
_JSON_TYPES = frozenset({"application/fhir+json", "application/json", "application/json+fhir"})
_XML_TYPES = frozenset({"application/fhir+xml", "application/xml", "text/xml", "application/xml+fhir"})
_FORMAT_OF_TYPE = {media_type: "json" for media_type in _JSON_TYPES} | {media_type: "xml" for media_type in _XML_TYPES}
_HTML_TYPES = frozenset({"text/html"})
# _format also takes the bare format names, and HTML (which a request body never is).
_FORMAT_OF_PARAMETER = _FORMAT_OF_TYPE | {"json": "json", "xml": "xml", "html": "html", "text/html": "html"}
# Browsers list application/xml (for XHTML's sake) beside text/html; that is no request for FHIR XML.
_BROWSER_XML_TYPES = frozenset({"application/xml", "text/xml"})
_FORM_TYPE = "application/x-www-form-urlencoded"
_SUPPORTED = "supported formats are application/fhir+json, application/fhir+xml and text/html"


def response_format(format_param: str | None, accept: str | None) -> str:
    """``"json"``, ``"xml"`` or ``"html"``: the ``_format`` parameter if given, else the Accept header, else
    JSON. HTML only when the header gives text/html a higher q than every FHIR type.

    :class:`NotAcceptable` (406) if either names only formats this server cannot write.
    """
    if format_param and format_param.strip():
        media_type = _media_type(format_param)
        if media_type not in _FORMAT_OF_PARAMETER:
            raise NotAcceptable(f"_format '{format_param}' is not supported; {_SUPPORTED}")
        return _FORMAT_OF_PARAMETER[media_type]
    if not accept or not accept.strip():
        return "json"
    ranges = _accept_ranges(accept)
    if any(media_range == "text/html" for media_range, _ in ranges):
        ranges = [(media_range, quality) for media_range, quality in ranges if media_range not in _BROWSER_XML_TYPES]
    json_quality = _quality(_JSON_TYPES, ranges)
    xml_quality = _quality(_XML_TYPES, ranges)
    html_quality = _quality(_HTML_TYPES, ranges)
    if html_quality > max(json_quality, xml_quality):
        return "html"
    if json_quality <= 0 and xml_quality <= 0:
        raise NotAcceptable(f"None of the types in the Accept header '{accept}' can be produced; {_SUPPORTED}")
    return "xml" if xml_quality > json_quality else "json"


def request_format(content_type: str | None) -> str:
    """``"json"``, ``"xml"`` or ``"form"`` for a request body's Content-Type; JSON if there is none.

    :class:`UnsupportedMediaType` (415) for any other type.
    """
    if not content_type or not content_type.strip():
        return "json"
    media_type = _media_type(content_type)
    if media_type == _FORM_TYPE:
        return "form"
    if media_type not in _FORMAT_OF_TYPE:
        raise UnsupportedMediaType(
            f"Content-Type '{content_type}' is not supported; send application/fhir+json, "
            f"application/fhir+xml or {_FORM_TYPE}"
        )
    return _FORMAT_OF_TYPE[media_type]


def _media_type(value: str) -> str:
    """``type/subtype``, lower-cased, without parameters such as ``; fhirVersion=4.0``."""
    return value.split(";", 1)[0].strip().lower()


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    """(media range, q) pairs of an Accept header (RFC 9110 section 12.5.1)."""
    ranges = []
    for part in accept.split(","):
        media_range, *parameters = part.split(";")
        media_range = media_range.strip().lower()
        if not media_range:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                quality = _q_value(value)
        ranges.append((media_range, quality))
    return ranges


def _q_value(text: str) -> float:
    """A q-value clamped to 0..1; an unreadable one counts as 1, as if it were absent."""
    try:
        quality = float(text.strip())
    except ValueError:
        return 1.0
    return min(max(quality, 0.0), 1.0) if quality == quality else 1.0  # NaN is unreadable too


def _quality(media_types: frozenset[str], ranges: list[tuple[str, float]]) -> float:
    """The q the client gives a format: from its most specific matching range (type, then type/*, then */*)."""
    exact = [quality for media_range, quality in ranges if media_range in media_types]
    if exact:
        return max(exact)
    main_types = {media_type.split("/")[0] for media_type in media_types}
    partial = [quality for media_range, quality in ranges if media_range in {main + "/*" for main in main_types}]
    if partial:
        return max(partial)
    anything = [quality for media_range, quality in ranges if media_range == "*/*"]
    return max(anything, default=0.0)
