"""w32tm output → `time_source` (/query /status) and `clock_offset` (/stripchart) facts.

Failover drops the connection when the partners' clocks differ by more than a minute, so the
two questions are: is this server's time service synchronised to something real, and how far
is it from its partner. w32tm prints local time without a zone and localises labels and date
formats; this module only ever emits a UTC time when the text itself says where it is in UTC.
"""
from __future__ import annotations

import re
import statistics
from datetime import datetime
from typing import Iterator, Optional

from ..errors import ArtifactError
from ..facts import Fact
from .base import Artifact, Problems
from .dates import parse_iso, utc_text
from .localdates import DAY_FIRST, decimal, parse_stamp
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
_SLASH_DATE = re.compile(
    r"\s*(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})\s+(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?\s*")

_TIME = r"\d{1,2}:\d{2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?"
_SAMPLE = re.compile(_TIME + r"\s*,?\s*(?:d:\s*[+-]?\d+[.,]\d+s\s+o:\s*)?(?P<offset>[+-]?\d+[.,]\d+)s(?:\s.*)?")
_FAILED_SAMPLE = re.compile(_TIME + r"\s*,?\s*error\b.*", re.IGNORECASE)
_TRACKING = re.compile(r"Tracking\s+(?P<target>\S+?)\.?(?:\s+\[.*)?", re.IGNORECASE)
_ERROR = re.compile(r".*\berror\b.*", re.IGNORECASE)


def parse_status(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    values: dict[str, str] = {}
    first_line: Optional[str] = None
    for line in console_text(artifact, problems).split("\n"):
        label, colon, value = line.partition(":")
        if first_line is None and line.strip():
            first_line = line.strip()
        field = _LABELS.get(label.strip().lower()) if colon else None
        if field is not None and field not in values:
            values[field] = value.strip()
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
    sync_time = parse_sync_time(sync_text) if sync_text else None
    yield artifact.fact(
        "time_source", None,
        server=artifact.server,
        source=source,
        source_kind=kind,
        stratum=stratum,
        leap=leap,
        synchronized=synchronized,
        last_sync=utc_text(sync_time) if sync_time is not None and sync_time.tzinfo else None,
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
    """Read "Last Successful Sync Time" when its meaning is unambiguous, else None.

    ISO text gives an aware datetime when it carries an offset. The slash forms are local server
    time (naive): `5/23/2023 7:51:39 PM` (AM/PM: en-US month-first) and any form where one of the
    first two numbers is above 12 and so must be the day. `03/04/2023 10:00:00` is left out.
    The parser itself emits only aware values; a caller that knows the server's UTC offset
    (computer.json) can convert the naive ones.
    """
    iso = parse_iso(text)
    if iso is not None:
        return iso
    stamp = parse_stamp(text)
    if stamp is not None and stamp.separator == ".":  # 15.09.2025 13:12:56: de-DE, always day first
        return stamp.to_datetime(DAY_FIRST)
    match = _SLASH_DATE.fullmatch(text)
    if not match:
        return None
    a, b = int(match["a"]), int(match["b"])
    if a > 12:
        day, month = a, b
    elif b > 12 or match["ampm"]:
        month, day = a, b
    else:
        return None
    hour = int(match["h"])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
    try:
        return datetime(int(match["y"]), month, day, hour, int(match["mi"]), int(match["s"]))
    except ValueError:
        return None


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
