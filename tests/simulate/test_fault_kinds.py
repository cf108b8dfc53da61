"""Every fault kind yields a bundle that parses cleanly and, for causes the knowledge base
knows, is diagnosed with that cause first."""
from __future__ import annotations

import pytest

from engine.simulate import simulated_causes
from engine.simulate.faults import fault_kinds

from .conftest import collector_lines, csv_note_places, csv_notes, problem_places

KNOWN_TODAY = {"port_647_blocked", "clock_skew", "partner_state_drift", "relationship_corrupt",
               "shared_secret_mismatch", "partner_service_stopped", "partner_unreachable"}  # before issue 3


def test_simulated_causes_cover_every_cause_key():
    assert simulated_causes() >= KNOWN_TODAY | {
        "partner_ip_changed", "partner_name_resolution", "config_drift", "database_problem",
        "binding_update_backlog", "server_not_authorized", "pool_exhaustion", "cluster_node_naming",
        "time_service_unhealthy", "intermittent_path", "recover_wait_within_mclt", "partner_down_waiting_mclt",
        "benign_outdated_binding", "startup_after_restart"}
    assert {k.severity for k in fault_kinds().values() if k.cause == "benign_outdated_binding"} == {"info"}


@pytest.mark.parametrize("seed, kind", list(enumerate(sorted(fault_kinds()))))
def test_each_kind_parses_with_no_problem_but_the_collector_errors_it_simulates(seed, kind, simulate, analyzer):
    sim, bundle = simulate([(kind, {})], seed)
    diagnosis = analyzer.analyze(bundle)
    assert problem_places(diagnosis) == collector_lines(sim)
    assert csv_note_places(diagnosis) == csv_notes(bundle)
    assert diagnosis.artifacts and all(a["status"] == "read" for a in diagnosis.artifacts)


def _first(diagnosis) -> list[str]:
    """The top finding's cause and the causes nested under it (consequences, reasons)."""
    if not diagnosis.findings:
        return []
    top = diagnosis.findings[0]
    return [top.cause] + [f.cause for f in top.nested()]


@pytest.mark.parametrize("kind", sorted(fault_kinds()))
def test_each_kind_is_diagnosed_first_with_and_without_auto_state_transition(kind, simulate, analyzer):
    """With auto state transition on, a lost contact ends in PartnerDown on both sides: the
    split brain is shown under the cause that explains it, which stays first."""
    seen = set()
    for seed in range(60):
        sim, bundle = simulate([(kind, {})], seed)
        auto = sim.world.relationship["auto_transition"]
        if auto in seen:
            continue
        seen.add(auto)
        diagnosis = analyzer.analyze(bundle)
        expected = fault_kinds()[kind]
        assert expected.cause in _first(diagnosis), (seed, auto, [f.cause for f in diagnosis.findings])
        if expected.severity == "info":
            assert (diagnosis.verdict, diagnosis.exit_code) == ("healthy", 0)
        else:
            assert diagnosis.exit_code in (1, 2)
        if seen == {True, False}:
            break
    assert seen == {True, False}


def test_healthy_noise_is_not_a_fault(simulate, analyzer):
    """Duplicate relays (20291/20292 outdated binding, RC12) and an interruption that recovered
    two days ago are what healthy pairs show."""
    sim, bundle = simulate([], 4, noise=("duplicate_relays", "old_interruption"))
    diagnosis = analyzer.analyze(bundle)
    assert sim.world.trace.final == {"a": "Normal", "b": "Normal"}
    assert any(t.new == "CommunicationInterrupted" for t in sim.world.trace.transitions)
    # the duplicate relays are explained as expected behaviour (an info finding), never alarmed on
    assert [(f.cause, f.severity) for f in diagnosis.findings] == [("benign_outdated_binding", "info")]
    assert (diagnosis.verdict, diagnosis.exit_code, problem_places(diagnosis)) == ("healthy", 0, [])
    assert csv_note_places(diagnosis) == csv_notes(bundle)


def _runbook_errors(diagnosis) -> list[tuple[str, str]]:
    found = []
    for top in diagnosis.findings:
        for finding in [top, *top.nested()]:
            if finding.runbook_error:
                found.append((finding.cause, finding.runbook_error))
    return found


@pytest.mark.parametrize("kind", sorted(fault_kinds()))
def test_every_runbook_renders_with_the_names_of_a_simulated_pair(kind, simulate, analyzer):
    """A runbook that needs a value the finding's server cannot give (its service is down, so it
    reports no relationship of its own) must still render: 'could not be rendered' at 3 a.m. is
    no help. Five seeds per kind vary which side holds the fault and which outputs are missing."""
    for seed in range(5):
        _, bundle = simulate([(kind, {})], 1000 + seed)
        assert _runbook_errors(analyzer.analyze(bundle)) == [], (kind, seed)


def test_a_database_that_does_not_open_is_the_cause_and_the_stopped_service_its_evidence(simulate, analyzer):
    """Event 1004 then a stopped service: the database is the root cause, first, with its own
    runbook (Start-Service alone would not keep the service running)."""
    for seed in range(5):
        _, bundle = simulate([("database_problem", {})], 2000 + seed)
        diagnosis = analyzer.analyze(bundle)
        causes = [f.cause for f in diagnosis.findings if f.severity != "info"]
        assert causes[:1] == ["database_problem"], (seed, causes)
        assert "partner_service_stopped" not in causes
        top = diagnosis.findings[0]
        assert top.runbook_error is None
        steps = [step.id for step in top.runbook.fix]
        assert steps[:2] == ["service-running", "backup-dhcp"], steps
