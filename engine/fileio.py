"""Atomic file writes: a reader (or a crash) never sees half a report, script or bundle.

What an admin expects from `>` still holds: a new file gets the mode the umask (and any default
ACL) gives it, a replaced file keeps its mode, a symbolic link is written through (its target is
replaced, the link stays), and an error names the path the user gave, never a temporary name.
"""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from .errors import UsageError

_NEW_FILE_MODE = 0o666  # before the umask, as the shell's `>` creates files


def write_atomically(path: Path, text: str) -> None:
    """Write `text` as UTF-8 with LF line ends (see write_bytes_atomically)."""
    write_bytes_atomically(path, text.encode("utf-8"))


def check_destination(path: Path | None, option: str) -> None:
    """Refuse, before any work, an output `option` (-o, --script...) that cannot be written: its
    folder missing or not writable. Otherwise the report is printed and only then the write
    fails, and the admin reads a report whose exit code is the write's."""
    if path is None:
        return
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        if target.is_dir():
            raise UsageError(f"{path}: {option} names a folder; give a file name")
        return  # a pipe or a device, written to directly
    directory = target.parent
    if not directory.is_dir():
        raise UsageError(f"{path}: {option}: the folder {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise UsageError(f"{path}: {option}: the folder {directory} is not writable")


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a file.

    A target that exists and is not a regular file (a pipe, /dev/stdout, a device) is written to
    directly: renaming over it would replace the device node itself. Any OSError is raised again
    naming `path`, so the one-line error shows the file the user asked for.
    """
    try:
        target = Path(os.path.realpath(path))  # through a symlink: replace its target, keep the link
        if target.exists() and not target.is_file():
            with open(target, "wb") as stream:
                stream.write(data)
            return
        directory = target.parent
        if not directory.is_dir():
            raise UsageError(f"{path}: the folder {directory} does not exist")
        _replace(target, data)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from None


def _replace(target: Path, data: bytes) -> None:
    try:
        kept_mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        kept_mode = None
    handle, temporary = _create_temporary(target)
    try:
        with os.fdopen(handle, "wb") as stream:
            if kept_mode is not None and hasattr(os, "fchmod"):  # POSIX modes only
                os.fchmod(stream.fileno(), kept_mode)
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _create_temporary(target: Path) -> tuple[int, str]:
    """A new file beside `target`, created with 0666 so the kernel applies the umask and default
    ACL exactly as for `>` (tempfile.mkstemp would force 0600 whatever the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        temporary = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, _NEW_FILE_MODE), temporary
        except FileExistsError:
            continue
    raise FileExistsError(17, "could not create a temporary file beside it", str(target))


def staging_folder(target: Path) -> Path:
    """A new, empty folder beside `target` to build a folder bundle in and rename into place;
    created with 0777 so the umask gives it the mode `mkdir` would (tempfile.mkdtemp: 0700)."""
    for _ in range(100):
        folder = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            folder.mkdir(mode=0o777)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(17, "could not create a temporary folder beside it", str(target))
