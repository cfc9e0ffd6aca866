"""Reads the CDC's ICD-10-CM tabular list (``<ICD10CM.tabular>`` XML) into an :class:`Icd10cmRelease`.

The tabular file lists chapters, sections (blocks) and ``diag`` elements (categories and
subcategories).  The codes that take a 7th character are not written out in the file: they
follow from ``sevenChrDef`` by the convention stated in the file's own introduction, which
:func:`_add_seventh_characters` applies.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from lxml import etree

__all__ = [
    "NOTE_KINDS",
    "Notes",
    "Chapter",
    "Icd10cmEntry",
    "Icd10cmRelease",
    "InvalidTabularFile",
    "load_tabular",
    "read_tabular",
]

#: The note elements of the tabular list, in the order the CDC prints them.
NOTE_KINDS: tuple[str, ...] = (
    "inclusionTerm",
    "includes",
    "notes",
    "excludes1",
    "excludes2",
    "codeFirst",
    "useAdditionalCode",
    "codeAlso",
    "sevenChrNote",
    "sevenChrDef",
)

#: ``((kind, (text, ...)), ...)`` in :data:`NOTE_KINDS` order; only kinds that have text.
Notes = tuple[tuple[str, tuple[str, ...]], ...]

_NOTE_KIND_SET = frozenset(NOTE_KINDS)

_SEVENTH_EXCEPTION = re.compile(
    r"7th characters? (?P<sevenths>.+?) do(?:es)? not apply to codes in category (?P<category>\w{3})"
    r" with 6th character (?P<sixths>.+)"
)

# The longest ICD-10-CM code before its 7th character, without the dot.
_SIX = 6


class InvalidTabularFile(ValueError):
    """The file is not an ICD-10-CM tabular XML file this loader understands."""


@dataclass(frozen=True, slots=True)
class Chapter:
    number: str
    title: str
    notes: Notes


@dataclass(frozen=True, slots=True)
class Icd10cmEntry:
    """One concept of the code system: a block, a category, a subcategory or a 7th-character code.

    ``kind`` is ``block``, ``category``, ``subcategory`` or ``extended`` (a code made by
    adding a 7th character).  ``notes`` are the concept's own notes only; the ones it inherits
    are found by walking ``parent``.  Frozen: releases loaded together share the entries they
    have in common (see :mod:`terminology.loaders.shared_releases`).
    """

    code: str
    display: str
    kind: str
    chapter: str
    parent: str | None
    children: tuple[str, ...] = ()
    notes: Notes = ()


@dataclass(slots=True)
class Icd10cmRelease:
    """The whole code system of one release, keyed by code (with its dot, as the CDC writes it).

    ``version`` is the fiscal year the file's ``<version>`` names; ``effective`` the day the release
    takes effect, which the file does not say (its name does: see :mod:`terminology.fiscal_years`).
    """

    version: str
    chapters: dict[str, Chapter]
    entries: dict[str, Icd10cmEntry]
    roots: tuple[str, ...] = field(default=())
    effective: date | None = None

    @property
    def fiscal_year(self) -> int:
        return int(self.version)

    def ancestors(self, code: str) -> Iterator[Icd10cmEntry]:
        """The concept's parent, its parent's parent, ... up to its top-level block."""
        parent = self.entries[code].parent
        while parent is not None:
            entry = self.entries[parent]
            yield entry
            parent = entry.parent


def load_tabular(path: str | Path) -> Icd10cmRelease:
    """Reads a tabular XML file (plain, or gzip-compressed when its name ends in ``.gz``)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            return read_tabular(stream, str(path))
    except (OSError, EOFError) as error:  # EOFError: a gzip file cut short
        raise InvalidTabularFile(f"{path}: {error}") from error


