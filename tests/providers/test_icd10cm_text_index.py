"""The ICD-10-CM text index (a compiled word index, kept in a SQLite file) over the embedded release.

Which concepts match is checked against an independent reading of the release: a concept
matches when every word of the query starts a word of its display or of one of its own
inclusion terms (words: runs of letters and digits, case and accents folded), or, for a
code-shaped word, when its code starts with the word.  The order is checked where the index
promises one: the M48.48 family, exact codes first, headers before the codes below them.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
import unicodedata
from pathlib import Path

import pytest

from terminology.loaders.release_cache import load_release
from terminology.providers.icd10cm_text_index import Icd10cmTextIndex

RELEASE = Path(__file__).resolve().parents[2] / "resources" / "icd10cm" / "icd10c-tabular-April-1-2026.xml.gz"

HOSTILE = [
    '"',
    '""',
    "*",
    "fract*",
    "NEAR(",
    "NEAR(fract sacr, 2)",
    "a OR b",
    "fract AND NOT sacr",
    "^fract",
    "display: fract",
    "{display terms}: fract",
    "(fract",
    "-fract",
    "') ; DROP TABLE x; --",
    "'; DROP TABLE concept; --",
    "\x00",
    "fr\x00act",
    "\ud800",
    "\U0010ffff",
    "Ménière ß ø 日本語 😀 \u0301 \ufeff",
    "x" * 10_000,
    "fract " * 2_000,
    " ".join(f"w{i}" for i in range(3_000))[:10_000],
    "NEAR(" * 2_000,
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("text-index-cache")


@pytest.fixture(scope="module")
def release(cache_dir):
    return load_release(RELEASE, cache_dir)


@pytest.fixture(scope="module")
def index(release, cache_dir) -> Icd10cmTextIndex:
    index = Icd10cmTextIndex.for_release(release, RELEASE, cache_dir)
    index.build()
    return index


def _words(text: str) -> list[str]:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


@pytest.fixture(scope="module")
def concept_words(release) -> dict[str, list[str]]:
    """code -> the words of its display and own inclusion terms (a block's display without its range)."""
    words = {}
    for code, entry in release.entries.items():
        terms = [text for kind, texts in entry.notes if kind == "inclusionTerm" for text in texts]
        display = entry.display.removesuffix(f" ({code})")
        words[code] = _words(" ".join([display, *terms]))
    return words


def _expected(concept_words: dict[str, list[str]], text: str) -> set[str]:
    """The codes matching ``text`` (words without a code shape only)."""
    query = _words(text)
    return {code for code, words in concept_words.items() if all(any(w.startswith(q) for w in words) for q in query)}


def _depth(release, code: str) -> int:
    return sum(1 for _ in release.ancestors(code))


# -- what matches ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "fatigue fract sacr",
        "stress fracture vertebra",
        "diab mell neph",
        "meniere",
        "Ménière",
        "sjog",
        "sacro-coccygeal",
        "charc joint",
        "vitamin b",
        "burn third degree",
        "zzzz",
    ],
)
def test_matches_are_exactly_the_concepts_with_every_word(index, concept_words, text):
    found = index.search(text)
    assert len(found) == len(set(found))
    assert set(found) == _expected(concept_words, text)


def test_a_word_is_a_prefix_of_a_word(index, release):
    assert index.search("sacr fatig fra") == index.search("sacral fatigue fracture")
    assert "M48.48" in index.search("sacroc")
    assert "M48.48" not in index.search("acrococcygeal")  # inside a word is not a prefix


def test_word_order_does_not_matter(index):
    expected = index.search("fatigue fract sacr")
    for text in ("sacr fract fatigue", "fract sacr fatigue", "SACR Fatigue FRACT"):
        assert index.search(text) == expected
    assert index.search("femur shaft fract left") == index.search("left fract shaft femur")


def test_inclusion_terms_are_searched(index, release):
    assert "stress" not in release.entries["M48.4"].display.lower()
    assert index.search("stress fracture vertebra") == ["M48.4"]


def test_accents_fold(index):
    assert index.search("ménière") == index.search("MENIERE") != []


# -- order ----------------------------------------------------------------------------------


def test_fatigue_fract_sacr_gives_m48_48_then_its_7th_character_codes(index):
    assert index.search("fatigue fract sacr")[:5] == ["M48.48", "M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"]


def test_display_words_rank_above_inclusion_term_words(index, release):
    # "sicca" is in M35.0's inclusion term "Sicca syndrome", and in the displays of H16.22x
    found = index.search("sicca")
    assert found.index("H16.22") < found.index("M35.0")


def test_a_title_that_starts_with_the_word_ranks_as_one_word_lighter(index):
    found = index.search("sepsis")
    assert found.index("A41.9") < found.index("A02.1")  # Sepsis, unspecified organism; Salmonella sepsis


def test_a_category_goes_before_its_codes_when_its_title_is_about_the_query(index):
    # L03 Cellulitis and acute lymphangitis weighs more than L03.90 Cellulitis, unspecified, and starts with the word
    found = index.search("cellulitis")
    assert found.index("L03") < found.index("L03.90")
    # S63 Dislocation and sprain of joints and ligaments at wrist and hand level is not about a sprain of the wrist
    assert index.search("sprain wrist")[0] == "S63.5"


