"""w32tm output → `time_source` (/query /status) and `clock_offset` (/stripchart) facts.

Failover drops the connection when the partners' clocks differ by more than a minute, so the
two questions are: is this server's time service synchronised to something real, and how far
is it from its partner. w32tm prints local time without a zone and localises labels and date
formats. The last sync time is read as the Event Viewer CSV reader reads its dates (localdates):
never guessed when it reads both as day-first and as month-first (`03/04/2023 10:00:00`) — then
it is reported and left out, unless the verbose "Time since Last Good Sync Time" line, counted
back from the collection time in computer.json, fits only one reading — and converted to UTC with
the server's UtcOffsetMinutes from computer.json, or read as UTC with a note when there is none.
"""
from __future__ import annotations

import re
import statistics
from datetime import datetime, timedelta, timezone
from typing import Iterator, Optional

from ..errors import ArtifactError
from ..facts import Fact
from .base import Artifact, Problems
from .dates import parse_iso, utc_text
from .localdates import (DAY_FIRST, MONTH_FIRST, LocalStamp, decimal, parse_stamp, settle_by_collection,
                         settle_order)
from .oemtext import console_text

_STATUS = "w32tm /query /status output ('Leap Indicator:', 'Stratum:', 'Source:' lines)"
_STRIPCHART = "w32tm /stripchart /dataonly output (lines like '08:23:44, +00.0022650s')"

# Label (lower case) -> field, per display language. The German and French labels are those of
# real outputs published in Checkmk's w32time_status tests (de-DE, fr-FR Windows).
_LABELS = {
    "leap indicator": "leap",
    "stratum": "stratum",
    "last successful sync time": "last_sync",
    "source": "source",
    # de-DE
    "sprungindikator": "leap",
    "letzte erfolgr. synchronisierungszeit": "last_sync",
    "quelle": "source",
    # fr-FR (labels end in " :", the space is stripped)
    "indicateur de dérive": "leap",
    "couche": "stratum",
    "heure de la dernière synchronisation réussie": "last_sync",
    # /verbose: seconds since that sync, as the service counts them when w32tm runs
    "time since last good sync time": "since_sync",
    "zeit seit der letzten erfolgr. synchronisierungszeit": "since_sync",
    "durée écoulée depuis l’heure de la dernière synchronisation réussie": "since_sync",
}
_SOURCE_KINDS = {
    "local cmos clock": "local_cmos",
    "lokale cmos-uhr": "local_cmos",
    "free-running system clock": "free_running",
    "vm ic time synchronization provider": "vm_ic",
}
_UNSYNCHRONISED_KINDS = ("local_cmos", "free_running")
_HOST = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*|\[?[0-9A-Fa-f:]+\]?")
_FLAGS = re.compile(r",\s*0x[0-9A-Fa-f]+\s*$")
_LEADING_INT = re.compile(r"\s*(-?\d+)")
_SECONDS = re.compile(r"\s*(?P<n>\d+(?:[.,]\d+)?)\s*s\s*")
# How far the sync time may lie from "collection time minus Time since Last Good Sync Time" for
# that to settle its day/month order: w32tm and computer.json are taken minutes apart on one
# clock, and an unknown UTC offset adds at most 14 hours; swapping day and month moves a date
# 27 days or more, so one day never fits both readings.
_SINCE_TOLERANCE = timedelta(days=1)

_TIME = r"\d{1,2}:\d{2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?"
_SAMPLE = re.compile(_TIME + r"\s*,?\s*(?:d:\s*[+-]?\d+[.,]\d+s\s+o:\s*)?(?P<offset>[+-]?\d+[.,]\d+)s(?:\s.*)?")
_FAILED_SAMPLE = re.compile(_TIME + r"\s*,?\s*error\b.*", re.IGNORECASE)
_TIMED_LINE = re.compile(_TIME + r"\s*,.*")  # a sample line whatever it holds
_TRACKING = re.compile(r"Tracking\s+(?P<target>\S+?)\.?(?:\s+\[.*)?", re.IGNORECASE)
_ERROR = re.compile(r".*\berror\b.*", re.IGNORECASE)


