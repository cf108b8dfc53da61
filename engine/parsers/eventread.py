"""Read event records out of `Get-WinEvent | ConvertTo-Json` and `wevtutil qe /f:xml` files.

Both readers yield the same small record, one at a time, so a log of a million events never
has to exist as a million Python objects. A record that cannot be read (no ID, no usable time)
is reported to Problems with its position and skipped; the rest of the log still counts.

XML is parsed with defusedxml only, streamed with iterparse; wevtutil writes a bare sequence of
<Event> elements without a root, so a synthetic root is supplied around them when needed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterator, Optional
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..errors import ArtifactError
from .base import Artifact, Problems
from .dates import parse_iso
from .psjson import date_value, int_value, iter_records, lower_keys, text_value

_JSON = "Get-WinEvent | ConvertTo-Json output"
_XML = "wevtutil qe <log> /f:xml output (<Event> elements)"
# What ConvertTo-Json writes for an EventProperty it did not descend into (-Depth too small).
_UNEXPANDED = "System.Diagnostics.Eventing.Reader.EventProperty"
_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
_FIRST_ELEMENT = re.compile(r"<(?![!?])\s*(?:[\w.-]+:)?(?P<name>[\w.-]+)")
_ROOT_OPEN, _ROOT_CLOSE = "<Events>", "</Events>"


@dataclass(frozen=True)
class EventRecord:
    number: int                    # position in the file, 1-based
    event_id: int
    time: datetime                 # aware, UTC
    provider: Optional[str]
    log: Optional[str]             # LogName / Channel as written
    record_id: Optional[int]
    message: Optional[str]
    params: Optional[tuple[str, ...]]  # insertion strings; None when the output did not keep them

    @property
    def label(self) -> str:
        """How evidence names this record: by RecordId when known, else by position."""
        return f"event RecordId {self.record_id}" if self.record_id is not None else f"record {self.number}"


class _BadRecord(Exception):
    """A record that is present but unusable; the message says what was expected."""


def read_json(artifact: Artifact, problems: Problems) -> Iterator[EventRecord]:
    """Records of a Get-WinEvent | ConvertTo-Json file (5.1 or 7), one at a time."""
    for number, record in iter_records(artifact, problems, _JSON):
        try:
            yield _from_json(number, record)
        except _BadRecord as exc:
            problems.add(artifact.path, str(exc), record=f"record {number}")


def _from_json(number: int, record: dict) -> EventRecord:
    event_id = int_value(record.get("id"))
    if event_id is None:
        raise _BadRecord(f"has no event Id (found {text_value(record.get('id'))!r}); expected an integer")
    return EventRecord(
        number=number,
        event_id=event_id,
        time=_utc(date_value(record.get("timecreated")), record.get("timecreated")),
        provider=text_value(record.get("providername")),
        log=text_value(record.get("logname")),
        record_id=int_value(record.get("recordid")),
        message=record.get("message") if isinstance(record.get("message"), str) else None,
        params=_json_params(record.get("properties")),
    )


def _json_params(properties: Any) -> Optional[tuple[str, ...]]:
    """Insertion strings from Properties: [{"Value": ...}], or None when depth truncation
    replaced them with type names."""
    if not isinstance(properties, list):
        return None
    params = []
    for item in properties:
        if isinstance(item, dict):
            value = lower_keys(item).get("value")
        elif isinstance(item, str) and item.startswith(_UNEXPANDED):
            return None
        else:
            value = item
        params.append(text_value(value) if not isinstance(value, (list, dict)) else "")
    return tuple(p or "" for p in params)


def _utc(value: Optional[datetime], raw: Any) -> datetime:
    """The record's time, which must say where it is in UTC: local times from different servers
    cannot be put on one timeline."""
    if value is None:
        if raw is None:
            raise _BadRecord("has no TimeCreated; expected /Date(ms)/ or ISO-8601 with an offset")
        raise _BadRecord(f"TimeCreated {repr(raw)[:80]} is not a date; expected /Date(ms)/ or ISO-8601 with an "
                         "offset")
    if value.tzinfo is None:
        raise _BadRecord(f"TimeCreated {raw!r} has no UTC offset; expected ISO-8601 with Z or +hh:mm")
    return value


def read_xml(artifact: Artifact, problems: Problems) -> Iterator[EventRecord]:
    """Records of a wevtutil XML file, with or without an <Events> root, one at a time."""
    text = artifact.read_text()
    declaration = _DECLARATION.match(text)
    if declaration:
        # Blank it out rather than cut it, so line and column numbers still match the file;
        # it may name an encoding (UTF-16) that no longer applies to the decoded text.
        text = re.sub(r"\S", " ", declaration.group()) + text[declaration.end():]
    body = text.lstrip()
    if not body:
        return
    if not body.startswith("<"):
        raise ArtifactError(artifact.path, f"is not XML: expected {_XML}; it begins with "
                                           f"{body.split(chr(10))[0][:80]!r}")
    first = _FIRST_ELEMENT.search(body)
    wrapped = first is not None and first["name"] == "Event"
    source = _Chunks(_ROOT_OPEN, text, _ROOT_CLOSE) if wrapped else _Chunks(text)
    shift = len(_ROOT_OPEN) if wrapped else 0
    number = 0
    try:
        for _, element in SafeET.iterparse(source, events=("end",), forbid_dtd=True):
            if _local(element.tag) != "Event":
                continue
            number += 1
            try:
                yield _from_xml(number, element)
            except _BadRecord as exc:
                problems.add(artifact.path, str(exc), record=f"record {number}")
            # Only an empty <Event/> stays under the root: "end" events alone are much cheaper than
            # also asking for "start" events just to hold on to the root.
            element.clear()
    except ParseError as exc:
        line, column = exc.position  # expat counts columns from 0
        column = (column - shift if line == 1 else column) + 1
        reason = str(exc).split(": line ")[0]
        end_line, end_column = text.count("\n") + 1, len(text) - text.rfind("\n")
        if (line, column) > (end_line, end_column):  # tripped over the synthetic closing root
            line, column, reason = end_line, end_column, "the file ends inside an element"
        if number == 0:
            raise ArtifactError(artifact.path, f"is not valid XML: {reason} at line {line} column {column}; "
                                               f"expected {_XML}") from None
        problems.add(artifact.path, f"is cut off or broken at line {line} column {column} ({reason}); "
                                    f"the {number} event(s) before it were read")
    except DefusedXmlException:
        raise ArtifactError(artifact.path, f"declares a DTD or entities, which event XML never does; refused "
                                           f"for safety, expected {_XML}") from None


def _from_xml(number: int, event: Element) -> EventRecord:
    parts = _children(event)
    system = parts.get("System")
    if system is None:
        raise _BadRecord("has no <System> element; expected an event as wevtutil writes it")
    fields = _children(system)
    raw_id = _text(fields.get("EventID"))
    event_id = int_value(raw_id)
    if event_id is None:
        raise _BadRecord(f"has no usable <EventID> (found {raw_id!r}); expected an integer")
    created = fields.get("TimeCreated")
    raw_time = created.get("SystemTime") if created is not None else None
    provider = fields.get("Provider")
    rendering = parts.get("RenderingInfo")
    return EventRecord(
        number=number,
        event_id=event_id,
        time=_utc(parse_iso(raw_time) if raw_time else None, raw_time),
        provider=(provider.get("Name") or provider.get("EventSourceName")) if provider is not None else None,
        log=_text(fields.get("Channel")),
        record_id=int_value(_text(fields.get("EventRecordID"))),
        message=_text(_children(rendering).get("Message")) if rendering is not None else None,
        params=_xml_params(parts),
    )


def _xml_params(parts: dict[str, Element]) -> Optional[tuple[str, ...]]:
    """EventData/Data in document order; for UserData events, the fields of its one child."""
    data = parts.get("EventData")
    if data is not None:
        return tuple((item.text or "").strip() for item in data if _local(item.tag) == "Data")
    user = parts.get("UserData")
    if user is not None and len(user):
        return tuple((item.text or "").strip() for item in user[0])
    return None


def _children(element: Element) -> dict[str, Element]:
    """Children by local name (the first of each), looked up once per element."""
    found: dict[str, Element] = {}
    for child in element:
        found.setdefault(_local(child.tag), child)
    return found


def _text(element: Optional[Element]) -> Optional[str]:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


@lru_cache(maxsize=256)
def _local(tag: Any) -> str:
    """The tag without its namespace; a log repeats a handful of tags, so this is cached."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _Chunks:
    """A read()-able view of several strings in a row (the body between a synthetic root)."""

    def __init__(self, *parts: str):
        self._parts = [p for p in parts if p]
        self._offset = 0

    def read(self, size: int = -1) -> str:
        if not self._parts:
            return ""
        part = self._parts[0]
        end = len(part) if size is None or size < 0 else self._offset + size
        chunk = part[self._offset:end]
        self._offset = min(end, len(part))
        if self._offset >= len(part):
            self._parts.pop(0)
            self._offset = 0
        return chunk