def test_a_word_in_parentheses_ranks_as_an_inclusion_term_word(index):
    # I50.2 Systolic (congestive) heart failure; I50.9 Heart failure, unspecified: "Congestive heart failure NOS"
    found = index.search("congestive heart failure")
    assert found[0] == "I50.9"
    assert set(found) >= {"I50.2", "I50.9"}


def test_one_character_before_another_word_is_a_whole_word(index):
    assert index.search("vitamin d deficiency")[:2] == ["E55", "E55.9"]
    assert "E50" not in index.search("vitamin d deficiency")  # Vitamin A deficiency: "d" is not "deficiency"
    assert "E50" in index.search("vitamin deficiency d")  # the last word is typed still: a prefix
    assert "2" in index._index().vocabulary and "E11.21" not in index.search("type 20")


def test_a_family_ranks_together_with_its_header_first(index, release):
    found = index.search("fatigue fracture vertebra")
    for position, code in enumerate(found):
        entry = release.entries[code]
        if entry.kind == "extended" and entry.parent in found:
            assert found.index(entry.parent) < position


# -- codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["M48.4", "m484", "m48.4", "S32.1", "s321", "M48", "Z99.8"])
def test_a_code_prefix_finds_exactly_the_codes_starting_with_it(index, release, text):
    prefix = text.upper().replace(".", "")
    expected = {code for code in release.entries if code.replace(".", "").startswith(prefix)}
    found = index.search(text)
    assert len(found) == len(set(found))
    assert set(found) == expected


def test_a_code_comes_first_then_shallow_to_deep(index, release):
    found = index.search("M48.4")
    assert found[0] == "M48.4"
    depths = [_depth(release, code) for code in found]
    assert depths == sorted(depths)
    assert found[1:10] == [f"M48.4{i}" for i in range(9)]


def test_an_exact_code_comes_first(index, release):
    assert index.search("m48.48xa") == ["M48.48XA"]
    assert index.search("S32.1")[0] == "S32.1"
    # the blocks M45-M49 and C30-C39 start with the code too, and are shallower
    assert index.search("M45")[:2] == ["M45", "M45-M49"]
    assert index.search("c30")[:2] == ["C30", "C30-C39"]


def test_a_block_is_found_by_its_range(index):
    assert index.search("M45-M49")[0] == "M45-M49"
    assert "M45-M49" not in index.search("M49")  # its display's "(M45-M49)" is not indexed


def test_a_code_word_and_text_words_combine(index, release):
    found = index.search("M48 fatigue sacr")
    assert set(found) == {"M48.48", "M48.48XA", "M48.48XD", "M48.48XG", "M48.48XS"}
    assert index.search("fatigue sacr S32") == []


def test_a_code_shaped_word_also_matches_text_after_the_codes(index, release):
    assert "D51" in index.search("vitamin b12")
    found = index.search("C50")
    codes = [code for code in found if code.startswith("C50")]
    assert found[: len(codes)] == codes and len(codes) > 50
    assert {"Z80.3", "Z85.3"} <= set(found[len(codes) :])  # "Conditions classifiable to C50"


# -- count and paging -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["fatigue fract sacr", "fract", "encounter other", "M48.4", "s7", "b12", "c50", "zzzz", "a", '"', "NEAR("]
)
def test_count_is_the_length_of_the_search(index, text):
    assert index.count(text) == len(index.search(text))


@pytest.mark.parametrize("text", ["fract left femur", "fract", "M48", "sacr", "c50", "c3"])
@pytest.mark.parametrize("size", [1, 7, 137])
def test_pages_make_up_the_whole_search(index, text, size):
    whole = index.search(text)
    head = whole[:620]  # past the bm25-ranked first 500 of a broad search
    pages = []
    for offset in range(0, len(head), size):
        pages += index.search(text, limit=size, offset=offset)
    assert pages[: len(head)] == head
    assert index.search(text, limit=5, offset=len(whole)) == []
    assert index.search(text, limit=0) == []
    assert index.search(text, offset=3) == whole[3:]


def test_negative_paging_is_refused(index):
    with pytest.raises(ValueError):
        index.search("fract", limit=-1)
    with pytest.raises(ValueError):
        index.search("fract", offset=-1)


# -- hostile and empty text -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\t\n "])
def test_empty_text_is_no_search(index, text):
    with pytest.raises(ValueError):
        index.search(text)
    with pytest.raises(ValueError):
        index.count(text)


@pytest.mark.parametrize("text", HOSTILE, ids=lambda text: repr(text[:20]))
def test_hostile_text_is_only_words(index, text):
    found = index.search(text, limit=50)
    assert isinstance(found, list) and all(isinstance(code, str) for code in found)
    assert isinstance(index.count(text), int)


