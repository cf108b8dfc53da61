"""`fodoc rules coverage`: causes x (rule, runbook, fixtures, simulator), with and without engine.simulate."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from engine.authoring import coverage as coverage_module
from engine.authoring.coverage import coverage, render_coverage, simulated_causes
from engine.knowledge import load_knowledge_base

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_simulator(monkeypatch):
    monkeypatch.setitem(sys.modules, "engine.simulate", None)  # import raises ImportError


@pytest.fixture
def simulator(monkeypatch):
    module = types.ModuleType("engine.simulate")
    module.simulated_causes = lambda: frozenset({"port_647_blocked", "clock_skew"})
    monkeypatch.setitem(sys.modules, "engine.simulate", module)


def test_without_the_simulator_the_column_is_not_available(no_simulator):
    assert simulated_causes() is None
    rows = coverage(load_knowledge_base())
    assert {row.simulated for row in rows} == {None}
    assert all(row.gaps == [] for row in rows)
    text = render_coverage(rows)
    assert "not available" in text.splitlines()[1]
    assert text.splitlines()[-1] == f"{len(rows)} causes, {len(rows)} fully covered"


def test_with_the_simulator_unsimulated_causes_stand_out(simulator):
    rows = {row.cause: row for row in coverage(load_knowledge_base())}
    assert rows["port_647_blocked"].simulated is True and rows["port_647_blocked"].gaps == []
    assert rows["partner_unreachable"].simulated is False
    assert rows["partner_unreachable"].gaps == ["simulator scenario"]
    text = render_coverage(list(rows.values()))
    line = next(l for l in text.splitlines() if l.startswith("partner_unreachable "))
    assert line.split()[-3:] == ["!!", "simulator", "scenario"]
    assert "gaps in: clock_skew" not in text and "partner_unreachable" in text.splitlines()[-1]


def test_shipped_counts_come_from_the_fixtures(no_simulator):
    kb = load_knowledge_base()
    row = next(r for r in coverage(kb) if r.cause == "port_647_blocked")
    rules = kb.rules_for("port_647_blocked")
    assert row.rules == [r.id for r in rules]
    assert row.positive == sum(f.fires for r in rules for f in r.fixtures)
    assert row.negative == sum(not f.fires for r in rules for f in r.fixtures)
    assert row.runbook


def test_a_site_cause_without_runbook_or_negative_fixture(no_simulator, tmp_path):
    site = tmp_path / "site"
    (site / "runbooks").mkdir(parents=True)
    rule = (REPO / "examples" / "site-rules" / "bndupd-queue-full.yaml").read_text(encoding="utf-8")
    (site / "bndupd-queue-full.yaml").write_text(rule.replace("expect: silent", "expect: fires"), encoding="utf-8")
    (site / "runbooks" / "bndupd_queue_full.yaml").write_text(
        (REPO / "examples" / "site-rules" / "runbooks" / "bndupd_queue_full.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    row = next(r for r in coverage(load_knowledge_base([site])) if r.cause == "bndupd_queue_full")
    assert (row.positive, row.negative, row.gaps) == (4, 0, ["negative fixture"])


def test_a_simulator_without_the_function_counts_as_not_available(monkeypatch):
    monkeypatch.setitem(sys.modules, "engine.simulate", types.ModuleType("engine.simulate"))
    assert coverage_module.simulated_causes() is None
