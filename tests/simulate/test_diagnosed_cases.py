"""Diagnoses once wrong, each pinned on the simulated bundle that showed it.

1. bundles that plainly show a stopped service or an unreachable host got `unknown` with no
   finding (seeds of `fodoc eval --scenarios 500 --faults 2`, replayed with scenario_for);
2. the headline names the host the fault is on (the rule's `fault_on`), not the observer;
3. the headline counts the other faults;
4. PotentialConflict after PartnerDown leads with the danger (duplicate leases), not a timer;
5. clock skew names the server whose time source is outside the domain hierarchy, and says so
   when the bundle cannot tell which clock is wrong.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.report import render_report
from engine.simulate.bundle import bundle_files, write_bundle
from engine.simulate.evaluate import eligible_kinds, scenario_for
from engine.simulate.evidence import observable
from engine.simulate.run import run_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bundles"


def _eval_case(analyzer, seed, tmp_path):
    """The scenario `fodoc eval --faults 2` (seed 1) runs for this seed, simulated and diagnosed."""
    kinds, _ = eligible_kinds({rule.cause for rule in analyzer.kb.rules})
    sim = run_scenario(scenario_for(seed, kinds, 2))
    write_bundle(bundle_files(sim), tmp_path / str(seed))
    return sim, analyzer.analyze(tmp_path / str(seed))


def _shown(sim):
    return {kind: observable(sim.world, kind, params) for kind, params in sim.faults}


# -- 1. a stopped service or an unreachable host is a finding, and counts as shown -------------

def test_both_services_stopped_is_one_critical_finding_on_both(analyzer, tmp_path):
    """Seed 100376: pool exhaustion on B needs A down (A's service stopped), and B's service was
    stopped too: both hosts reachable, both DHCPServer Stopped, no relationship state anywhere."""
    sim, d = _eval_case(analyzer, 100376, tmp_path)
    assert (d.verdict, d.exit_code) == ("critical", 2)
    assert [(f.cause, f.rules) for f in d.findings] == [("partner_service_stopped", ["partner-service-stopped-both"])]
    a, b = sim.world.hosts["a"].fqdn, sim.world.hosts["b"].fqdn
    assert d.findings[0].fault_hosts == sorted([a, b])
    assert d.summary == ("CRITICAL: The DHCP Server service is stopped on both partners: no server hands out "
                         f"leases — between {min(a, b)} and {max(a, b)}, confidence 95%.")
    assert _shown(sim) == {"pool_exhaustion": False, "partner_service_stopped": True}


def test_an_unreachable_host_beside_a_crashed_service_gives_both_findings(analyzer, tmp_path):
    """Seed 100422: A unreachable (collector error), B reachable with its service crashed."""
    sim, d = _eval_case(analyzer, 100422, tmp_path)
    a, b = sim.world.hosts["a"].fqdn, sim.world.hosts["b"].fqdn
    assert (d.verdict, d.exit_code) == ("critical", 2)
    assert [(f.cause, f.rules, f.fault_hosts) for f in d.findings] == [
        ("partner_service_stopped", ["partner-service-stopped-state-unread"], [b]),
        ("partner_unreachable", ["partner-unreachable-state-unread"], [a])]
    assert d.summary == ("CRITICAL: The DHCP Server service is stopped, and no failover state can be read from "
                         f"this server — on {b}, confidence 80%. (+1 more critical finding: "
                         f"partner_unreachable on {a})")
    assert _shown(sim) == {"partner_unreachable": True, "partner_service_stopped": True}


@pytest.mark.parametrize("seed, shown", [
    (100074, {"relationship_corrupt": False, "partner_service_stopped": True}),
    (100122, {"pool_exhaustion": False, "relationship_corrupt": False}),
    (100221, {"relationship_corrupt": False, "pool_exhaustion": False}),
    (100272, {"relationship_corrupt": False, "pool_exhaustion": False}),
])
def test_a_relationship_missing_on_one_side_beside_a_stopped_service_names_the_service(analyzer, tmp_path, seed, shown):
    """The relationship is gone from one server and the other's service is stopped (injected, or
    the partner that pool exhaustion needs down): no pair state anywhere, yet Get-Service shows
    the stopped service, on the server that is not the one without the relationship."""
    sim, d = _eval_case(analyzer, seed, tmp_path)
    side = next(p["side"] for k, p in sim.faults if k == "relationship_corrupt")
    stopped = sim.world.hosts[sim.world.other(side)].fqdn
    assert (d.verdict, d.exit_code) == ("critical", 2)
    assert [(f.cause, f.rules, f.fault_hosts) for f in d.findings] == [
        ("partner_service_stopped", ["partner-service-stopped-state-unread"], [stopped])]
    assert d.summary.startswith("CRITICAL: The DHCP Server service is stopped, and no failover state can be read "
                                f"from this server — on {stopped}, confidence 80%.")
    assert _shown(sim) == shown


def test_a_relationship_missing_beside_an_unreachable_partner_names_the_unreachable_host(analyzer, tmp_path):
    """Seed 100312: the relationship deleted on A, B unreachable (collector error)."""
    sim, d = _eval_case(analyzer, 100312, tmp_path)
    a, b = sim.world.hosts["a"].fqdn, sim.world.hosts["b"].fqdn
    assert (d.verdict, d.exit_code) == ("critical", 2)
    assert [(f.cause, f.rules) for f in d.findings] == [("partner_unreachable", ["partner-unreachable-state-unread"])]
    assert d.summary == ("CRITICAL: A server of the pair could not be reached at all, and no relationship state "
                         f"names it — on {b} (seen from {a}), confidence 60%.")
    assert _shown(sim) == {"relationship_corrupt": False, "partner_unreachable": True}


# -- 2. and 3. the headline names where the fault is, and the other faults ----------------------

@pytest.mark.parametrize("case, headline, code", [
    ("partner_service_stopped", "CRITICAL: The partner's DHCP Server service is not running — on dhcp-b.contoso.com "
     "(seen from dhcp-a.contoso.com), relationship dhcp-a-dhcp-b, confidence 90%.", 2),
    ("partner_unreachable", "CRITICAL: The partner host does not answer at all — on dhcp-b.contoso.com (seen from "
     "dhcp-a.contoso.com), relationship dhcp-a-dhcp-b, confidence 94%.", 2),
    ("port_647_blocked", "CRITICAL: TCP 647 (failover) is blocked between the partners — on dhcp-b.contoso.com, "
     "relationship dhcp-a-dhcp-b, confidence 97%.", 2),
    ("relationship_corrupt", "CRITICAL: The partner does not have the relationship — on dhcp-b.contoso.com (seen "
     "from dhcp-a.contoso.com), relationship dhcp-a-dhcp-b, confidence 97%.", 2),
    ("shared_secret_mismatch", "CRITICAL: Failover messages are rejected because the shared secrets differ — "
     "between dhcp-a.contoso.com and dhcp-b.contoso.com, relationship dhcp-a-dhcp-b, confidence 90%.", 2),
    ("two_faults", "CRITICAL: Clock skew: the partner logged out of time sync (event 20253) and this server's time "
     "service is not synchronised — on dhcp-c.contoso.com, relationship dhcp-a-dhcp-c, confidence 99%. "
     "(+1 more critical finding: port_647_blocked on dhcp-a-dhcp-b)", 2),
    ("split_brain_after_partner_down", "CRITICAL: Split brain: both partners may have leased the same addresses "
     "(PotentialConflict after PartnerDown, not reconciled) — between dhcp-a.contoso.com and dhcp-b.contoso.com, "
     "relationship dhcp-a-dhcp-b, confidence 97%.", 2),
])
def test_the_headline_names_the_host_the_fault_is_on(analyzer, case, headline, code):
    d = analyzer.analyze(EXAMPLES / case)
    assert (d.summary, d.exit_code) == (headline, code)
    assert render_report(d, "text").splitlines()[0] == f"failover-doctor: {headline}"
    markdown = render_report(d, "markdown").splitlines()
    assert markdown[2].replace("\\", "") == headline   # Markdown escapes ( ) [ ]


def test_the_finding_line_and_json_name_the_fault_host(analyzer):
    import json
    d = analyzer.analyze(EXAMPLES / "partner_service_stopped")
    lines = render_report(d, "text").splitlines()
    assert lines[lines.index(next(l for l in lines if l.startswith(" 1. "))) + 1].startswith(
        "    on dhcp-b.contoso.com (seen from dhcp-a.contoso.com) · relationship dhcp-a-dhcp-b · rules ")
    finding = json.loads(render_report(d, "json"))["findings"][0]
    assert (finding["fault_on"], finding["fault_hosts"], finding["server"]) == (
        "partner", ["dhcp-b.contoso.com"], "dhcp-a.contoso.com")
    assert finding["location"] == "on dhcp-b.contoso.com (seen from dhcp-a.contoso.com)"
    # the runbook starts the service on the host the headline names
    assert {s.target for s in d.findings[0].runbook.fix} == {"dhcp-b.contoso.com"}


# -- 4. split brain ---------------------------------------------------------------------------

def test_split_brain_leads_with_the_duplicate_leases_not_a_timer(analyzer):
    d = analyzer.analyze(EXAMPLES / "split_brain_after_partner_down")
    top = d.findings[0]
    assert (top.cause, top.rules[0], top.fault_on) == ("partner_state_drift", "partner-state-conflict-after-partner-down", "both")
    assert top.explanations[0].startswith("dhcp-a.contoso.com went from PartnerDown to PotentialConflict")
    assert "both sides may have leased the same addresses" in top.explanations[0]
    assert "PotentialConflict has no timer" in top.explanations[0]
    assert not any("past one MCLT" in text for text in top.explanations)
    assert all("although PotentialConflict has no timer" in text for text in top.explanations[1:])


# -- 5. which clock is wrong ------------------------------------------------------------------

@pytest.mark.parametrize("seed", [3, 4, 5, 8])
def test_clock_skew_names_the_server_whose_time_source_left_the_domain(simulate, analyzer, seed):
    """`fodoc simulate --fault clock_skew:side=b,seconds=95 --seed N`: B's time service reports
    itself synchronised to the VM IC provider or time.windows.com, A's to the DC."""
    sim, bundle = simulate([("clock_skew", {"side": "b", "seconds": 95})], seed)
    b = sim.world.hosts["b"]
    assert b.time_source in ("VM IC Time Synchronization Provider", "time.windows.com,0x9")
    d = analyzer.analyze(bundle)
    top = d.findings[0]
    assert (d.exit_code, top.cause, top.server, top.fault_hosts) == (2, "clock_skew", b.fqdn, [b.fqdn])
    assert "clock-skew-source-outside-domain" in top.rules
    assert d.summary.startswith("CRITICAL: Clock skew: this server's time source is outside the domain hierarchy "
                                f"while its partner syncs from the domain — on {b.fqdn}, relationship ")
    assert {s.target for s in top.runbook.fix} == {b.fqdn}
    assert any(f"{b.fqdn} is the likelier wrong clock" in text for text in top.explanations)


