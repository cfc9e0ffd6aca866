"""An independent reading of a CDC tabular XML file, with the standard library's ElementTree (the loader
uses lxml), by the rules the files state: a code takes the 7th characters of the nearest ``sevenChrDef``
above it, padded with X to six characters, titled "<its title>, <the character's meaning>"; a section
that a single category names is that category, not a block; and S06 codes with a 6th character 7 or 8
take no D or S (said in a note of S06 that ``tests/loaders/test_embedded_releases.py`` checks).
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["TabularReading", "read_tabular", "read_tabular_file"]


@dataclass(frozen=True)
class TabularReading:
    """``codes``: every category, subcategory and 7th-character code: (billable, title); ``extended``: the
    7th-character codes among them."""

    version: str
    blocks: set[str]
    codes: dict[str, tuple[bool, str]]
    extended: set[str]


@cache
def read_tabular_file(path: Path) -> TabularReading:
    """The reading of a gzip'd tabular file, made once per test session."""
    return read_tabular(gzip.decompress(path.read_bytes()))


def read_tabular(xml: bytes) -> TabularReading:
    root = ElementTree.fromstring(xml)
    codes: dict[str, tuple[bool, str]] = {}
    extended: set[str] = set()

    def walk(diag: ElementTree.Element, sevenths: list[tuple[str, str]] | None) -> None:
        definition = diag.find("sevenChrDef")
        if definition is not None:
            sevenths = [(extension.get("char", ""), _clean(extension.text)) for extension in definition.findall("extension")]
        code, title = (diag.findtext("name") or "").strip(), _clean(diag.findtext("desc"))
        below = diag.findall("diag")
        codes[code] = (not below and not sevenths, title)
        for child in below:
            walk(child, sevenths)
        if not below and sevenths:
            stem = code.replace(".", "").ljust(6, "X")
            for seventh, meaning in sevenths:
                if stem.startswith("S06") and stem[5] in "78" and seventh in "DS":
                    continue
                codes[f"{stem[:3]}.{stem[3:]}{seventh}"] = (True, f"{title}, {meaning}")
                extended.add(f"{stem[:3]}.{stem[3:]}{seventh}")

    for section in root.iter("section"):
        for diag in section.findall("diag"):
            walk(diag, None)
    blocks = {section.get("id", "") for section in root.iter("section")} - set(codes)
    return TabularReading((root.findtext("version") or "").strip(), blocks, codes, extended)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())
