"""A full-text index of an ICD-10-CM release (SQLite FTS5), for typeahead filters such as
``ValueSet/$expand?filter=fract sacr``.

The index is one SQLite file per release in the release cache's directory, keyed like the
compiled release (SHA-256 of the release file and of the sources that turn it into rows), built
when it is first searched (by one process: the others wait on a lock beside it) into a temporary
file and published with ``os.replace``: every worker process opens the same file read-only, and
a second start builds nothing.

Schema::

    concept(id INTEGER PRIMARY KEY, code, key, family)  -- key: code in lower case, no "." or "-"
    concept_text USING fts5(code, display, terms)       -- contentless; rowid = concept.id
    vocabulary(word PRIMARY KEY)                        -- the words of display and terms
    meta(name PRIMARY KEY, value)                       -- key, version, concepts

``id`` orders the concepts shallow first (blocks, then categories, ...; by depth in the
hierarchy), then in release (tabular) order, so that "the first matches by rowid", which FTS5
finds without sorting, are the headers before the codes below them.  ``family`` is the id of a
7th-character code's parent (of any other concept: its own id).  ``concept_text.code`` holds the
key (``m4848xa``; the block ``M45-M49`` is ``m45m49``), ``display`` the display (a block's
without its trailing ``(M45-M49)``), ``terms`` the concept's own inclusion terms.

The tokenizer is ``unicode61 remove_diacritics 2``: case and accents fold, and every character
that is not a letter or a digit separates words.  No stemming: a stemmer turns a half-typed word
into something that is not a prefix of the stemmed whole word ("bleedi" is no prefix of "bleed").
Prefix indexes of 1, 2 and 3 characters make the first letters of a typeahead cheap; a longer
word is looked up in ``vocabulary`` and replaced by the words it starts (see ``_run_term``).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..loaders import icd10cm_xml
from ..loaders.icd10cm_xml import Icd10cmRelease
from ..loaders.release_cache import default_cache_dir

__all__ = ["Icd10cmTextIndex"]

log = logging.getLogger(__name__)

_SOURCES = (Path(icd10cm_xml.__file__), Path(__file__))

# bm25 weights of the columns (code, display, inclusion terms).
_BM25 = "bm25(concept_text, 10.0, 2.0, 1.0)"

# bm25 ranks this many matches at most (the first ones by id: the shallowest); the matches after
# them follow in id order.  bm25 costs 1-2 us a match, and a typeahead word such as "fract"
# matches 20,000 concepts.
_RANKED = 500

# A word that could be a code or the start of one, once lower-cased without "." and "-":
# a letter, a digit, then up to five letters or digits (M48.48XA -> m4848xa, M45-M49 -> m45m49).
_CODE_WORD = re.compile(r"[a-z][0-9][0-9a-z]{0,5}")
# What the tokenizer keeps of a word, near enough (letters and digits); the rest separates.
_RUN = re.compile(r"[^\W_]+")

# A text of more words than this is first searched with this many of them: when they match
# nothing, the rest (each costing a doclist read) are never looked at.
_FIRST_WORDS = 16
# A word of this many characters or more is replaced by the words it is a prefix of, if they
# are not more than _MAX_EXPANSION (see _run_term).
_EXPANDED_FROM = 4
_MAX_EXPANSION = 64

_SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE concept(id INTEGER PRIMARY KEY, code TEXT NOT NULL, key TEXT NOT NULL, family INTEGER NOT NULL);
CREATE INDEX concept_key ON concept(key);
CREATE TABLE vocabulary(word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE concept_text USING fts5(
    code, display, terms, content='', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
"""

