"""Atomic file writes: a reader (or a crash) never sees half a report, script or bundle."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a file.

    A target that exists and is not a regular file (a pipe, /dev/stdout, a device) is written to
    directly: renaming over it would replace the device node itself.
    """
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise UsageError(f"{path}: the folder {directory} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """The binary twin of write_atomically (bundles, archives)."""
    directory = path.resolve().parent
    if not directory.is_dir():
        raise UsageError(f"{path}: the folder {directory} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
