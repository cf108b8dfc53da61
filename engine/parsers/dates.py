"""Timestamps as Windows tools write them, turned into the UTC ISO-8601 text facts carry.

Windows PowerShell 5.1 writes dates as `\\/Date(ms)\\/`, PowerShell 7 and event XML as ISO-8601 with
an offset or `Z` and up to 9 fractional digits (more than `datetime.fromisoformat` accepts on
older Pythons). Facts keep whole seconds only: sub-second precision never changes a diagnosis
and would make the same event look different across formats.
"""
from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta, timezone
from typing import Optional

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_ISO = re.compile(
    r"\s*(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[T ](?P<h>\d{1,2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,]\d+)?)?\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?\s*",
    re.IGNORECASE,
)
_DOTNET = re.compile(r"\s*/Date\((?P<ms>-?\d+)(?:[+-]\d{4})?\)/\s*")


def parse_iso(text: str) -> Optional[datetime]:
    """Parse an ISO-8601 timestamp; aware (UTC) when it carries an offset, naive when it does not.

    Returns None for anything that is not a valid date and time.
    """
    text = text.strip()
    if len(text) >= 16 and text[10:11] in ("T", " "):
        # fast path (C); Python 3.10 rejects 7-digit fractions and "Z", the regex below does not
        with contextlib.suppress(ValueError, OverflowError):
            value = datetime.fromisoformat(text).replace(microsecond=0)
            return value.astimezone(timezone.utc) if value.tzinfo else value
    match = _ISO.fullmatch(text)
    if not match:
        return None
    tz = match["tz"]
    try:
        value = datetime(int(match["y"]), int(match["mo"]), int(match["d"]), int(match["h"]),
                         int(match["mi"]), int(match["s"] or 0))
        if tz is None:
            return value
        if tz.upper() == "Z":
            return value.replace(tzinfo=timezone.utc)
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        if offset >= timedelta(hours=24):
            return None
        sign = -1 if tz[0] == "-" else 1
        return (value - sign * offset).replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError):
        return None


def parse_dotnet_date(text: str) -> Optional[datetime]:
    """Parse the `/Date(ms)/` form (milliseconds since 1970 UTC; a trailing offset is display-only)."""
    digits = text[6:-2] if text.startswith("/Date(") and text.endswith(")/") else ""
    if digits.isdigit() and digits.isascii():  # what Windows PowerShell writes, read without the regex
        ms = int(digits)
    else:
        match = _DOTNET.fullmatch(text)
        if not match:
            return None
        ms = int(match["ms"])
    try:
        return _EPOCH + timedelta(0, 0, 0, ms)  # days, seconds, microseconds, milliseconds
    except OverflowError:
        return None


def utc_text(value: datetime) -> str:
    """Render an aware datetime as the fact catalog's datetime text, e.g. 2026-11-30T08:59:12Z."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
