"""FHIR resources on the wire: JSON and XML bytes to and from dicts in the shape of FHIR JSON.

Writing XML needs no type information: the dict says what is a list, a primitive or a resource.
Reading XML does: XML cannot say whether an element repeats (a JSON array) or whether
``value="1"`` is a number or a string. That comes from ``fhir_elements.json``, a table generated
from the fhir.resources R4B models by ``scripts/generate_fhir_elements.py`` and loaded the first
time XML is parsed, so JSON-only use never pays for it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources as package_files
from typing import Any

import orjson
from lxml import etree

from ..errors import InvalidRequest
from ..settings import Bound, Settings

__all__ = [
    "FHIR_NAMESPACE",
    "XHTML_NAMESPACE",
    "DEFAULT_DEPTH",
    "WrittenJson",
    "parse",
    "parse_json",
    "to_json",
    "to_xml",
    "parse_xml",
]

FHIR_NAMESPACE = "http://hl7.org/fhir"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
#: The nesting a document may have (JSON objects and arrays; XML elements counted as their JSON would
#: be) when the caller gives no other bound. A deep CodeSystem hierarchy inside a Parameters needs a
#: few dozen levels; the bound keeps hostile input far from Python's recursion limit, and from orjson's
#: (which writes no deeper than 254 levels).
DEFAULT_DEPTH = Settings().bound("max_nesting_depth")

_FHIR = "{" + FHIR_NAMESPACE + "}"
_XHTML_DIV = "{" + XHTML_NAMESPACE + "}div"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_UTF8_BOM = b"\xef\xbb\xbf"
# "<!DOCTYPE" in UTF-8 (and every ASCII-compatible encoding) and in UTF-16 either way round.
_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
_EXTENSION_ELEMENTS = frozenset({"extension", "modifierExtension"})
# In FHIR XML these members are attributes: Element.id, and Extension.url beside it.
_ELEMENT_ATTRIBUTES = ("id",)
_EXTENSION_ATTRIBUTES = ("url", "id")
_NO_ATTRIBUTES = ()
# A primitive element's only possible children.
_PRIMITIVE_CHILDREN = {"extension": ["Extension", True]}

# Newlines and tabs must be character references, or attribute-value normalisation turns them into spaces.
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_NEEDS_ESCAPING = re.compile('[&<>"\n\r\t]')
# Characters outside XML 1.0's Char production: no escape can carry them.
_NOT_XML_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_JSON_KINDS = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
_INTEGER = re.compile(r"0|[-+]?[1-9][0-9]{0,9}")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def parse(body: bytes, format: str, max_depth: Bound = DEFAULT_DEPTH) -> dict[str, Any]:
    """A FHIR resource from bytes in ``format``, ``"json"`` or ``"xml"`` (see :func:`parse_json`,
    :func:`parse_xml`); :class:`InvalidRequest` if the body is not one."""
    return parse_xml(body, max_depth) if format == "xml" else parse_json(body, max_depth)


def _too_deep(max_depth: Bound, where: str = "") -> InvalidRequest:
    return InvalidRequest(f"The request body is nested more than {max_depth.value:,} levels deep{where}; this server takes at most {max_depth}")


# --- JSON ---------------------------------------------------------------------------------


def parse_json(body: bytes, max_depth: Bound = DEFAULT_DEPTH) -> dict[str, Any]:
    """A FHIR resource from JSON bytes; :class:`InvalidRequest` if the body is not one, or is nested
    deeper than ``max_depth`` (objects and arrays)."""
    body = body.removeprefix(_UTF8_BOM)  # some Windows clients send one; orjson refuses it
    if not body.strip():
        raise InvalidRequest("The request body is empty")
    try:
        resource = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        if "depth limit" in str(error):  # orjson's own bound (1,024), far past any we take
            raise _too_deep(max_depth) from None
        raise InvalidRequest(f"The request body is not valid JSON: {error}") from error
    # There cannot be more levels than there are brackets: most bodies are not walked at all.
    if body.count(b"{") + body.count(b"[") > max_depth.value and _deeper_than(resource, max_depth.value):
        raise _too_deep(max_depth)
    if not isinstance(resource, dict):
        kind = _JSON_KINDS.get(type(resource), "a number")
        raise InvalidRequest(f"The request body must be a JSON object (a FHIR resource), not {kind}")
    if not isinstance(resource.get("resourceType"), str) or not resource["resourceType"]:
        raise InvalidRequest("The request body has no resourceType, so it is not a FHIR resource")
    return resource


def _deeper_than(value: dict[str, Any], most: int | float) -> bool:
    """Whether ``value`` nests objects and arrays more than ``most`` levels deep (walked a level at a
    time, without recursion)."""
    level: list[Any] = [value]
    depth = 1
    while level:
        if depth > most:
            return True
        level = [child for item in level for child in (item.values() if type(item) is dict else item) if type(child) is dict or type(child) is list]
        depth += 1
    return False


@dataclass(frozen=True, slots=True)
class WrittenJson:
    """A resource already written as FHIR JSON, held as its bytes inside a larger one: each answer of a
    batch is written as it is made. A thousand answers held as dicts until the batch is written cost more
    than making them (the garbage collector walks them as they pile up, and each is made in fresh memory
    rather than in the last one's): a batch Bundle of 1,000 lookups took twice as long as the lookups one
    by one. :func:`to_json` puts the bytes in as they are; :func:`to_xml` reads them back."""

    json: bytes

    @classmethod
    def of(cls, resource: dict[str, Any]) -> WrittenJson:
        return cls(orjson.dumps(resource))


def to_json(resource: dict[str, Any]) -> bytes:
    """FHIR JSON bytes, compact, UTF-8."""
    # (orjson would write a dataclass as an object of its fields: passed through, it meets the hook)
    return orjson.dumps(resource, default=_written, option=orjson.OPT_PASSTHROUGH_DATACLASS)


def _written(value: Any) -> orjson.Fragment:
    """orjson's hook for what it does not know: a :class:`WrittenJson` goes in as it was written."""
    if isinstance(value, WrittenJson):
        return orjson.Fragment(value.json)
    raise TypeError(f"{type(value).__name__} is not JSON")


# --- writing XML --------------------------------------------------------------------------
# Built as text rather than with lxml: three times faster on large expansions and CodeSystems.


def to_xml(resource: dict[str, Any]) -> bytes:
    """FHIR XML bytes for a resource in FHIR JSON shape, elements in the dict's key order.

    :class:`InvalidRequest` if the resource holds what XML cannot carry: a character outside
    XML 1.0, a member name that is not an XML name, a narrative ``div`` that is not XHTML.
    """
    parts = [_XML_DECLARATION]
    _write_resource(parts, resource, f' xmlns="{FHIR_NAMESPACE}"')
    document = "".join(parts)
    if bad := _NOT_XML_CHARACTER.search(document):
        raise InvalidRequest(f"The resource holds a character that XML cannot represent (U+{ord(bad.group()):04X})")
    return document.encode("utf-8")


def _write_resource(parts: list[str], resource: dict[str, Any], namespace: str = "") -> None:
    name = _checked_name(resource.get("resourceType"))
    parts.append(f"<{name}{namespace}>")
    _write_members(parts, resource, _NO_ATTRIBUTES)
    parts.append(f"</{name}>")


def _write_members(parts: list[str], members: dict[str, Any], attributes: tuple[str, ...]) -> None:
    """Elements for every member except ``resourceType`` and those written as attributes."""
    for key, value in members.items():
        if key.startswith("_"):
            if key[1:] not in members:  # a primitive with an id or extension but no value
                _write_repeats(parts, key[1:], None, value)
        elif key != "resourceType" and key not in attributes:
            _write_repeats(parts, key, value, members.get("_" + key))


def _write_repeats(parts: list[str], name: str, value: Any, extras: Any) -> None:
    """One element per item; ``extras`` is the ``_name`` member, item-aligned when a list."""
    if isinstance(value, list) or isinstance(extras, list):
        values = value if isinstance(value, list) else []
        extras_list = extras if isinstance(extras, list) else []
        for index in range(max(len(values), len(extras_list))):
            item = values[index] if index < len(values) else None
            item_extras = extras_list[index] if index < len(extras_list) else None
            if item is not None or item_extras:
                _write_element(parts, name, item, item_extras)
    elif value is not None or extras:
        _write_element(parts, name, value, extras)


def _write_element(parts: list[str], name: str, value: Any, extras: Any) -> None:
    if isinstance(value, WrittenJson):
        value = orjson.loads(value.json)
    if isinstance(value, dict):
        name = _checked_name(name)
        if "resourceType" in value:
            # XML names a nested resource's type by wrapping it: <resource><ValueSet>...</ValueSet></resource>.
            parts.append(f"<{name}>")
            _write_resource(parts, value)
            parts.append(f"</{name}>")
            return
        attributes = _EXTENSION_ATTRIBUTES if name in _EXTENSION_ELEMENTS else _ELEMENT_ATTRIBUTES
        head = "<" + name
        for attribute in attributes:
            if attribute in value:
                head += f' {attribute}="{_attribute_text(value[attribute])}"'
        _write_with_children(parts, name, head, value, attributes)
    elif name == "div" and isinstance(value, str):
        parts.append(_xhtml_div(value))
    else:
        head = "<" + _checked_name(name)
        extras = extras if isinstance(extras, dict) else None
        if extras and "id" in extras:
            head += f' id="{_attribute_text(extras["id"])}"'
        if value is not None:
            head += f' value="{_attribute_text(value)}"'
        if extras:
            _write_with_children(parts, name, head, extras, _ELEMENT_ATTRIBUTES)
        else:
            parts.append(head + "/>")


def _write_with_children(
    parts: list[str], name: str, head: str, members: dict[str, Any], attributes: tuple[str, ...]
) -> None:
    """``head`` (the start tag without its ``>``), the members as children, the end tag; ``<head/>`` if none."""
    start = len(parts)
    parts.append(head + ">")
    _write_members(parts, members, attributes)
    if len(parts) == start + 1:
        parts[start] = head + "/>"
    else:
        parts.append(f"</{name}>")


def _checked_name(name: Any) -> str:
    # FHIR's element and resource names are ASCII identifiers; anything else would break the document.
    if isinstance(name, str) and name.isascii() and name.isidentifier():
        return name
    raise InvalidRequest(f"{name!r} is not a FHIR element or resource name, so the resource cannot be written as XML")


def _attribute_text(value: Any) -> str:
    if isinstance(value, str):
        return value.translate(_ATTRIBUTE_ESCAPES) if _NEEDS_ESCAPING.search(value) else value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return str(value)
    raise InvalidRequest(f"A JSON {type(value).__name__} cannot be written as an XML attribute value")


def _xhtml_div(markup: str) -> str:
    """The narrative's ``div`` re-serialised; JSON may leave out its xmlns, so XHTML is made the default."""
    try:
        wrapper = f'<wrapper xmlns="{XHTML_NAMESPACE}">{markup}</wrapper>'.encode("utf-8")
        parsed = etree.fromstring(wrapper, _secure_parser())
    except (etree.XMLSyntaxError, UnicodeEncodeError) as error:
        raise InvalidRequest(f"The narrative div is not well-formed XHTML: {error}") from error
    children = list(parsed)
    div = children[0] if len(children) == 1 else None
    if div is None or div.tag != _XHTML_DIV or (parsed.text or "").strip() or (div.tail or "").strip():
        raise InvalidRequest("The narrative div must be a single XHTML <div> element")
    return etree.tostring(_standalone_div(div), encoding="unicode")


def _standalone_div(div: etree._Element) -> etree._Element:
    """``div`` moved into a new element that declares XHTML as its default namespace and nothing else.

    Serialised where it stands, lxml would give it a prefix (``html:div``) or carry along the
    enclosing document's unrelated namespace declarations.
    """
    standalone = etree.Element(_XHTML_DIV, dict(div.attrib), nsmap={None: XHTML_NAMESPACE})
    standalone.text = div.text
    standalone.extend(div)
    etree.cleanup_namespaces(standalone)
    return standalone


# --- reading XML --------------------------------------------------------------------------


def parse_xml(body: bytes, max_depth: Bound = DEFAULT_DEPTH) -> dict[str, Any]:
    """A FHIR resource from FHIR XML bytes, exactly as its FHIR JSON form would parse.

    Accepts any R4 (R4B) resource. Refuses, with :class:`InvalidRequest`: malformed XML, any
    DOCTYPE (so no entity and no DTD is ever processed), nesting deeper than ``max_depth`` (as
    :func:`parse_json` counts it, in the JSON form), a root outside the FHIR namespace, unknown
    elements, repeated single elements, and values that do not fit their type.
    """
    if not body.strip():
        raise InvalidRequest("The request body is empty")
    if any(marker in body for marker in _DOCTYPE_MARKERS):
        # Refused before libxml2 reads the DTD; the docinfo check below covers other encodings.
        raise InvalidRequest("XML with a DOCTYPE or entity declarations is not accepted")
    try:
        root = etree.fromstring(body, _secure_parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise InvalidRequest(f"The request body is not well-formed XML: {error}") from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise InvalidRequest("XML with a DOCTYPE or entity declarations is not accepted")
    if not root.tag.startswith(_FHIR):
        raise InvalidRequest(f"The XML root element is not in the FHIR namespace {FHIR_NAMESPACE}")
    try:
        return _read_resource(root, int(max_depth.value) - 1)
    except _TooDeep as error:
        raise _too_deep(max_depth, f" (at {_location(error.element)})") from None


class _TooDeep(Exception):
    """Nesting past the bound, found at ``element`` (the bound is named where the document was given)."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element


def _secure_parser() -> etree.XMLParser:
    """A fresh parser per document (lxml parsers are not thread-safe) that fetches and expands nothing."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


@functools.cache
def _element_table() -> tuple[frozenset[str], dict[str, dict[str, list]]]:
    """(resource type names, {type: {element: [kind, repeats]}}); see scripts/generate_fhir_elements.py."""
    table = orjson.loads(package_files.files(__package__).joinpath("fhir_elements.json").read_bytes())
    return frozenset(table["resources"]), table["types"]


# The readers below take ``room``: how many levels of JSON objects and arrays may still open below the
# one they fill (a repeated element opens two, its array and its object; a wrapped resource none).


def _read_resource(element: etree._Element, room: int) -> dict[str, Any]:
    resource_types, types = _element_table()
    name = element.tag[len(_FHIR) :]
    if name not in resource_types:
        raise _invalid(element, f"'{name}' is not a FHIR resource type")
    _check_attributes(element, _NO_ATTRIBUTES)
    resource: dict[str, Any] = {"resourceType": name}
    _read_children(element, resource, types[name], room)
    return resource


def _read_children(element: etree._Element, into: dict[str, Any], elements: dict[str, list], room: int) -> None:
    """Add ``element``'s children to ``into`` as JSON members, repeated elements gathered in lists."""
    if room < 0:
        raise _TooDeep(element)
    if element.text is not None and not element.text.isspace():
        raise _invalid(element, "FHIR elements hold no text; values go in the value attribute")
    groups: dict[str, list[etree._Element]] = {}
    for child in element:
        if child.tail is not None and not child.tail.isspace():
            raise _invalid(element, "FHIR elements hold no text; values go in the value attribute")
        tag = child.tag
        if tag.startswith(_FHIR):
            name = tag[len(_FHIR) :]
        elif tag == _XHTML_DIV:  # Narrative.div, the one element outside the FHIR namespace
            name = "div"
        else:
            raise _invalid(child, f"The element {tag} is not in the FHIR namespace")
        if name not in elements:
            raise _invalid(child, f"Unknown element '{name}'")
        group = groups.get(name)
        if group is None:
            groups[name] = [child]
        else:
            group.append(child)
    for name, children in groups.items():
        kind, repeats = elements[name]
        if not repeats and len(children) > 1:
            raise _invalid(children[1], f"The element '{name}' may occur only once")
        inner = room - 2 if repeats else room - 1
        if kind in _PRIMITIVE_VALUES:
            _read_primitives(into, name, children, kind, repeats, inner)
        else:
            values = [_read_complex(child, kind, inner) for child in children]
            into[name] = values if repeats else values[0]


def _read_complex(element: etree._Element, kind: str, room: int) -> Any:
    if kind == "Resource":
        return _read_wrapped_resource(element, room)
    if kind == "xhtml":
        if element.tag != _XHTML_DIV:
            raise _invalid(element, "The narrative div must be an XHTML <div> element")
        return etree.tostring(_standalone_div(element), encoding="unicode")
    result: dict[str, Any] = {}
    if element.keys():  # attributes are rare here: an id, or an Extension's url
        allowed = _EXTENSION_ATTRIBUTES if kind == "Extension" else _ELEMENT_ATTRIBUTES
        for attribute in _check_attributes(element, allowed):
            result[attribute] = element.get(attribute)
    _read_children(element, result, _element_table()[1][kind], room)
    return result


def _read_wrapped_resource(element: etree._Element, room: int) -> dict[str, Any]:
    """The resource inside ``<resource>`` or ``<contained>``: in JSON, the wrapper is gone."""
    _check_attributes(element, _NO_ATTRIBUTES)
    inner = list(element)
    if len(inner) != 1 or (element.text or "").strip() or (inner[0].tail or "").strip():
        raise _invalid(element, "A resource element must hold exactly one resource")
    if not inner[0].tag.startswith(_FHIR):
        raise _invalid(inner[0], f"The element {inner[0].tag} is not in the FHIR namespace")
    return _read_resource(inner[0], room)


def _read_primitives(
    into: dict[str, Any], name: str, children: list[etree._Element], kind: str, repeats: bool, room: int
) -> None:
    """``name`` and, for ids and extensions, ``_name``: item-aligned lists when the element repeats.
    ``room`` is that of an extras object (inside its array, for a repeated element)."""
    if repeats and room < -1:  # no room for the array of values itself
        raise _TooDeep(children[0])
    convert = _PRIMITIVE_VALUES[kind]
    values: list[Any] = []
    extras: list[dict[str, Any] | None] = []
    for child in children:
        text = child.get("value")
        value = None if text is None else convert(child, text)
        # Most primitives are a bare value attribute; only the rest need the full reading.
        has_more = len(child) or child.text is not None or len(child.keys()) > (text is not None)
        extra = _primitive_extras(child, room) if has_more else None
        if value is None and not extra:
            raise _invalid(child, f"The element '{name}' has no value, id or extension")
        values.append(value)
        extras.append(extra)
    if repeats:
        if any(value is not None for value in values):
            into[name] = values
        if any(extras):
            into["_" + name] = extras
    else:
        if values[0] is not None:
            into[name] = values[0]
        if extras[0]:
            into["_" + name] = extras[0]


def _primitive_extras(element: etree._Element, room: int) -> dict[str, Any] | None:
    """The JSON ``_name`` object of a primitive: its id and extensions, if it has any."""
    extras: dict[str, Any] = {}
    if "id" in _check_attributes(element, ("value", "id")):
        extras["id"] = element.get("id")
    _read_children(element, extras, _PRIMITIVE_CHILDREN, room)
    return extras or None


def _check_attributes(element: etree._Element, allowed: tuple[str, ...]) -> list[str]:
    """The allowed attributes present; namespaced ones (xsi:schemaLocation, xml:lang) are ignored."""
    present = []
    for attribute in element.keys():
        if attribute in allowed:
            present.append(attribute)
        elif not attribute.startswith("{"):
            raise _invalid(element, f"Unexpected attribute '{attribute}'")
    return present


def _boolean(element: etree._Element, text: str) -> bool:
    if text == "true":
        return True
    if text == "false":
        return False
    raise _invalid(element, f"'{text}' is not a boolean (true or false)")


def _integer(element: etree._Element, text: str) -> int:
    if _INTEGER.fullmatch(text) and -(2**31) <= (number := int(text)) < 2**31:
        return number
    raise _invalid(element, f"'{text}' is not a 32-bit integer")


def _decimal(element: etree._Element, text: str) -> int | float:
    # Parsed as JSON parses it, so "1" stays an int and "1.0" a float, as in the resource's JSON form.
    if _DECIMAL.fullmatch(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass  # beyond the range of a double
    raise _invalid(element, f"'{text}' is not a decimal")


def _string(element: etree._Element, text: str) -> str:
    return text


_PRIMITIVE_VALUES = {"boolean": _boolean, "integer": _integer, "decimal": _decimal, "string": _string}


def _invalid(element: etree._Element, problem: str) -> InvalidRequest:
    location = _location(element)
    return InvalidRequest(f"{problem} (at {location})", expression=location)


def _location(element: etree._Element) -> str:
    """A FHIRPath-like path to ``element`` for error messages: ``Parameters.parameter[1].resource.issue``."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        name = etree.QName(node).localname
        # A nested resource's type element is no FHIRPath step: resource.issue, not resource.OperationOutcome.issue.
        if parent is None or not name[:1].isupper():
            siblings = [sibling for sibling in parent if sibling.tag == node.tag] if parent is not None else [node]
            steps.append(f"{name}[{siblings.index(node)}]" if len(siblings) > 1 else name)
        node = parent
    return ".".join(reversed(steps))
