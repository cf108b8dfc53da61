"""Read event records out of `Get-WinEvent | ConvertTo-Json` and `wevtutil qe /f:xml` files.

Both readers yield the same small record, one at a time, so a log of a million events never
has to exist as a million Python objects. A record that cannot be read (no ID, no usable time)
is reported to Problems with its position and skipped; the rest of the log still counts.

XML is parsed with defusedxml only, streamed a chunk at a time (see _event_elements); wevtutil
writes a bare sequence of <Event> elements without a root, so a synthetic root is supplied
around them when needed.
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any, Callable, Iterable, Iterator, Optional
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.parsers.expat import XMLParserType

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..errors import ArtifactError
from .base import Artifact, Problems
from .dates import parse_iso
from .psjson import KeyLookup, date_value, int_value, iter_objects, lower_keys, text_value

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

    def __init__(self, number: int, event_id: int, time: datetime, provider: Optional[str], log: Optional[str],
                 record_id: Optional[int], message: Optional[str], params: Optional[tuple[str, ...]]):
        # What dataclass would generate for a frozen class sets each field with object.__setattr__,
        # which costs about as much as reading the record did; one update of __dict__ is the same.
        self.__dict__.update(number=number, event_id=event_id, time=time, provider=provider, log=log,
                             record_id=record_id, message=message, params=params)

    @property
    def label(self) -> str:
        """How evidence names this record: by RecordId when known, else by position."""
        return f"event RecordId {self.record_id}" if self.record_id is not None else f"record {self.number}"


class _BadRecord(Exception):
    """A record that is present but unusable; the message says what was expected."""


def read_json(artifact: Artifact, problems: Problems) -> Iterator[EventRecord]:
    """Records of a Get-WinEvent | ConvertTo-Json file (5.1 or 7), one at a time."""
    fields = KeyLookup(_JSON_FIELDS)
    for number, record in iter_objects(artifact, problems, _JSON):
        try:
            yield _from_json(number, fields(record))
        except _BadRecord as exc:
            problems.add(artifact.path, str(exc), record=f"record {number}")


# The properties read from each record, looked up case-insensitively (see psjson.KeyLookup).
_JSON_FIELDS = ("id", "timecreated", "providername", "logname", "recordid", "message", "properties")


def _from_json(number: int, values: tuple) -> EventRecord:
    raw_id, raw_time, provider, log, record_id, message, properties = values
    event_id = raw_id if type(raw_id) is int else int_value(raw_id)
    if event_id is None:
        raise _BadRecord(f"has no event Id (found {text_value(raw_id)!r}); expected an integer")
    time = date_value(raw_time)
    if time is None or time.tzinfo is None:
        _utc(time, raw_time)  # says what is wrong with it
    return EventRecord(
        number=number,
        event_id=event_id,
        time=time,
        provider=(provider.strip() or None) if type(provider) is str else text_value(provider),
        log=(log.strip() or None) if type(log) is str else text_value(log),
        record_id=record_id if type(record_id) is int else int_value(record_id),
        message=message if isinstance(message, str) else None,
        params=_json_params(properties),
    )


_ONE = {1}
_VALUE = itemgetter("Value")


def _json_params(properties: Any) -> Optional[tuple[str, ...]]:
    """Insertion strings from Properties: [{"Value": ...}], or None when depth truncation
    replaced them with type names."""
    if not isinstance(properties, list):
        return None
    # as ConvertTo-Json writes them, [{"Value": "text"}, ...], without a loop in Python; when some
    # item is not {"Value": "text"}, item by item below
    with contextlib.suppress(KeyError, TypeError):
        if set(map(len, properties)) <= _ONE:
            return tuple(map(str.strip, map(_VALUE, properties)))
    params = []
    append = params.append
    for item in properties:
        if isinstance(item, dict):
            value = lower_keys(item).get("value")
        elif isinstance(item, str) and item.startswith(_UNEXPANDED):
            return None
        else:
            value = item
        if type(value) is str:
            append(value.strip())
        elif isinstance(value, (list, dict)):
            append("")
        else:
            append(text_value(value) or "")
    return tuple(params)


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
    parts = (_ROOT_OPEN, text, _ROOT_CLOSE) if wrapped else (text,)
    shift = len(_ROOT_OPEN) if wrapped else 0
    number = 0
    try:
        for element in _event_elements(parts):
            number += 1
            try:
                yield _from_xml(number, element)
            except _BadRecord as exc:
                problems.add(artifact.path, str(exc), record=f"record {number}")
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


# --- Streaming <Event> elements out of the document -------------------------------------------
#
# What the reader sees is defined by iterparse: every element whose local name is Event, in the
# order its end tag comes, each cleared once read; up to a parse error, the elements that ended
# before it. `_event_elements` gives exactly that, faster.
#
# defusedxml's parser is ElementTree's pure-Python XMLParser: for each of the ~25 elements of an
# event, expat calls Python methods that rename the tag and queue an event, and iterparse's
# generators hand them over one by one. The defusing itself is nothing but three expat handlers
# (DOCTYPE, entity declarations, external entities) that raise. So the parser is still created,
# fed and closed through defusedxml, with those handlers untouched, but the element callbacks go
# straight to the C TreeBuilder (tags come as "uri}local" instead of "{uri}local"; only local
# names are ever compared), and finished events are taken from under the root after each chunk.
# `_defused` checks those handlers are in place first; if defusedxml ever works differently, its
# own iterparse is used instead.

_CHUNK = 1 << 14  # characters fed to expat at a time
_PROBE = "fodoc:probe"  # never an element name expat reports ("uri}local" or a bare name)
_TAG = attrgetter("tag")


def _event_elements(parts: tuple[str, ...]) -> Iterator[Element]:
    """Elements with local name Event, in end-tag order, from the document `parts` spell."""
    builder = TreeBuilder()
    parser = SafeET.XMLParser(target=builder, forbid_dtd=True)
    expat = getattr(parser, "parser", None)
    if not _defused(expat):  # not the defusedxml we know: its own, slower route
        yield from _iterparse_events(parts)
        return
    start = builder.start
    state = _Tree()

    def first_start(tag: str, attrib: dict) -> Element:
        state.root = start(tag, attrib)
        expat.StartElementHandler = start
        return state.root

    expat.ordered_attributes = False  # attributes as the dict TreeBuilder.start takes
    expat.StartElementHandler = first_start
    expat.EndElementHandler = builder.end
    expat.CharacterDataHandler = builder.data
    names = expat.intern  # every element name expat has reported so far
    try:
        for part in parts:
            for offset in range(0, len(part), _CHUNK):
                parser.feed(part[offset:offset + _CHUNK])
                root = state.root
                # Children of the root before its last one have ended; the last may not have.
                if root is not None and len(root) - state.done > 1:
                    state.refresh(names)
                    yield from state.take(len(root) - 1)
        parser.close()
    except ParseError:
        yield from state.salvage(builder, names)
        raise
    root = state.root
    if root is not None:
        state.refresh(names)
        yield from state.take(len(root))
        if _local(root.tag) == "Event":
            yield root


class _Tree:
    """The root being built and which of its children were already handed over."""

    def __init__(self):
        self.root: Optional[Element] = None
        self.done = 0  # children of the root already handed over (and dropped, unless kept)
        self._known = 0
        self._event_tags: tuple[str, ...] = ()

    def refresh(self, names: dict) -> None:
        """Learn the element names with local name Event among those expat reported so far."""
        if len(names) != self._known:
            self._known = len(names)
            self._event_tags = tuple(name for name in names if _local(name) == "Event")

    def take(self, end: int) -> Iterator[Element]:
        """Event elements within the root's children [done:end], all of which have ended."""
        root = self.root
        finished = root[self.done:end]
        if _local(root.tag) == "Event":
            self.done = end  # an <Event> root keeps its children: it is read last, whole
        else:
            del root[self.done:end]  # drop them, so the tree never holds more than a chunk
        event_tags = self._event_tags
        for child in finished:
            tag = child.tag
            # The usual case, an event with no event inside it, is handed over as it is; anything
            # else (a wrapper, nested events) is walked for its events in end-tag order.
            if tag in event_tags and _alone(child, tag, event_tags):
                yield child
            else:
                yield from _ended_events(child)

    def salvage(self, builder: TreeBuilder, names: dict) -> Iterator[Element]:
        """After a parse error: the Event elements that ended before it."""
        root = self.root
        if root is None:
            return
        self.refresh(names)
        try:
            probe = builder.start(_PROBE, {})  # lands in the innermost element still open
        except ParseError:  # the root itself had ended ("junk after document element")
            yield from self.take(len(root))
            if _local(root.tag) == "Event":
                yield root
            return
        # The open elements run from the root down through each one's last child to the probe's
        # parent. They are never handed over; all their other children have ended.
        yield from self.take(len(root) - 1)
        node = root[-1]
        while node is not probe:
            for child in node[:-1]:
                yield from _ended_events(child)
            node = node[-1]


