"""Read event records out of raw `.evtx` files (what Event Viewer's "Save All Events As" writes).

The binary format is left to the `evtx` package (a Python binding of the Rust parser
omerbenamram/evtx): it validates chunks, expands the BinXML templates and hands records over one
at a time as JSON text. It reads 80-150 MB/s per CPU second; decoding every record's JSON in
Python would cut that to a third (bench/bench_evtx.py), so only what every record needs
(EventID, Provider, Channel) is picked out of the text with str.find, and the JSON is decoded
only for the records whose event has an insertion-string template (event_templates.tsv): the
few failover, service and time events the rules read. The records come out as the same EventRecord the JSON and XML readers
give, so one summariser (events.py) maps every source to facts.

A damaged file loses only what is damaged: the Rust parser skips a chunk whose header or
checksum is bad (or a record it cannot decode) and carries on; the gaps in the EventRecordIDs
that were read say how many records went with it, and one closing line adds up what was lost,
what came back unusable and what was read.
"""
from __future__ import annotations

import io
import json
import os
import re
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterator, Optional

from ..errors import ArtifactError
from .base import Artifact, Problems
from .dates import parse_iso
from .event_templates import find_template
from .eventread import EventRecord

SIGNATURE = b"ElfFile\x00"
_EXPECTED = "an .evtx event log as Event Viewer or wevtutil epl saves it"
_HEADER_SIZE = 128  # the file header proper; a file shorter than that is cut off
_HEADER_BLOCK = 4096  # the header block the chunks follow
_CHUNK_SIZE = 65536
_CHUNK_COUNT_AT = 42  # u16: how many chunks the header says the file holds
_SKIPPED_KEYS = ("#attributes", "Binary")


def read_evtx(artifact: Artifact, problems: Problems) -> Iterator[EventRecord]:
    """Records of an .evtx file, in file order, one at a time."""
    from evtx import PyEvtxParser  # the binding loads a native library: only when an .evtx is read

    source, head, size = _open(artifact)
    if not head.startswith(SIGNATURE):
        raise ArtifactError(artifact.path, f"is not an .evtx file (no 'ElfFile' signature); expected {_EXPECTED}")
    if size < _HEADER_SIZE:
        raise ArtifactError(artifact.path, f"is cut off inside its file header; expected {_EXPECTED}")
    try:
        # One thread: fleet mode parallelises across processes, and two cores are shared.
        records = PyEvtxParser(source, number_of_threads=1).records_json()
    except (RuntimeError, OSError) as exc:
        raise ArtifactError(artifact.path, f"cannot be read as .evtx ({_first_line(exc)}); "
                                           f"expected {_EXPECTED}") from None
    gaps = _Gaps(artifact.path, problems)
    number = 0
    while True:
        try:
            raw = next(records)
        except StopIteration:
            break
        except RuntimeError as exc:  # a damaged chunk; the parser goes on with the next one
            gaps.damaged(_first_line(exc))
            continue
        number += 1
        record_id = raw.get("event_record_id")
        gaps.seen(record_id)
        try:
            record = _record(number, raw)
        except _Unusable as exc:
            gaps.unusable += 1
            problems.add(artifact.path, str(exc), record=f"event RecordId {record_id}")
            continue
        yield record
    gaps.finish()
    _check_length(artifact.path, head, size, problems)


def _open(artifact: Artifact) -> tuple[Any, bytes, int]:
    """(what the Rust parser reads, the file header, the file size): the file on disk for a
    folder bundle, so that a log of a million records is streamed rather than held in memory;
    otherwise its bytes (a member of an archive)."""
    if artifact.local_path is not None:
        try:
            with open(artifact.local_path, "rb") as handle:
                head = handle.read(_HEADER_BLOCK)
            return artifact.local_path, head, os.path.getsize(artifact.local_path)
        except OSError as exc:
            raise ArtifactError(artifact.path, f"cannot be read: {exc.strerror}") from None
    data = artifact.read_bytes()
    return io.BytesIO(data), data[:_HEADER_BLOCK], len(data)


def _check_length(path: str, head: bytes, size: int, problems: Problems) -> None:
    """A file cut off in transfer ends inside a chunk (or before the chunks its header counts);
    the Rust parser stops quietly there, so say what was lost."""
    announced = int.from_bytes(head[_CHUNK_COUNT_AT:_CHUNK_COUNT_AT + 2], "little")
    body = max(size - _HEADER_BLOCK, 0)
    complete, partial = divmod(body, _CHUNK_SIZE)
    if partial or complete < announced:
        problems.add(path, f"is cut off: {size} bytes hold {complete} complete chunk(s) of 64 KiB"
                           f"{f' of the {announced} its header announces' if announced > complete else ''}; "
                           "the records after the cut are lost, those before it were read", lost=False)


