#!/usr/bin/env python3
"""Time a full live collection against the WS-Management emulator: sequential vs concurrent.

    python bench/bench_collect.py [--delay-ms 50] [--runs 3] [--case healthy]

Two emulated servers (tests/collect/emulator.py, HTTPS with a self-signed certificate, Basic
authentication) answer from a shipped example bundle and add --delay-ms to every HTTP call, as a
WAN round trip would. The real pywinrm client collects the whole probe catalog from both,
once with --jobs 1 (one probe after the other) and once with the default --jobs; the median wall
time of each is printed with the number of WinRM calls made.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from engine.collect.collector import DEFAULT_JOBS, collect  # noqa: E402
from engine.collect.transport import Connection, Credentials, WinRMRunner  # noqa: E402
from tests.collect.emulator import EmulatedServer, Emulator, self_signed_tls  # noqa: E402

A, B = "dhcp-a.contoso.com", "dhcp-b.contoso.com"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", default="healthy")
    args = parser.parse_args()
    examples = REPO / "examples" / "bundles" / args.case
    folders = sorted(p for p in examples.iterdir() if p.is_dir())
    with tempfile.TemporaryDirectory() as scratch:
        context, ca_file = self_signed_tls(Path(scratch))
        servers = [EmulatedServer(folder, delay_s=args.delay_ms / 1000) for folder in folders[:2]]
        with Emulator(servers[0], context) as first, Emulator(servers[1], context) as second:
            connection = Connection(transport="basic", ssl=True, ca_trust_path=str(ca_file),
                                    addresses=((A, f"127.0.0.1:{first.port}"), (B, f"127.0.0.1:{second.port}")))
            credentials = Credentials(servers[0].user, servers[0].password)
            print(f"{args.case}: 2 servers, {args.delay_ms:g} ms per WinRM call, median of {args.runs} runs")
            for jobs in (1, DEFAULT_JOBS):
                times = []
                for _ in range(args.runs):
                    for server in servers:
                        server.calls.clear()
                    started = time.perf_counter()
                    collection = collect(A, None, lambda name: WinRMRunner(name, connection, credentials), jobs=jobs)
                    times.append(time.perf_counter() - started)
                calls = sum(len(s.calls) for s in servers)
                files = sum(len(s.files) for s in collection.servers)
                label = "sequential (--jobs 1)" if jobs == 1 else f"concurrent (--jobs {jobs})"
                print(f"  {label:<24} {statistics.median(times):6.2f} s   {calls} WinRM calls, {files} artifacts")


if __name__ == "__main__":
    main()
