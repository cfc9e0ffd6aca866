"""The tabular XML a user hands to ``terminology import``: a file (``.xml``), a gzip-compressed one
(``.xml.gz``), or the zip the CDC publishes each year ("icd10cm-Table and Index-2027.zip"), which
holds the tabular XML beside the index, the drug and neoplasm tables and PDFs.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .icd10cm_xml import Icd10cmRelease, InvalidTabularFile, read_tabular

__all__ = ["MAX_TABULAR_BYTES", "TabularXml", "read_tabular_xml"]

#: The most uncompressed XML read from one file: the CDC's tabular lists are about 25 MB, and a
#: small zip or gzip file can unpack to far more than memory holds.
MAX_TABULAR_BYTES = 200 * 1024 * 1024

_SHOWN_MEMBERS = 12  # a zip's members named in an error, at most


@dataclass(frozen=True, slots=True)
class TabularXml:
    """The bytes of a tabular XML file, and what names it in errors (``x.zip (icd10cm-tabular-2027.xml)``)."""

    source: str
    data: bytes

    def read(self) -> Icd10cmRelease:
        """The release it holds (:class:`InvalidTabularFile` when it is not one)."""
        return read_tabular(io.BytesIO(self.data), self.source)


def read_tabular_xml(path: Path) -> TabularXml:
    """The uncompressed XML in ``path``: the file itself, or its content when its name ends in ``.gz``,
    or the one tabular XML member (``icd10cm-tabular-2027.xml``, ``icd10cm_tabular_2021.xml``) when it
    ends in ``.zip``. Raises :class:`InvalidTabularFile` naming the file when it is damaged, when a zip
    holds no tabular XML member or several, or when the XML is over :data:`MAX_TABULAR_BYTES`;
    OSError when it cannot be read."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            return _read_zip(path)
        with gzip.open(path, "rb") if suffix == ".gz" else path.open("rb") as stream:
            return TabularXml(str(path), _read_bounded(stream, str(path)))
    except zipfile.BadZipFile as error:
        raise InvalidTabularFile(f"{path}: the zip is damaged or cut short ({error})") from error
    except (gzip.BadGzipFile, zlib.error, EOFError) as error:  # EOFError: a gzip file cut short
        raise InvalidTabularFile(f"{path}: {error}") from error


def _read_zip(path: Path) -> TabularXml:
    with zipfile.ZipFile(path) as archive:
        members = [member for member in archive.infolist() if not member.is_dir()]
        tabular = [member for member in members if _is_tabular_xml(member.filename)]
        if len(tabular) != 1:
            raise InvalidTabularFile(
                f"{path}: the zip holds {'no tabular XML file' if not tabular else 'several tabular XML files'} "
                f"(named like icd10cm-tabular-2027.xml); it holds {_listing(members)}"
            )
        (member,) = tabular
        source = f"{path} ({member.filename})"
        if member.file_size > MAX_TABULAR_BYTES:  # what the zip says; _read_bounded checks what it holds
            raise _too_large(source)
        try:
            with archive.open(member) as stream:
                return TabularXml(source, _read_bounded(stream, source))
        except (NotImplementedError, RuntimeError) as error:  # a compression method zipfile lacks; a password
            raise InvalidTabularFile(f"{source}: the member cannot be unpacked ({error})") from error


def _is_tabular_xml(name: str) -> bool:
    # Archives made on a Mac carry a "__MACOSX/._<name>" resource fork beside each file.
    base = PurePosixPath(name).name.lower()
    return "tabular" in base and base.endswith(".xml") and not base.startswith("._") and "__MACOSX" not in name


def _listing(members: list[zipfile.ZipInfo]) -> str:
    if not members:
        return "nothing"
    names = ", ".join(member.filename for member in members[:_SHOWN_MEMBERS])
    more = len(members) - _SHOWN_MEMBERS
    return f"{names} and {more} more" if more > 0 else names


def _read_bounded(stream: BinaryIO, source: str) -> bytes:
    data = stream.read(MAX_TABULAR_BYTES + 1)
    if len(data) > MAX_TABULAR_BYTES:
        raise _too_large(source)
    return data


def _too_large(source: str) -> InvalidTabularFile:
    return InvalidTabularFile(
        f"{source}: the XML is over {MAX_TABULAR_BYTES // (1024 * 1024)} MB, far more than a tabular list (about 25 MB)"
    )
