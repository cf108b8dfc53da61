"""Decode the text files Windows writes, whatever encoding the admin's shell chose.

`>` redirection in Windows PowerShell 5.1 writes UTF-16 LE with a BOM, `Out-File -Encoding utf8`
writes UTF-8 with a BOM, PowerShell 7 writes UTF-8 without one. A file that is none of these is
reported as unreadable rather than decoded into garbage.
"""
from __future__ import annotations

import codecs
import contextlib

from .errors import ArtifactError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes, path: str) -> str:
    """Return the text of `data`; raise ArtifactError naming `path` if it is not text we know."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return _normalise_newlines(body.decode(encoding))
            except UnicodeDecodeError as exc:
                raise ArtifactError(path, f"starts with a {encoding} byte-order mark but is not valid "
                                          f"{encoding} (byte {exc.start + len(bom)})") from None
    if _looks_like_utf16_without_bom(data):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        with contextlib.suppress(UnicodeDecodeError):  # not UTF-16 after all: try the others
            return _normalise_newlines(data.decode(encoding))
    if b"\x00" in data[:4096]:
        raise ArtifactError(path, "is binary, expected text (UTF-8 or UTF-16 with a byte-order mark)")
    try:
        return _normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ArtifactError(path, f"is not valid UTF-8 (byte {exc.start}); expected UTF-8 or "
                                  "UTF-16 with a byte-order mark") from None


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    sample = data[:200]
    if len(sample) < 4:
        return False
    zeros_odd = sample[1::2].count(0)
    zeros_even = sample[0::2].count(0)
    half = len(sample) // 2
    return zeros_odd > half * 0.8 or zeros_even > half * 0.8


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
