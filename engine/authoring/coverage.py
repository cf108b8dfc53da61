"""`fodoc rules coverage`: for each cause, what backs it up — rule, runbook, fixtures, simulator.

A cause with a rule but no runbook leaves the admin with a diagnosis and nothing to do; one with
no negative fixture has never been shown to stay quiet on a healthy pair; one the simulator
(engine/simulate, issue 6) cannot produce is never exercised end to end. The simulator column
reads "not available" where engine.simulate is not installed, rather than pretending.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..knowledge import KnowledgeBase


@dataclass
class CoverageRow:
    cause: str
    rules: list[str]
    runbook: bool
    positive: int
    negative: int
    simulated: bool | None      # None: the simulator is not available
    expected: bool = False      # expected behaviour: explained with `watch`, nothing to fix

    @property
    def gaps(self) -> list[str]:
        missing = []
        if not self.rules:
            missing.append("rule")
        if not self.runbook and not self.expected:
            missing.append("runbook")
        if not self.positive:
            missing.append("positive fixture")
        if not self.negative:
            missing.append("negative fixture")
        if self.simulated is False:
            missing.append("simulator scenario")
        return missing


def simulated_causes() -> frozenset[str] | None:
    """The causes the simulator can inject, or None when engine.simulate is not available."""
    try:
        module = importlib.import_module("engine.simulate")
    except ImportError:
        return None
    provider = getattr(module, "simulated_causes", None)
    if provider is None:
        return None
    return frozenset(provider())


def coverage(kb: KnowledgeBase) -> list[CoverageRow]:
    simulated = simulated_causes()
    causes = sorted(set(kb.causes) | set(kb.runbooks))
    rows = []
    for cause in causes:
        rules = kb.rules_for(cause)
        rows.append(CoverageRow(
            cause=cause,
            rules=[rule.id for rule in rules],
            runbook=cause in kb.runbooks,
            positive=sum(1 for rule in rules for f in rule.fixtures if f.fires),
            negative=sum(1 for rule in rules for f in rule.fixtures if not f.fires),
            simulated=None if simulated is None else cause in simulated,
            expected=kb.is_expected_behaviour(cause),
        ))
    return rows


def render_coverage(rows: list[CoverageRow]) -> str:
    header = ("cause", "rules", "runbook", "positive", "negative", "simulator", "gaps")
    table = [header]
    for row in rows:
        table.append((row.cause, str(len(row.rules)), "yes" if row.runbook else ("n/a (info)" if row.expected else "NO"),
                      str(row.positive) if row.positive else "NONE",
                      str(row.negative) if row.negative else "NONE",
                      "not available" if row.simulated is None else ("yes" if row.simulated else "NO"),
                      ("!! " + ", ".join(row.gaps)) if row.gaps else "-"))
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[-1]
             for line in table]
    untested = [row.cause for row in rows if row.gaps]
    lines.append("")
    lines.append(f"{len(rows)} causes, {len(rows) - len(untested)} fully covered"
                 + (f"; gaps in: {', '.join(untested)}" if untested else ""))
    return "\n".join(lines) + "\n"
