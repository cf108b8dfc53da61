"""Helpers for the simulator tests: simulate a scenario into a folder and diagnose it."""
from __future__ import annotations

import pytest

from engine.pipeline import Analyzer
from engine.simulate.bundle import bundle_files, write_bundle
from engine.simulate.run import run_scenario
from engine.simulate.scenario import Scenario
from engine.textio import decode


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


CSV_TIME_NOTE = ": holds local times without a time zone (Event Viewer CSV); they were read with the server's UTC offset"


def csv_notes(bundle) -> list[str]:
    """The one note each Event Viewer CSV log with records gets: the format keeps no time zone
    (bundle-format.md); a log saved with no records holds only the header."""
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.glob("*/events-*.csv")
                  if len(decode(p.read_bytes(), p.name).strip().splitlines()) > 1)


def problem_places(diagnosis) -> list[str]:
    """Where the problems are, the CSV time-zone notes (see csv_notes) left out after checking their text."""
    places = []
    for line in diagnosis.problems:
        place, _, _ = line.partition(":")
        if not (place.endswith(".csv") and CSV_TIME_NOTE in line):
            places.append(place)
    return sorted(places)


def csv_note_places(diagnosis) -> list[str]:
    """The CSV time-zone notes are Notes (the file was read), never under Could not read."""
    assert not [p for p in diagnosis.problems if CSV_TIME_NOTE in p]
    return sorted(p.split(":", 1)[0] for p in diagnosis.notes if CSV_TIME_NOTE in p)
