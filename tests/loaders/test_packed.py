"""terminology.loaders.packed: columns of codes and texts in one object, read as sequences of strings."""

from __future__ import annotations

import pytest

from terminology.loaders.packed import PackedCodes, PackedTexts


def test_codes():
    codes = PackedCodes.of(["001.0", "042", "E880.9", "V45.81"])
    assert (codes.width, len(codes), list(codes), codes[-1], codes[1:3]) == (6, 4, ["001.0", "042", "E880.9", "V45.81"], "V45.81", ["042", "E880.9"])
    assert [codes.find(code) for code in ("001.0", "042", "E880.9", "V45.81", "04", "0420", "E880.90", "")] == [0, 1, 2, 3, None, None, None, None]
    assert (codes.find("V45.81", 0, 3), codes.find("042", 2), codes.find("042", 1, 2)) == (None, None, 1)
    with pytest.raises(IndexError):
        codes[4]


def test_texts_and_their_encoded_form():
    texts = PackedTexts.of(["Ménière's disease", "", "Cholera"])
    assert (len(texts), list(texts), texts[-1]) == (3, ["Ménière's disease", "", "Cholera"], "Cholera")
    assert list(PackedTexts.decoded(*texts.encoded())) == list(texts)
    assert list(PackedCodes(*PackedCodes.of(["A", "BC"]).encoded())) == ["A", "BC"]
    with pytest.raises(IndexError):
        texts[-4]
