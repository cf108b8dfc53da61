"""Times written in YAML (rule conditions, fixture facts, scenarios), brought to the form facts carry.

Facts hold a time as UTC ISO-8601 text with whole seconds, e.g. 2026-11-29T23:00:00Z
(engine/parsers/dates.py), and both inference backends compare such values as text, which orders
them correctly only because every one of them has exactly that form. A time an author writes must
be brought to it as well: quoted it is a string, unquoted YAML makes it a datetime, and an offset
(+01:00) has to become UTC. Anything else ("yesterday", a time without a zone, a bare date) would
be compared as text with real times and silently never match, so it is refused, saying what was
expected.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from .parsers.dates import parse_iso, utc_text

EXAMPLE = "2026-11-29T23:00:00Z"
EXPECTED = f"expected an ISO-8601 time such as {EXAMPLE}"
NEEDS_ZONE = f"add a time zone, e.g. Z for UTC ({EXAMPLE})"


def parse_time(value: Any) -> tuple[dt.datetime | None, str | None]:
    """(the aware UTC datetime, None), or (None, why `value` is not a time with a zone)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return None, f"{value.isoformat()} has no time zone: {NEEDS_ZONE}"
        return value.astimezone(dt.timezone.utc).replace(microsecond=0), None
    if isinstance(value, dt.date):
        return None, f"{value.isoformat()} is a date without a time: {EXPECTED}"
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed is None:
            return None, f"{value!r} is not a time: {EXPECTED}"
        if parsed.tzinfo is None:
            return None, f"{value!r} has no time zone: {NEEDS_ZONE}"
        return parsed, None
    return None, f"the value {value!r} is {type(value).__name__}: {EXPECTED}"


def as_fact_time(value: Any) -> tuple[str | None, str | None]:
    """(`value` as fact text, None), or (None, why it is not a time with a zone)."""
    parsed, problem = parse_time(value)
    return (utc_text(parsed), None) if parsed is not None else (None, problem)
