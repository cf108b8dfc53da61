"""`fodoc eval`: many random scenarios through simulate + diagnose, and how often the diagnosis
names the injected cause.

Scenarios are drawn only from fault kinds whose cause the loaded knowledge base knows (the
others are listed as skipped), so the measurement grows with the rules. Every scenario is
identified by its seed and can be replayed with the `fodoc simulate` command printed for it.

A fault counts as found at the rank of the top-level finding that names its cause, either as
that finding's own cause or nested under it as a consequence or reason (pool exhaustion, a split
brain or a backlog is reported under the communication failure that explains it, as the JSON
report nests it). An expected-behaviour kind (severity info) is found only when, besides, the
diagnosis does not alarm: exit code 0 when every injected kind is expected behaviour.
"""
from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .bundle import bundle_files, write_bundle
from .evidence import observable
from .faults import FaultKind, fault_kinds
from .run import run_scenario
from .scenario import Scenario, random_scenario

HEALTHY_SHARE = 0.2
NO_FINDING = "(none)"
# Problem lines every bundle of a given form carries by design, not a reading failure.
_EXPECTED_NOTES = ("holds local times without a time zone (Event Viewer CSV)",)


@dataclass
class Case:
    seed: int
    kinds: list[str]
    expected: list[str]          # causes, one per injected fault
    found: list[str]             # causes of the top-level findings, ranked
    verdict: str
    problems: list[str]          # problem lines beyond the simulated collector's own errors
    noise: list[str]
    hidden: list[str] = field(default_factory=list)   # injected causes another fault left no evidence of
    groups: list[list[str]] = field(default_factory=list)  # per top-level finding: its cause and nested ones
    exit_code: int = 0
    expected_behaviour: bool = False  # every injected kind is expected behaviour (severity info)

    def rank(self, cause: str) -> Optional[int]:
        """0-based rank of the top-level finding that names `cause` itself or nested under it;
        None when no finding does, or when expected behaviour was alarmed on."""
        if self.expected_behaviour and self.exit_code != 0:
            return None
        groups = self.groups or [[c] for c in self.found]
        return next((n for n, group in enumerate(groups) if cause in group), None)

    def within(self, cause: str, k: int) -> bool:
        rank = self.rank(cause)
        return rank is not None and rank < k

    @property
    def shown(self) -> list[str]:
        """The injected causes the bundle carries evidence of."""
        rest = list(self.hidden)
        out = []
        for cause in self.expected:
            if cause in rest:
                rest.remove(cause)
            else:
                out.append(cause)
        return out

    @property
    def replay(self) -> str:
        faults = " ".join(f"--fault {k}" for k in self.kinds)
        noise = " ".join(f"--noise {n}" for n in self.noise)
        return " ".join(p for p in ("fodoc simulate", faults, noise, f"--seed {self.seed}",
                                    f"--out scenario-{self.seed}.zip") if p)


@dataclass
class Report:
    scenarios: int
    faults: int
    seed: int
    engine: str
    skipped: dict[str, str]               # fault kind -> cause the knowledge base does not know
    cases: list[Case] = field(default_factory=list)
    seconds: float = 0.0

    def per_cause(self) -> dict[str, dict]:
        table: dict[str, dict] = defaultdict(lambda: {"n": 0, "top1": 0, "top3": 0})
        for case in self.cases:
            for cause in case.expected:
                row = table[cause]
                row["n"] += 1
                row["top1"] += case.within(cause, 1)
                row["top3"] += case.within(cause, 3)
        return {c: dict(v) for c, v in sorted(table.items())}

    def confusion(self) -> dict[str, dict[str, int]]:
        """Injected cause -> cause ranked first -> count."""
        matrix: dict[str, Counter] = defaultdict(Counter)
        for case in self.cases:
            for cause in case.expected or ["(healthy)"]:
                matrix[cause][case.found[0] if case.found else NO_FINDING] += 1
        return {row: dict(sorted(cols.items())) for row, cols in sorted(matrix.items())}

    def faulty(self) -> list[Case]:
        return [c for c in self.cases if c.expected]

    def healthy(self) -> list[Case]:
        return [c for c in self.cases if not c.expected]

    def false_alarms(self) -> list[Case]:
        return [c for c in self.healthy() if c.verdict != "healthy"]

    def top_k_coverage(self, shown_only: bool = True) -> tuple[int, int]:
        """Injected faults whose cause is among the first k findings (k = faults per scenario);
        by default only those the bundle carries evidence of (see evidence.py)."""
        found = total = 0
        for case in self.faulty():
            k = len(case.expected)
            for cause in (case.shown if shown_only else case.expected):
                total += 1
                found += case.within(cause, k)
        return found, total

    def misses(self) -> list[Case]:
        out = []
        for case in self.cases:
            k = max(len(case.expected), 1)
            if case.shown and not all(case.within(cause, k) for cause in case.shown):
                out.append(case)
            elif not case.expected and case.verdict != "healthy":
                out.append(case)
            elif case.problems:
                out.append(case)
        return out

    def rate(self) -> float:
        return len(self.cases) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        found, total = self.top_k_coverage()
        raw_found, raw_total = self.top_k_coverage(shown_only=False)
        per_cause = self.per_cause()
        faulty = self.faulty()
        return {
            "schema": "fodoc.eval/1",
            "scenarios": len(self.cases), "faults_per_scenario": self.faults, "seed": self.seed,
            "engine": self.engine,
            "top1": _ratio(sum(r["top1"] for r in per_cause.values()), sum(r["n"] for r in per_cause.values()))
            if self.faults == 1 else None,
            "top_k_coverage": _ratio(found, total),
            "top_k_coverage_all": _ratio(raw_found, raw_total),
            "hidden": [{"seed": c.seed, "kinds": c.kinds, "hidden": c.hidden, "found": c.found[:3]}
                       for c in self.cases if c.hidden],
            "per_cause": {c: {**r, "top1_rate": _ratio(r["top1"], r["n"]), "top3_rate": _ratio(r["top3"], r["n"])}
                          for c, r in per_cause.items()},
            "confusion": self.confusion(),
            "healthy": len(self.healthy()), "faulty": len(faulty),
            "false_alarms": [{"seed": c.seed, "found": c.found, "verdict": c.verdict, "replay": c.replay}
                             for c in self.false_alarms()],
            "misses": [{"seed": c.seed, "kinds": c.kinds, "expected": c.expected, "found": c.found[:5],
                        "nested": {g[0]: g[1:] for g in c.groups[:5] if len(g) > 1}, "exit_code": c.exit_code,
                        "problems": c.problems[:3], "replay": c.replay} for c in self.misses()],
            "skipped_kinds": self.skipped,
            "seconds": round(self.seconds, 2), "scenarios_per_second": round(self.rate(), 2),
        }