class _Unusable(Exception):
    """A record the parser returned but that lacks what every event fact needs."""


def _record(number: int, raw: dict) -> EventRecord:
    text = raw["data"]
    system = _system_fields(text)
    if system is None:  # an unusual layout: read it the slow way
        return _decoded_record(number, raw, json.loads(text))
    event_id, provider, channel = system
    params = None
    if _wants_params(event_id, provider):
        params = event_params(json.loads(text).get("Event", {}))
    return EventRecord(number=number, event_id=event_id, time=_time(raw), provider=provider or None,
                       log=channel, record_id=raw.get("event_record_id"), message=None, params=params)


@lru_cache(maxsize=1024)
def _wants_params(event_id: int, provider: str) -> bool:
    """Whether an event's insertion strings feed a fact field (a log repeats a few dozen IDs)."""
    template = find_template(event_id, provider or None)
    return template is not None and bool(template.fields)


def _system_fields(text: str) -> Optional[tuple[int, str, Optional[str]]]:
    """(EventID, Provider Name, Channel) as the Rust parser writes them, found with str.find (a
    regular expression over every record costs as much as the parser itself); None when the
    record is laid out differently."""
    start = text.find(_PROVIDER)
    if start < 0:
        return None
    end = text.find("}}", start)
    name_at = text.find(_NAME, start, end)
    if name_at < 0:
        return None
    name_at += len(_NAME)
    name_end = text.find('"', name_at)
    provider = text[name_at:name_end]
    if "\\" in provider:
        return None
    at = text.find(_EVENT_ID, end)
    if at < 0:
        return None
    at += len(_EVENT_ID)
    if text.startswith("{", at):
        at = text.find(_TEXT_KEY, at)
        if at < 0:
            return None
        at += len(_TEXT_KEY)
    digits = _DIGITS.match(text, at)
    if digits is None:
        return None
    digits_end = digits.end()
    channel = None
    channel_at = text.find(_CHANNEL, digits_end)
    if channel_at >= 0:
        channel_at += len(_CHANNEL)
        channel = text[channel_at:text.find('"', channel_at)] or None
        if channel is not None and "\\" in channel:
            return None
    return int(digits.group()), provider, channel


_DIGITS = re.compile(r"[0-9]+")
_PROVIDER = '"Provider":{"#attributes":{'
_NAME = '"Name":"'
_EVENT_ID = '"EventID":'
_TEXT_KEY = '"#text":'
_CHANNEL = '"Channel":"'


def _decoded_record(number: int, raw: dict, document: Any) -> EventRecord:
    event = document.get("Event") if isinstance(document, dict) else None
    system = event.get("System") if isinstance(event, dict) else None
    if not isinstance(system, dict):
        raise _Unusable("has no System element; expected an event record")
    if system.get("Provider") is None and system.get("TimeCreated") is None:
        raise _Unusable("is damaged: its System element has neither Provider nor TimeCreated")
    event_id = _int(_inner_text(system.get("EventID")))
    if event_id is None:
        raise _Unusable(f"has no usable EventID (found {system.get('EventID')!r}); expected an integer")
    provider = system.get("Provider")
    attributes = provider.get("#attributes", {}) if isinstance(provider, dict) else {}
    name = attributes.get("Name") or attributes.get("EventSourceName")
    channel = system.get("Channel")
    return EventRecord(number=number, event_id=event_id, time=_time(raw),
                       provider=name if isinstance(name, str) and name else None,
                       log=channel if isinstance(channel, str) and channel else None,
                       record_id=raw.get("event_record_id"), message=None, params=event_params(event))


def event_params(event: dict) -> Optional[tuple[str, ...]]:
    """Insertion strings of one record as the Rust parser renders it to JSON.

    EventData comes in two shapes: unnamed <Data> elements as {"Data": {"#text": [...]}} (one value
    without the list), and named ones as {"Name": value, ...} in document order. UserData events
    keep their fields under one child element, as in the XML. <Binary> is not an insertion string.
    """
    data = event.get("EventData")
    if isinstance(data, dict):
        values: list[str] = []
        for key, value in data.items():
            if key in _SKIPPED_KEYS:
                continue
            if key == "Data":
                values.extend(_data_texts(value))
            else:
                values.append(_param_text(value))
        return tuple(values)
    user = event.get("UserData")
    if isinstance(user, dict):
        for key, child in user.items():
            if key != "#attributes" and isinstance(child, dict):
                return tuple(_param_text(v) for k, v in child.items() if k != "#attributes")
    return None


