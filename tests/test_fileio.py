"""Atomic writes behave like the shell's `>`: umask modes, kept modes, symlinks written through,
errors that name the user's path."""
from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

import pytest

from engine.fileio import write_atomically, write_bytes_atomically

@contextlib.contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_the_mode_the_umask_implies(mask, expected, tmp_path):
    target = tmp_path / "report.txt"
    with umask(mask):
        write_atomically(target, "text\n")
    assert (mode(target), target.read_text(encoding="utf-8")) == (expected, "text\n")


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    with umask(0o022):
        write_bytes_atomically(target, b"new\n")
    assert (mode(target), target.read_bytes()) == (0o640, b"new\n")


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomically(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real.txt"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "made.txt")
    write_atomically(link, "new\n")
    assert link.is_symlink() and (tmp_path / "made.txt").read_text(encoding="utf-8") == "new\n"


def test_a_folder_that_refuses_the_temporary_file_is_blamed_on_the_users_path(tmp_path, monkeypatch):
    real_open = os.open

    def refused(name, flags, mode=0o777):
        if str(name).endswith(".tmp"):  # what /sys/kernel answers for any new file
            raise PermissionError(errno.EACCES, "Permission denied", name)
        return real_open(name, flags, mode)
    monkeypatch.setattr("engine.fileio.os.open", refused)
    target = tmp_path / "report.txt"
    with pytest.raises(PermissionError) as info:
        write_atomically(target, "text\n")
    assert (info.value.filename, info.value.strerror) == (str(target), "Permission denied")
    assert list(tmp_path.iterdir()) == []


def test_a_full_device_is_blamed_on_the_users_path():
    with pytest.raises(OSError) as info:
        write_atomically(Path("/dev/full"), "text\n")
    assert (info.value.errno, info.value.filename) == (errno.ENOSPC, "/dev/full")
