"""terminology.loaders.atomic_files: a file written whole or not at all, with nothing left behind."""

from __future__ import annotations

import pytest

from terminology.loaders.atomic_files import write_atomically


def test_a_file_is_written_and_its_folder_made(tmp_path):
    target = tmp_path / "new" / "folder" / "file.bin"
    write_atomically(target, b"first")
    assert target.read_bytes() == b"first"
    write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert [path.name for path in target.parent.iterdir()] == ["file.bin"]


def test_a_write_that_fails_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "taken"
    (target / "inside").mkdir(parents=True)  # a folder that is not empty cannot be replaced by a file
    with pytest.raises(OSError):
        write_atomically(target, b"data")
    assert [path.name for path in tmp_path.iterdir()] == ["taken"]
