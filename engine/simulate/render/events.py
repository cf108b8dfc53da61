"""Event logs in the forms a bundle holds them.

json   Get-WinEvent | ConvertTo-Json -Depth 3 (newest first): Properties as [{Value}]; with the
       default depth of Windows PowerShell 5.1 each property is only the type name and a reader
       has to take the insertion strings from the message (bundle-format.md).
xml    wevtutil qe <log> /f:xml (oldest first): one <Event> per line, no root element.
csv    Event Viewer "Save All Events As... CSV": a five-name header (Level, Date and Time, Source,
       Event ID, Task Category) and a sixth, unnamed column on every row: the message.
"""
from __future__ import annotations

import csv
import io
from xml.sax.saxutils import escape, quoteattr

from ..eventlog import DHCP, LEVEL_NAMES, EventRecord
from .psjson import dumps
from .psvalues import DateTime

_PROVIDER_GUIDS = {DHCP: "6d64f02c-a125-4dac-9a01-f0555b41ca84",
                   "Microsoft-Windows-Time-Service": "06edcfeb-0fd0-4e53-acca-a6f8bbf81bcb"}
_KEYWORDS = {"DhcpAdminEvents": 4611686018427387904, "System": -9187343239835811840,
             "Microsoft-Windows-Dhcp-Server/Operational": 4611686018427387904}


def to_json(records: list[EventRecord], machine: str, offset_s: float, zone_min: int, shell: str,
            depth: int = 3) -> str:
    from datetime import timedelta
    items = []
    for r in sorted(records, key=lambda r: (r.time, r.record_id), reverse=True):
        shown = DateTime(r.time + timedelta(seconds=offset_s), zone_min)
        scm = r.provider == "Service Control Manager"
        opcode, opname = r.opcode
        props = ([{"Value": p} for p in r.params] if depth >= 3
                 else ["System.Diagnostics.Eventing.Reader.EventProperty"] * len(r.params))
        items.append({
            "Id": r.event_id, "Version": 0, "Qualifiers": 16384 if scm else None, "Level": r.level,
            "Task": r.task, "Opcode": opcode, "Keywords": _KEYWORDS.get(r.log, 0), "RecordId": r.record_id,
            "ProviderName": r.provider, "ProviderId": _PROVIDER_GUIDS.get(r.provider),
            "LogName": r.log, "ProcessId": 2316 if not scm else 664, "ThreadId": 4000 + r.record_id % 997,
            "MachineName": machine, "UserId": {"BinaryLength": 12, "AccountDomainSid": None, "Value": "S-1-5-20"}
            if r.provider == DHCP else None,
            "TimeCreated": shown, "ActivityId": None, "RelatedActivityId": None, "ContainerLog": r.log,
            "MatchedQueryIds": [], "Bookmark": {}, "LevelDisplayName": LEVEL_NAMES[r.level],
            "OpcodeDisplayName": opname, "TaskDisplayName": "DHCP Failover" if r.task == 3 else None,
            "KeywordsDisplayNames": ["Classic"] if scm else [], "Properties": props, "Message": r.message,
        })
    if not items:
        return ""
    return dumps(items if len(items) > 1 else items[0], shell)


def to_xml(records: list[EventRecord], machine: str, offset_s: float) -> str:
    from datetime import timedelta
    lines = []
    for r in sorted(records, key=lambda r: (r.time, r.record_id)):
        shown = r.time + timedelta(seconds=offset_s)
        stamp = shown.strftime("%Y-%m-%dT%H:%M:%S") + f".{shown.microsecond:06d}0Z"
        guid = _PROVIDER_GUIDS.get(r.provider)
        provider = f"<Provider Name={quoteattr(r.provider)}" + (f" Guid='{{{guid.upper()}}}'" if guid else "") + "/>"
        scm = r.provider == "Service Control Manager"
        if scm:
            data = "".join(f"<Data Name='param{n}'>{escape(p)}</Data>" for n, p in enumerate(r.params, start=1))
        else:
            data = "".join(f"<Data>{escape(p)}</Data>" for p in r.params)
        opcode, _ = r.opcode
        keywords = _KEYWORDS.get(r.log, 0) & 0xFFFFFFFFFFFFFFFF
        user = "<Security UserID='S-1-5-20'/>" if r.provider == DHCP else "<Security/>"
        lines.append(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            f"{provider}<EventID{' Qualifiers=' + quoteattr('16384') if scm else ''}>{r.event_id}</EventID>"
            f"<Version>0</Version><Level>{r.level}</Level><Task>{r.task}</Task><Opcode>{opcode}</Opcode>"
            f"<Keywords>0x{keywords:x}</Keywords><TimeCreated SystemTime='{stamp}'/>"
            f"<EventRecordID>{r.record_id}</EventRecordID><Correlation/>"
            f"<Execution ProcessID='2316' ThreadID='{4000 + r.record_id % 997}'/>"
            f"<Channel>{escape(r.log)}</Channel><Computer>{escape(machine)}</Computer>{user}</System>"
            f"<EventData>{data}</EventData></Event>")
    return "\n".join(lines) + ("\n" if lines else "")


def to_csv(records: list[EventRecord], offset_s: float, zone_min: int) -> str:
    from datetime import timedelta
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # five names: the message column has none (tests/parsers/fixtures/events/admin-en-us.csv)
    writer.writerow(["Level", "Date and Time", "Source", "Event ID", "Task Category"])
    for r in sorted(records, key=lambda r: (r.time, r.record_id), reverse=True):
        shown = DateTime(r.time + timedelta(seconds=offset_s), zone_min)
        writer.writerow([LEVEL_NAMES[r.level], shown.text(), r.provider, r.event_id,
                         "DHCP Failover" if r.task == 3 else "None", r.message])
    return out.getvalue()
