"""How `fodoc eval` scores a diagnosis: nested consequences and reasons count at the rank of the
finding they sit under, and expected behaviour counts only when nothing was alarmed on."""
from __future__ import annotations

from engine.simulate.evaluate import Case, Report


def _case(expected, groups, exit_code=2, expected_behaviour=False, kinds=None, verdict="critical"):
    return Case(seed=7, kinds=kinds or list(expected), expected=list(expected), found=[g[0] for g in groups],
                verdict=verdict, problems=[], noise=[], groups=[list(g) for g in groups], exit_code=exit_code,
                expected_behaviour=expected_behaviour)


def test_a_consequence_nested_under_the_top_finding_is_found_first():
    # pool exhaustion is shown under the stopped partner service that explains it
    case = _case(["pool_exhaustion"], [["partner_service_stopped", "pool_exhaustion"]])
    assert (case.rank("pool_exhaustion"), case.within("pool_exhaustion", 1)) == (0, True)


def test_a_cause_nested_under_the_second_finding_ranks_second():
    case = _case(["binding_update_backlog", "clock_skew"],
                 [["clock_skew"], ["port_647_blocked", "partner_state_drift", "binding_update_backlog"]])
    assert (case.rank("binding_update_backlog"), case.rank("clock_skew")) == (1, 0)
    assert case.within("binding_update_backlog", 2) and not case.within("binding_update_backlog", 1)


def test_expected_behaviour_on_top_counts_only_with_exit_code_zero():
    quiet = _case(["recover_wait_within_mclt"], [["recover_wait_within_mclt"]], exit_code=0,
                  expected_behaviour=True, verdict="healthy")
    alarmed = _case(["recover_wait_within_mclt"], [["recover_wait_within_mclt"]], exit_code=1,
                    expected_behaviour=True, verdict="warning")
    assert (quiet.rank("recover_wait_within_mclt"), alarmed.rank("recover_wait_within_mclt")) == (0, None)


def test_report_counts_nested_finds_in_top1_coverage_and_misses():
    report = Report(scenarios=3, faults=1, seed=1, engine="native", skipped={})
    report.cases = [
        _case(["pool_exhaustion"], [["partner_service_stopped", "pool_exhaustion"]]),
        _case(["clock_skew"], [["port_647_blocked"], ["clock_skew"]]),
        _case([], [], exit_code=0, verdict="healthy", kinds=[]),
    ]
    data = report.as_dict()
    assert data["per_cause"]["pool_exhaustion"]["top1"] == 1
    assert (data["per_cause"]["clock_skew"]["top1"], data["per_cause"]["clock_skew"]["top3"]) == (0, 1)
    assert data["top1"] == 0.5 and data["top_k_coverage"] == 0.5
    assert [m["seed"] for m in data["misses"]] == [7]
    assert data["misses"][0]["expected"] == ["clock_skew"]
    assert data["false_alarms"] == []
