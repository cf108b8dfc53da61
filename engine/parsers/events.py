"""Event logs → `event` summaries and `state_change` facts.

Rules reason about "how often, since when, and what did the latest one say", not about single
records, so the records of one log file are folded into one `event` fact per event ID and
relationship (per service and state for Service Control Manager 7036), carrying the insertion
strings of the latest occurrence. Failover state changes are also kept one by one, for the
timeline. Which insertion string means what is data (event_templates.tsv).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from typing import Iterable, Optional

from ..facts import Fact, Source
from .base import Artifact, Problems
from .dates import utc_text
from .event_templates import MAX_INT_FIELD, Template, find_template
from .eventread import EventRecord, read_json, read_xml
from .eventcsv import read_csv
from .evtxread import read_evtx
from .logs import canonical_log

# Fields that split one event ID into several summaries; all other fields describe the latest.
_GROUP_FIELDS = ("relationship", "service_name", "service_state")
_STATE_FIELDS = ("old_state", "new_state")


def parse_json(artifact: Artifact, problems: Problems) -> list[Fact]:
    return _summarise(artifact, problems, read_json(artifact, problems))


def parse_xml(artifact: Artifact, problems: Problems) -> list[Fact]:
    return _summarise(artifact, problems, read_xml(artifact, problems))


def parse_csv(artifact: Artifact, problems: Problems) -> list[Fact]:
    return _summarise(artifact, problems, read_csv(artifact, problems))


def parse_evtx(artifact: Artifact, problems: Problems) -> list[Fact]:
    return _summarise(artifact, problems, read_evtx(artifact, problems))


@dataclass
class _Group:
    first: EventRecord
    last: EventRecord
    values: dict[str, object]
    first_order: tuple
    last_order: tuple
    count: int = 0
    max_skew: Optional[int] = None


@dataclass
class _Unread:
    """Records of one event ID whose named insertion strings could not be read, and why."""

    reason: str
    first: EventRecord
    count: int = 0


@dataclass
class _Summary:
    groups: dict[tuple, _Group] = field(default_factory=dict)
    changes: list[Fact] = field(default_factory=list)
    unread: dict[tuple[int, str], _Unread] = field(default_factory=dict)


def _summarise(artifact: Artifact, problems: Problems, records: Iterable[EventRecord]) -> list[Fact]:
    # Per record only what differs between records is done here; what follows from a template
    # and its insertion strings is worked out once (_Reader) and shared, read-only.
    summary = _Summary()
    groups = summary.groups
    readers: dict[tuple[int, Optional[str]], Optional[_Reader]] = {}
    logs: dict[str, str] = {}
    for record in records:
        event_id, provider = record.event_id, record.provider
        lookup = (event_id, provider)
        if lookup in readers:
            reader = readers[lookup]
        else:
            template = find_template(event_id, provider)
            reader = readers[lookup] = _Reader(template) if template is not None and template.fields else None
        read = reader.read(record, summary) if reader is not None else _NOTHING
        values = read.values
        if artifact.log:
            log = artifact.log
        elif record.log:
            log = logs.get(record.log)
            if log is None:
                log = logs[record.log] = canonical_log(record.log)
        else:
            log = None
        key = (log, provider, event_id) + read.group
        # Latest = newest time, then highest RecordId, then last in the file (Get-WinEvent lists
        # newest first, so file order alone is not time order).
        order = (record.time, record.record_id if record.record_id is not None else -1, record.number)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(record, record, values, order, order)
        group.count += 1
        if order < group.first_order:
            group.first, group.first_order = record, order
        if order >= group.last_order:
            group.last, group.last_order, group.values = record, order, values
        skew = read.skew
        if skew is not None and (group.max_skew is None or skew > group.max_skew):
            group.max_skew = skew
        if read.change:
            summary.changes.append(artifact.fact(
                "state_change", record.label,
                server=artifact.server,
                relationship=values["relationship"],
                subject=values.get("subject"),
                old_state=values.get("old_state"),
                new_state=values["new_state"],
                time=utc_text(record.time),
                event_id=event_id,
            ))
    for (event_id, _), unread in sorted(summary.unread.items()):
        problems.add(artifact.path, f"{unread.count} record(s) of event {event_id} {unread.reason}",
                     record=unread.first.label)
    return _event_facts(artifact, groups) + sorted(summary.changes, key=lambda f: (f["time"], f.source))


@dataclass(frozen=True)
class _Read:
    """What one record's insertion strings say, and what follows from it for the summary."""

    values: dict[str, object]  # shared by every record that reads the same: never modified
    group: tuple  # the _GROUP_FIELDS part of the summary key
    skew: Optional[int]
    change: bool  # a failover state change (relationship and new state known)
    notes: tuple[str, ...] = ()  # reasons to count the record as not fully read

    @classmethod
    def of(cls, values: dict[str, object], notes: tuple[str, ...] = ()) -> "_Read":
        skew = values.get("skew_s")
        return cls(values, tuple(values.get(f) for f in _GROUP_FIELDS), skew if isinstance(skew, int) else None,
                   bool(values.get("relationship") and values.get("new_state")), notes)


