"""Bank archives: export then read gives the same files; unsafe archives are refused."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from exam_engine.banks import validate_path
from exam_engine.banks.archive import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    ArchiveError,
    export_bank,
    read_archive,
    write_files,
)

from .conftest import SAMPLE_BANK

BANK_YAML = "name: b\ntitle: B\n"


def make_zip(members: dict[str, bytes], link: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_export_then_read_round_trips(tmp_path: Path) -> None:
    data = export_bank(SAMPLE_BANK)
    assert export_bank(SAMPLE_BANK) == data  # deterministic: no timestamps
    bundle = read_archive(data)
    assert bundle.name == "fellowship"
    files = sorted(p.relative_to(SAMPLE_BANK).as_posix() for p in SAMPLE_BANK.rglob("*.yaml"))
    assert sorted(bundle.files) == files
    target = tmp_path / "fellowship"
    write_files(target, bundle.files)
    for relative in files:
        assert (target / relative).read_bytes() == (SAMPLE_BANK / relative).read_bytes()
    assert validate_path(target) == []


@pytest.mark.parametrize(
    "name",
    [
        "../evil.yaml",
        "/etc/evil.yaml",
        "b/../../evil.yaml",
        "b/calculus/../../../evil.yaml",
        "b\\calculus\\x.yaml",
        "b/calculus/x.py",
        "b/calculus/deeper/x.yaml",
        "C:/b/calculus/x.yaml",
        "b/calculus/.hidden.yaml",
    ],
)
def test_unsafe_or_unexpected_paths_are_refused(name: str) -> None:
    data = make_zip({"b/bank.yaml": BANK_YAML.encode(), name: b"id: x\n"})
    with pytest.raises(ArchiveError):
        read_archive(data)


def test_links_are_refused() -> None:
    data = make_zip({"b/bank.yaml": BANK_YAML.encode()}, link="b/calculus/link.yaml")
    with pytest.raises(ArchiveError, match="links"):
        read_archive(data)


def test_a_zip_bomb_is_stopped_after_the_limit() -> None:
    bomb = b"0" * (MAX_MEMBER_BYTES * 8)  # compresses to a few KB
    data = make_zip({"b/bank.yaml": BANK_YAML.encode(), "b/calculus/bomb.yaml": bomb})
    assert len(data) < 50_000
    with pytest.raises(ArchiveError, match="larger than"):
        read_archive(data)


def test_a_lying_size_header_does_not_help() -> None:
    big = b"1" * (MAX_MEMBER_BYTES * 4)
    data = bytearray(make_zip({"b/bank.yaml": BANK_YAML.encode(), "b/calculus/x.yaml": big}))
    # Claim 10 bytes uncompressed in both headers of the big member.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.rfind(signature)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(ArchiveError):
        read_archive(bytes(data))


def test_too_many_members_are_refused() -> None:
    members = {f"b/calculus/q{i}.yaml": b"x" for i in range(MAX_MEMBERS + 1)}
    with pytest.raises(ArchiveError, match="more than"):
        read_archive(make_zip({"b/bank.yaml": BANK_YAML.encode(), **members}))


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"b/calculus/x.yaml": b"id: x"}, "no <bank>/bank.yaml"),
        ({"a/bank.yaml": b"x", "b/bank.yaml": b"x"}, "one bank"),
        ({"b/bank.yaml": b"\xff\xfe"}, "UTF-8"),
    ],
)
def test_not_a_single_bank(members: dict[str, bytes], message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        read_archive(make_zip(members))


def test_not_a_zip() -> None:
    with pytest.raises(ArchiveError, match="not a zip"):
        read_archive(b"PK\x03\x04 but not really")
