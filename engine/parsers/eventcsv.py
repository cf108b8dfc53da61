"""Read event records out of Event Viewer's "Save All Events As… CSV" export.

The export has a five-name header, `Level,Date and Time,Source,Event ID,Task Category`, and
every row carries a sixth, unnamed column: the rendered message, quoted, often over several
lines. Header, level names and dates follow the display language and culture of the machine
that saved it (`Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie`, `Informationen`,
`27.10.2021 12:28:26` on a German one), so columns are taken by position, never by name. The
export keeps no insertion strings, no record id, no log name and no time zone: fields come from
the message through the en-US templates (as for JSON whose Properties were cut off), records are
labelled by position, and times are converted with the server's UTC offset from computer.json
(or read as UTC when there is none) with a note saying which.
"""
from __future__ import annotations

import csv
from datetime import timedelta, timezone
from typing import Iterator, Optional

from ..errors import ArtifactError
from .base import Artifact, Problems
from .eventread import EventRecord
from .localdates import LocalStamp, Order, parse_stamp, settle_by_collection, settle_order

EXPECTED = "Event Viewer 'Save All Events As' CSV (header Level,Date and Time,Source,Event ID,Task Category)"
# Header rows as Event Viewer writes them, by display language (lower case, spaces kept).
HEADERS = {
    ("level", "date and time", "source", "event id", "task category"): "en",
    ("ebene", "datum und uhrzeit", "quelle", "ereignis-id", "aufgabenkategorie"): "de",
}
# Level column → the level's name in English, as Event Viewer prints it per display language.
LEVELS = {
    "information": "Information", "warning": "Warning", "error": "Error", "critical": "Critical",
    "verbose": "Verbose",
    "informationen": "Information", "warnung": "Warning", "fehler": "Error", "kritisch": "Critical",
    "ausführlich": "Verbose",
}
_COLUMNS = 5


def looks_like_event_csv(first_line: str) -> bool:
    """True when a text's first line is an Event Viewer CSV header (any known language); a line
    the csv module refuses (a NUL, a carriage return inside it) is no such header."""
    lines = first_line.lstrip("\ufeff").splitlines()
    try:
        row = next(csv.reader(lines[:1]), [])
    except csv.Error:
        return False
    return tuple(cell.strip().lower() for cell in row) in HEADERS


def read_csv(artifact: Artifact, problems: Problems) -> Iterator[EventRecord]:
    """Records of an Event Viewer CSV export, one at a time (times in UTC, see module doc)."""
    text = artifact.read_text()
    if not text.strip():
        return
    rows = csv.reader(text.split("\n"))
    parsed: list[tuple[int, list[str], Optional[LocalStamp]]] = []
    try:
        header_row = next(rows, [])
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            line = rows.line_num
            parsed.append((line, row, parse_stamp(row[1]) if len(row) > 1 else None))
    except csv.Error as exc:
        if not parsed:
            raise ArtifactError(artifact.path, f"is not CSV at line {rows.line_num} ({exc}); expected {EXPECTED}") from None
        problems.add(artifact.path, f"is not CSV from line {rows.line_num} on ({exc}); the {len(parsed)} row(s) "
                                    "before it were read")
    header = _header(artifact.path, header_row, parsed[0][1] if parsed else [])
    stamps = [stamp for _, _, stamp in parsed if stamp is not None]
    example = stamps[0].text if stamps else None  # a date as this file writes them, for messages
    order = settle_order(stamps)
    settled_by = ""
    if order.ambiguous and artifact.collected_at is not None:
        collected = artifact.collected_at + timedelta(minutes=artifact.utc_offset_minutes or 0)
        by_collection = settle_by_collection(stamps, collected.replace(tzinfo=None))
        if by_collection is not None:
            order = Order(by_collection)
            settled_by = ", settled by the collection time in computer.json"
    if order.order is None and order.problem is not None:
        # every dated row reads two ways (or the dates contradict each other): none is read; a
        # row without any date is still named, as it would be in a file whose order is settled
        problems.add(artifact.path, f"{order.problem}; {len(stamps)} record(s) skipped", lost=False)
        for line, row, stamp in parsed:
            if stamp is None:
                problems.add(artifact.path, _undated(row, example), record=f"line {line}")
        return
    offset = timedelta(minutes=artifact.utc_offset_minutes or 0)
    if stamps and artifact.utc_offset_minutes is None:
        problems.add(artifact.path, "holds local times without a time zone (Event Viewer CSV); they were "
                                    f"read as UTC ({order.order} dates{settled_by}), so compare them with other files "
                                    "with care", note=True)
    elif stamps:
        problems.add(artifact.path, "holds local times without a time zone (Event Viewer CSV); they were read "
                                    f"with the server's UTC offset at collection ({_minutes(offset)}, from "
                                    f"computer.json; {order.order} dates{settled_by}), so times from the other side of a "
                                    "daylight-saving change are an hour off", note=True)
    number = 0
    for line, row, stamp in parsed:
        number += 1
        label = f"line {line}"
        if stamp is None:
            problems.add(artifact.path, _undated(row, example), record=label)
            continue
        if len(row) < _COLUMNS:
            problems.add(artifact.path, f"has {len(row)} column(s); expected {_COLUMNS} and the message "
                                        f"({EXPECTED})", record=label)
            continue
        level, when, source, event_id, _task = (cell.strip() for cell in row[:_COLUMNS])
        if not event_id.isdigit():
            problems.add(artifact.path, f"Event ID {event_id[:40]!r} is not a number", record=label)
            continue
        time = stamp.to_datetime(order.order) if order.order is not None else None
        if time is None:
            problems.add(artifact.path, f"Date and Time {when[:40]!r} is not a date as Event Viewer writes it "
                                        f"({header} display language, {order.order})", record=label)
            continue
        message = ",".join(row[_COLUMNS:]).strip() or None
        yield EventRecord(number=number, event_id=int(event_id), time=(time - offset).replace(tzinfo=timezone.utc),
                          provider=source or None, log=None, record_id=None, message=message, params=None)


def _undated(row: list[str], example: Optional[str]) -> str:
    """The problem of a row whose Date and Time cell is no date at all, quoting what it holds."""
    expected = (f"a date and time like {example!r} as in the file's other rows" if example is not None else
                "a date and time as Event Viewer writes it (M/d/yyyy h:mm:ss AM in en-US, dd.MM.yyyy HH:mm:ss "
                "in de-DE)")
    found = f"Date and Time {row[1].strip()[:40]!r} is not a date" if len(row) > 1 else "no Date and Time"
    if len(row) < _COLUMNS:
        return (f"has {len(row)} column(s) and {found}; expected {_COLUMNS} columns and the message ({EXPECTED}), "
                f"with {expected}")
    return f"{found}; expected {expected}"


def _minutes(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def level_name(text: str) -> Optional[str]:
    """The English name of a (possibly localised) Level cell; None when it is not one we know."""
    return LEVELS.get(text.strip().lower())


def _header(path: str, row: list[str], first: list[str]) -> str:
    """The display language of the header; a five-name header in another language is accepted
    when the first record has the export's shape (a known level, a date, a numeric ID)."""
    names = tuple(cell.strip().lstrip("\ufeff").lower() for cell in row)
    language = HEADERS.get(names)
    if language is not None:
        return language
    if (len(names) == _COLUMNS and len(first) > _COLUMNS and level_name(first[0]) is not None
            and parse_stamp(first[1]) is not None and first[3].strip().isdigit()):
        return "another"
    shown = ",".join(row)[:120]
    raise ArtifactError(path, f"is not an Event Viewer CSV export: its header reads {shown!r}; expected {EXPECTED}")
