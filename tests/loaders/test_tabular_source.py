"""terminology.loaders.tabular_source: the tabular XML of a plain file, a gzip file or the CDC's zip.

What is refused (damaged files, zips without the tabular file or with several, a member too large)
is tested through ``terminology import`` in ``tests/test_import.py``.
"""

from __future__ import annotations

import gzip
import zipfile

import pytest

from terminology.loaders.icd10cm_xml import InvalidTabularFile
from terminology.loaders.tabular_source import read_tabular_xml

from .test_icd10cm_xml import TINY

XML = TINY.encode("utf-8")


def test_a_plain_file_and_a_gzip_file(tmp_path):
    plain, compressed = tmp_path / "icd10cm_tabular_2031.xml", tmp_path / "icd10cm-tabular-2031.xml.gz"
    plain.write_bytes(XML)
    compressed.write_bytes(gzip.compress(XML))
    assert (read_tabular_xml(plain).source, read_tabular_xml(plain).data) == (str(plain), XML)
    assert (read_tabular_xml(compressed).source, read_tabular_xml(compressed).data) == (str(compressed), XML)
    assert read_tabular_xml(compressed).read().version == "2031"


@pytest.mark.parametrize(
    "member", ["icd10cm-tabular-2031.xml", "icd10cm_tabular_2031.xml", "Table and Index/ICD10CM_Tabular_2031.XML"]
)
def test_the_tabular_member_of_a_zip(tmp_path, member):
    archive = tmp_path / "icd10cm-table-index-2031.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zip_file:
        zip_file.writestr("icd10cm-index-2031.xml", "<ICD10CM.index/>")
        zip_file.writestr("icd10cm-tabular-2031.pdf", "%PDF")
        zip_file.writestr("icd10cm-tabular-2031.xsd", "<xs:schema/>")
        zip_file.writestr(f"__MACOSX/._{member.rsplit('/', 1)[-1]}", "resource fork")
        zip_file.writestr(member, XML)
    found = read_tabular_xml(archive)
    assert (found.source, found.data) == (f"{archive} ({member})", XML)


def test_an_error_in_a_zip_member_names_the_zip_and_the_member(tmp_path):
    archive = tmp_path / "icd10cm-table-index-2031.zip"
    with zipfile.ZipFile(archive, "w") as zip_file:
        zip_file.writestr("icd10cm-tabular-2031.xml", "<ClaML/>")
    with pytest.raises(InvalidTabularFile, match=r"icd10cm-table-index-2031\.zip \(icd10cm-tabular-2031\.xml\): the root element is <ClaML>"):
        read_tabular_xml(archive).read()


def test_a_member_compressed_by_a_method_python_lacks_is_refused(tmp_path):
    """Deflate64 (method 9), which Windows uses for large files, has no unpacker in the standard library."""
    archive = tmp_path / "icd10cm-table-index-2031.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zip_file:
        zip_file.writestr("icd10cm-tabular-2031.xml", XML)
    data = bytearray(archive.read_bytes())
    central = data.find(b"PK\x01\x02")  # the method is written in the local header and the central directory
    data[8:10] = data[central + 10 : central + 12] = (9).to_bytes(2, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(InvalidTabularFile, match=r"\(icd10cm-tabular-2031\.xml\): the member cannot be unpacked \(That compression method is not supported\)"):
        read_tabular_xml(archive)
