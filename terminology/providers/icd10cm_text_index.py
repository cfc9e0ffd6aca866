"""A word index of an ICD-10-CM release, for typeahead filters such as
``ValueSet/$expand?filter=fract sacr``: compiled once per release into a file, searched in memory.

The file is one SQLite database per release in the release cache's directory, keyed like the
compiled release (SHA-256 of the release file and of the sources that turn it into rows), built
when it is first searched (by one process: the others wait on a lock beside it) into a temporary
file and published with ``os.replace``: a second start builds nothing.  It holds the concepts in
rank order (``concept(id, code)``, for reading) and the compiled index (``compiled``: flat arrays
of 4-byte ids, a row each; ``bitmap`` and ``first_bitmap``), which a process reads once, on its
first search, and uses as it is read (the bytes are the arrays: nothing is copied; the bitmaps are
also made ints once, for searches to AND).

The compiled index (ids are ranks: see ``_rank_order``; the order is :meth:`Icd10cmTextIndex.matches`'s):

* the vocabulary: every word of the displays and inclusion terms, sorted, so that the words a
  typed prefix starts are one run of it;
* for each word, the ids of the concepts with it in their title (outside asides), and of those
  with it only in an inclusion term or an aside (ascending arrays, one after the other in
  vocabulary order, so that the ids of a prefix's words are one slice); and of those whose title
  starts with it;
* for each run of the vocabulary that a prefix of a word spans and whose title ids number more
  than ``_BITMAP_FROM``: those ids as a bitmap, which intersects in microseconds where a set of
  20,000 ids takes a millisecond to build (a rarer word's few ids are tested against it);
* each id's rank weight and depth, and its parent's id;
* the ids by code, one array per code length (blocks, then 3 to 7 characters), each in code order.

A server reads the newest release's index in its parent process, before it forks its workers:
they share its pages (see ``terminology.server``).

Words are runs of letters and digits, case and accents folded; no stemming (a stemmer turns a
half-typed word into something that is not a prefix of the stemmed whole word).
"""

from __future__ import annotations

import fcntl
import hashlib
import heapq
import logging
import marshal
import os
import re
import sqlite3
import tempfile
import threading
import time
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from urllib.parse import quote

from ..loaders import icd10cm_xml
from ..loaders.icd10cm_xml import Icd10cmRelease
from ..loaders.release_cache import default_cache_dir

__all__ = ["Icd10cmTextIndex", "TextMatches"]

log = logging.getLogger(__name__)

_SOURCES = (Path(icd10cm_xml.__file__), Path(__file__))

# A word that could be a code or the start of one, once lower-cased without "." and "-":
# a letter, a digit, then up to five letters or digits (M48.48XA -> m4848xa, M45-M49 -> m45m49).
_CODE_WORD = re.compile(r"[a-z][0-9][0-9a-z]{0,5}")
# A run of letters and digits: a word; the rest separates.
_RUN = re.compile(r"[^\W_]+")
# Parts of a title that are not what it is about: nonessential modifiers "(primary)" and
# synonyms "[HIV]", which the tabular list prints in parentheses and brackets.
_ASIDE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Words that do not make a title longer: what a coder's words are matched in is the rest.
_FILLERS = frozenset(
    "a an and as at by classified due elsewhere for in nec nos not of on or other s specified than the to "
    "unspecified with without".split()  # ("s": of "Parkinson's")
)
# A vocabulary run (the words a prefix starts) with more display ids than this is kept as a bitmap.
_BITMAP_FROM = 600
_LAST = "\U0010ffff"  # sorts after every word that starts with a given prefix
_FORMAT = 6  # of the compiled rows; a new one is a new key (this file is a source of the key)

_SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE concept(id INTEGER PRIMARY KEY, code TEXT NOT NULL);
CREATE TABLE compiled(name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE bitmap(low INTEGER NOT NULL, high INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY (low, high));
CREATE TABLE first_bitmap(word INTEGER PRIMARY KEY, value BLOB NOT NULL);
"""


class Icd10cmTextIndex:
    """Word-prefix search over the codes, displays and inclusion terms of one release.

    The object holds a file name and the release's codes; each process reads the compiled index
    from the file on its first search (a fork's child finds it read already when its parent had
    searched).  Searching only reads it: threads search at once.
    """

    def __init__(self, path: str | Path, codes: Sequence[str], make: Callable[[], Path] | None = None) -> None:
        """``codes``: the release's codes in release order (the index names them by position);
        ``make``: builds the file, when it is not there yet, and says where it is."""
        self._open(Path(path))
        self._codes = codes
        self._local = threading.local()
        self._make = make
        self._making = threading.Lock()
        self._reading = threading.Lock()
        self._compiled: _Compiled | None = None

    def _open(self, path: Path) -> None:
        self.path = path
        # immutable: the file is never written once published (a new build replaces it), so
        # SQLite may skip locking and change detection.
        self._uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"

    @classmethod
    def for_release(
        cls, release: Icd10cmRelease, source_path: str | Path, cache_dir: Path | None = None
    ) -> Icd10cmTextIndex:
        """The index of ``release`` (read from the file ``source_path``) in ``cache_dir`` (default:
        the release cache's). Where no current one is there, it is built there when first searched
        (or by :meth:`build`): a server answers other requests meanwhile, and a process that never
        searches never builds it.

        A cache directory that cannot be written to is replaced by a private temporary one: the
        index is then built by every process (slower, still correct)."""
        cache_dir = default_cache_dir() if cache_dir is None else Path(cache_dir)
        key = _key(Path(source_path))
        target = cache_dir / f"icd10cm-text-{key}.sqlite"
        codes = tuple(release.entries)
        if _is_current(target, key):
            return cls(target, codes)
        return cls(target, codes, lambda: _build_once(release, key, target))

    def build(self) -> None:
        """Builds the file now, if it is not there yet (the first search does it otherwise)."""
        with self._making:  # one thread of a process builds; the others wait for it
            if self._make is not None:
                self._open(self._make())
                self._make = None

    def load(self) -> None:
        """Reads the compiled index now, building the file first when it is not there (the first
        search does it otherwise)."""
        self._index()

    def load_if_built(self) -> None:
        """Reads the compiled index now when the file is there (a server that does so before it
        forks its workers has them share its pages; one whose file is still to build starts as fast)."""
        if self._make is None:
            self._index()

    # -- searching --------------------------------------------------------------------------

    def matches(self, text: str) -> TextMatches:
        """The codes of the concepts that match every word of ``text``, best first.

        A word matches a word of the display or of an inclusion term that starts with it
        (``fract`` matches "fracture"), in any order.  A word shaped like a code or its start
        (``M48.4``, ``m484``, ``M45-M49``) also matches the codes that start with it.

        Order, with words only (what a coder expects on the first page):

        1. the concepts with every word in their title (outside its parentheses and brackets: a
           nonessential modifier or a synonym matches as an inclusion term does), then those with
           some only in an inclusion term or an aside;
        2. within the first part, by how much else the title says (its weight: its words outside
           parentheses and brackets, less fillers such as "of", "other", "unspecified", "not
           specified" and less numbers), a title that starts with a word of the query counting as one
           word lighter (Sepsis, unspecified organism before Salmonella sepsis); then shallowest
           first (a block, a heading to browse, after the codes); then by id;
        3. a code's 7th-character extensions, and a child titled as its parent (J18.9 under J18),
           rank with it, right after it;
        4. on a page, a matching category or subcategory goes just before the first of its codes
           there when its title starts with a word of the query or weighs no more than the code's
           (L03 Cellulitis and acute lymphangitis before L03.90 Cellulitis, unspecified).

        With a code-shaped word: a code equal to it first, then the codes starting with it,
        blocks then shortest first and in code order (M48.4, M48.40 ... M48.48, M48.40XA ...),
        then the concepts that have the word in their text only (``C50``: Z85.3, "Conditions
        classifiable to C50"), in rank order.

        Characters other than letters and digits only separate words, so no text is a query
        syntax error; text with no letter or digit matches nothing.  Raises ``ValueError`` when
        ``text`` is empty or white space (that is no filter, which the caller handles).
        """
        words = _words(text)
        return self._index().matches(words)

    def search(self, text: str, limit: int | None = None, offset: int = 0) -> list[str]:
        """The codes of :meth:`matches` from ``offset``, ``limit`` of them at most."""
        if (limit is not None and limit < 0) or offset < 0:
            raise ValueError("limit and offset must not be negative")
        found = self.matches(text)
        return found[offset : len(found) if limit is None else offset + limit]

    def count(self, text: str) -> int:
        """How many codes :meth:`search` finds for ``text`` (with no limit)."""
        return len(self.matches(text))

    def _index(self) -> _Compiled:
        compiled = self._compiled
        if compiled is None:
            connection = self._connection()  # (builds the file first, when it is not there yet)
            with self._reading:  # one thread of a process reads it; the others wait for it
                if self._compiled is None:
                    self._compiled = _Compiled.read(connection, self._codes)
                    # Searching needs the file no more: its connection's page cache (2 MB) is let go.
                    connection.close()
                    self._local.pid = None
                compiled = self._compiled
        return compiled

    def _connection(self) -> sqlite3.Connection:
        if self._make is not None:
            self.build()
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # none yet, or one inherited across a fork
            local.connection = sqlite3.connect(self._uri, uri=True)
            local.pid = os.getpid()
        return local.connection


class TextMatches(Sequence[str]):
    """The codes a text matches, best first: parts (ids in rank or code order) read as a page asks.

    ``lifted``, when given, says whether an ancestor of a code (both ids) goes before it: the order
    is then the parts' with each such ancestor moved to just before the first of its codes."""

    def __init__(self, parts: list[Sequence[int]], compiled: _Compiled, lifted: Callable[[int, int], bool] | None = None) -> None:
        self._parts = [part for part in parts if len(part)]
        self._compiled = compiled
        self._lifted = lifted
        self._length = sum(len(part) for part in self._parts)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, item):  # type: ignore[override]
        if not isinstance(item, slice):
            found = self[item : item + 1] if item >= 0 else list(self)[item : item + 1 or None]
            if not found:
                raise IndexError(item)
            return found[0]
        start, stop, step = item.indices(self._length)
        if step != 1:
            return list(self)[item]
        if stop <= start:
            return []
        ids = self._first(stop)
        if self._lifted is not None:
            ids = self._ancestors_first(ids)
        codes = self._compiled.codes
        return [codes[id] for id in ids[start:stop]]

    def _first(self, stop: int) -> list[int]:
        found: list[int] = []
        for part in self._parts:
            if len(found) >= stop:
                break
            found += part[0 : stop - len(found)]
        return found

    def _ancestors_first(self, ids: list[int]) -> list[int]:
        """``ids`` (the first of the parts' order) with the lifted ancestors of each just before it;
        as many as ``ids``.  The first n of a longer list so made are these: pages agree."""
        parents, ranks, lifted = self._compiled.parents, self._compiled.ranks, self._lifted
        place: dict[int, tuple[int, int]] = {}  # id -> (where its first descendant is, minus its depth)
        for where, id in enumerate(ids):
            if id in place:  # (lifted already, before a code below it)
                continue
            line = [id]
            parent = parents[id]
            # (one placed has had its own ancestors placed; above a block are only blocks, never lifted)
            while parent != _NONE and parent not in place and ranks[parent] & 15 != 15:
                if lifted(parent, id):  # type: ignore[misc]
                    line.append(parent)
                parent = parents[parent]
            for depth, member in enumerate(reversed(line)):
                place[member] = (where, depth)
        return sorted(place, key=place.__getitem__)[: len(ids)]

    def __iter__(self) -> Iterator[str]:
        return iter(self[0 : self._length])


class _Bits(Sequence[int]):
    """The ids of the set bits of an ``int``, ascending."""

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self._length = bits.bit_count()

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, item):  # type: ignore[override]
        start, stop, _ = item.indices(self._length)
        found: list[int] = []
        if stop <= start:
            return found
        # The low bits first: the first page is most often there, and masking them off costs little
        # where making a whole 12 KB int bytes costs more; then the rest, at once.
        found = _set_bits((self.bits & _CHUNK_MASK).to_bytes(_CHUNK // 8, "little"), 0, stop)
        rest = self.bits >> _CHUNK
        if len(found) < stop and rest:
            found += _set_bits(rest.to_bytes((rest.bit_length() + 7) // 8, "little"), _CHUNK, stop - len(found))
        return found[start:stop]


def _set_bits(data: bytes, base: int, wanted: int) -> list[int]:
    """The first ``wanted`` set bits of ``data`` (little-endian), plus ``base``; a few more at most."""
    found: list[int] = []
    # The non-zero bytes found by bytes.find in a copy with each marked 1: C loops, where a regular
    # expression for them steps through the zeros at ~4 ns a byte (a sparse bitmap is mostly zeros).
    marks = data.translate(_NONZERO_MARKS)
    at = marks.find(1)
    while at >= 0:
        found += [base + at * 8 + bit for bit in _BYTE_BITS[data[at]]]
        if len(found) >= wanted:
            break
        at = marks.find(1, at + 1)
    return found


_CHUNK = 8192
_CHUNK_MASK = (1 << _CHUNK) - 1
_NONE = 0xFFFFFFFF  # the parent of a top-level block
_NONZERO_MARKS = bytes([0] + [1] * 255)  # a byte's mark: 1 where it is not zero
_BYTE_BITS = tuple(tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256))


@dataclass(frozen=True, slots=True)
class _Word:
    run: str  # a run of letters and digits, folded
    key: str | None = None  # for a code-shaped word: the code it starts, lower case, no "." or "-"
    whole: bool = False  # matches that word only, not the words it starts


def _fold(text: str) -> str:
    """Lower case without accents (Ménière: meniere)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(text: str) -> list[_Word]:
    """The words of ``text``, without repeats.

    Grammar: ``text`` is split at white space; a piece whose key (in lower case, without "."
    and "-") is shaped like a code is one word (``M48.4``, ``m45-m49``); any other piece gives
    a word for each of its runs of letters and digits (``sacro-coccygeal``: "sacro", "coccygeal").
    A word of one character that is not the last is whole (it starts no longer word).
    """
    if not text.strip():
        raise ValueError("empty filter text: no filter, not a search")
    words: dict[_Word, None] = {}
    for piece in dict.fromkeys(_fold(text).split()):
        key = piece.replace(".", "").replace("-", "")
        if _CODE_WORD.fullmatch(key):
            words[_Word(piece, key)] = None
        else:
            words.update((_Word(run), None) for run in _RUN.findall(piece))
    found = list(words)
    # One letter or digit with more typed after it is a whole word: the D of "vitamin d deficiency",
    # the 2 of "type 2 diabetes" (as a prefix it would match "deficiency", "20").
    return [_Word(word.run, whole=True) if len(word.run) == 1 and word.key is None else word for word in found[:-1]] + found[-1:]


def _code_key(code: str) -> str:
    return code.lower().replace(".", "").replace("-", "")


class _Compiled:
    """The compiled index of one release, as read from its blob (see the module's docstring)."""

    def __init__(
        self, parts: dict[str, bytes], bitmaps: dict[tuple[int, int], bytes], first_bitmaps: dict[int, bytes], release_codes: Sequence[str]
    ) -> None:
        """``parts``: the arrays by name (4-byte ids, read in place: the bytes are the arrays), and
        the vocabulary (marshal); the bitmaps by vocabulary span, and by word for the titles' first words."""
        form = marshal.loads(parts["format"])
        if form != _FORMAT:
            raise ValueError(f"text index format {form}, not {_FORMAT}")
        ints = {name: memoryview(data).cast("I") for name, data in parts.items() if name not in ("format", "vocabulary")}
        self.codes = [release_codes[position] for position in ints["order"]]
        self.vocabulary: list[str] = list(marshal.loads(parts["vocabulary"]))
        self.display_start, self.display_ids = ints["display_start"], ints["display_ids"]
        self.term_start, self.term_ids = ints["term_start"], ints["term_ids"]
        self.bitmaps = bitmaps  # of (len(codes) + 7) // 8 bytes each, for testing a few ids
        self.first_start, self.first_ids = ints["first_start"], ints["first_ids"]
        # The same as ints, and with the words' inclusion-term ids, made once (int.from_bytes of one
        # takes ~8 us): where every word is common, a search is ints ANDed.  Made in the parent before
        # it forks its workers, they are shared (~10 MB each kind for 2026's release).
        self.bitmap_ints = {span: int.from_bytes(value, "little") for span, value in bitmaps.items()}
        self.found_ints = {span: shown | _bits_of(self._term_ids(span)) for span, shown in self.bitmap_ints.items()}
        self.first_bitmaps = {word: int.from_bytes(value, "little") for word, value in first_bitmaps.items()}
        self.parents = ints["parents"]  # by id: the parent's id, or _NONE
        self.ranks = ints["ranks"]  # the (weight, depth) part of each id's rank, as weight * 16 + depth
        self.levels = [ints[f"level{number}"] for number in range(6)]  # blocks, then codes of 3 ... 7 characters
        self.blocks = {self.codes[id]: id for id in self.levels[0]}
        self.block_keys = sorted((_code_key(code), id) for code, id in self.blocks.items())

    @classmethod
    def read(cls, connection: sqlite3.Connection, release_codes: Sequence[str]) -> _Compiled:
        """The index in the file (each part its own row: no blob of it all to hold while it is read)."""
        parts = dict(connection.execute("SELECT name, value FROM compiled"))
        bitmaps = {(low, high): value for low, high, value in connection.execute("SELECT low, high, value FROM bitmap")}
        first_bitmaps = dict(connection.execute("SELECT word, value FROM first_bitmap"))
        return cls(parts, bitmaps, first_bitmaps, release_codes)

    def matches(self, words: list[_Word]) -> TextMatches:
        if not words:
            return TextMatches([], self)
        if len(words) == 1 and words[0].key is not None:
            return TextMatches(self._code_parts(words[0]), self)
        if all(word.key is None for word in words):
            parts, matched, headed = self._word_parts(words)
            return TextMatches(parts, self, None if matched is None else self._lifting(matched, headed))
        return TextMatches(self._mixed_parts(words), self)

    # -- words ---------------------------------------------------------------------------------

    def _span(self, run: str, whole: bool = False) -> tuple[int, int]:
        """The run of the vocabulary that ``run`` starts (``whole``: that is ``run``)."""
        vocabulary = self.vocabulary
        low = bisect_left(vocabulary, run)
        if whole:
            return (low, low + 1) if vocabulary[low : low + 1] == [run] else (low, low)
        return low, bisect_left(vocabulary, run + _LAST)

    def _display_set(self, span: tuple[int, int]) -> set[int]:
        return set(self.display_ids[self.display_start[span[0]] : self.display_start[span[1]]])

    def _term_ids(self, span: tuple[int, int]) -> Sequence[int]:
        return self.term_ids[self.term_start[span[0]] : self.term_start[span[1]]]

    def _word_parts(
        self, words: list[_Word]
    ) -> tuple[list[Sequence[int]], Callable[[int], bool] | None, Callable[[int], bool] | None]:
        """Concepts with every word in their display (see ``_Headed``), then the rest in rank order;
        whether an id is among them, and whether its title starts with a word of the query."""
        spans = [self._span(word.run, word.whole) for word in words]
        if any(low == high for low, high in spans):
            return [], None, None
        small = [span for span in spans if span not in self.bitmaps]
        large = [span for span in spans if span in self.bitmaps]
        display: set[int] | None = None
        every: set[int] | None = None
        for span in sorted(small, key=lambda span: self.display_start[span[1]] - self.display_start[span[0]]):
            shown = self._display_set(span)
            found = shown.union(self._term_ids(span))
            display = shown if display is None else display & shown
            every = found if every is None else every & found
            if not every:
                return [], None, None
        headed = self._headed([low for (low, high), word in zip(spans, words) if self.vocabulary[low] == word.run])
        if display is not None and every is not None:  # the rare words' matches, tested for the common words
            for span in large:
                shown, terms = self.bitmaps[span], set(self._term_ids(span))
                every = {id for id in every if shown[id >> 3] >> (id & 7) & 1 or id in terms}
                display = {id for id in display if shown[id >> 3] >> (id & 7) & 1}
                if not every:
                    return [], None, None
            heads = display & headed if isinstance(headed, set) else set(filter(_bit_test(headed), display))
            parts = [_Headed(sorted(heads), sorted(display - heads), self.ranks), sorted(every - display)]
            return parts, every.__contains__, heads.__contains__
        # Every word common: their bitmaps intersected.  (Positive ints only, and XOR for the
        # difference of a subset: a negative int, as ``~bits`` makes, costs several times more.)
        display_bits = every_bits = None
        for span in large:
            shown_bits, found_bits = self.bitmap_ints[span], self.found_ints[span]
            display_bits = shown_bits if display_bits is None else display_bits & shown_bits
            every_bits = found_bits if every_bits is None else every_bits & found_bits
        assert display_bits is not None and every_bits is not None
        head_bits = display_bits & (_bits_of(headed) if isinstance(headed, set) else headed)
        parts = [_Headed(_Bits(head_bits), _Bits(display_bits ^ head_bits), self.ranks), _Bits(every_bits ^ display_bits)]
        return parts, _bit_test(every_bits), _bit_test(head_bits)

    def _lifting(self, matched: Callable[[int], bool], headed: Callable[[int], bool]) -> Callable[[int, int], bool]:
        """Whether an ancestor goes before a code below it: when it matches, is a code (a block is a
        heading to browse) and its title is about the query: it starts with a word of the query (L03
        Cellulitis and acute lymphangitis before L03.90 Cellulitis, unspecified) or says no more than
        the code's (not S63 Dislocation and sprain of joints and ligaments at wrist and hand level
        before S63.5 Sprain of wrist)."""
        ranks = self.ranks

        def lifted(ancestor: int, code: int) -> bool:
            if not matched(ancestor):
                return False
            return headed(ancestor) or ranks[ancestor] >> 4 <= ranks[code] >> 4

        return lifted

    def _headed(self, words: list[int]) -> set[int] | int:
        """The concepts whose title starts with one of ``words`` (vocabulary positions): a set, or a
        bitmap when one of the words starts many titles."""
        if any(word in self.first_bitmaps for word in words):
            bits = 0
            for word in words:
                found = self.first_bitmaps.get(word)
                bits |= _bits_of(self._first_ids(word)) if found is None else found
            return bits
        return {id for word in words for id in self._first_ids(word)}

    def _first_ids(self, word: int) -> Sequence[int]:
        return self.first_ids[self.first_start[word] : self.first_start[word + 1]]

    def _text_set(self, run: str) -> set[int]:
        span = self._span(run)
        if span in self.bitmap_ints:
            return set(_Bits(self.bitmap_ints[span])[:]).union(self._term_ids(span))
        return self._display_set(span).union(self._term_ids(span))

    # -- codes ---------------------------------------------------------------------------------

    def _code_spans(self, key: str) -> Iterator[tuple[Sequence[int], int, int]]:
        """The ids of the codes starting with ``key``: (level, start, end), blocks first, then by length."""
        low = bisect_left(self.block_keys, (key,))
        high = bisect_left(self.block_keys, (key + _LAST,))
        if low < high:
            yield array("I", sorted(id for _, id in self.block_keys[low:high])), 0, high - low
        code = key.upper() if len(key) <= 3 else f"{key[:3]}.{key[3:]}".upper()
        codes = self.codes.__getitem__
        for level in self.levels[max(1, len(key) - 2) :]:  # (codes of 3 ... 7 characters: none shorter than the key)
            start = bisect_left(level, code, key=codes)
            end = bisect_left(level, code + _LAST, key=codes)
            if start < end:
                yield level, start, end

    def _is_code_match(self, id: int, key: str) -> bool:
        return _code_key(self.codes[id]).startswith(key)

    def _code_parts(self, word: _Word) -> list[Sequence[int]]:
        """The code equal to the word, the codes starting with it, then its text-only matches."""
        key = word.key
        assert key is not None
        parts: list[Sequence[int]] = []
        exact: list[int] = []
        for level, start, end in self._code_spans(key):
            if not exact and _code_key(self.codes[level[start]]) == key:
                exact.append(level[start])
                start += 1
            parts.append(_Slice(level, start, end))
        parts.insert(0, exact)
        if word.run == key:  # a single run (b12, c50): its words in the text too
            parts.append(sorted(id for id in self._text_set(word.run) if not self._is_code_match(id, key)))
        return parts

    def _mixed_parts(self, words: list[_Word]) -> list[Sequence[int]]:
        """Several words, some code-shaped: the concepts matching all; those matching the code-shaped
        words as codes first (exact codes, then shortest first in code order), then the rest by rank."""
        keys = [word.key for word in words if word.key is not None]
        found: set[int] | None = None
        for word in sorted(words, key=lambda word: word.key is None):
            matched = set() if word.key is None else {id for level, start, end in self._code_spans(word.key) for id in level[start:end]}
            if word.key is None or word.run == word.key:
                matched |= self._text_set(word.run)
            found = matched if found is None else found & matched
            if not found:
                return []
        assert found is not None
        as_codes = [id for id in found if all(self._is_code_match(id, key) for key in keys)]
        codes = self.codes

        def code_order(id: int) -> tuple:
            code = codes[id]
            return (_code_key(code) not in keys, id not in self.blocks, len(_code_key(code)), code)

        return [sorted(as_codes, key=code_order), sorted(found.difference(as_codes))]


class _Slice(Sequence[int]):
    """``ids[start:end]`` without a copy."""

    def __init__(self, ids: Sequence[int], start: int, end: int) -> None:
        self.ids, self.start, self.end = ids, start, end

    def __len__(self) -> int:
        return self.end - self.start

    def __getitem__(self, item):  # type: ignore[override]
        start, stop, _ = item.indices(self.end - self.start)
        return list(self.ids[self.start + start : self.start + stop])


class _Headed(Sequence[int]):
    """Two runs of ids in rank order merged: the titles that start with a word of the query (``heads``)
    rank as if one word shorter (Sepsis, unspecified organism before Salmonella sepsis; Parkinson's
    disease before Parkinsonism, unspecified), ties by depth, then id."""

    def __init__(self, heads: Sequence[int], others: Sequence[int], ranks: Sequence[int]) -> None:
        self.heads, self.others, self.ranks = heads, others, ranks

    def __len__(self) -> int:
        return len(self.heads) + len(self.others)

    def __getitem__(self, item):  # type: ignore[override]
        start, stop, _ = item.indices(len(self))
        if not self.heads or not self.others:  # (one run: nothing to merge)
            return list((self.heads or self.others)[start:stop])
        ranks = self.ranks
        merged = heapq.merge(
            ((ranks[id] - 16, id) for id in self.heads[0:stop]), ((ranks[id], id) for id in self.others[0:stop])
        )
        return [id for _, id in islice(merged, start, stop)]


def _bit_test(bits: int) -> Callable[[int], bool]:
    """Whether an id's bit is set in ``bits``: an AND with the id's bit, whose cost grows with the id
    (ids are ranks: those tested, on a first page, are mostly low), where making the int bytes to
    look up takes ~16 us (a shift of the int copies what is above the id)."""

    def test(id: int) -> bool:
        return bool(bits & 1 << id)

    return test


def _bits_of(ids: Iterable[int]) -> int:
    """The bitmap of ``ids``."""
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray(max(ids) // 8 + 1)
    for id in ids:
        buffer[id >> 3] |= 1 << (id & 7)
    return int.from_bytes(buffer, "little")


# -- building -------------------------------------------------------------------------------


def _key(source_path: Path) -> str:
    digest = hashlib.sha256(source_path.read_bytes())
    for source in _SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def _is_current(target: Path, key: str) -> bool:
    if not target.exists():
        return False
    try:
        connection = sqlite3.connect(f"file:{quote(str(target.resolve()))}?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        log.warning("rebuilding unreadable text index %s: %s", target, error)
        return False
    return row is not None and row[0] == key


def _build_once(release: Icd10cmRelease, key: str, target: Path) -> Path:
    """Builds the index into ``target`` unless another process has done so (one that is at it holds a lock
    on the file beside it, which is waited for); where that cannot be written, into a private temporary
    directory. Returns where the index is."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or its process ends
            if not _is_current(target, key):
                _build(release, key, target)
        return target
    except (OSError, sqlite3.Error) as error:
        log.warning("could not write text index %s: %s; building a private copy", target, error)
        private = Path(tempfile.mkdtemp(prefix="icd10cm-text-")) / target.name
        _build(release, key, private)
        return private


def _build(release: Icd10cmRelease, key: str, target: Path) -> None:
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        try:
            _fill(connection, release, key)
        finally:
            connection.close()
        os.replace(temporary, target)  # atomic: a concurrent reader sees no file or a whole one
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("built text index %s in %.2f s", target, time.perf_counter() - started)


def _fill(connection: sqlite3.Connection, release: Icd10cmRelease, key: str) -> None:
    connection.execute("PRAGMA journal_mode = OFF")  # a failed build is thrown away whole
    connection.execute("PRAGMA synchronous = OFF")
    connection.executescript(_SCHEMA)
    order, ranks = _rank_order(release)
    with connection:
        connection.executemany("INSERT INTO concept VALUES (?, ?)", enumerate(order))
        parts, bitmaps, first_bitmaps = _compile(release, order, ranks)
        connection.executemany("INSERT INTO compiled VALUES (?, ?)", parts.items())
        connection.executemany("INSERT INTO bitmap VALUES (?, ?, ?)", ((low, high, value) for (low, high), value in bitmaps.items()))
        connection.executemany("INSERT INTO first_bitmap VALUES (?, ?)", first_bitmaps.items())
        meta = (("key", key), ("version", release.version), ("concepts", str(len(order))))
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta)


def _title_weight(display: str) -> int:
    """How much a title says: its words outside parentheses and brackets, less fillers and numbers
    (the "2" of "Type 2 diabetes mellitus", the "3" of "stage 3")."""
    words = _RUN.findall(_fold(_ASIDE.sub(" ", display)))
    return sum(word not in _FILLERS and not word.isdigit() for word in words)


def _rank_order(release: Icd10cmRelease) -> tuple[list[str], dict[str, int]]:
    """The codes in rank order: by family (a code with its 7th-character extensions and the children
    titled as it), the families by the weight of their head's title, then depth (a block, a heading
    to browse rather than a code to pick, after the codes), then release order; and the (weight,
    depth) part of each code's rank, as weight * 16 + depth."""
    entries = release.entries
    position = {code: number for number, code in enumerate(entries)}
    depth: dict[str, int] = {}
    head: dict[str, str] = {}
    for code, entry in entries.items():  # a parent comes before its children
        parent = entries[entry.parent] if entry.parent is not None else None
        depth[code] = 0 if parent is None else depth[parent.code] + 1
        same = parent is not None and parent.kind != "block" and (entry.kind == "extended" or entry.display == parent.display)
        head[code] = head[parent.code] if same and parent is not None else code
    ranks = {}
    for code, entry in entries.items():
        top = head[code]
        weight = min(_title_weight(_display(entries[top].display, top)), 250)
        ranks[code] = weight * 16 + (15 if entries[top].kind == "block" else min(depth[top], 14))
    order = sorted(entries, key=lambda code: (ranks[code], position[head[code]], position[code]))
    return order, ranks


def _display(display: str, code: str) -> str:
    return display.removesuffix(f" ({code})")  # a block's: "Spondylopathies (M45-M49)"


def _compile(
    release: Icd10cmRelease, order: list[str], ranks: dict[str, int]
) -> tuple[dict[str, bytes], dict[tuple[int, int], bytes], dict[int, bytes]]:
    """The parts of the index (see :class:`_Compiled`)."""
    entries = release.entries
    shown: dict[str, list[int]] = {}
    termed: dict[str, list[int]] = {}
    first: dict[str, list[int]] = {}  # the concepts whose title (outside asides) starts with the word
    for id, code in enumerate(order):  # ids ascending: each word's ids come out sorted
        entry = entries[code]
        display = _fold(_display(entry.display, code))
        # A word the title has only in parentheses or brackets (a nonessential modifier, a synonym)
        # matches as an inclusion term's does: "(congestive)" of I50.2 Systolic (congestive) heart failure.
        own = set(_RUN.findall(_ASIDE.sub(" ", display)))
        texts = [display, *(text for kind, notes in entry.notes if kind == "inclusionTerm" for text in notes)]
        terms = {word for text in texts for word in _RUN.findall(_fold(text))}
        for word in own:
            shown.setdefault(word, []).append(id)
        for word in terms - own:
            termed.setdefault(word, []).append(id)
        leading = _RUN.findall(_fold(_ASIDE.sub(" ", _display(entry.display, code))))
        if leading:
            first.setdefault(leading[0], []).append(id)
    vocabulary = sorted(shown.keys() | termed.keys())
    size = (len(order) + 7) // 8  # of a bitmap
    display_start, display_ids = _concatenated(shown, vocabulary)
    term_start, term_ids = _concatenated(termed, vocabulary)
    first_start, first_ids = _concatenated(first, vocabulary)
    first_bitmaps = {
        word: _bits_of(first_ids[first_start[word] : first_start[word + 1]]).to_bytes(size, "little")
        for word in range(len(vocabulary))
        if first_start[word + 1] - first_start[word] > _BITMAP_FROM
    }
    bitmaps = {}
    for span in _spans(vocabulary):
        low, high = span
        if display_start[high] - display_start[low] > _BITMAP_FROM:
            bitmaps[span] = _bits_of(display_ids[display_start[low] : display_start[high]]).to_bytes(size, "little")
    position = {code: number for number, code in enumerate(entries)}
    ids = {code: id for id, code in enumerate(order)}
    levels: list[list[int]] = [[] for _ in range(6)]  # blocks, then codes of 3 ... 7 characters
    for code in sorted(entries):
        levels[0 if entries[code].kind == "block" else len(_code_key(code)) - 2].append(ids[code])
    parts = {
        "format": marshal.dumps(_FORMAT),
        "order": array("I", [position[code] for code in order]).tobytes(),
        "vocabulary": marshal.dumps(tuple(vocabulary)),
        "display_start": display_start.tobytes(),
        "display_ids": display_ids.tobytes(),
        "term_start": term_start.tobytes(),
        "term_ids": term_ids.tobytes(),
        "first_start": first_start.tobytes(),
        "first_ids": first_ids.tobytes(),
        "ranks": array("I", [ranks[code] for code in order]).tobytes(),
        "parents": array("I", [_NONE if entries[code].parent is None else ids[entries[code].parent] for code in order]).tobytes(),  # type: ignore[index]
        **{f"level{number}": array("I", level).tobytes() for number, level in enumerate(levels)},
    }
    return parts, bitmaps, first_bitmaps


def _concatenated(postings: dict[str, list[int]], vocabulary: list[str]) -> tuple[array, array]:
    start, ids = array("I", [0]), array("I")
    for word in vocabulary:
        ids.extend(postings.get(word, ()))
        start.append(len(ids))
    return start, ids


def _spans(vocabulary: list[str]) -> set[tuple[int, int]]:
    """The runs of the vocabulary that a prefix of one of its words spans."""
    spans = set()
    for word in vocabulary:
        for length in range(1, len(word) + 1):
            prefix = word[:length]
            spans.add((bisect_left(vocabulary, prefix), bisect_left(vocabulary, prefix + _LAST)))
    return spans
