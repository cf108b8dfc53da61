#!/usr/bin/env python3
"""Where one `fodoc diagnose` spends its time, phase by phase, in one process (cProfile).

    python bench/profile_diagnose.py [--events 5000] [--case port_647_blocked] [--top 25]

Builds the same bundle as bench_diagnose.py, then times, in this process: importing engine.cli,
loading the knowledge base (twice: the first run fills the parse cache, the second reads it,
unless FODOC_NO_CACHE=1), parsing the bundle into facts, and a whole analysis; each as CPU time
of this process (steadier than wall time on a shared machine). Then the parse phase once more
under cProfile, printing the functions with the most cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_diagnose import build_bundle  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--case", default="port_647_blocked")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bundle = build_bundle(args.case, args.events, Path(tmp))
        start = time.process_time()
        import engine.cli  # noqa: F401
        from engine.bundle import open_bundle
        from engine.extract import extract_facts
        from engine.knowledge import load_knowledge_base
        from engine.pipeline import Analyzer
        print(f"import engine.cli           {(time.process_time() - start) * 1000:7.0f} ms")
        for label in ("knowledge base (1st)", "knowledge base (2nd)"):
            start = time.process_time()
            kb = load_knowledge_base()
            print(f"{label:<28} {(time.process_time() - start) * 1000:7.0f} ms")
        start = time.process_time()
        extract_facts(open_bundle(bundle), kb.catalog)
        print(f"parse bundle → facts         {(time.process_time() - start) * 1000:7.0f} ms")
        start = time.process_time()
        Analyzer(kb=kb).analyze(bundle)
        print(f"Analyzer(kb).analyze         {(time.process_time() - start) * 1000:7.0f} ms")
        profile = cProfile.Profile()
        profile.enable()
        extract_facts(open_bundle(bundle), kb.catalog)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