# The best-ranked matches: bm25 over the first _RANKED matches by id; a 7th-character code
# ranks with its family (its parent and siblings: the best score among them), after its parent.
_RANKED_SQL = f"""
WITH hit AS (
    SELECT rowid AS id, {_BM25} AS score FROM concept_text
    WHERE concept_text MATCH ?1 ORDER BY rowid LIMIT {_RANKED}
)
SELECT hit.id, concept.code FROM hit JOIN concept USING (id)
ORDER BY min(hit.score) OVER (PARTITION BY concept.family), concept.family, hit.id
"""
_VOCABULARY_SQL = "SELECT word FROM vocabulary WHERE word >= ?1 AND word < ?2 ORDER BY word LIMIT ?3"
_AFTER_SQL = """
SELECT concept.code FROM concept_text JOIN concept ON concept.id = concept_text.rowid
WHERE concept_text MATCH ?1 AND concept_text.rowid > ?2 ORDER BY concept_text.rowid LIMIT ?3 OFFSET ?4
"""
_EXACT_SQL = """
SELECT concept_text.rowid, concept.code FROM concept_text JOIN concept ON concept.id = concept_text.rowid
WHERE concept_text MATCH ?1 AND concept.key IN (SELECT value FROM json_each(?2)) ORDER BY concept_text.rowid
"""
_COUNT_BUT_SQL = """
SELECT count(*) FROM concept_text WHERE concept_text MATCH ?1 AND rowid NOT IN (SELECT value FROM json_each(?2))
"""
_BY_ID_SQL = """
SELECT concept.code FROM concept_text JOIN concept ON concept.id = concept_text.rowid
WHERE concept_text MATCH ?1 AND concept_text.rowid NOT IN (SELECT value FROM json_each(?2))
ORDER BY concept_text.rowid LIMIT ?3 OFFSET ?4
"""


