"""terminology.loaders.release_cache: the compiled copy of a parsed release, written, read back and rebuilt."""

from __future__ import annotations

import hashlib
import logging
import marshal
import shutil
from pathlib import Path

import pytest

from terminology.content import EMBEDDED_ICD10CM_FILES, resources_dir
from terminology.loaders import icd10cm_xml, release_cache, shared_releases
from terminology.loaders.icd10cm_xml import load_tabular
from terminology.loaders.release_cache import default_cache_dir, load_release, load_releases, store_release
from terminology.loaders.sealed_marshal import sealed, unsealed

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


def _together_name(*paths: Path) -> str:
    """The name of the copy of releases compiled together: the SHA-256 of the sharing's source, then
    of the names of the releases' own copies."""
    digest = hashlib.sha256(Path(shared_releases.__file__).read_bytes())
    digest.update(" ".join(_expected_name(path)[len("icd10cm-") : -len(".marshal")] for path in paths).encode())
    return f"icd10cm-releases-{digest.hexdigest()[:32]}.marshal"


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
    chapters, entries, [(version, chapter_rows, entry_rows, roots)] = unsealed(written.read_bytes())
    written.write_bytes(sealed((chapters, entries, (("2030", chapter_rows, entry_rows, roots),))))
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
        sealed(("2031", (), ())),  # a shape this cache never writes
        sealed(("2031", 1, 2, 3)),
        sealed(((), (), ())),  # no release
        "truncated",
        "a byte changed",  # which marshal alone reads as a changed title
        "unsealed",  # as an older version wrote it, or another program
    ],
)
def test_a_damaged_copy_is_rebuilt_not_trusted(tiny_file, tmp_path, caplog, damage):
    cache_dir = tmp_path / "cache"
    expected = load_release(tiny_file, cache_dir)
    [written] = _cached(cache_dir)
    good = written.read_bytes()
    written.write_bytes(_damaged(good, damage))
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


def _retitled(tiny_file: Path, version: str) -> Path:
    """The tiny release of another year, in which S98.2 has another title."""
    path = tiny_file.with_name(f"tabular-{version}.xml")
    path.write_text(
        TINY.replace("<version>2031</version>", f"<version>{version}</version>").replace(
            "<desc>Traumatic amputation of two or more lesser toes</desc>", "<desc>Traumatic amputation of lesser toes</desc>"
        ),
        encoding="utf-8",
    )
    return path


def test_releases_loaded_together_are_compiled_together_and_read_back_shared(tiny_file, tmp_path):
    later = _retitled(tiny_file, "2032")
    cache_dir = tmp_path / "cache"
    first = load_releases([tiny_file, later], cache_dir)
    assert [p.name for p in _cached(cache_dir)] == sorted(
        [_expected_name(tiny_file), _expected_name(later), _together_name(tiny_file, later)]
    )
    second = load_releases([tiny_file, later], cache_dir)
    assert len(_cached(cache_dir)) == 3
    for releases in (first, second):
        assert [r.version for r in releases] == ["2031", "2032"]
        assert [r.entries for r in releases] == [load_tabular(tiny_file).entries, load_tabular(later).entries]
        then, now = releases
        assert then.entries["S98.0"] is now.entries["S98.0"]
        assert then.entries["S98.2"].display == "Traumatic amputation of two or more lesser toes"
        assert now.entries["S98.2"].display == "Traumatic amputation of lesser toes"
        assert then.entries["S98.2"].children is now.entries["S98.2"].children


def test_releases_compiled_together_are_keyed_by_every_file(tiny_file, tmp_path):
    later = _retitled(tiny_file, "2032")
    cache_dir = tmp_path / "cache"
    load_releases([tiny_file, later], cache_dir)
    _retitled(tiny_file, "2033").rename(later)
    assert [r.version for r in load_releases([tiny_file, later], cache_dir)] == ["2031", "2033"]
    assert _together_name(tiny_file, later) in [p.name for p in _cached(cache_dir)]


def _damaged(good: bytes, damage: bytes | str) -> bytes:
    if damage == "truncated":
        return good[: len(good) // 2]
    if damage == "a byte changed":
        at = good.index(b"Traumatic amputation")
        return good[:at] + b"S" + good[at + 1 :]
    if damage == "unsealed":
        return marshal.dumps(unsealed(good))
    return damage


def test_a_damaged_copy_of_releases_compiled_together_is_rebuilt(tiny_file, tmp_path, caplog):
    later = _retitled(tiny_file, "2032")
    cache_dir = tmp_path / "cache"
    load_releases([tiny_file, later], cache_dir)
    together = cache_dir / _together_name(tiny_file, later)
    together.write_bytes(sealed(unsealed(together.read_bytes())[:2] + ((),)))  # no release in it
    with caplog.at_level(logging.WARNING, logger=release_cache.__name__):
        releases = load_releases([tiny_file, later], cache_dir)
    assert [r.version for r in releases] == ["2031", "2032"]
    assert "ignoring unreadable compiled release" in caplog.text and "holds 0 releases, not 2" in caplog.text
