"""Bundles are read safely and never changed: traversal, links, bombs and damage are refused."""
from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile

import pytest

from engine.bundle import open_bundle
from engine.errors import BundleError


def _zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_folder_lists_files_with_posix_paths(tmp_path):
    (tmp_path / "dhcp-a").mkdir()
    (tmp_path / "dhcp-a" / "failover.txt").write_text("Name : r1\n")
    bundle = open_bundle(tmp_path)
    assert [f.path for f in bundle.files] == ["dhcp-a/failover.txt"]
    assert bundle.files[0].reader() == b"Name : r1\n"


def test_zip_wrapper_folder_is_stripped(tmp_path):
    path = _zip(tmp_path / "b.zip", {"case/manifest.json": "{}", "case/dhcp-a/failover.txt": "x"})
    assert [f.path for f in open_bundle(path).files] == ["dhcp-a/failover.txt", "manifest.json"]


def test_lone_server_folder_is_not_stripped(tmp_path):
    path = _zip(tmp_path / "b.zip", {"dhcp-a/failover.txt": "x", "dhcp-a/services.txt": "y"})
    assert [f.path for f in open_bundle(path).files] == ["dhcp-a/failover.txt", "dhcp-a/services.txt"]


def test_zip_traversal_and_absolute_members_are_refused(tmp_path):
    path = _zip(tmp_path / "evil.zip", {"../../etc/passwd": "x", "/abs.txt": "y", "dhcp-a/failover.txt": "z"})
    bundle = open_bundle(path)
    assert [f.path for f in bundle.files] == ["dhcp-a/failover.txt"]
    assert sorted(str(e) for e in bundle.skipped) == [
        "../../etc/passwd: has an absolute or '..' path; refused",
        "/abs.txt: has an absolute or '..' path; refused"]


def test_zip_symlink_member_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("dhcp-a/failover.txt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/shadow")
    assert [str(e) for e in open_bundle(path).skipped] == ["dhcp-a/failover.txt: is a symbolic link; refused"]


def test_zip_bomb_ratio_is_refused(tmp_path):
    path = _zip(tmp_path / "bomb.zip", {"dhcp-a/events-System.json": b"\0" * (8 << 20)})
    bundle = open_bundle(path)
    assert bundle.files == []
    assert "compresses more than 200:1" in str(bundle.skipped[0])


def test_truncated_zip_is_one_clear_error(tmp_path):
    good = _zip(tmp_path / "good.zip", {"dhcp-a/failover.txt": "x" * 1000})
    truncated = tmp_path / "bad.zip"
    truncated.write_bytes(good.read_bytes()[:-30])
    with pytest.raises(BundleError) as info:
        open_bundle(truncated)
    assert str(info.value) == f"{truncated}: is not a readable zip archive (truncated or damaged?)"


def test_missing_path(tmp_path):
    with pytest.raises(BundleError, match="does not exist"):
        open_bundle(tmp_path / "nope")


def test_folder_symlinks_are_not_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s")
    root = tmp_path / "bundle"
    (root / "dhcp-a").mkdir(parents=True)
    os.symlink(secret, root / "dhcp-a" / "failover.txt")
    bundle = open_bundle(root)
    assert bundle.files == []
    assert str(bundle.skipped[0]) == "dhcp-a/failover.txt: is a symbolic link; links are not followed"


def test_tar_gz_with_link_member_refused(tmp_path):
    path = tmp_path / "b.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        data = b"Name : r1\n"
        info = tarfile.TarInfo("dhcp-a/failover.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("dhcp-a/services.txt")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    bundle = open_bundle(path)
    assert [f.path for f in bundle.files] == ["dhcp-a/failover.txt"]
    assert bundle.files[0].reader() == b"Name : r1\n"
    assert str(bundle.skipped[0]) == "dhcp-a/services.txt: is a link or device, not a regular file; refused"


def test_reading_never_modifies_the_folder(tmp_path):
    (tmp_path / "dhcp-a").mkdir()
    target = tmp_path / "dhcp-a" / "failover.txt"
    target.write_text("Name : r1\n")
    before = target.stat().st_mtime_ns, sorted(p.name for p in tmp_path.rglob("*"))
    for item in open_bundle(tmp_path).files:
        item.reader()
    assert (target.stat().st_mtime_ns, sorted(p.name for p in tmp_path.rglob("*"))) == before


def test_truncated_tar_gz_keeps_the_members_before_the_damage(tmp_path):
    path = tmp_path / "b.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for number in range(40):
            data = os.urandom(4000)  # incompressible, so the cut lands among the members
            info = tarfile.TarInfo(f"dhcp-a/file{number:02}.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    bundle = open_bundle(path)
    assert 5 < len(bundle.files) < 40
    assert bundle.files[0].path.endswith("file00.txt") and len(bundle.files[0].reader()) == 4000
    assert str(bundle.skipped[-1]).startswith(f"b.tar.gz: is damaged after {len(bundle.files) + 1} members") or \
        str(bundle.skipped[-1]).startswith(f"b.tar.gz: is damaged after {len(bundle.files)} members")


def test_folder_links_and_pipes_are_reported_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "failover.txt").write_text("x")
    root = tmp_path / "bundle"
    root.mkdir()
    os.symlink(elsewhere, root / "dhcp-b")
    os.mkfifo(root / "pipe.json")
    bundle = open_bundle(root)
    assert bundle.files == []
    assert sorted(str(e) for e in bundle.skipped) == [
        "dhcp-b: is a symbolic link to a folder; links are not followed",
        "pipe.json: is not a regular file (a pipe or device?); skipped"]


@pytest.mark.parametrize("cut", [10, 20, 50, 100])
def test_a_tar_gz_cut_off_in_its_first_block_is_one_clear_error(tmp_path, cut):
    """gzip raises EOFError there, which click would turn into 'interrupted' (exit 130)."""
    whole = tmp_path / "whole.tar.gz"
    with tarfile.open(whole, "w:gz") as archive:
        data = os.urandom(4000)
        info = tarfile.TarInfo("dhcp-a/failover.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    path = tmp_path / "tiny.tar.gz"
    path.write_bytes(whole.read_bytes()[:cut])
    with pytest.raises(BundleError) as info:
        open_bundle(path)
    assert str(info.value) == f"{path}: is not a readable tar archive (truncated or damaged?)"
