#!/usr/bin/env python3
"""Time the event-log parsers against plain json.loads of the same file.

    python bench/bench_events.py [--events 5000] [--repeat 7]

Generates a DhcpAdminEvents log of `--events` records twice, as Windows PowerShell 5.1's
`Get-WinEvent | ConvertTo-Json` writes it (`"\\/Date(ms)\\/"` dates, Properties [{"Value": ...}],
CRLF, its odd indentation) and as `wevtutil qe DhcpAdminEvents /f:xml` writes it (one <Event> per
line, no root element), then times, best of `--repeat` runs in this process:

    json.loads            the baseline: Python just decoding the JSON file
    events json           engine.parsers.events.parse_json (read + summarise into facts)
    events xml            engine.parsers.events.parse_xml (defusedxml + summarise into facts)

and prints ms, MB/s and events/s for each. It reports numbers only and asserts nothing about them.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
if (REPO / "engine" / "__init__.py").exists() and str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # measure this checkout rather than whatever is installed

from engine.parsers import Artifact, Problems  # noqa: E402
from engine.parsers.events import parse_json, parse_xml  # noqa: E402

PROVIDER = "Microsoft-Windows-DHCP-Server"
GUID = "6d64f02c-a125-4dac-9a01-f0555b41ca84"
BASE_MS = 1796029200000  # 2026-11-30T09:00:00Z
PARTNER = "dhcp-b.contoso.com"
STATES = ["NORMAL", "COMMUNICATION_INT", "PARTNER_DOWN", "RECOVER", "RECOVER_WAIT", "RECOVER_DONE"]


def event_values(n: int) -> tuple[int, int, list[str], str]:
    """(event id, level, insertion strings, message) of routine record n: mostly BINDING-ACK
    "outdated binding" noise, with contact losses, time skew and state changes mixed in."""
    relationship = "dhcp-a-dhcp-b" if n % 7 else "dhcp-a-dhcp-c"
    kind = n % 50
    if kind == 0:
        old, new = STATES[n % 6], STATES[(n + 1) % 6]
        return 20252, 2, ["dhcp-a.contoso.com", relationship, old, new], (
            f"The failover state of server: dhcp-a.contoso.com for failover relationship: {relationship} changed "
            f"from: {old} to {new}.")
    if kind == 1:
        return 20255, 2, [PARTNER, relationship], (
            f"Server has lost contact with failover partner server  {PARTNER} for relationship {relationship} .")
    if kind == 2:
        skew = str(60 + n % 90)
        return 20253, 2, [PARTNER, relationship, skew], (
            f"The server detected that it is out of time synchronization with partner server: {PARTNER} for "
            f"failover relationship: {relationship}.  The time is out of sync by: {skew} seconds .")
    ip = f"10.0.{10 + n % 4}.{n % 250 + 2}"
    return 20291, 4, [str(4000 + n), ip, "Outdated binding information", PARTNER, relationship], (
        f"A BINDING-ACK message with transaction id: {4000 + n} was sent for IP address: {ip} with reject reason: "
        f"(Outdated binding information) to partner server: {PARTNER} for failover relationship: {relationship}.")


def ps51_json(count: int) -> bytes:
    """Get-WinEvent -LogName DhcpAdminEvents | ConvertTo-Json, as Windows PowerShell 5.1 writes it."""
    records = []
    for n in range(count, 0, -1):  # newest first, as Get-WinEvent lists them
        event_id, level, values, message = event_values(n)
        record = {
            "Id": event_id, "Version": 0, "Qualifiers": None, "Level": level, "Task": 6, "Opcode": 0,
            "Keywords": 4611686018427387904, "RecordId": 100000 + n, "ProviderName": PROVIDER, "ProviderId": GUID,
            "LogName": "DhcpAdminEvents", "ProcessId": 1536, "ThreadId": 2896, "MachineName": "dhcp-a.contoso.com",
            "UserId": {"BinaryLength": 12, "AccountDomainSid": None, "Value": "S-1-5-20"},
            "TimeCreated": f"/Date({BASE_MS + n * 17000})/", "ActivityId": None, "RelatedActivityId": None,
            "ContainerLog": "DhcpAdminEvents", "MatchedQueryIds": [], "Bookmark": {},
            "LevelDisplayName": "Error" if level == 2 else "Information", "OpcodeDisplayName": "Info",
            "TaskDisplayName": "DHCP Failover", "KeywordsDisplayNames": [],
            "Properties": [{"Value": v} for v in values], "Message": message,
        }
        records.append(record)
    text = json.dumps(records, indent=4, separators=(",", ":  "))
    # 5.1 escapes '/' in dates and writes CRLF.
    text = text.replace('"/Date(', '"\\/Date(').replace(')/"', ')\\/"').replace("\n", "\r\n")
    return text.encode("utf-8")


def wevtutil_xml(count: int) -> bytes:
    """wevtutil qe DhcpAdminEvents /f:xml: one <Event> per line, no root element, oldest first."""
    lines = []
    for n in range(1, count + 1):
        event_id, level, values, _ = event_values(n)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime((BASE_MS + n * 17000) / 1000))
        data = "".join(f"<Data>{v}</Data>" for v in values)
        lines.append(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            f"<Provider Name='{PROVIDER}' Guid='{{{GUID.upper()}}}'/><EventID>{event_id}</EventID><Version>0</Version>"
            f"<Level>{level}</Level><Task>6</Task><Opcode>0</Opcode><Keywords>0x4000000000000000</Keywords>"
            f"<TimeCreated SystemTime='{stamp}.{n % 10}234567Z'/><EventRecordID>{100000 + n}</EventRecordID>"
            "<Correlation/><Execution ProcessID='1536' ThreadID='2896'/><Channel>DhcpAdminEvents</Channel>"
            "<Computer>dhcp-a.contoso.com</Computer><Security UserID='S-1-5-20'/></System>"
            f"<EventData>{data}</EventData></Event>")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) wall seconds of fn() over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="records per generated log (default 5000)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement; best and median shown")
    args = parser.parse_args()

    json_data, xml_data = ps51_json(args.events), wevtutil_xml(args.events)
    json_text = json_data.decode("utf-8")

    def artifact(data: bytes, fmt: str) -> Artifact:
        return Artifact(path=f"dhcp-a/events-DhcpAdminEvents.{fmt}", server="dhcp-a", family="events", fmt=fmt,
                        log="DhcpAdminEvents", reader=lambda: data)

    def run(parse, data: bytes, fmt: str) -> Callable[[], object]:
        def once():
            problems = Problems()
            facts = parse(artifact(data, fmt), problems)
            if len(problems):
                raise SystemExit(f"{fmt}: unexpected problems: {[str(p) for p in problems][:3]}")
            return facts
        return once

    # Both forms must give the same facts; a benchmark of a parser that went wrong is meaningless.
    json_facts = [(f.kind, f.fields) for f in run(parse_json, json_data, "json")()]
    xml_facts = [(f.kind, f.fields) for f in run(parse_xml, xml_data, "xml")()]
    if json_facts != xml_facts:
        print("warning: the JSON and XML logs gave different facts", file=sys.stderr)

    cases = [
        ("json.loads (baseline)", len(json_data), lambda: json.loads(json_text)),
        ("events json", len(json_data), run(parse_json, json_data, "json")),
        ("events xml", len(xml_data), run(parse_xml, xml_data, "xml")),
    ]
    print(f"{args.events} events per log; JSON {len(json_data) / 1e6:.2f} MB, XML {len(xml_data) / 1e6:.2f} MB; "
          f"best (median) of {args.repeat} runs; Python {sys.version.split()[0]}")
    print(f"{'':24}{'ms':>16}{'MB/s':>10}{'events/s':>12}{'x json.loads':>14}")
    baseline = None
    for name, size, fn in cases:
        fastest, median = best(fn, args.repeat)
        baseline = baseline or fastest
        print(f"{name:24}{fastest * 1000:8.1f} ({median * 1000:5.1f}){size / 1e6 / fastest:10.1f}"
              f"{args.events / fastest:12,.0f}{fastest / baseline:13.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
