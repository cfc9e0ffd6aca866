"""terminology.loaders.release_cache: the compiled copy of a parsed release, written, read back and rebuilt."""

from __future__ import annotations

import hashlib
import logging
import marshal
import shutil
from pathlib import Path

import pytest

from terminology.content import EMBEDDED_ICD10CM_FILES, resources_dir
from terminology.loaders import icd10cm_xml, release_cache
from terminology.loaders.icd10cm_xml import load_tabular
from terminology.loaders.release_cache import default_cache_dir, load_release, store_release

from .test_icd10cm_xml import TINY

RELEASE = resources_dir() / EMBEDDED_ICD10CM_FILES[-1]


@pytest.fixture()
def tiny_file(tmp_path) -> Path:
    path = tmp_path / "tabular.xml"
    path.write_text(TINY, encoding="utf-8")
    return path


def _expected_name(path: Path) -> str:
    """The cache file's name: the SHA-256 of the release file, then of the loader's two sources."""
    digest = hashlib.sha256(path.read_bytes())
    for source in (icd10cm_xml.__file__, release_cache.__file__):
        digest.update(Path(source).read_bytes())
    return f"icd10cm-{digest.hexdigest()[:32]}.marshal"


def _cached(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.iterdir())


def test_the_embedded_release_is_written_and_read_back_equal(tmp_path):
    parsed = load_tabular(RELEASE)
    first = load_release(RELEASE, tmp_path)
    [written] = _cached(tmp_path)
    assert written.name == _expected_name(RELEASE)
    second = load_release(RELEASE, tmp_path)
    assert _cached(tmp_path) == [written]
    for release in (first, second):
        assert release.version == parsed.version == "2026"
        assert release.chapters == parsed.chapters
        assert release.entries == parsed.entries
        assert list(release.entries) == list(parsed.entries)  # the order of the tabular list
        assert release.roots == parsed.roots
    assert len(second.entries) == 98444


def test_a_current_copy_is_what_is_read(tiny_file, tmp_path):
    cache_dir = tmp_path / "cache"
    load_release(tiny_file, cache_dir)
    [written] = _cached(cache_dir)
    version, chapters, entries, roots = marshal.loads(written.read_bytes())
    written.write_bytes(marshal.dumps(("2030", chapters, entries, roots)))
    assert load_release(tiny_file, cache_dir).version == "2030"


def test_a_release_stored_for_a_file_is_read_without_parsing_the_file(tiny_file, tmp_path):
    cache_dir = tmp_path / "cache"
    release = load_tabular(tiny_file)
    release.version = "2030"  # not what the file says: only the stored copy says it
    store_release(tiny_file, release, cache_dir)
    assert [p.name for p in _cached(cache_dir)] == [_expected_name(tiny_file)]
    assert load_release(tiny_file, cache_dir).version == "2030"


def test_the_copy_is_keyed_by_the_files_content_not_its_name(tiny_file, tmp_path):
    cache_dir = tmp_path / "cache"
    assert load_release(tiny_file, cache_dir).version == "2031"
    elsewhere = tmp_path / "elsewhere.xml"
    shutil.copy(tiny_file, elsewhere)
    assert load_release(elsewhere, cache_dir).version == "2031"
    assert [p.name for p in _cached(cache_dir)] == [_expected_name(tiny_file)]
    tiny_file.write_text(TINY.replace("<version>2031</version>", "<version>2032</version>"), encoding="utf-8")
    assert load_release(tiny_file, cache_dir).version == "2032"  # a changed file is never answered from the old copy
    assert sorted(p.name for p in _cached(cache_dir)) == sorted({_expected_name(tiny_file), _expected_name(elsewhere)})


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not marshal at all",
        b"\xff" * 64,
        marshal.dumps(("2031", (), ())),  # a shape this cache never writes
        marshal.dumps(("2031", 1, 2, 3)),
        "truncated",
    ],
)
def test_a_damaged_copy_is_rebuilt_not_trusted(tiny_file, tmp_path, caplog, damage):
    cache_dir = tmp_path / "cache"
    expected = load_release(tiny_file, cache_dir)
    [written] = _cached(cache_dir)
    good = written.read_bytes()
    written.write_bytes(good[: len(good) // 2] if damage == "truncated" else damage)
    with caplog.at_level(logging.WARNING, logger=release_cache.__name__):
        rebuilt = load_release(tiny_file, cache_dir)
    assert rebuilt.entries == expected.entries and rebuilt.version == "2031"
    assert "ignoring unreadable compiled release" in caplog.text
    assert written.read_bytes() == good  # rewritten


def test_a_cache_that_cannot_be_written_is_skipped(tiny_file, tmp_path, caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger=release_cache.__name__):
        release = load_release(tiny_file, blocked / "cache")
    assert release.version == "2031" and "S98.011A" in release.entries
    assert "could not write compiled release" in caplog.text


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TERMINOLOGY_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("TERMINOLOGY_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "terminology"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "terminology"


def test_no_cache_dir_means_the_default(tiny_file, monkeypatch, tmp_path):
    monkeypatch.setenv("TERMINOLOGY_CACHE_DIR", str(tmp_path / "default"))
    load_release(tiny_file)
    assert [p.name for p in _cached(tmp_path / "default")] == [_expected_name(tiny_file)]