def _alone(event: Element, tag: str, event_tags: tuple[str, ...]) -> bool:
    """True when no element below `event` has local name Event."""
    for name in event_tags:
        below = event.iter(name)
        if name == tag:
            next(below)  # the event itself
        if next(below, None) is not None:
            return False
    return True


def _ended_events(element: Element) -> Iterator[Element]:
    """Elements with local name Event in `element`'s subtree (itself included), in end-tag
    (post-) order, without recursion."""
    stack = [(element, iter(element))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is not None:
            stack.append((child, iter(child)))
            continue
        stack.pop()
        if _local(node.tag) == "Event":
            yield node


def _defused(expat: Any) -> bool:
    """True when `expat` is a pyexpat parser that defusedxml has armed as we expect."""
    return (isinstance(expat, XMLParserType)
            and expat.StartDoctypeDeclHandler is not None
            and expat.EntityDeclHandler is not None
            and expat.UnparsedEntityDeclHandler is not None
            and expat.ExternalEntityRefHandler is not None
            and isinstance(getattr(expat, "intern", None), dict))


def _iterparse_events(parts: tuple[str, ...]) -> Iterator[Element]:
    """The same elements through defusedxml's iterparse (the reference, and the fallback)."""
    for _, element in SafeET.iterparse(_Chunks(*parts), events=("end",), forbid_dtd=True):
        if _local(element.tag) == "Event":
            yield element


# --- One <Event> element → EventRecord ----------------------------------------------------------

def _named(element: Element, names: tuple[str, ...], cache: dict[tuple, Callable]) -> tuple:
    """The first child of each local name in `names` (None where there is none).

    Events of one log repeat a few sequences of child tags, so where each name sits is worked
    out once per distinct sequence (kept in `cache`) and then read with one C call.
    """
    children = element[:]
    tags = tuple(map(_TAG, children))
    where = cache.get(tags)
    if where is None:
        where = _learn(names, tags, cache)
    children.append(None)  # what a missing name points at
    return where(children)


def _learn(names: tuple[str, ...], tags: tuple, cache: dict[tuple, Callable]) -> Callable:
    first: dict[str, int] = {}
    for index, tag in enumerate(tags):
        first.setdefault(_local(tag), index)
    indexes = [first.get(name, len(tags)) for name in names]
    where = itemgetter(*indexes) if len(indexes) > 1 else (lambda children, at=indexes[0]: (children[at],))
    if len(cache) >= 256:
        cache.clear()
    cache[tags] = where
    return where


_PARTS = ("System", "EventData", "UserData", "RenderingInfo")
_FIELDS = ("EventID", "TimeCreated", "Provider", "Channel", "EventRecordID")
_RENDERED = ("Message",)
_PARTS_AT: dict[tuple, Callable] = {}
_FIELDS_AT: dict[tuple, Callable] = {}
_RENDERED_AT: dict[tuple, Callable] = {}
_ONLY_DATA: dict[tuple, bool] = {}  # child tags of an <EventData> → all of them <Data>?


def _from_xml(number: int, event: Element) -> EventRecord:
    system, data, user, rendering = _named(event, _PARTS, _PARTS_AT)
    if system is None:
        raise _BadRecord("has no <System> element; expected an event as wevtutil writes it")
    id_element, created, provider, channel, record = _named(system, _FIELDS, _FIELDS_AT)
    raw_id = _text(id_element)
    event_id = _int(raw_id)
    if event_id is None:
        raise _BadRecord(f"has no usable <EventID> (found {raw_id!r}); expected an integer")
    raw_time = created.get("SystemTime") if created is not None else None
    return EventRecord(
        number=number,
        event_id=event_id,
        time=_utc(parse_iso(raw_time) if raw_time else None, raw_time),
        provider=(provider.get("Name") or provider.get("EventSourceName")) if provider is not None else None,
        log=_text(channel),
        record_id=_int(_text(record)),
        message=_text(_named(rendering, _RENDERED, _RENDERED_AT)[0]) if rendering is not None else None,
        params=_xml_params(data, user),
    )


def _int(text: Optional[str]) -> Optional[int]:
    """int_value of an element's (stripped) text, plain digits read directly."""
    return int(text) if text is not None and text.isdigit() and text.isascii() else int_value(text)


def _xml_params(data: Optional[Element], user: Optional[Element]) -> Optional[tuple[str, ...]]:
    """EventData/Data in document order; for UserData events, the fields of its one child."""
    if data is not None:
        children = data[:]
        tags = tuple(map(_TAG, children))
        only = _ONLY_DATA.get(tags)
        if only is None:
            if len(_ONLY_DATA) >= 256:
                _ONLY_DATA.clear()
            only = _ONLY_DATA[tags] = all(_local(tag) == "Data" for tag in tags)
        return _texts(children if only else [child for child in children if _local(child.tag) == "Data"])
    if user is not None and len(user):
        return _texts(user[0])
    return None


def _texts(elements: Iterable[Element]) -> tuple[str, ...]:
    """Each element's text, stripped ("" for none)."""
    texts = list(map(_TEXT, elements))
    try:
        return tuple(map(str.strip, texts))
    except TypeError:  # an empty element's text is None
        return tuple((text or "").strip() for text in texts)


_TEXT = attrgetter("text")


def _text(element: Optional[Element]) -> Optional[str]:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


@lru_cache(maxsize=256)
def _local(tag: Any) -> str:
    """The tag without its namespace ("{uri}local" or "uri}local"); a log repeats a handful of
    tags, so this is cached."""
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