_NOTHING = _Read.of({})


class _Reader:
    """Reads one template's fields from records, remembering the result per distinct raw
    insertion strings: a log repeats the same relationship, partner and states many times over,
    only transaction ids and addresses (which no field reads) vary."""

    _LIMIT = 4096

    def __init__(self, template: Template):
        self.template = template
        self.needed = template.needed
        indexes = [spec.index - 1 for spec in template.fields]
        self._pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda params, i=indexes[0]: (params[i],))
        self._seen: dict[tuple, _Read] = {}

    def read(self, record: EventRecord, summary: _Summary) -> _Read:
        params = record.params
        if params is not None and len(params) >= self.needed:
            raw = self._pick(params)
        else:  # from the message, when it matches the en-US template
            found = self.template.read(params, record.message)
            raw = tuple(found[spec.name] for spec in self.template.fields) if found is not None else None
        read = self._seen.get(raw)
        if read is None:
            read = self._convert(raw)
            if len(self._seen) >= self._LIMIT:
                self._seen.clear()
            self._seen[raw] = read
        for reason in read.notes:
            _note(summary, record, reason)
        return read

    def _convert(self, raw: Optional[tuple[str, ...]]) -> _Read:
        if raw is None:
            names = ", ".join(spec.name for spec in self.template.fields)
            return _Read.of({}, ("carry no insertion strings and their message does not match the en-US "
                                 f"template; {names} not read",))
        fields = self.template.fields
        texts = {spec.name: text.strip() for spec, text in zip(fields, raw)}
        values: dict[str, object] = {}
        notes = []
        for spec in fields:
            text = texts[spec.name]
            value = spec.convert(text) if text else None
            if value is None and text and spec.name in _STATE_FIELDS:
                notes.append(f"name a failover state fodoc does not know ({text!r}); expected e.g. "
                             "NORMAL, COMMUNICATION_INT, PARTNER DOWN")
            elif value is None and text and spec.transform == "int":
                notes.append(f"give {spec.name} {text[:40]!r}, which is not a finite number of seconds of at "
                             f"most {MAX_INT_FIELD} (ten years) either way; {spec.name} left unread")
            values[spec.name] = value
        return _Read.of({name: value for name, value in values.items() if value is not None}, tuple(notes))


def _note(summary: _Summary, record: EventRecord, reason: str) -> None:
    unread = summary.unread.setdefault((record.event_id, reason), _Unread(reason, record))
    unread.count += 1


def _group_order(key: tuple) -> tuple:
    """Sort summaries by log, provider, event ID, then relationship/service (None first)."""
    log, provider, event_id, *rest = key
    return (log or "", provider or "", event_id) + tuple("" if v is None else str(v) for v in rest)


def _event_facts(artifact: Artifact, groups: dict[tuple, _Group]) -> list[Fact]:
    facts = []
    for key in sorted(groups, key=_group_order):
        group = groups[key]
        fact = artifact.fact(
            "event", group.last.label,
            server=artifact.server,
            log=key[0],
            event_id=group.last.event_id,
            provider=group.last.provider,
            count=group.count,
            first=utc_text(group.first.time),
            last=utc_text(group.last.time),
            max_skew_s=group.max_skew,
            **group.values,
        )
        fact.sources = (Source(artifact.path, group.first.label),)
        facts.append(fact)
    return facts