def _ratio(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


def eligible_kinds(known_causes: set[str]) -> tuple[list[FaultKind], dict[str, str]]:
    """Kinds whose cause the knowledge base knows, and the skipped ones with their cause."""
    usable, skipped = [], {}
    for name, kind in sorted(fault_kinds().items()):
        if kind.cause in known_causes:
            usable.append(kind)
        else:
            skipped[name] = kind.cause
    return usable, skipped


def scenario_for(seed: int, kinds: list[FaultKind], faults: int) -> Scenario:
    """The scenario eval runs for a seed: healthy for about one in five, else `faults` kinds."""
    healthy = random.Random(f"healthy-{seed}").random() < HEALTHY_SHARE
    return random_scenario(seed, kinds, 0 if healthy else min(faults, len(kinds)))


def evaluate(analyzer, scenarios: int, faults: int, seed: int,
             progress: Callable[[int], None] = lambda n: None) -> Report:
    known = {rule.cause for rule in analyzer.kb.rules}
    kinds, skipped = eligible_kinds(known)
    report = Report(scenarios, faults, seed, analyzer.engine.name, skipped)
    workdir = Path(tempfile.mkdtemp(prefix="fodoc-eval-"))
    started = time.perf_counter()
    try:
        for number in range(scenarios):
            case_seed = seed * 100_000 + number
            scenario = scenario_for(case_seed, kinds, faults)
            report.cases.append(_run_case(analyzer, scenario, workdir / f"s{number}"))
            progress(1)
    finally:
        report.seconds = time.perf_counter() - started
        shutil.rmtree(workdir, ignore_errors=True)
    return report


def _run_case(analyzer, scenario: Scenario, path: Path) -> Case:
    sim = run_scenario(scenario)
    write_bundle(bundle_files(sim), path)
    diagnosis = analyzer.analyze(path)
    shutil.rmtree(path, ignore_errors=True)
    kinds = [name for name, _ in sim.faults]
    expected = [fault_kinds()[name].cause for name in kinds]
    collector = {f"{h.folder}" for h in sim.world.hosts.values() if h.collector_errors}
    problems = [p for p in diagnosis.problems
                if not (p.startswith("manifest.json") and "the collector could not get" in p
                        and any(f"from {folder}:" in p for folder in collector))
                and not any(note in p for note in _EXPECTED_NOTES)]
    hidden = [fault_kinds()[name].cause for name, params in sim.faults if not observable(sim.world, name, params)]
    return Case(scenario.seed, kinds, expected, [f.cause for f in diagnosis.findings], diagnosis.verdict,
                problems, [n for n, _ in scenario.noise], hidden,
                groups=[_causes_within(f) for f in diagnosis.findings], exit_code=diagnosis.exit_code,
                expected_behaviour=bool(kinds) and all(fault_kinds()[k].severity == "info" for k in kinds))


def _causes_within(finding) -> list[str]:
    """A top-level finding's cause, then those of its reasons and consequences, nested or not."""
    causes = [finding.cause]
    for inner in finding.nested():
        causes += [c for c in _causes_within(inner) if c not in causes]
    return causes