def parse_status(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    first_line: Optional[str] = None
    for number, line in enumerate(console_text(artifact, problems).split("\n"), start=1):
        label, colon, value = line.partition(":")
        if first_line is None and line.strip():
            first_line = line.strip()
        field = _LABELS.get(label.strip().lower()) if colon else None
        if field is not None and field not in values:
            values[field] = value.strip()
            lines[field] = number
    if not values:
        hint = f"; it reads {first_line[:120]!r}" if first_line else ""
        raise ArtifactError(artifact.path, f"has no status lines; expected {_STATUS}{hint}")

    leap = _leading_int(values.get("leap"))
    stratum = _leading_int(values.get("stratum"))
    source = _FLAGS.sub("", values.get("source", "")).strip() or None
    kind = source_kind(source) if source is not None else None
    if leap == 3 or stratum == 0 or kind in _UNSYNCHRONISED_KINDS:
        synchronized: Optional[bool] = False
    elif leap is not None and stratum is not None:
        synchronized = True
    else:
        synchronized = None
    sync_text = values.get("last_sync") or None
    last_sync = _last_sync(artifact, problems, sync_text, f"line {lines.get('last_sync')}",
                           values.get("since_sync")) if sync_text else None
    yield artifact.fact(
        "time_source", None,
        server=artifact.server,
        source=source,
        source_kind=kind,
        stratum=stratum,
        leap=leap,
        synchronized=synchronized,
        last_sync=last_sync,
        last_sync_text=sync_text,
    )


def source_kind(source: str) -> str:
    """Classify the Source line: a local clock, the Hyper-V provider, or a real time server."""
    kind = _SOURCE_KINDS.get(source.strip().lower())
    if kind is not None:
        return kind
    return "domain_or_ntp" if _HOST.fullmatch(source.strip()) else "unknown"


def derive_domain_source(facts: list) -> None:
    """Set `in_domain` on each time_source: whether the server takes its time from a host of its
    own DNS domain (a domain controller: the domain hierarchy, what domain members normally show,
    failover-knowledge.md §4.1), or from outside it (the Hyper-V VM IC provider, a local clock, an
    external NTP host such as time.windows.com). Left out when the server's domain is unknown."""
    domains = {}
    for fact in facts:
        if fact.kind == "server":
            domain = fact.get("domain") or (fact.get("fqdn") or "").partition(".")[2]
            if domain:
                domains[fact["server"]] = domain.lower().rstrip(".")
    for fact in facts:
        if fact.kind != "time_source" or fact["server"] not in domains or not fact.get("source"):
            continue
        kind = fact.get("source_kind")
        if kind == "domain_or_ntp":
            host = fact["source"].strip().lower().rstrip(".")
            fact.fields["in_domain"] = host.endswith("." + domains[fact["server"]])
        elif kind in ("vm_ic", "local_cmos", "free_running"):
            fact.fields["in_domain"] = False


def parse_sync_time(text: str) -> Optional[datetime]:
    """"Last Successful Sync Time" as far as the text alone settles it, else None.

    ISO text gives an aware datetime when it carries an offset, a naive one when not. The
    localised forms are local server time (naive), read as localdates reads Event Viewer's CSV
    dates: `30/05/2023 20:21:27` (a day above 12), `15.09.2025 13:12:56` (dotted: de-DE, day
    first). `03/04/2023 10:00:00` reads both ways and gives None; so does `12/1/2023 12:05:00 AM`,
    since AM/PM does not settle it (en-AU prints day first with PM). `parse_status` settles those
    with the collection time where it can and converts local times with the server's UTC offset.
    """
    iso = parse_iso(text)
    if iso is not None:
        return iso
    stamp = parse_stamp(text)
    if stamp is None:
        return None
    order = settle_order([stamp]).order
    return stamp.to_datetime(order) if order is not None else None


def _last_sync(artifact: Artifact, problems: Problems, text: str, record: str,
               since_text: Optional[str]) -> Optional[str]:
    """The last sync time as UTC fact text; None, with a problem line saying why, when it cannot
    be read without guessing (and silently when w32tm says there was none: 'unspecified')."""
    iso = parse_iso(text)
    if iso is not None and iso.tzinfo is not None:
        return utc_text(iso)
    local, settled = iso, ""
    if local is None:
        stamp = parse_stamp(text)
        if stamp is None:
            if any(char.isdigit() for char in text):  # 'unspecified' and its translations have none
                problems.add(artifact.path, f"Last Successful Sync Time {text[:60]!r} is not a date and time; "
                                            "expected one as w32tm prints it (e.g. 30/05/2023 20:21:27, "
                                            "15.09.2025 13:12:56); left unread", record=record, lost=False)
            return None
        order = settle_order([stamp]).order
        if order is None:
            order = _settle_by_elapsed(stamp, artifact, since_text)
            if order is None:
                problems.add(artifact.path, _ambiguous(stamp, artifact, since_text), record=record, lost=False)
                return None
            settled = (f" ({order}, settled by the 'Time since Last Good Sync Time' line and the collection "
                       "time in computer.json)")
        local = stamp.to_datetime(order)
        if local is None:
            problems.add(artifact.path, f"Last Successful Sync Time {text[:60]!r} is not a valid {order} date and "
                                        "time; left unread", record=record, lost=False)
            return None
    if artifact.utc_offset_minutes is None:
        problems.add(artifact.path, f"Last Successful Sync Time {text[:60]!r} is local time without a time zone "
                                    f"(w32tm){settled} and computer.json gives no UtcOffsetMinutes; it was read as "
                                    "UTC, so compare it with other times with care", record=record, note=True)
        offset = timedelta(0)
    else:
        offset = timedelta(minutes=artifact.utc_offset_minutes)
    return utc_text((local - offset).replace(tzinfo=timezone.utc))


def _settle_by_elapsed(stamp: LocalStamp, artifact: Artifact, since_text: Optional[str]) -> Optional[str]:
    """The day/month order under which the sync time lies where the collection time minus the
    verbose 'Time since Last Good Sync Time' puts it; None when that cannot tell."""
    seconds = _elapsed(since_text)
    if seconds is None or artifact.collected_at is None:
        return None
    expected = (artifact.collected_at + timedelta(minutes=artifact.utc_offset_minutes or 0)
                - timedelta(seconds=seconds)).replace(tzinfo=None)
    return settle_by_collection([stamp], expected, before=_SINCE_TOLERANCE, after=_SINCE_TOLERANCE)


def _elapsed(text: Optional[str]) -> Optional[float]:
    match = _SECONDS.fullmatch(text) if text else None
    return decimal(match["n"]) if match else None


def _ambiguous(stamp: LocalStamp, artifact: Artifact, since_text: Optional[str]) -> str:
    readings = {order: stamp.to_datetime(order) for order in (DAY_FIRST, MONTH_FIRST)}
    both = " and ".join(f"{value:%Y-%m-%d} {order}" for order, value in readings.items() if value is not None)
    if artifact.collected_at is None:
        why = "computer.json gives no CollectedAtUtc to compare it with"
    elif _elapsed(since_text) is None:
        why = ("there is no 'Time since Last Good Sync Time' line (w32tm /query /status /verbose) to count back "
               "from the collection time")
    else:
        why = ("neither reading lies within a day of the collection time less 'Time since Last Good Sync "
               "Time'")
    return (f"Last Successful Sync Time {stamp.text!r} reads both ways, {both}; no day above the 12th settles "
            f"which and {why}, so it was left unread")


def parse_stripchart(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    offsets: list[float] = []
    failed = 0
    first_sample: Optional[int] = None
    reference = artifact.target
    error_line: Optional[str] = None
    for number, raw in enumerate(console_text(artifact, problems).split("\n"), start=1):
        line = raw.strip()
        sample = _SAMPLE.fullmatch(line)
        if sample:
            offsets.append(decimal(sample["offset"]))
        elif _FAILED_SAMPLE.fullmatch(line):
            failed += 1
        else:
            tracking = _TRACKING.fullmatch(line)
            if tracking:
                reference = reference or tracking["target"]
            elif _TIMED_LINE.fullmatch(line):
                problems.add(artifact.path, f"sample {line[:80]!r} is not an offset such as 14:28:01, +00.0123456s "
                                            "or an error; left out of the median", record=f"line {number}",
                             lost=False)
            elif error_line is None and _ERROR.fullmatch(line):
                error_line = line
            continue
        if first_sample is None:
            first_sample = number
    if first_sample is None:
        said = f"; w32tm printed {error_line[:160]!r}" if error_line else ""
        raise ArtifactError(artifact.path, f"has no samples; expected {_STRIPCHART}{said}")
    offset = round(statistics.median(offsets), 7) if offsets else None
    yield artifact.fact(
        "clock_offset", f"line {first_sample}",
        server=artifact.server,
        reference=reference,
        offset_s=offset,
        abs_offset_s=abs(offset) if offset is not None else None,
        samples=len(offsets),
        failed_samples=failed,
    )


def _leading_int(text: Optional[str]) -> Optional[int]:
    match = _LEADING_INT.match(text) if text else None
    return int(match[1]) if match else None
