"""Dates and numbers as a localised Windows prints them, read only where the text is unambiguous.

Event Viewer's CSV export and w32tm write the server's local time in the server's culture:
`5/23/2023 7:51:39 PM` (en-US, month first), `30/05/2023 20:21:27` (en-GB, fr-FR, day first),
`27.10.2021 12:28:26` (de-DE, day first), `2023-05-30 20:21:27` (ISO, sv-SE and others).
`03/04/2023 10:00:00` is the 3rd of April or the 4th of March; this module never guesses which.
A file settles it when one of its dates has a first number above 12 (day first) or a second
number above 12 (month first); `settle_order` looks at all of them. AM/PM alone does not settle
it (en-AU prints day first with PM), and a file whose dates contradict each other is reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Optional

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
YEAR_FIRST = "year-first"

_STAMP = re.compile(
    r"\s*(?:(?P<y1>\d{4})(?P<s1>[-/.])(?P<a1>\d{1,2})(?P=s1)(?P<b1>\d{1,2})"
    r"|(?P<a2>\d{1,2})(?P<s2>[-/.])(?P<b2>\d{1,2})(?P=s2)(?P<y2>\d{4}))"
    r"[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:[.,]\d+)?"
    r"\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?\s*")
_DECIMAL_COMMA = re.compile(r"(?P<sign>[+-]?)(?P<int>\d+),(?P<frac>\d+)")


@dataclass(frozen=True)
class LocalStamp:
    """The parts of a local date and time as printed; `a`/`b` are day and month in some order."""

    a: int
    b: int
    year: int
    hour: int
    minute: int
    second: int
    ampm: Optional[str]  # "AM" / "PM" / None
    separator: str
    year_first: bool
    text: str = field(default="", compare=False)  # as printed, for messages that quote it

    def natural_order(self) -> Optional[str]:
        """The order the text itself settles: ISO year-first, dotted day-first (de-DE), or a
        number above 12; None when both orders read as a valid date."""
        if self.year_first:
            return YEAR_FIRST
        if self.separator == ".":
            return DAY_FIRST
        if self.a > 12 >= self.b:
            return DAY_FIRST
        if self.b > 12 >= self.a:
            return MONTH_FIRST
        return None

    def to_datetime(self, order: str) -> Optional[datetime]:
        """The naive local datetime in `order`; None when it is no valid date."""
        if order in (YEAR_FIRST, MONTH_FIRST):
            month, day = self.a, self.b
        else:
            day, month = self.a, self.b
        hour = self.hour
        if self.ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if self.ampm == "PM" else 0)
        try:
            return datetime(self.year, month, day, hour, self.minute, self.second)
        except ValueError:
            return None


def parse_stamp(text: str) -> Optional[LocalStamp]:
    """Split a localised date-time into its parts; None when it is not one."""
    match = _STAMP.fullmatch(text)
    if match is None:
        return None
    year_first = match["y1"] is not None
    ampm = match["ampm"]
    return LocalStamp(
        a=int(match["a1"] if year_first else match["a2"]),
        b=int(match["b1"] if year_first else match["b2"]),
        year=int(match["y1"] if year_first else match["y2"]),
        hour=int(match["h"]), minute=int(match["mi"]), second=int(match["s"] or 0),
        ampm=("PM" if ampm[0] in "Pp" else "AM") if ampm else None,
        separator=match["s1"] or match["s2"],
        year_first=year_first,
        text=text.strip(),
    )


@dataclass(frozen=True)
class Order:
    """What the dates of one file say about their order: `order` or, when unsettled, `problem`."""

    order: Optional[str]
    problem: Optional[str] = None
    ambiguous: bool = False  # unsettled because every date reads both ways (not because they contradict)


def settle_order(stamps: Iterable[LocalStamp]) -> Order:
    """The day/month order of a file's dates, from the dates that settle it themselves."""
    seen: dict[str, LocalStamp] = {}
    stamps = list(stamps)
    if stamps and all(stamp.a == stamp.b and not stamp.year_first for stamp in stamps):
        return Order(MONTH_FIRST)  # 12/12/2026 reads the same either way: nothing to settle
    for stamp in stamps:
        order = stamp.natural_order()
        if order is not None:
            seen.setdefault(order, stamp)
    slash = {k: v for k, v in seen.items() if k != YEAR_FIRST}
    if len(slash) > 1:
        day, month = slash[DAY_FIRST], slash[MONTH_FIRST]
        return Order(None, f"mixes day-first ({day.a}{day.separator}{day.b}{day.separator}{day.year}) and "
                           f"month-first ({month.a}{month.separator}{month.b}{month.separator}{month.year}) "
                           "dates; expected one culture per file")
    if slash:
        return Order(next(iter(slash)))
    if YEAR_FIRST in seen:
        return Order(YEAR_FIRST)
    if not stamps:
        return Order(None)  # no date at all: nothing to settle, and nothing that reads two ways
    example = next((stamp for stamp in stamps if stamp.a != stamp.b), stamps[0])
    return Order(None, f"has only dates like {example.text or _numbers(example)!r} that read as day-first and as "
                       "month-first, and no date above the 12th settles which; the times were not read",
                 ambiguous=True)


def _numbers(stamp: LocalStamp) -> str:
    return f"{stamp.a}{stamp.separator}{stamp.b}{stamp.separator}{stamp.year}"


# How far before the collection the newest record of an exported log may lie, and how far after
# (clock skew and a wrong UTC offset), for the collection time to settle the order. Swapping day and
# month moves a date at least 27 days (2/3 <-> 3/2: February 3rd, March 2nd), so no window shorter
# than that can fit both orders.
NEWEST_BEFORE = timedelta(days=10)
NEWEST_AFTER = timedelta(days=1)


def settle_by_collection(stamps: Iterable[LocalStamp], collected_local: datetime,
                         before: timedelta = NEWEST_BEFORE, after: timedelta = NEWEST_AFTER) -> Optional[str]:
    """The one order that puts the newest of a file's two-way dates just before the collection
    (local time); None when neither or both do. A log is exported when the bundle is collected and
    a failover server logs something every few days, so the newest record sits shortly before
    `collected_local` in the true order and four weeks or more away in the swapped one. This is
    no guess: when the newest record is older than the window, the file stays unsettled.

    `before`/`after` narrow the window for a caller that knows better when the newest date must
    lie (w32tm says how long ago its last sync was); a window under 27 days never fits both."""
    stamps = [stamp for stamp in stamps if stamp.a != stamp.b]  # 12/12 reads the same both ways
    fitting = []
    for order in (MONTH_FIRST, DAY_FIRST):
        times = [stamp.to_datetime(order) for stamp in stamps]
        if not times or any(t is None for t in times):
            continue
        newest = max(times)
        if collected_local - before <= newest <= collected_local + after:
            fitting.append(order)
    return fitting[0] if len(fitting) == 1 else None


def decimal(text: str) -> Optional[float]:
    """A number written with a decimal point or, in comma-decimal cultures, a decimal comma
    (`+00,0123456`); None for anything else (a thousands separator included)."""
    text = text.strip()
    match = _DECIMAL_COMMA.fullmatch(text)
    if match:
        text = f"{match['sign']}{match['int']}.{match['frac']}"
    try:
        return float(text)
    except ValueError:
        return None