def _data_texts(value: Any) -> list[str]:
    if isinstance(value, list):  # several <Data> elements with attributes other than Name
        return [_param_text(_inner_text(item)) for item in value]
    inner = _inner_text(value)
    if isinstance(inner, list):
        return [_param_text(item) for item in inner]
    return [_param_text(inner)]


def _inner_text(value: Any) -> Any:
    return value.get("#text") if isinstance(value, dict) else value


def _param_text(value: Any) -> str:
    value = _inner_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return ""
    return str(value).strip()


def _time(raw: dict) -> datetime:
    """The record's TimeCreated; the Rust parser writes it as '2017-07-12T17:16:28.2141616Z UTC'.
    Facts keep whole seconds, and records of one second share the parsed value."""
    text = str(raw.get("timestamp") or "")
    second = text[:19]
    value = _SECONDS.get(second)
    if value is None:
        value = parse_iso(text.removesuffix(" UTC").strip()) if text else None
        if value is None or value.tzinfo is None:
            raise _Unusable(f"has no usable TimeCreated (found {text[:60]!r}); expected a UTC time")
        if len(_SECONDS) >= 4096:
            _SECONDS.clear()
        _SECONDS[second] = value
    return value


_SECONDS: dict[str, datetime] = {}


def _int(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _first_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


class _Gaps:
    """Counts the records lost to damage, so that the closing line adds up.

    EventRecordIDs of one log are consecutive, but a log wraps around inside its file, so file
    order is not id order: what is missing is every id between the lowest and the highest read
    that was not read. Ids lost before the lowest or after the highest cannot be known, hence
    "at least". A record the parser did return but that is itself unusable (a record cut off by
    the damage: no Provider, no TimeCreated) has its id, so it is no gap; it is counted apart, and
    "read" counts only the records that became events — the number `fodoc inspect` shows.

    The Rust parser reports two kinds of damage: a chunk it skips ("Failed to parse chunk number
    N": its header is bad) and a record it cannot decode ("Failed to parse record number N"); the
    line names each kind by what it is. A chunk that is all zeros it skips without a word (that is
    what unused space looks like), so the public damaged sample, with ten such chunks and two
    whose headers were zeroed, gives two errors: its lost records show only in the id gaps.
    """

    def __init__(self, path: str, problems: Problems):
        self.path = path
        self.problems = problems
        self.reasons: list[str] = []
        self.lowest: Optional[int] = None
        self.highest: Optional[int] = None
        self.count = 0      # records returned with an id, usable or not
        self.unusable = 0   # of those, records that gave no event (each named in its own line)

    def damaged(self, reason: str) -> None:
        self.reasons.append(reason)

    def seen(self, record_id: Optional[int]) -> None:
        if record_id is None:
            return
        self.count += 1
        if self.lowest is None or record_id < self.lowest:
            self.lowest = record_id
        if self.highest is None or record_id > self.highest:
            self.highest = record_id

    def finish(self) -> None:
        if not self.reasons:
            return
        missing = (self.highest - self.lowest + 1 - self.count) if self.count else 0
        lost = (f"at least {missing} record(s) lost (EventRecordIDs {self.lowest}..{self.highest} are not all "
                "there)" if missing > 0 else "an unknown number of records lost")
        if self.unusable:
            lost += f", and {self.unusable} more returned unusable (named by RecordId)"
        records = sum(1 for reason in self.reasons if reason.startswith(_RECORD_ERROR))
        chunks = len(self.reasons) - records
        what = []
        if chunks:
            what.append("a damaged chunk" if chunks == 1 else f"{chunks} damaged chunks")
        if records:
            what.append("a record that could not be decoded" if records == 1 else
                        f"{records} records that could not be decoded")
        read = self.count - self.unusable
        self.problems.add(self.path, f"has {' and '.join(what)} ({self.reasons[0]}); skipped, {lost}; the other "
                                     f"{read} record(s) were read", lost=False)


_RECORD_ERROR = "Failed to parse record"
