"""Event logs → `event` summaries and `state_change` facts.

Rules reason about "how often, since when, and what did the latest one say", not about single
records, so the records of one log file are folded into one `event` fact per event ID and
relationship (per service and state for Service Control Manager 7036), carrying the insertion
strings of the latest occurrence. Failover state changes are also kept one by one, for the
timeline. Which insertion string means what is data (event_templates.tsv).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..facts import Fact, Source
from .base import Artifact, Problems
from .dates import utc_text
from .event_templates import Template, find_template
from .eventread import EventRecord, read_json, read_xml
from .logs import canonical_log

# Fields that split one event ID into several summaries; all other fields describe the latest.
_GROUP_FIELDS = ("relationship", "service_name", "service_state")
_STATE_FIELDS = ("old_state", "new_state")


def parse_json(artifact: Artifact, problems: Problems) -> list[Fact]:
    return _summarise(artifact, problems, read_json(artifact, problems))


def parse_xml(artifact: Artifact, problems: Problems) -> list[Fact]:
    return _summarise(artifact, problems, read_xml(artifact, problems))


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
    summary = _Summary()
    templates: dict[tuple[int, Optional[str]], Optional[Template]] = {}
    for record in records:
        lookup = (record.event_id, record.provider)
        if lookup not in templates:
            templates[lookup] = find_template(record.event_id, record.provider)
        template = templates[lookup]
        values = _values(template, record, summary) if template is not None and template.fields else {}
        log = artifact.log or (canonical_log(record.log) if record.log else None)
        key = (log, record.provider, record.event_id) + tuple(values.get(f) for f in _GROUP_FIELDS)
        order = _order(record)
        group = summary.groups.get(key)
        if group is None:
            group = summary.groups[key] = _Group(record, record, values, order, order)
        group.count += 1
        if order < group.first_order:
            group.first, group.first_order = record, order
        if order >= group.last_order:
            group.last, group.last_order, group.values = record, order, values
        skew = values.get("skew_s")
        if isinstance(skew, int) and (group.max_skew is None or skew > group.max_skew):
            group.max_skew = skew
        if values.get("relationship") and values.get("new_state"):
            summary.changes.append(artifact.fact(
                "state_change", record.label,
                server=artifact.server,
                relationship=values["relationship"],
                subject=values.get("subject"),
                old_state=values.get("old_state"),
                new_state=values["new_state"],
                time=utc_text(record.time),
                event_id=record.event_id,
            ))
    for (event_id, _), unread in sorted(summary.unread.items()):
        problems.add(artifact.path, f"{unread.count} record(s) of event {event_id} {unread.reason}",
                     record=unread.first.label)
    return _event_facts(artifact, summary.groups) + sorted(summary.changes, key=lambda f: (f["time"], f.source))


def _values(template: Template, record: EventRecord, summary: _Summary) -> dict[str, object]:
    raw = template.read(record.params, record.message)
    if raw is None:
        names = ", ".join(spec.name for spec in template.fields)
        _note(summary, record, "carry no insertion strings and their message does not match the en-US "
                               f"template; {names} not read")
        return {}
    values: dict[str, object] = {}
    for spec in template.fields:
        text = raw[spec.name]
        value = spec.convert(text) if text else None
        if value is None and text and spec.name in _STATE_FIELDS:
            _note(summary, record, f"name a failover state fodoc does not know ({text!r}); expected e.g. "
                                   "NORMAL, COMMUNICATION_INT, PARTNER DOWN")
        values[spec.name] = value
    return {name: value for name, value in values.items() if value is not None}


def _note(summary: _Summary, record: EventRecord, reason: str) -> None:
    unread = summary.unread.setdefault((record.event_id, reason), _Unread(reason, record))
    unread.count += 1


def _order(record: EventRecord) -> tuple:
    """Latest = newest time, then highest RecordId, then last in the file (Get-WinEvent lists
    newest first, so file order alone is not time order)."""
    return record.time, record.record_id if record.record_id is not None else -1, record.number


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
