"""Scenarios: a seed, faults and noise, from a YAML file, the command line or the random draw
of `fodoc eval`.

    name: clock skew on b
    seed: 7
    collected_at: 2026-11-30T09:00:00Z      # optional; the seed picks one otherwise
    faults:
      - {kind: port647-blocked, direction: b->a}
      - {kind: clock-skew, side: b, seconds: 95}
    noise:                                  # things a healthy pair also shows
      - {kind: duplicate_relays, count: 80}
      - {kind: old_interruption, since_h: 40, minutes: 25}
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from ..errors import KnowledgeBaseError, UsageError
from ..timevalues import parse_time
from ..yamlio import LineDict, load_yaml
from .faults import FaultKind, canonical_kind, fault_kinds, find_kind

NOISE = {"duplicate_relays": {"count": (20, 200)}, "old_interruption": {"since_h": (26, 70), "minutes": (5, 40)}}


@dataclass
class Scenario:
    seed: int
    faults: list[tuple[str, dict]] = field(default_factory=list)   # kind, fixed parameters
    noise: list[tuple[str, dict]] = field(default_factory=list)    # noise kind, parameters
    name: str = ""
    collected_at: Optional[datetime] = None

    def kinds(self) -> list[FaultKind]:
        return [fault_kinds()[kind] for kind, _ in self.faults]


def load_scenario(path: Path, seed: Optional[int] = None) -> Scenario:
    """Read a scenario file; `seed` (from --seed) overrides the file's."""
    try:
        doc = load_yaml(path)
    except KnowledgeBaseError as exc:
        raise UsageError(exc.one_line()) from None
    where = str(path)
    if not isinstance(doc, dict):
        raise UsageError(f"{where}: expected a mapping with faults (and optionally seed, name, noise, collected_at)")
    unknown = sorted(set(doc) - {"name", "seed", "faults", "noise", "collected_at", "description"})
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; expected name, seed, faults, noise, collected_at")
    faults = []
    for number, item in enumerate(doc.get("faults") or [], start=1):
        place = f"{where}: faults[{number}] (line {getattr(item, 'line', '?')})"
        if not isinstance(item, dict) or "kind" not in item:
            raise UsageError(f"{place}: expected {{kind: ..., parameter: value, ...}}")
        kind = find_kind(item["kind"], place)
        params = {k: v for k, v in item.items() if k != "kind"}
        kind.draw(random.Random(0), params, place)  # checks the fixed parameters now, with the file's line
        faults.append((kind.name, params))
    noise = []
    for number, item in enumerate(doc.get("noise") or [], start=1):
        place = f"{where}: noise[{number}]"
        if not isinstance(item, dict) or canonical_kind(item.get("kind", "")) not in NOISE:
            raise UsageError(f"{place}: expected {{kind: {' | '.join(NOISE)}, ...}}")
        noise.append((canonical_kind(item["kind"]), {k: v for k, v in item.items() if k != "kind"}))
    collected = doc.get("collected_at")
    if collected is not None:
        # quoted or not (YAML makes a datetime of it), with a zone: the same rule as in rules
        collected, problem = parse_time(collected)
        if problem:
            line = doc.line_of("collected_at") if isinstance(doc, LineDict) else 0
            raise UsageError(f"{where}:{line}: collected_at: {problem}" if line else
                             f"{where}: collected_at: {problem}")
    file_seed = doc.get("seed", 0)
    if not isinstance(file_seed, int):
        raise UsageError(f"{where}: seed {file_seed!r} is not an integer")
    return Scenario(seed if seed is not None else file_seed, faults, noise, str(doc.get("name") or path.stem),
                    collected)


def random_scenario(seed: int, kinds: list[FaultKind], faults: int) -> Scenario:
    """What `fodoc eval` runs for one seed: `faults` distinct kinds (0 = healthy), random noise."""
    rng = random.Random(f"scenario-{seed}")
    chosen = rng.sample(kinds, faults) if faults else []
    noise = []
    if rng.random() < 0.5:
        noise.append(("duplicate_relays", {}))
    if rng.random() < 0.4:
        noise.append(("old_interruption", {}))
    name = "+".join(k.name for k in chosen) or "healthy"
    return Scenario(seed, [(k.name, {}) for k in chosen], noise, name)


def draw_noise(kind: str, fixed: dict, rng: random.Random) -> dict[str, Any]:
    values = {}
    for name, (low, high) in NOISE[kind].items():
        values[name] = float(fixed[name]) if name in fixed else round(rng.uniform(low, high), 2)
    return values
