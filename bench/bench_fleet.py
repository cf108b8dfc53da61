#!/usr/bin/env python3
"""Time `fodoc analyze` over a folder of many bundles, in process (--jobs 1) and in a pool.

Budget (DESIGN.md, Fleet): `fodoc analyze <dir> --jobs N` over 1,000 bundles at least
200 bundles/s on 2 cores.

    python bench/bench_fleet.py [--bundles 1000] [--jobs 1 2] [--runs 1] [--zipped 0.0]

Copies the shipped examples (examples/bundles/*, folders) round-robin into a temporary folder
until it holds --bundles of them (a --zipped share of them as .zip), then times whole
`fodoc analyze DIR --format json -o /dev/null --jobs N` processes: wall and CPU time (user+sys
of the process and its workers) and bundles per wall second. Nothing is written into the repo.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "bundles"


def build(target: Path, count: int, zipped: float) -> None:
    sources = sorted(p for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith("."))
    every = round(1 / zipped) if zipped > 0 else 0
    for n in range(count):
        source = sources[n % len(sources)]
        name = f"{n:04d}-{source.name}"
        if every and n % every == 0:
            with zipfile.ZipFile(target / f"{name}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                for item in sorted(source.rglob("*")):
                    if item.is_file():
                        archive.write(item, item.relative_to(source).as_posix())
        else:
            shutil.copytree(source, target / name)


def fodoc() -> list[str]:
    found = shutil.which("fodoc", path=os.path.dirname(sys.executable)) or shutil.which("fodoc")
    return [found] if found else [sys.executable, "-c", "from engine.cli import main; main()"]


def timed(command: list[str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1, 2):
        sys.exit(f"fodoc analyze failed ({result.returncode}): {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundles", type=int, default=1000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=1, help="runs per --jobs value (the best is reported)")
    parser.add_argument("--zipped", type=float, default=0.0, help="share of the bundles written as .zip")
    parser.add_argument("--engine", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fodoc-bench-fleet-") as temporary:
        folder = Path(temporary) / "bundles"
        folder.mkdir()
        build(folder, args.bundles, args.zipped)
        print(f"{args.bundles} bundles (the {len([p for p in EXAMPLES.iterdir() if p.is_dir()])} examples "
              f"round-robin), engine {args.engine}, {os.cpu_count()} CPUs, load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        for jobs in args.jobs:
            runs = [timed(fodoc() + ["analyze", str(folder), "--format", "json", "-o", os.devnull,
                                     "--jobs", str(jobs), "--engine", args.engine]) for _ in range(args.runs)]
            wall, cpu, code = min(runs)
            print(f"--jobs {jobs}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, {args.bundles / wall:6.1f} bundles/s "
                  f"(wall), {args.bundles / cpu:6.1f} bundles per CPU second; exit {code}")


if __name__ == "__main__":
    main()