class Icd10cmTextIndex:
    """Word-prefix search over the codes, displays and inclusion terms of one release.

    The object holds a file name only; each process and each thread opens its own read-only
    connection on first use.  A SQLite connection must not cross a ``fork``; and one connection
    per thread (a few per worker) lets the threads search at once (SQLite releases the GIL while
    it works), where one shared connection behind a lock would make them take turns.
    """

    def __init__(self, path: str | Path, make: Callable[[], Path] | None = None) -> None:
        """``make``: builds the file, when it is not there yet, and says where it is."""
        self._open(Path(path))
        self._local = threading.local()
        self._make = make
        self._making = threading.Lock()

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
        if _is_current(target, key):
            return cls(target)
        return cls(target, lambda: _build_once(release, key, target))

    def build(self) -> None:
        """Builds the file now, if it is not there yet (the first search does it otherwise)."""
        with self._making:  # one thread of a process builds; the others wait for it
            if self._make is not None:
                self._open(self._make())
                self._make = None

    # -- searching --------------------------------------------------------------------------

    def search(self, text: str, limit: int | None = None, offset: int = 0) -> list[str]:
        """The codes of the concepts that match every word of ``text``, best first.

        A word matches a word of the display or of an inclusion term that starts with it
        (``fract`` matches "fracture"), in any order.  A word shaped like a code or its start
        (``M48.4``, ``m484``, ``M45-M49``) also matches the codes that start with it.

        Order: with a code-shaped word, a code equal to it first, then the codes starting with it,
        shallowest first and in release order (M48.4, M48.40 ... M48.48, M48.40XA ...), then the
        concepts that have the word in their text only (``C50``: Z85.3, "Conditions classifiable
        to C50"), in the same order.  Otherwise bm25 (a display word weighs more than an
        inclusion-term word) over the first 500 matches taken shallowest first, a 7th-character
        code right after its parent (M48.48, M48.48XA, XD, XG, XS), ties shallowest first then
        in release order; any further matches follow shallowest first.

        Characters other than letters and digits only separate words, so no text is a query
        syntax error; text with no letter or digit matches nothing.  Raises ``ValueError`` when
        ``text`` is empty or white space (that is no filter, which the caller handles).
        """
        if (limit is not None and limit < 0) or offset < 0:
            raise ValueError("limit and offset must not be negative")
        query = self._compile(text)
        if query is None or limit == 0:
            return []
        end = None if limit is None else offset + limit
        if query.exact_json is not None:
            return self._search_codes(query, offset, end)
        return self._search_words(query, offset, end)

    def count(self, text: str) -> int:
        """How many codes :meth:`search` finds for ``text`` (with no limit)."""
        query = self._compile(text)
        if query is None:
            return 0
        sql = "SELECT count(*) FROM concept_text WHERE concept_text MATCH ?"
        return self._connection().execute(sql, (query.expression,)).fetchone()[0]

    def _compile(self, text: str) -> _Query | None:
        """The query for ``text``; None when it matches nothing (a word matches no word at all,
        or the first words of a long text match nothing together: the rest are never read)."""
        connection = self._connection()
        words = _words(text)
        terms: list[str] = []
        code_terms: list[str] = []  # code-shaped words as codes only
        for word in words:
            term = _word_term(connection, word)
            if term is None:
                return None
            terms.append(term)
            code_terms.append(term if word.key is None else f'code : "{word.key}"*')
            if len(terms) == _FIRST_WORDS < len(words):
                probe = "SELECT 1 FROM concept_text WHERE concept_text MATCH ? LIMIT 1"
                if connection.execute(probe, (" AND ".join(terms),)).fetchone() is None:
                    return None
        if not terms:
            return None
        exact = [word.key for word in words if word.key is not None]
        exact_json = "[" + ",".join(f'"{key}"' for key in exact) + "]" if exact else None  # keys are [0-9a-z]
        expression, codes_expression = " AND ".join(terms), " AND ".join(code_terms)
        return _Query(expression, exact_json, codes_expression if codes_expression != expression else None)

    def _search_codes(self, query: _Query, offset: int, end: int | None) -> list[str]:
        """Exact codes, then the matches whose codes start with the code-shaped words, then the
        matches that have those words in their text only: each part in id order."""
        connection = self._connection()
        exact = connection.execute(_EXACT_SQL, (query.expression, query.exact_json)).fetchall()
        codes = [code for _, code in exact[offset:end]]
        skip = "[" + ",".join(str(id) for id, _ in exact) + "]"
        parts = [query.expression]
        if query.codes_expression is not None:
            parts = [query.codes_expression, f"({query.expression}) NOT ({query.codes_expression})"]
        position = len(exact)  # where the next part starts in the whole result
        for number, part in enumerate(parts):
            if end is not None and end <= position:
                break
            start = max(0, offset - position)
            wanted = -1 if end is None else end - max(offset, position)
            rows = [code for (code,) in connection.execute(_BY_ID_SQL, (part, skip, wanted, start))]
            codes += rows
            if number + 1 < len(parts):
                if start == 0 and (wanted < 0 or len(rows) < wanted):
                    position += len(rows)
                else:
                    position += connection.execute(_COUNT_BUT_SQL, (part, skip)).fetchone()[0]
        return codes

    def _search_words(self, query: _Query, offset: int, end: int | None) -> list[str]:
        connection = self._connection()
        ranked = connection.execute(_RANKED_SQL, (query.expression,)).fetchall()
        codes = [code for _, code in ranked[offset:end]]
        if len(ranked) < _RANKED or (end is not None and end <= len(ranked)):
            return codes
        last = max(id for id, _ in ranked)
        rest_offset = max(0, offset - len(ranked))
        rest_limit = -1 if end is None else end - offset - len(codes)
        rows = connection.execute(_AFTER_SQL, (query.expression, last, rest_limit, rest_offset))
        return codes + [code for (code,) in rows]

    def _connection(self) -> sqlite3.Connection:
        if self._make is not None:
            self.build()
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # none yet, or one inherited across a fork
            local.connection = sqlite3.connect(self._uri, uri=True)
            local.pid = os.getpid()
        return local.connection


@dataclass(frozen=True, slots=True)
class _Query:
    expression: str  # an FTS5 MATCH expression
    exact_json: str | None  # the keys of the code-shaped words, as a JSON array
    codes_expression: str | None = None  # the expression with its code-shaped words as codes only


@dataclass(frozen=True, slots=True)
class _Word:
    run: str  # a run of letters and digits, in lower case
    key: str | None = None  # for a code-shaped word: the code it starts, lower case, no "." or "-"


