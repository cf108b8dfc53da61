#!/usr/bin/env python3
"""Time `fodoc diagnose` against the time Python needs just to load the same files.

Budget (DESIGN.md): a typical pair bundle (two servers, ~5,000 events each) diagnosed in under
0.5 s wall for the whole process, and within 3x of the time to load the same files.

    python bench/bench_diagnose.py [--runs 7] [--events 5000] [--case port_647_blocked]

Builds the typical bundle from a shipped example by adding `--events` routine events to each
server's DhcpAdminEvents log (in the JSON or XML form the example already has) in a temporary folder, then reports median wall times of
whole processes (`fodoc diagnose --format json`, and `python -c <read and json.load every file>`).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOAD_ONLY = r"""
import json, os, sys
root = sys.argv[1]
for folder, _, names in os.walk(root):
    for name in names:
        data = open(os.path.join(folder, name), 'rb').read()
        if name.endswith('.json'):
            text = data.decode('utf-16') if data[:2] in (b'\xff\xfe', b'\xfe\xff') else data.decode('utf-8-sig')
            json.loads(text)
"""


def routine_events(server: str, count: int) -> list[dict]:
    """Realistic background: BINDING-ACK "outdated binding" noise, as duplicate relays produce."""
    base_ms = 1764460800000  # 2025-11-30T00:00:00Z
    events = []
    for n in range(count):
        ip = f"10.0.10.{n % 250 + 2}"
        events.append({
            "Id": 20291, "RecordId": 100000 + n, "TimeCreated": base_ms + n * 17000,
            "MachineName": server,
            "Values": [str(4000 + n), ip, "Outdated binding information", "dhcp-b.contoso.com", "dhcp-a-dhcp-b"],
            "Message": (f"A BINDING-ACK message with transaction id: {4000 + n} was sent for IP address: {ip} "
                        "with reject reason: (Outdated binding information) to partner server: "
                        "dhcp-b.contoso.com for failover relationship: dhcp-a-dhcp-b."),
        })
    return events


def as_get_winevent_json(event: dict) -> dict:
    return {"Id": event["Id"], "Version": 0, "Level": 4, "Task": 0, "Opcode": 0, "RecordId": event["RecordId"],
            "ProviderName": "Microsoft-Windows-DHCP-Server", "LogName": "DhcpAdminEvents",
            "MachineName": event["MachineName"], "TimeCreated": f"/Date({event['TimeCreated']})/",
            "LevelDisplayName": "Information", "TaskDisplayName": "DHCP Failover",
            "Properties": [{"Value": v} for v in event["Values"]], "Message": event["Message"]}


def as_wevtutil_xml(event: dict) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(event["TimeCreated"] / 1000))
    data = "".join(f"<Data>{v}</Data>" for v in event["Values"])
    return ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
            "<Provider Name='Microsoft-Windows-DHCP-Server' Guid='{6D64F02C-A125-4DAC-9A01-F0555B41CA84}'/>"
            f"<EventID>{event['Id']}</EventID><Version>0</Version><Level>4</Level><Task>0</Task>"
            f"<Opcode>0</Opcode><Keywords>0x4000000000000000</Keywords><TimeCreated SystemTime='{stamp}.0000000Z'/>"
            f"<EventRecordID>{event['RecordId']}</EventRecordID><Correlation/><Execution ProcessID='1880' "
            f"ThreadID='2444'/><Channel>DhcpAdminEvents</Channel><Computer>{event['MachineName']}</Computer>"
            f"<Security UserID='S-1-5-20'/></System><EventData>{data}</EventData></Event>")


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def build_bundle(case: str, events: int, workdir: Path) -> Path:
    """Copy the example and grow each server's DhcpAdminEvents log, in the format it already has."""
    target = workdir / case
    shutil.copytree(REPO / "examples" / "bundles" / case, target)
    for folder in sorted(p for p in target.iterdir() if p.is_dir()):
        extra = routine_events(folder.name, events)
        for log in folder.glob("events-DhcpAdminEvents.*"):
            text = _decode(log.read_bytes())
            if log.suffix == ".json":
                records = json.loads(text)
                records = records if isinstance(records, list) else [records]
                records.extend(as_get_winevent_json(e) for e in extra)
                log.write_text(json.dumps(records, indent=1), encoding="utf-8")
            else:
                log.write_text(text.rstrip() + "\n" + "\n".join(as_wevtutil_xml(e) for e in extra) + "\n",
                               encoding="utf-8")
    return target


def median_wall(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and least CPU time (user + system) of `runs` runs of `command`.

    On a shared machine the wall time mostly measures the neighbours; the CPU time of the child
    is what fodoc itself spends, and its least value is the steadiest (contention only adds).
    """
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--events", type=int, default=5000, help="routine events added per server")
    parser.add_argument("--case", default="port_647_blocked")
    args = parser.parse_args()
    beside = Path(sys.executable).with_name("fodoc")
    fodoc = str(beside) if beside.exists() else shutil.which("fodoc")
    if fodoc is None:
        print("fodoc is not installed in this environment (pip install .)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        bundle = build_bundle(args.case, args.events, Path(tmp))
        size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
        results = {}
        for engine in ("native", "durable"):
            results[engine] = median_wall([fodoc, "diagnose", str(bundle), "--format", "json",
                                           "--engine", engine], args.runs)
        load, load_cpu = median_wall([sys.executable, "-c", LOAD_ONLY, str(bundle)], args.runs)
        bare, bare_cpu = median_wall([sys.executable, "-c", "pass"], args.runs)
    cache = "off (FODOC_NO_CACHE)" if os.environ.get("FODOC_NO_CACHE", "") not in ("", "0") else "on"
    print(f"bundle: {args.case} + {args.events} events/server, {size / 1e6:.1f} MB, median of {args.runs} runs, "
          f"knowledge-base cache {cache}")
    print("                            wall ms  CPU ms (median wall, least CPU)")
    print(f"python startup only          {bare * 1000:7.0f}  {bare_cpu * 1000:7.0f}")
    print(f"python load + json.loads     {load * 1000:7.0f}  {load_cpu * 1000:7.0f}")
    for engine, (wall, cpu) in results.items():
        print(f"fodoc diagnose ({engine:<7})    {wall * 1000:7.0f}  {cpu * 1000:7.0f}   {wall / load:4.1f}x load   "
              f"budget 500 ms: {'ok' if wall < 0.5 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
