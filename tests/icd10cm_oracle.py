"""What the oracle says of an ICD-10-CM code, in this server's terms.

The oracle is the PyPI package ``simple_icd_10_cm`` (a test dependency only), which reads the very
CDC file we ship with its own code (``tests/loaders/test_icd10cm_xml.py`` checks that it is the same
file, and states the model differences this module bridges): chapters are a property here, a
section named by its one category (B10) is that category, and empty "super-block" sections
(C00-C96, M40-M54) hold the sections in their range.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import simple_icd_10_cm as oracle

from terminology.loaders.icd10cm_xml import NOTE_KINDS

__all__ = [
    "ICD10CM",
    "LIST_NOTES",
    "STRING_NOTES",
    "billable_below",
    "block_of",
    "chapter_of",
    "children_of",
    "clean",
    "codes",
    "display",
    "is_billable",
    "is_block",
    "level_of",
    "note_chain",
    "notes",
    "oracle",
    "parent_of",
    "sample",
]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"

LIST_NOTES = {
    "excludes1": oracle.get_excludes1,
    "excludes2": oracle.get_excludes2,
    "includes": oracle.get_includes,
    "inclusionTerm": oracle.get_inclusion_term,
}
# The oracle joins the <note>s of these kinds with "\n" into one string.
STRING_NOTES = {
    "codeFirst": oracle.get_code_first,
    "codeAlso": oracle.get_code_also,
    "useAdditionalCode": oracle.get_use_additional_code,
    "notes": oracle.get_notes,
    "sevenChrNote": oracle.get_seven_chr_note,
}


def clean(text: str) -> str:
    """Runs of white space as one space, as the loader writes every text."""
    return " ".join(text.split())


@functools.cache
def codes() -> tuple[str, ...]:
    """Every code of the release but the chapters, in the file's order."""
    return tuple(code for code in dict.fromkeys(oracle.get_all_codes()) if not oracle.is_chapter(code))


def sample(step: int = 97) -> tuple[str, ...]:
    """Every ``step``-th code: every kind of concept, from every chapter."""
    return codes()[::step]


def is_merged(code: str) -> bool:
    """A section named by the one category it holds (B10): one concept here, a category."""
    return oracle.is_block(code) and oracle.is_category(code)


def is_block(code: str) -> bool:
    return oracle.is_block(code) and not oracle.is_category(code)


def is_billable(code: str) -> bool:
    return not is_block(code) and oracle.is_leaf(code)


def display(code: str) -> str:
    """The oracle's description; a ``<note>`` in a sevenChrDef, which the oracle appends to the 7th
    character's meaning after "/", is not part of the display here."""
    if oracle.is_extended_subcategory(code):
        parent = oracle.get_parent(code)
        meaning = oracle.get_seven_chr_def(parent, search_in_ancestors=True)[code[-1]]
        return clean(f"{oracle.get_description(parent)}, {meaning.split('/')[0]}")
    return clean(oracle.get_description(code))


@functools.cache
def chapter_of(code: str) -> str:
    return oracle.get_ancestors(code)[-1]


def level_of(code: str) -> str:
    """The level a note is written at, as the ``level`` subproperty names it."""
    if oracle.is_extended_subcategory(code):
        return "code"
    if oracle.is_category(code):
        return "category"
    return "block" if oracle.is_block(code) else "subcategory"


def _range(code: str) -> tuple[str, str]:
    """The categories a block spans (``M45-M49``), or the category of a code."""
    if not oracle.is_block(code):
        return code[:3], code[:3]
    first, _, last = code.partition("-")
    return first, last or first


def _holds(outer: str, inner: str) -> bool:
    (a, b), (c, d) = _range(outer), _range(inner)
    return a <= c and d <= b


@functools.cache
def _empty_sections(chapter: str) -> tuple[str, ...]:
    """The chapter's sections that hold no category: the loader nests the sections in their range there."""
    return tuple(s for s in oracle.get_children(chapter) if not oracle.get_children(s, prioritize_blocks=True))


@functools.cache
def parent_of(code: str) -> str | None:
    """The concept directly above: the oracle's, but a section (a one-category section too) hangs off
    the narrowest empty section whose range holds it, or off nothing, not off its chapter."""
    if not oracle.is_block(code):
        return oracle.get_parent(code)
    holders = [s for s in _empty_sections(chapter_of(code)) if s != code and _holds(s, code)]
    innermost = [h for h in holders if all(_holds(other, h) for other in holders)]
    assert len(innermost) <= 1, (code, holders)
    return innermost[0] if innermost else None


@functools.cache
def block_of(code: str) -> str | None:
    """The innermost block above the concept (a one-category section is a category, not a block)."""
    above = parent_of(code)
    while above is not None and not is_block(above):
        above = parent_of(above)
    return above


def children_of(code: str) -> list[str]:
    """The concepts directly below, in order: a super-block's are the sections it holds."""
    below = oracle.get_children(code)
    if below or not is_block(code):
        return below
    return [section for section in oracle.get_children(chapter_of(code)) if section != code and parent_of(section) == code]


@functools.cache
def _billable_by_category() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for code in codes():
        if is_billable(code):
            found.setdefault(code[:3], []).append(code)
    return {category: tuple(listed) for category, listed in found.items()}


def billable_below(code: str) -> list[str]:
    """The billable codes below a concept, in the order of the tabular list."""
    if is_block(code):
        by_category = _billable_by_category()
        return [c for category in by_category if _holds(code, category) for c in by_category[category]]
    return [d for d in oracle.get_descendants(code) if oracle.is_leaf(d)]


def notes(kind: str, code: str) -> list[str]:
    """The notes of one kind written at ``code`` (a chapter number too), as the loader writes them:
    a one-category section's first, then its category's; a sevenChrDef's as ``char: meaning``."""
    written = _notes(kind, code, prioritize_blocks=True) if is_merged(code) else []
    return written + _notes(kind, code, prioritize_blocks=False)


def _notes(kind: str, code: str, prioritize_blocks: bool) -> list[str]:
    if kind == "sevenChrDef":
        definition = oracle.get_seven_chr_def(code, prioritize_blocks=prioritize_blocks)
        texts = []
        for char, meaning in definition.items():
            main, _, note = meaning.partition("/")
            texts.append(f"{char}: {clean(main)}" + (f" (includes: {clean(note)})" if note else ""))
        return texts
    if kind in LIST_NOTES:
        return [clean(text) for text in LIST_NOTES[kind](code, prioritize_blocks=prioritize_blocks)]
    joined = STRING_NOTES[kind](code, prioritize_blocks=prioritize_blocks)
    return [clean(text) for text in joined.split("\n")] if joined else []


def note_chain(code: str) -> Iterator[tuple[str, str, str, str]]:
    """``(kind, text, source, level)`` of every note that applies to a code: its own, then each
    level's above it, then its chapter's; within a level in the CDC's order of kinds."""
    sources = [code]
    while (parent := parent_of(sources[-1])) is not None:
        sources.append(parent)
    for source in sources:
        for kind in NOTE_KINDS:
            for text in notes(kind, source):
                yield kind, text, source, level_of(source)
    chapter = chapter_of(code)
    for kind in NOTE_KINDS:
        for text in notes(kind, chapter):
            yield kind, text, chapter, "chapter"
