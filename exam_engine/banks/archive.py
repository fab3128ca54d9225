"""A bank as a zip of its YAML files, both ways, safe against zip-slip and zip bombs.

An archive holds one bank: ``<bank>/bank.yaml`` and ``<bank>/<topic>/<id>.yaml``. Reading
checks every member's name against that shape (no absolute paths, no ``..``, no links), bounds
the number of members, each member's size and the total, and reads no more bytes than allowed
whatever the headers claim.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from exam_engine.banks.loader import BANK_FILE

MAX_ARCHIVE_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 512 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
_BANK = r"[a-z0-9][a-z0-9_-]{0,99}"
_MEMBER = re.compile(rf"^({_BANK})/(bank\.yaml|[a-z-]{{1,50}}/[a-z0-9][a-z0-9_-]{{0,99}}\.yaml)$")
_EPOCH = (1980, 1, 1, 0, 0, 0)


class ArchiveError(ValueError):
    """The archive is unsafe or not a bank; nothing was read from it."""


@dataclass
class BankArchive:
    """The files of one bank read from an archive: relative path -> text."""

    name: str
    files: dict[str, str]


def export_bank(bank_dir: Path) -> bytes:
    """Zip a bank folder's ``bank.yaml`` and question files (same input, same bytes).

    :param bank_dir: the bank folder.
    :returns: the zip archive.
    """
    buffer = io.BytesIO()
    files = [bank_dir / BANK_FILE, *sorted(bank_dir.glob("*/*.yaml"))]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            if not path.is_file():
                continue
            name = f"{bank_dir.name}/{path.relative_to(bank_dir).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read at most the allowed bytes, whatever the header says the size is."""
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_MEMBER_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
        raise ArchiveError(f"{info.filename}: cannot be read ({exc})") from exc
    if len(data) > MAX_MEMBER_BYTES:
        raise ArchiveError(f"{info.filename}: larger than {MAX_MEMBER_BYTES // 1024} KB")
    return data


def read_archive(data: bytes) -> BankArchive:
    """Read a bank archive, refusing anything unsafe or unexpected.

    :param data: the zip file's bytes.
    :returns: the bank's name and its files as text.
    :raises ArchiveError: on a bad path, a link, too many or too large members, or bad text.
    """
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"the archive is larger than {MAX_ARCHIVE_BYTES // 1024 // 1024} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"not a zip archive: {exc}") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise ArchiveError(f"more than {MAX_MEMBERS} files")
        if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            raise ArchiveError("the files would be too large once unpacked")
        names: set[str] = set()
        files: dict[str, str] = {}
        total = 0
        for member in members:
            match = _MEMBER.match(member.filename)
            if match is None:
                raise ArchiveError(
                    f"{member.filename!r}: expected <bank>/bank.yaml or <bank>/<topic>/<id>.yaml"
                )
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ArchiveError(f"{member.filename}: links are not allowed")
            names.add(match.group(1))
            if len(names) > 1:
                raise ArchiveError("an archive holds one bank: one top-level folder")
            content = _read_member(archive, member)
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise ArchiveError("the files would be too large once unpacked")
            try:
                files[match.group(2)] = content.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ArchiveError(f"{member.filename}: not UTF-8 text") from exc
    if not names or BANK_FILE not in files:
        raise ArchiveError("the archive has no <bank>/bank.yaml")
    return BankArchive(names.pop(), files)


def write_files(target: Path, files: dict[str, str]) -> None:
    """Write an archive's files under a bank folder (paths were checked by :func:`read_archive`).

    :param target: the bank folder.
    :param files: relative path -> text.
    """
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