def test_clock_skew_between_two_domain_synced_servers_says_which_clock_is_unknown(simulate, analyzer):
    """Seed 4 with the skewed server's w32tm status replaced by its partner's (both on the DC):
    nothing shows which clock is wrong, so the finding names both and says so."""
    sim, bundle = simulate([("clock_skew", {"side": "b", "seconds": 95})], 4)
    a, b = (sim.world.hosts[s] for s in ("a", "b"))
    shutil.copyfile(bundle / a.folder / "w32tm-status.txt", bundle / b.folder / "w32tm-status.txt")
    d = analyzer.analyze(bundle)
    top = d.findings[0]
    assert (d.exit_code, top.cause, top.fault_hosts) == (2, "clock_skew", sorted([a.fqdn, b.fqdn]))
    assert "clock-skew-source-outside-domain" not in top.rules
    assert f"— between {min(a.fqdn, b.fqdn)} and {max(a.fqdn, b.fqdn)}, relationship " in d.summary
    assert any("does not say which of the two clocks is wrong" in text for text in top.explanations)


def test_an_unreachable_host_named_by_an_address_is_one_finding_beside_the_blocked_port(analyzer, tmp_path):
    """Seed 100038: the unreachable host is named by its folder in the manifest and by an address
    in the survivor's relationship, which nothing ties together; the relationship's finding judges
    it, and no second 'no relationship names it' finding pushes the blocked port out of the top 2."""
    sim, diagnosis = _eval_case(analyzer, 100038, tmp_path)
    assert [f.cause for f in diagnosis.findings[:2]] == ["partner_unreachable", "port_647_blocked"]
    assert [f.rules for f in diagnosis.findings if f.cause == "partner_unreachable"] == [["partner-unreachable"]]


