"""When and by what a bundle was captured, and whether its parts belong to one moment.

A diagnosis compares the two partners, so both must be seen at about the same time: a pair
captured an hour apart can show one side Normal and the other CommunicationInterrupted without
anything being wrong, and a file pasted in from an older ticket describes a state that is gone.
This module reads the collector and times from manifest.json and computer.json (and the file
times a folder or archive keeps) and warns when:

- the servers were collected more than SERVER_GAP apart (15 min: a collector run or a manual
  capture on both servers takes minutes, while the failover states a rule compares change on the
  scale of the 1 h default MCLT and the state switchover interval);
- one file is more than ARTIFACT_AGE older than the newest file of its server (24 h: longer than
  any capture, short enough to catch an output kept from an earlier incident). File times are
  only compared within one server, so a folder copied or unzipped elsewhere (all files new)
  raises nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from .bundle import Bundle
from .facts import Fact
from .parsers.dates import parse_iso, utc_text

SERVER_GAP = timedelta(minutes=15)
ARTIFACT_AGE = timedelta(hours=24)


@dataclass
class Capture:
    collector: Optional[str] = None
    version: Optional[str] = None
    created: Optional[str] = None
    collected: dict[str, str] = field(default_factory=dict)   # server id -> UTC time
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"collector": self.collector, "version": self.version, "created": self.created,
                "collected": dict(sorted(self.collected.items())), "warnings": list(self.warnings)}


def read_capture(bundle: Bundle, manifest: dict, facts: list[Fact], canonical: Callable[[str], str],
                 file_servers: dict[str, str]) -> Capture:
    """The capture of a bundle: `facts` are resolved (server ids), `canonical` maps a manifest's
    server name to its id, `file_servers` maps each read file to its server id."""
    collector = manifest.get("collector") if isinstance(manifest.get("collector"), dict) else {}
    capture = Capture(collector=_text(collector.get("name")), version=_text(collector.get("version")),
                      created=_text(manifest.get("created")))
    times: dict[str, datetime] = {}
    for name, info in sorted((manifest.get("servers") or {}).items()):
        when = _time(info.get("collected_at")) if isinstance(info, dict) else None
        if when is not None:
            times[canonical(name)] = when
    for fact in facts:
        if fact.kind == "server" and fact.get("collected_at") and fact.get("server"):
            when = _time(fact["collected_at"])
            if when is not None:
                times.setdefault(fact["server"], when)
    capture.collected = {server: utc_text(when) for server, when in times.items()}
    if len(times) >= 2:
        (first, early), (last, late) = min(times.items(), key=_by_time), max(times.items(), key=_by_time)
        if late - early > SERVER_GAP:
            capture.warnings.append(
                f"{first} was collected at {utc_text(early)} and {last} at {utc_text(late)}, "
                f"{_span(late - early)} apart (more than {_span(SERVER_GAP)}): the two sides may show different "
                "moments, so a state that differs between them may only be the time between the captures")
    capture.warnings.extend(_old_files(bundle, file_servers))
    return capture


def _old_files(bundle: Bundle, file_servers: dict[str, str]) -> list[str]:
    by_server: dict[str, list[tuple[str, float]]] = {}
    for item in bundle.files:
        server = file_servers.get(item.path)
        if server is not None and item.mtime is not None:
            by_server.setdefault(server, []).append((item.path, item.mtime))
    warnings = []
    for server, items in sorted(by_server.items()):
        newest = max(mtime for _, mtime in items)
        for path, mtime in sorted(items):
            age = timedelta(seconds=newest - mtime)
            if age > ARTIFACT_AGE:
                warnings.append(f"{path} is {_span(age)} older than the newest file of {server} (more than "
                                f"{_span(ARTIFACT_AGE)}): it may come from an earlier capture")
    return warnings


def _by_time(item: tuple[str, datetime]) -> tuple:
    return (item[1], item[0])


def _time(value) -> Optional[datetime]:
    when = parse_iso(value) if isinstance(value, str) else None
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _text(value) -> Optional[str]:
    return value.strip() or None if isinstance(value, str) else None


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"
