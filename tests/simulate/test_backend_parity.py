"""Simulated scenarios diagnose the same through both inference backends (DESIGN: the native
backend is the reference; every simulated scenario must give identical results)."""
from __future__ import annotations

import pytest

from engine.inference import durable_available
from engine.pipeline import Analyzer
from engine.simulate.evaluate import eligible_kinds, scenario_for


@pytest.mark.skipif(not durable_available(), reason="durable_rules is not installed")
def test_both_backends_agree_on_simulated_scenarios(kb, simulate):
    native, durable = Analyzer("native", kb=kb), Analyzer("durable", kb=kb)
    kinds, _ = eligible_kinds({rule.cause for rule in kb.rules})
    for seed in range(6):
        scenario = scenario_for(seed, kinds, 2)
        _, bundle = simulate(scenario.faults, scenario.seed, [n for n, _ in scenario.noise])
        results = []
        for analyzer in (native, durable):
            d = analyzer.analyze(bundle)
            results.append([(f.cause, f.server, f.rules, f.confidence) for f in d.findings] + [d.verdict])
        assert results[0] == results[1], seed