def test_query_syntax_characters_only_separate_words(index):
    expected = index.search("fatigue fract sacr")
    assert index.search('"fatigue" fract* (sacr') == expected
    assert index.search("fatigue: fract^ sacr)") == expected
    assert index.search("NEAR(fatigue fract sacr") == []  # "near" is a word like any other
    assert index.search("a OR b") == index.search("a or b")


def test_the_index_survives_hostile_text(index):
    index.search("'); DROP TABLE concept; --")
    index.search('") ; DROP TABLE concept_text; --')
    assert index.search("fatigue fract sacr")[0] == "M48.48"


# -- the file -------------------------------------------------------------------------------


def test_a_second_start_reuses_the_file(index, release, cache_dir):
    before = index.path.stat()
    again = Icd10cmTextIndex.for_release(release, RELEASE, cache_dir)
    after = again.path.stat()
    assert again.path == index.path and index.path.parent == cache_dir
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not [path for path in cache_dir.iterdir() if path.name.endswith(".tmp")]


def test_the_file_is_built_when_first_searched(release, tmp_path):
    index = Icd10cmTextIndex.for_release(release, RELEASE, tmp_path)
    assert not list(tmp_path.glob("*.sqlite"))
    assert index.search("fatigue fract sacr")[0] == "M48.48"
    assert [path.name for path in tmp_path.glob("*.sqlite")] == [index.path.name]


def test_a_build_another_process_did_is_not_done_again(release, tmp_path):
    # Two workers' indexes, made at start before either searched: the second finds the first's file.
    first, second = (Icd10cmTextIndex.for_release(release, RELEASE, tmp_path) for _ in range(2))
    first.build()
    built = first.path.stat()
    assert second.search("fatigue fract sacr")[0] == "M48.48"
    assert second.path == first.path
    assert (second.path.stat().st_ino, second.path.stat().st_mtime_ns) == (built.st_ino, built.st_mtime_ns)


def test_a_cache_that_cannot_be_written_gets_a_private_copy(release, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    index = Icd10cmTextIndex.for_release(release, RELEASE, blocked / "cache")
    assert index.search("fatigue fract sacr")[0] == "M48.48"
    assert index.path.exists() and blocked not in index.path.parents


def test_an_unreadable_file_is_rebuilt(release, tmp_path):
    index = Icd10cmTextIndex.for_release(release, RELEASE, tmp_path)
    index.build()
    index.path.write_bytes(b"not a database")
    rebuilt = Icd10cmTextIndex.for_release(release, RELEASE, tmp_path)
    assert rebuilt.path == index.path
    assert rebuilt.search("fatigue fract sacr")[0] == "M48.48"


def test_a_parent_reads_the_index_only_when_it_is_built(release, tmp_path):
    index = Icd10cmTextIndex.for_release(release, RELEASE, tmp_path)
    index.load_if_built()  # a server's first start: the file is built on the first search, not before serving
    assert not list(tmp_path.glob("*.sqlite"))
    index.build()
    built = Icd10cmTextIndex.for_release(release, RELEASE, tmp_path)
    built.load_if_built()
    assert built._compiled is not None
    assert built.search("fatigue fract sacr")[0] == "M48.48"


def test_the_file_is_opened_read_only(index):
    connection = index._connection()
    with pytest.raises(Exception, match="readonly|read-only"):
        connection.execute("DELETE FROM concept")


# -- threads and processes ------------------------------------------------------------------


def test_threads_search_at_once(index):
    expected = {text: index.search(text, limit=20) for text in ("fract left", "M48.4", "diab mell")}
    failures = []

    def work() -> None:
        try:
            for _ in range(20):
                for text, codes in expected.items():
                    if index.search(text, limit=20) != codes:
                        failures.append(text)
        except Exception as error:  # a thread's exception would not reach the test
            failures.append(repr(error))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def _search_in_child(index: Icd10cmTextIndex, inherited, queue) -> None:
    queue.put((os.getpid(), index.search("fatigue fract sacr"), index._connection() is inherited))


def _first_search_in_child(index: Icd10cmTextIndex, queue) -> None:
    built: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: built.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("terminology.providers.icd10cm_text_index").addHandler(handler)
    logging.getLogger("terminology.providers.icd10cm_text_index").setLevel(logging.INFO)
    queue.put((index.search("fatigue fract sacr")[0], sum(message.startswith("built text index") for message in built)))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_workers_that_search_first_at_once_build_the_index_once(release, tmp_path):
    index = Icd10cmTextIndex.for_release(release, RELEASE, tmp_path)  # made before the fork, as the server does
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_first_search_in_child, args=(index, queue)) for _ in range(3)]
    for child in children:
        child.start()
    answers = [queue.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    assert [first for first, _ in answers] == ["M48.48"] * 3
    assert sum(builds for _, builds in answers) == 1
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
def test_a_forked_process_opens_its_own_connection(index):
    parent = index.search("fatigue fract sacr")
    inherited = index._connection()  # the parent's connection, copied into the child by the fork
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_search_in_child, args=(index, inherited, queue))
    child.start()
    pid, found, reused = queue.get(timeout=30)
    child.join(timeout=30)
    assert child.exitcode == 0
    assert pid != os.getpid() and found == parent
    assert not reused
