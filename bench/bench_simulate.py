#!/usr/bin/env python3
"""Time the simulator and `fodoc eval`.

    python bench/bench_simulate.py [--scenarios 200] [--faults 1] [--engine native]

Prints, for the same random scenarios `fodoc eval` draws:

    simulate            run the model and the state machine only (scenarios/s)
    simulate + render   also render every artifact into bundle bytes (scenarios/s, KB per bundle)
    eval                simulate, write the bundle, diagnose it with one Analyzer (scenarios/s)

It reports numbers only and asserts nothing about them.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if (REPO / "engine" / "__init__.py").exists() and str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # measure this checkout rather than whatever is installed

from engine.pipeline import Analyzer  # noqa: E402
from engine.simulate.bundle import bundle_files  # noqa: E402
from engine.simulate.evaluate import eligible_kinds, evaluate, scenario_for  # noqa: E402
from engine.simulate.run import run_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--faults", type=int, default=1, choices=(1, 2))
    parser.add_argument("--engine", default="native", choices=("native", "durable", "auto"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    analyzer = Analyzer(args.engine)
    kinds, _ = eligible_kinds({rule.cause for rule in analyzer.kb.rules})
    scenarios = [scenario_for(args.seed * 100_000 + n, kinds, args.faults) for n in range(args.scenarios)]

    started = time.perf_counter()
    sims = [run_scenario(s) for s in scenarios]
    model = time.perf_counter() - started

    started = time.perf_counter()
    size = sum(sum(len(data) for data in bundle_files(run_scenario(s)).values()) for s in scenarios)
    rendered = time.perf_counter() - started

    report = evaluate(analyzer, args.scenarios, args.faults, args.seed)
    n = len(sims)
    print(f"scenarios: {n} with {args.faults} fault(s), engine {analyzer.engine.name}")
    print(f"simulate           {n / model:8.1f} scenarios/s")
    print(f"simulate + render  {n / rendered:8.1f} scenarios/s   {size / n / 1024:7.1f} KB per bundle")
    print(f"eval               {report.rate():8.1f} scenarios/s   ({report.seconds:.1f} s)")


if __name__ == "__main__":
    main()