def _words(text: str) -> list[_Word]:
    """The words of ``text``, without repeats.

    Grammar: ``text`` is split at white space; a piece whose key (in lower case, without "."
    and "-") is shaped like a code is one word (``M48.4``, ``m45-m49``); any other piece gives
    a word for each of its runs of letters and digits (``sacro-coccygeal``: "sacro", "coccygeal").
    """
    if not text.strip():
        raise ValueError("empty filter text: no filter, not a search")
    words: dict[_Word, None] = {}
    for piece in dict.fromkeys(text.lower().split()):
        key = piece.replace(".", "").replace("-", "")
        if _CODE_WORD.fullmatch(key):
            words[_Word(piece, key)] = None
        else:
            words.update((_Word(run), None) for run in _RUN.findall(piece))
    return list(words)


def _word_term(connection: sqlite3.Connection, word: _Word) -> str | None:
    """The FTS5 expression of one word; None when the word matches nothing.

    A code-shaped word matches the codes starting with its key, and, when it is a single run of
    letters and digits (``b12``, not ``M48.4``), the words starting with it too.
    """
    if word.key is None:
        return _run_term(connection, word.run)
    code = f'code : "{word.key}"*'
    if word.run != word.key:
        return code
    text = _run_term(connection, word.run)
    return code if text is None else f"({code} OR {text})"


def _run_term(connection: sqlite3.Connection, run: str) -> str | None:
    """``{display terms} : ...`` for a run of letters and digits, which matches words starting with it.

    FTS5 reads a prefix query (``"fract"*``) by merging the doclists of every word with the
    prefix before it can answer anything; an OR of the few words themselves (fracture,
    fractured, fractures, ...) it reads lazily, which makes a query with a rare word as fast as
    the rare word.  Runs of 2 or 3 characters have a prefix index; runs that are not ASCII are
    left to FTS5's own folding of case and accents.
    """
    if len(run) < _EXPANDED_FROM or not run.isascii():
        return '{display terms} : "' + run.replace('"', '""') + '"*'
    rows = connection.execute(_VOCABULARY_SQL, (run, run + "\U0010ffff", _MAX_EXPANSION + 1)).fetchall()
    if not rows:
        return None
    if len(rows) > _MAX_EXPANSION:
        return f'{{display terms}} : "{run}"*'
    return "{display terms} : (" + " OR ".join(f'"{word}"' for (word,) in rows) + ")"


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
    entries = release.entries
    depth: dict[str, int] = {}
    for entry in entries.values():  # a parent comes before its children
        depth[entry.code] = 0 if entry.parent is None else depth[entry.parent] + 1
    order = sorted(entries, key=depth.__getitem__)  # stable: release order within a depth
    ids = {code: id for id, code in enumerate(order, start=1)}
    concepts = []
    texts = []
    for code in order:
        entry = entries[code]
        id = ids[code]
        family = ids[entry.parent] if entry.kind == "extended" and entry.parent else id
        code_key = code.lower().replace(".", "").replace("-", "")
        display = entry.display.removesuffix(f" ({code})")  # a block's: "Spondylopathies (M45-M49)"
        terms = "\n".join(text for kind, notes in entry.notes if kind == "inclusionTerm" for text in notes)
        concepts.append((id, code, code_key, family))
        texts.append((id, code_key, display, terms))
    with connection:
        connection.executemany("INSERT INTO concept VALUES (?, ?, ?, ?)", concepts)
        connection.executemany("INSERT INTO concept_text(rowid, code, display, terms) VALUES (?, ?, ?, ?)", texts)
        connection.execute("INSERT INTO concept_text(concept_text) VALUES ('optimize')")
        connection.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, concept_text, col)")
        connection.execute(
            "INSERT INTO vocabulary SELECT DISTINCT term FROM temp.words WHERE col IN ('display', 'terms')"
        )
        meta = (("key", key), ("version", release.version), ("concepts", str(len(concepts))))
        connection.executemany("INSERT INTO meta VALUES (?, ?)", meta)
