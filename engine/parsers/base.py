"""What a parser gets (an Artifact) and what it gives back (facts, plus problems it tolerated).

Parsers are pure functions of one artifact: they never look at other files, never guess server
identity beyond what the artifact says (the identity resolver does that once for the whole
bundle), and report record-level damage to `Problems` instead of giving up on the file.
"""
from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, Optional

from ..errors import ArtifactError
from ..facts import Fact, Source
from ..textio import decode


@dataclass(frozen=True)
class Artifact:
    """One file of a bundle, recognised as an artifact family.

    path    bundle-relative POSIX path, e.g. "dhcp-a/tnc-dhcp-b-647.json" (used in evidence)
    server  the server folder it sits in (raw folder name) or None for loose files
    family  failover | scopes | scope-stats | services | computer | w32tm-status |
            w32tm-stripchart | tnc | dns | firewall | events | options-server | options-scope |
            reservations | exclusions | dhcp-settings | ipaddresses | bindings
    fmt     json | txt | xml | csv | evtx
    target  partner named in the file name (tnc-, w32tm-stripchart-, dns-), else None
    port    port named in the file name (tnc-<target>-<port>), else None
    log     canonical log name for events-<log> files, else None
    """

    path: str
    server: Optional[str]
    family: str
    fmt: str
    target: Optional[str] = None
    port: Optional[int] = None
    log: Optional[str] = None
    reader: Callable[[], bytes] = field(default=lambda: b"", compare=False, repr=False)
    local_path: Optional[str] = field(default=None, compare=False, repr=False)  # set for a file of a
    # folder bundle, so that a reader that can stream (.evtx) need not hold the whole file
    utc_offset_minutes: Optional[int] = field(default=None, compare=False)  # the server's UTC offset at
    # collection (computer.json), for outputs that print local time without a zone (Event Viewer CSV)
    collected_at: Optional[datetime] = field(default=None, compare=False)  # when the server's outputs were
    # taken (computer.json CollectedAtUtc, UTC): settles day/month order of a CSV whose dates do not

    def read_bytes(self) -> bytes:
        return self.reader()

    def read_text(self) -> str:
        return decode(self.read_bytes(), self.path)

    def source(self, record: str | None = None) -> Source:
        return Source(self.path, record)

    def fact(self, kind: str, record: str | None = None, **fields) -> Fact:
        """Build a fact from this artifact, dropping fields whose value is None."""
        return Fact(kind, {k: v for k, v in fields.items() if v is not None}, self.source(record))


@dataclass
class Problems:
    """Non-fatal damage found while reading: one line each, shown in the report."""

    items: list[ArtifactError] = field(default_factory=list)

    per_file_limit: int = 20
    _counts: dict[str, int] = field(default_factory=dict)
    _lost: dict[str, int] = field(default_factory=dict)
    _suppressed: dict[str, int] = field(default_factory=dict)
    _seen: set = field(default_factory=set)

    def add(self, path: str, message: str, record: str | None = None, lost: bool = True,
            note: bool = False) -> None:
        """Record a problem; past `per_file_limit` for one file, only count it (a damaged log of
        a million records must not produce a million report lines).

        `lost` says a record was skipped; False when only a value of a kept record was left out.
        `note`: nothing at all was left out, the line only says how the file was read (a time zone
        assumed, a byte-order mark that lied): reported under "Notes", not "Could not read".
        The same line twice (one file read by two steps) is kept once.
        """
        self.append(ArtifactError(path, message, record, note=note), lost=lost and not note)

    def append(self, problem: ArtifactError, lost: bool = True) -> None:
        """Record an ArtifactError raised while reading (see `add`); an exact repeat is dropped."""
        key = (problem.path, problem.record, problem.message)
        if key in self._seen:
            return
        self._seen.add(key)
        path = problem.path
        self._counts[path] = self._counts.get(path, 0) + 1
        if lost:
            self._lost[path] = self._lost.get(path, 0) + 1
        if self._counts[path] > self.per_file_limit:
            self._suppressed[path] = self._suppressed.get(path, 0) + 1
            return
        self.items.append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)

    def records_lost(self, path: str) -> int:
        return self._lost.get(path, 0)

    def summarised(self) -> list[ArtifactError]:
        """The problems, with one closing line per file whose further problems were only counted."""
        extra = [ArtifactError(path, f"{count} more problems like the above were not listed")
                 for path, count in sorted(self._suppressed.items())]
        return self.items + extra

    def __iter__(self) -> Iterator[ArtifactError]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


ParserFn = Callable[[Artifact, Problems], Iterable[Fact]]
RecordFn = Callable[[Artifact, Problems, str, dict], Optional[Fact]]


def facts_from(artifact: Artifact, problems: Problems, records: Iterable[tuple[str, dict]],
               build: RecordFn) -> Iterator[Fact]:
    """Build one fact per (label, record); a record `build` could not use yields nothing."""
    for label, record in records:
        fact = build(artifact, problems, label, record)
        if fact is not None:
            yield fact


def converted(artifact: Artifact, problems: Problems, label: str, record: dict, value: Any, expected: str,
              *keys: str, subject: str = "") -> Any:
    """`value`, the conversion of one of `keys` of a record (lower-case property names); when a
    property is there but did not convert, the record keeps its other fields and the problem is
    said (the rules that need the value are then not evaluated), never silently dropped."""
    if value is None:
        key, raw = next(((k, record[k.lower()]) for k in keys if record.get(k.lower()) not in (None, "")),
                        (keys[-1], None))
        if raw is not None:
            shown = raw if isinstance(raw, str) else json.dumps(raw, default=str)[:80]
            problems.add(artifact.path, f"{key} {shown!r}{subject} is not {expected}; left unread",
                         record=label, lost=False)
    return value


def within(value: Any, low: float, high: float) -> Any:
    """`value` when it is a finite number from `low` to `high`, else None (for `converted`, which then
    says the value is out of range: a percentage of 250 or an MCLT of -1 h is damage, not a setting)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return value if low <= value <= high else None
    except TypeError:
        return None


def join_addresses(items: Iterable[str]) -> str:
    """Addresses (or scope ids) as one comparable string: unique, IPv4 in numeric order, anything
    that is not an IPv4 address after them in text order, comma-separated without spaces.

    Both sides of a pair go through this, so their lists compare equal whatever order Windows
    printed them in.
    """
    def key(item: str) -> tuple:
        try:
            return (0, int(ipaddress.IPv4Address(item)), "")
        except ValueError:
            return (1, 0, item)

    return ",".join(sorted({item.strip() for item in items if item.strip()}, key=key))


def is_ipv4(text: str) -> bool:
    """True when `text` is a dotted-quad IPv4 address."""
    try:
        ipaddress.IPv4Address(text.strip())
    except ValueError:
        return False
    return True
