"""Releases loaded side by side share what they have in common, so that memory does not grow with
their number as copies would.

Consecutive ICD-10-CM releases differ in a few hundred to a few thousand of their ~98,000 concepts
(FY2026's April update keeps 97,589 of the April 2025 update's entries as they were). An entry equal
to one of the same code in a release shared before it is that very object; where entries differ,
their equal parts (the display, the notes, the children, the codes they name) are one object each,
and so are equal chapters. Entries and chapters are frozen, so nothing reached through one release
can change another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from .icd10cm_xml import Chapter, Icd10cmEntry, Icd10cmRelease

__all__ = ["share"]

_Value = TypeVar("_Value")


def share(releases: Sequence[Icd10cmRelease]) -> list[Icd10cmRelease]:
    """Releases equal to ``releases`` (each holds exactly its own concepts, in its own order), in
    which an entry or a chapter equal to one of the same code in a release before it is that one, and
    an entry that differs from them all takes the parts that did not change from the latest. The first
    is taken as it is."""
    shared = _Shared()
    return [shared.release(release) for release in releases]


class _Shared:
    def __init__(self) -> None:
        self._entries: dict[str, list[Icd10cmEntry]] = {}  # each code's distinct entries so far, the latest last
        self._chapters: dict[Chapter, Chapter] = {}
        self._roots: tuple[str, ...] = ()

    def release(self, release: Icd10cmRelease) -> Icd10cmRelease:
        if not self._entries:  # nothing to share with yet
            self._entries.update((code, [entry]) for code, entry in release.entries.items())
            self._chapters.update((chapter, chapter) for chapter in release.chapters.values())
            self._roots = release.roots
            return release
        if release.roots != self._roots:
            self._roots = self._codes(release.roots)
        return Icd10cmRelease(
            version=release.version,
            chapters={number: self._chapters.setdefault(chapter, chapter) for number, chapter in release.chapters.items()},
            entries={code: self._entry(entry) for code, entry in release.entries.items()},
            roots=self._roots,
            effective=release.effective,
        )

    def _entry(self, entry: Icd10cmEntry) -> Icd10cmEntry:
        variants = self._entries.setdefault(entry.code, [])
        for earlier in reversed(variants):  # the latest first: the likeliest equal
            if earlier == entry:
                return earlier
        if not variants:  # a code new here
            shared = replace(entry, parent=self._code(entry.parent), children=self._codes(entry.children))
        else:  # a code that changed here: what did not change is the latest entry's
            known = variants[-1]
            shared = Icd10cmEntry(
                known.code,
                _earlier(known.display, entry.display),
                _earlier(known.kind, entry.kind),
                _earlier(known.chapter, entry.chapter),
                self._code(entry.parent),
                known.children if known.children == entry.children else self._codes(entry.children),
                _earlier(known.notes, entry.notes),
            )
        variants.append(shared)
        return shared

    def _code(self, code: str | None) -> str | None:
        variants = self._entries.get(code) if code is not None else None
        return variants[0].code if variants else code

    def _codes(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self._code(code) for code in codes)  # type: ignore[misc]


def _earlier(earlier: _Value, now: _Value) -> _Value:
    return earlier if earlier == now else now
