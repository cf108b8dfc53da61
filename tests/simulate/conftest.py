"""Helpers for the simulator tests: simulate a scenario into a folder and diagnose it."""
from __future__ import annotations

import pytest

from engine.pipeline import Analyzer
from engine.simulate.bundle import bundle_files, write_bundle
from engine.simulate.run import run_scenario
from engine.simulate.scenario import Scenario


@pytest.fixture(scope="session")
def analyzer(kb):
    return Analyzer("native", kb=kb)


@pytest.fixture
def simulate(tmp_path):
    """simulate(faults, seed, noise) -> (Simulated, bundle folder)."""
    def run(faults=(), seed=0, noise=(), all_flavours=False):
        scenario = Scenario(seed, [(k, dict(p)) for k, p in faults], [(n, {}) for n in noise], "test")
        sim = run_scenario(scenario)
        out = tmp_path / f"bundle-{seed}-{len(list(tmp_path.iterdir()))}"
        write_bundle(bundle_files(sim, all_flavours), out)
        return sim, out
    return run


def collector_lines(sim) -> list[str]:
    """The problem lines the simulated collector's own recorded errors must give (and only those)."""
    return sorted(f"manifest.json (servers.{h.folder}.errors[{n}])" for h in sim.world.hosts.values()
                  for n, _ in enumerate(h.collector_errors, start=1))


def problem_places(diagnosis) -> list[str]:
    return sorted(p.split(":", 1)[0] for p in diagnosis.problems)