def read_tabular(stream: BinaryIO, source: str) -> Icd10cmRelease:
    """Reads the tabular XML in ``stream``; ``source`` names it in the :class:`InvalidTabularFile` raised
    when it is not one.

    The parser resolves no entities and reads nothing from the network.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(stream, parser).getroot()
    except etree.XMLSyntaxError as error:
        raise InvalidTabularFile(f"{source}: {error}") from error
    if root.getroottree().docinfo.doctype:
        raise InvalidTabularFile(f"{source}: the file has a DOCTYPE; the CDC's tabular files have none")
    if root.tag != "ICD10CM.tabular":
        raise InvalidTabularFile(f"{source}: the root element is <{root.tag}>, not <ICD10CM.tabular>")
    version = (root.findtext("version") or "").strip()
    if not re.fullmatch(r"(19|20)\d\d", version):
        raise InvalidTabularFile(f"{source}: <ICD10CM.tabular> has no <version> naming a fiscal year (it has '{version}')")
    return _Builder(version).build(root.iterfind("chapter"))


class _Builder:
    def __init__(self, version: str) -> None:
        self.release = Icd10cmRelease(version=version, chapters={}, entries={})
        self.children: dict[str | None, list[str]] = {}
        # (category, 6th character) -> 7th characters that do not apply there
        self.excluded_sevenths: dict[tuple[str, str], str] = {}

    def build(self, chapters: Iterable[etree._Element]) -> Icd10cmRelease:
        for chapter in chapters:
            self._read_chapter(chapter)
        entries = self.release.entries
        for parent, children in self.children.items():
            if parent is not None:
                entries[parent] = replace(entries[parent], children=tuple(children))
        self.release.roots = tuple(self.children.get(None, ()))
        return self.release

    def _add(self, entry: Icd10cmEntry) -> None:
        if entry.code in self.release.entries:
            raise InvalidTabularFile(f"code {entry.code} appears twice")
        self.release.entries[entry.code] = entry
        self.children.setdefault(entry.parent, []).append(entry.code)

    def _read_chapter(self, element: etree._Element) -> None:
        """``chapter``: ``name``, ``desc``, notes, ``section``*."""
        number = _text(element, "name")
        self.release.chapters[number] = Chapter(number, _text(element, "desc"), _notes(element))
        # Sections are flat in the file, but some are empty headings whose range holds the
        # sections after them (C00-C96 holds C00-C75, which holds C00-C14): nest by range.
        open_ranges: list[tuple[str, str, str]] = []  # (first, last, block id)
        for section in element.iterfind("section"):
            block = section.get("id", "").strip()
            first, _, last = block.partition("-")
            last = last or first
            while open_ranges and not (open_ranges[-1][0] <= first and last <= open_ranges[-1][1]):
                open_ranges.pop()
            parent = open_ranges[-1][2] if open_ranges else None
            diags = section.findall("diag")
            if [_text(diag, "name") for diag in diags] == [block]:
                # A section named by the one category it holds (B10, T07) is that category:
                # a code can name one concept only, so the section's notes join the category's.
                self._read_diag(diags[0], parent, number, None, _notes(section))
                continue
            self._add(Icd10cmEntry(block, _text(section, "desc"), "block", number, parent, notes=_notes(section)))
            if not diags:
                open_ranges.append((first, last, block))
            for diag in diags:
                self._read_diag(diag, block, number, None)

    def _read_diag(
        self,
        element: etree._Element,
        parent: str | None,
        chapter: str,
        seven: tuple[tuple[str, str], ...] | None,
        section_notes: Notes = (),
    ) -> None:
        """``diag``: ``name``, ``desc``, notes, ``sevenChrDef/extension[@char]``, ``diag``*."""
        code = _text(element, "name")
        definition = element.find("sevenChrDef")
        if definition is not None:  # a lower definition overrides a higher one
            seven = tuple((ext.get("char", ""), _clean(ext.text)) for ext in definition.iterfind("extension"))
            self._read_seventh_character_exceptions(element)
        kind = "category" if "." not in code else "subcategory"
        display = _text(element, "desc")
        notes = _merge_notes(section_notes, _notes(element))
        self._add(Icd10cmEntry(code, display, kind, chapter, parent, notes=notes))
        subcodes = element.findall("diag")
        for sub in subcodes:
            self._read_diag(sub, code, chapter, seven)
        if not subcodes and seven:
            self._add_seventh_characters(code, display, chapter, seven)

    def _read_seventh_character_exceptions(self, element: etree._Element) -> None:
        """``notes/note`` of the form "7th characters D and S do not apply to codes in category
        S06 with 6th character 7 - ..., or 8 - ...": the release states these exceptions to its
        7th-character rule in prose only, and its code list leaves those codes out."""
        for note in element.iterfind("notes/note"):
            match = _SEVENTH_EXCEPTION.match(_clean(note.text))
            if match:
                sevenths = "".join(re.findall(r"\b[A-Z0-9]\b", match["sevenths"]))
                for sixth in re.findall(r"\b([0-9A-Z]) -", match["sixths"]):
                    self.excluded_sevenths[(match["category"], sixth)] = sevenths

    def _add_seventh_characters(
        self, code: str, display: str, chapter: str, seven: tuple[tuple[str, str], ...]
    ) -> None:
        # "For codes less than 6 characters that require a 7th character a placeholder X
        # should be assigned for all characters less than 6" (the file's introduction).
        padding = "X" * (_SIX - len(code.replace(".", "")))
        stem = code + ("." if "." not in code else "") + padding
        excluded = self.excluded_sevenths.get((code[:3], stem[-1]), "")
        for char, meaning in seven:
            if char in excluded:
                continue
            self._add(Icd10cmEntry(stem + char, f"{display}, {meaning}", "extended", chapter, code))


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(element: etree._Element, tag: str) -> str:
    return _clean(element.findtext(tag))


def _notes(element: etree._Element) -> Notes:
    """The note elements (``KIND/note``) directly under ``element``, in :data:`NOTE_KINDS` order."""
    found: dict[str, list[str]] = {}
    for holder in element:
        if holder.tag not in _NOTE_KIND_SET:
            continue
        texts = found.setdefault(holder.tag, [])
        if holder.tag == "sevenChrDef":
            texts += _seventh_character_texts(holder)
        else:
            texts += (_clean(note.text) for note in holder.iterfind("note"))
    return tuple((kind, tuple(found[kind])) for kind in NOTE_KINDS if found.get(kind))


def _seventh_character_texts(definition: etree._Element) -> list[str]:
    """``sevenChrDef``: ``extension[@char]`` and ``note``; a note is a further term of the
    extension before it (S52: "initial encounter for open fracture NOS" belongs to B)."""
    texts: list[str] = []
    for child in definition:
        if child.tag == "extension":
            texts.append(f"{child.get('char')}: {_clean(child.text)}")
        elif child.tag == "note" and texts:
            texts[-1] += f" (includes: {_clean(child.text)})"
    return texts


def _merge_notes(first: Notes, second: Notes) -> Notes:
    if not first:
        return second
    merged = dict(first)
    for kind, texts in second:
        merged[kind] = merged.get(kind, ()) + texts
    return tuple((kind, merged[kind]) for kind in NOTE_KINDS if kind in merged)
