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

    python bench/bench_evtx.py --compare-python-evtx [--compare-mb 20] [--samples DIR]

compares the `evtx` package with python-evtx (Willi Ballenthin's pure-Python parser, import name
`Evtx`), when that is importable; it is no dependency of fodoc, so install it beside fodoc in a
throwaway venv (see bench/README.md). On each .evtx of `--samples` (default: the test fixtures),
on the 3-chunk fixture damaged as the public damaged sample is, and on a generated log of
`--compare-mb` MB, each parser in its own process renders every record (the `evtx` package to
JSON text, python-evtx to XML: each library's own full rendering; "python-evtx: no render"
reads only each record's header) and reports records, MB/s and records/s per CPU second and
peak RSS; then what each does with damage: records returned, errors, and the records a file's
chunks hold that its header does not count (python-evtx reads only those the header counts).
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
data = open(path, "rb").read() if mode in _HOLDS_FILE else None  # the others stream from disk
start, cpu = time.perf_counter(), time.process_time()
events = 0
extra = {{}}
if mode in ("cmp-evtx", "cmp-pyevtx", "cmp-pyevtx-headers", "cmp-pyevtx-all-chunks"):
    # every record, as a caller of each library would read a damaged file: go on past errors
    ids, errors = [], []
    if mode == "cmp-evtx":
        from evtx import PyEvtxParser
        records = PyEvtxParser(path, number_of_threads=1).records_json()
        while True:
            try:
                record = next(records)
            except StopIteration:
                break
            except RuntimeError as exc:  # a damaged chunk or record; the parser goes on
                errors.append(" ".join(str(exc).split())[:160])
                continue
            ids.append(record["event_record_id"])
    else:
        import Evtx.Evtx as pyevtx
        with pyevtx.Evtx(path) as log:
            header = log.get_file_header()
            counted = header.chunk_count()
            chunks = header.chunks(include_inactive=mode == "cmp-pyevtx-all-chunks")
            try:
                for number, chunk in enumerate(chunks):
                    if number >= counted and not chunk.check_magic():
                        continue  # past the header's count, only what is a chunk (unused space is zeros)
                    for record in chunk.records():
                        try:
                            if mode != "cmp-pyevtx-headers":
                                record.xml()
                            ids.append(record.record_num())
                        except Exception as exc:  # python-evtx raises from the renderer
                            errors.append(f"record {{record.record_num()}}: {{type(exc).__name__}}: {{exc}}"[:160])
            except Exception as exc:  # ... and from the chunk iteration, which then ends
                errors.append(f"stopped: {{type(exc).__name__}}: {{exc}}"[:160])
    events = len(ids)
    extra = {{"errors": errors, "lowest": min(ids, default=None), "highest": max(ids, default=None)}}
elif mode.startswith("evtx-lib"):
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
print(json.dumps({{"seconds": seconds, "cpu": cpu, "events": events, "peak_mb": peak / 1024, **extra}}))
"""


_HOLDS_FILE = ("evtx-lib", "evtx-lib-decode", "json-loads", "json-fodoc")


def measure(mode: str, path: Path) -> dict:
    script = f"_HOLDS_FILE = {_HOLDS_FILE!r}\n" + _CHILD.format(repo=str(REPO))
    out = subprocess.run([sys.executable, "-c", script, mode, str(path)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the generated .evtx in MB (default 200)")
    parser.add_argument("--events", type=int, default=200000, help="records of the generated JSON log")
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="a real .evtx whose chunks are repeated")
    parser.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    parser.add_argument("--compare-python-evtx", action="store_true",
                        help="only compare the evtx package with python-evtx (if importable), see above")
    parser.add_argument("--compare-mb", type=int, default=20, help="size of the generated log compared (default 20)")
    parser.add_argument("--samples", type=Path, default=SAMPLE.parent,
                        help="folder of real .evtx files compared (default: the test fixtures)")
    args = parser.parse_args()
    if args.compare_python_evtx:
        return compare_python_evtx(args)
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


def damaged_like_the_public_sample(target: Path) -> Path:
    """The 3-chunk fixture damaged as sample_with_a_bad_chunk_magic.evtx is (tests/parsers/
    test_parse_evtx.py builds the same): chunk 0 zeroed from inside record 20 to its end, chunk
    1's header zeroed."""
    data = bytearray(SAMPLE.read_bytes())
    data[HEADER_BLOCK + 14080:HEADER_BLOCK + CHUNK] = bytes(CHUNK - 14080)
    data[HEADER_BLOCK + CHUNK:HEADER_BLOCK + CHUNK + 8] = bytes(8)
    target.write_bytes(bytes(data))
    return target


def compare_python_evtx(args) -> int:
    import importlib.util
    if importlib.util.find_spec("Evtx") is None:
        print("python-evtx is not importable by this Python, so there is nothing to compare; it is no dependency "
              "of fodoc: install it in a throwaway venv beside fodoc and run this from there:\n"
              "    python3 -m venv /tmp/pyevtx && /tmp/pyevtx/bin/pip install python-evtx . && "
              "/tmp/pyevtx/bin/python bench/bench_evtx.py --compare-python-evtx")
        return 0
    from importlib.metadata import version
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        files = sorted(args.samples.glob("*.evtx"))
        files.append(damaged_like_the_public_sample(folder / "system-3chunks-damaged.evtx"))
        generated = folder / f"generated-{args.compare_mb}mb.evtx"
        make_evtx(args.sample, generated, args.compare_mb)
        files.append(generated)
        print(f"evtx {version('evtx')} (Rust, PyO3) against python-evtx {version('python-evtx')} (pure Python); "
              f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; the generated log repeats the chunks of "
              f"{args.sample.name}")
        print(f"{'file':<38}{'parser':<24}{'records':>8}{'CPU s':>8}{'MB/s':>8}{'records/s':>11}{'peak RSS MB':>13}"
              "   (rates per CPU second)")
        behaviour = []
        for path in files:
            size = path.stat().st_size
            results = {}
            for label, mode in (("evtx (JSON text)", "cmp-evtx"), ("python-evtx (XML)", "cmp-pyevtx"),
                                ("python-evtx: no render", "cmp-pyevtx-headers")):
                result = results[mode] = measure(mode, path)
                cpu = max(result["cpu"], 1e-9)
                print(f"{path.name[:37]:<38}{label:<24}{result['events']:>8}{result['cpu']:>8.2f}"
                      f"{size / 1e6 / cpu:>8.1f}{result['events'] / cpu:>11,.0f}{result['peak_mb']:>13.0f}")
            if path != generated:
                results["cmp-pyevtx-all-chunks"] = measure("cmp-pyevtx-all-chunks", path)
                behaviour.append((path, results))
        print("\nWhat each returns (records, EventRecordID range, errors):")
        for path, results in behaviour:
            print(f"  {path.name}")
            for label, mode in (("evtx", "cmp-evtx"), ("python-evtx", "cmp-pyevtx"),
                                ("python-evtx, chunks past the header's count too", "cmp-pyevtx-all-chunks")):
                result = results[mode]
                errors = result["errors"]
                said = f"; {len(errors)} error(s), first: {errors[0]}" if errors else "; no error"
                print(f"    {label:<50}{result['events']:>6} record(s), ids {result['lowest']}..{result['highest']}"
                      f"{said}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
