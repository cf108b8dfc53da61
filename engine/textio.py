"""Decode the text files Windows writes, whatever encoding the admin's shell chose.

`>` redirection in Windows PowerShell 5.1 writes UTF-16 LE with a BOM, `Out-File -Encoding utf8`
writes UTF-8 with a BOM, PowerShell 7 writes UTF-8 without one. A file that is none of these is
reported as unreadable rather than decoded into garbage, and a byte-order mark that names the
wrong encoding is noticed (and read past) instead of yielding a line of CJK mojibake.
"""
from __future__ import annotations

import codecs
import contextlib
import re
import unicodedata

from .errors import ArtifactError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_NAMES = {"utf-8": "UTF-8", "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE"}
_SAMPLE = 4096  # characters looked at to judge a decoding


def decode(data: bytes, path: str) -> str:
    """Return the text of `data`; raise ArtifactError naming `path` if it is not text we know."""
    return decode_noting(data, path)[0]


def bom_mismatch(data: bytes) -> str | None:
    """What is wrong with the byte-order mark of `data`, when its content is unambiguously in
    another encoding (the note the bundle's problems list shows); None when the mark is right."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _read_against_bom(data[len(bom):len(bom) + 4 * _SAMPLE], encoding, partial=True)[1]
    return None


def decode_noting(data: bytes, path: str) -> tuple[str, str | None]:
    """The text of `data` and, when its byte-order mark lies, a note saying so.

    A UTF-16 file whose mark names the other byte order (or a UTF-8 file behind a UTF-16 mark)
    decodes under its mark into CJK and private-use mojibake; it is read in the one encoding
    that gives readable text instead. With no such encoding the mark is believed, so genuinely
    Chinese or Korean text is never "repaired".
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text, note = _read_against_bom(data[len(bom):], encoding)
            if text is None:
                raise ArtifactError(path, note or f"starts with a {encoding} byte-order mark but is not valid {encoding}")
            return normalise_newlines(text), note
    if _looks_like_utf16_without_bom(data):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        with contextlib.suppress(UnicodeDecodeError):  # not UTF-16 after all: try the others
            return normalise_newlines(data.decode(encoding)), None
    if b"\x00" in data[:4096]:
        raise ArtifactError(path, "is binary, expected text (UTF-8 or UTF-16 with a byte-order mark)")
    try:
        return normalise_newlines(data.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        raise ArtifactError(path, f"is not valid UTF-8 (byte {exc.start}); expected UTF-8 or "
                                  "UTF-16 with a byte-order mark") from None


def _read_against_bom(body: bytes, encoding: str, partial: bool = False) -> tuple[str | None, str | None]:
    """(text, note) for the bytes after a `encoding` byte-order mark; text None when unreadable.
    partial: `body` is the head of the file, possibly cut in the middle of a character."""
    try:
        text: str | None = _decoded(body, encoding, partial)
        invalid = None
    except UnicodeDecodeError as exc:
        text = None
        invalid = exc.start
    if text is not None and not _garbled(text):
        return text, None
    readable = []
    for other in _NAMES:
        with contextlib.suppress(UnicodeDecodeError):
            decoded = _decoded(body, other, partial)
            if other != encoding and _readable(decoded):
                readable.append((other, decoded))
    if len(readable) == 1:
        other, decoded = readable[0]
        return decoded, (f"the byte-order mark says {_NAMES[encoding]} but the content is {_NAMES[other]}; "
                         f"read as {_NAMES[other]}")
    if text is None:
        return None, (f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                      f"(byte {invalid + len(_bom_of(encoding))})")
    return text, None


def _decoded(body: bytes, encoding: str, partial: bool) -> str:
    if partial:  # a character cut at the end of the sample is not an error
        return codecs.getincrementaldecoder(encoding)().decode(body, final=False)
    return body.decode(encoding)


def _bom_of(encoding: str) -> bytes:
    return next(bom for bom, name in _BOMS if name == encoding)


def _garbled(text: str) -> bool:
    """Mostly CJK, Hangul, private-use, unassigned or control characters: the signature of bytes
    decoded in the wrong UTF-16 order (b"\\x00N" read as U+4E00)."""
    head = text[:_SAMPLE]
    if head.isascii() and not _ASCII_CONTROL.search(head):
        return False  # the common case, decided without a per-character loop: nothing suspicious
    sample = [c for c in head if not c.isspace()]
    if not sample:
        return False
    odd = sum(1 for c in sample if _suspicious(c))
    return odd * 2 > len(sample)


# The ASCII characters _suspicious flags (category Cc) that str.isspace does not skip.
_ASCII_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f]")


def _suspicious(char: str) -> bool:
    code = ord(char)
    if 0x3400 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF:
        return True
    return unicodedata.category(char) in ("Cn", "Co", "Cs", "Cc")


def _readable(text: str) -> bool:
    """At least 90% Latin letters, digits and punctuation: what Windows command output is made of
    (localised labels included), whatever the system language of the values."""
    sample = [c for c in text[:_SAMPLE] if not c.isspace()]
    if not sample:
        return False
    latin = sum(1 for c in sample if ord(c) < 0x0250 and unicodedata.category(c) != "Cc")
    return latin * 10 >= len(sample) * 9


def _looks_like_utf16_without_bom(data: bytes) -> bool:
    sample = data[:200]
    if len(sample) < 4:
        return False
    zeros_odd = sample[1::2].count(0)
    zeros_even = sample[0::2].count(0)
    half = len(sample) // 2
    return zeros_odd > half * 0.8 or zeros_even > half * 0.8


def normalise_newlines(text: str) -> str:
    """\n for every line ending: \r\n, a lone \r, and \r\r\n (a CRLF file copied once more
    in text mode, as FTP and some ticket tools do), which must not read as a blank line after
    every line (Format-List records are separated by blank lines)."""
    return _LINE_END.sub("\n", text)


_LINE_END = re.compile(r"\r+\n|\r")