@pytest.mark.parametrize("seed", [100117, 100138, 100300, 100376])
def test_runbooks_render_for_a_server_without_a_relationship_of_its_own(analyzer, seed, tmp_path):
    """Second faults that take a server's own copy of the relationship away (its service stopped,
    its relationship deleted) left runbooks that could not be rendered ('rel' missing, no
    partner_address) or printed `-Name ''` for a finding with no relationship at all (both
    services stopped, seed 100376)."""
    _, diagnosis = _eval_case(analyzer, seed, tmp_path)
    findings = [f for top in diagnosis.findings for f in (top, *top.nested())]
    assert [(f.cause, f.runbook_error) for f in findings if f.runbook_error] == []
    commands = [step.command for f in findings if f.runbook
                for step in f.runbook.fix + f.runbook.verify + f.runbook.rollback]
    assert commands and not [c for c in commands if "-Name ''" in c]


def test_both_services_stopped_starts_both(analyzer, tmp_path):
    _, diagnosis = _eval_case(analyzer, 100376, tmp_path)
    [top] = [f for f in diagnosis.findings if f.cause == "partner_service_stopped"]
    starts = [step.target for step in top.runbook.fix if step.id == "start-dhcp"]
    assert sorted(starts) == sorted(top.fault_hosts) and len(starts) == 2


@pytest.mark.parametrize("seed", [100010, 100370])
def test_an_unreachable_role_whose_relationship_names_a_cluster_node_is_listed(analyzer, seed, tmp_path):
    """The relationship names cluster node 1, which answers ping; the DHCP role's host could not be
    reached: the unreachable host is a finding in the top 2 (partner-unreachable-named-otherwise)."""
    _, diagnosis = _eval_case(analyzer, seed, tmp_path)
    top2 = [f.cause for f in diagnosis.findings[:2]]
    assert "partner_unreachable" in top2, top2
    [finding] = [f for f in diagnosis.findings if f.cause == "partner_unreachable"]
    assert finding.rules == ["partner-unreachable-named-otherwise"]
