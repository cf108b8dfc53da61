#!/usr/bin/env python3
"""Throughput and peak memory of .evtx and JSON event parsing on large generated logs.

    python bench/bench_evtx.py [--mb 200] [--events 200000] [--sample PATH] [--keep DIR]

The large .evtx is generated, not committed: an .evtx file is a 4 KiB header followed by
self-contained 64 KiB chunks (each with its own string and template tables and checksums), so
repeating the chunks of a real log and fixing the header's chunk count and checksum gives a
valid file of any size that reads like the original. The sample is the 3-chunk System log the
tests use (tests/parsers/fixtures/evtx/system-3chunks.evtx, real Windows output); `--sample`
takes another (e.g. /work/shared/samples/evtx/system.evtx). The JSON log is bench_events.py's
Windows PowerShell 5.1 `Get-WinEvent | ConvertTo-Json` DhcpAdminEvents log of `--events` records.

Each measurement runs in its own process so that its peak RSS (ru_maxrss) is its own:

    evtx: library only      the `evtx` package yielding every record's JSON text, nothing decoded
    evtx: json.loads all    the same plus json.loads of every record: the cost of decoding all
    evtx: fodoc             engine.parsers.events.parse_evtx: read + summarise into facts, streamed
                            from the file as for a folder bundle (the others hold the file's bytes)
    json: json.loads        Python just decoding the JSON file
    json: fodoc             engine.parsers.events.parse_json

It prints wall and CPU seconds, MB/s and events/s per CPU second, and peak RSS (VmHWM) for each,
and asserts nothing about them.
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "parsers" / "fixtures" / "evtx" / "system-3chunks.evtx"
HEADER_BLOCK, CHUNK = 4096, 65536
CHUNK_COUNT_AT, HEADER_CRC_AT, HEADER_CRC_SPAN = 42, 124, 120


def make_evtx(sample: Path, target: Path, megabytes: int) -> int:
    """Write an .evtx of about `megabytes` MB by repeating `sample`'s chunks; return its size.

    The header's chunk count is 16 bits, so the file holds at most 65,535 chunks (4 GiB)."""
    data = sample.read_bytes()
    chunks = [data[offset:offset + CHUNK] for offset in range(HEADER_BLOCK, len(data) - CHUNK + 1, CHUNK)
              if data[offset:offset + 8] == b"ElfChnk\x00"]
    wanted = min(max(1, megabytes * 1_000_000 // CHUNK), 0xFFFF)
    header = bytearray(data[:HEADER_BLOCK])
    struct.pack_into("<QQ", header, 8, 0, wanted - 1)        # first and last chunk number
    struct.pack_into("<H", header, CHUNK_COUNT_AT, wanted)
    struct.pack_into("<I", header, HEADER_CRC_AT, zlib.crc32(header[:HEADER_CRC_SPAN]))
    with open(target, "wb") as out:
        out.write(header)
        for number in range(wanted):
            out.write(chunks[number % len(chunks)])
    return target.stat().st_size


_CHILD = r"""
import io, json, resource, sys, time
sys.path.insert(0, {repo!r})
mode, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read() if mode != "evtx-fodoc" else None  # fodoc streams an .evtx from disk
start, cpu = time.perf_counter(), time.process_time()
events = 0
if mode.startswith("evtx-lib"):
    from evtx import PyEvtxParser
    for record in PyEvtxParser(io.BytesIO(data), number_of_threads=1).records_json():
        if mode == "evtx-lib-decode":
            json.loads(record["data"])
        events += 1
elif mode == "json-loads":
    events = len(json.loads(data.decode("utf-8-sig")))
else:
    from engine.parsers import Artifact, Problems
    from engine.parsers.events import parse_evtx, parse_json
    fmt = "evtx" if mode == "evtx-fodoc" else "json"
    artifact = Artifact("dhcp-a/events-DhcpAdminEvents." + fmt, "dhcp-a", "events", fmt,
                        log="DhcpAdminEvents", reader=lambda: data,
                        local_path=path if fmt == "evtx" else None)  # as a folder bundle hands it over
    facts = (parse_evtx if fmt == "evtx" else parse_json)(artifact, Problems())
    events = sum(f["count"] for f in facts if f.kind == "event")
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({{"seconds": seconds, "cpu": cpu, "events": events, "peak_mb": peak / 1024}}))
"""


def measure(mode: str, path: Path) -> dict:
    script = _CHILD.format(repo=str(REPO))
    out = subprocess.run([sys.executable, "-c", script, mode, str(path)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the generated .evtx in MB (default 200)")
    parser.add_argument("--events", type=int, default=200000, help="records of the generated JSON log")
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="a real .evtx whose chunks are repeated")
    parser.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "bench"))
    from bench_events import ps51_json

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        evtx_path, json_path = folder / "big.evtx", folder / "big.json"
        evtx_size = make_evtx(args.sample, evtx_path, args.mb)
        json_path.write_bytes(ps51_json(args.events))
        json_size = json_path.stat().st_size
        print(f"evtx {evtx_size / 1e6:.0f} MB ({args.sample.name} chunks repeated); JSON {json_size / 1e6:.0f} MB "
              f"({args.events} records); Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        print(f"{'measurement':<22}{'wall s':>8}{'CPU s':>8}{'MB/s':>8}{'events/s':>11}{'peak RSS MB':>13}"
              "   (rates per CPU second: the machine is shared)")
        for label, mode, path, size in (("evtx: library only", "evtx-lib", evtx_path, evtx_size),
                                        ("evtx: json.loads all", "evtx-lib-decode", evtx_path, evtx_size),
                                        ("evtx: fodoc", "evtx-fodoc", evtx_path, evtx_size),
                                        ("json: json.loads", "json-loads", json_path, json_size),
                                        ("json: fodoc", "json-fodoc", json_path, json_size)):
            result = measure(mode, path)
            cpu = result["cpu"]
            print(f"{label:<22}{result['seconds']:>8.2f}{cpu:>8.2f}{size / 1e6 / cpu:>8.1f}"
                  f"{result['events'] / cpu:>11,.0f}{result['peak_mb']:>13.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
