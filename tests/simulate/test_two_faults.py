"""Two faults in one pair: the misses `fodoc eval --faults 2` found (seed 1, issue 6), replayed.

Each case is the scenario eval printed for a miss, pinned to what the diagnosis must now say, or
to why the bundle cannot show the fault (evidence.py), per failover-knowledge.md.
"""
from __future__ import annotations

from engine.simulate import eventlog as ev
from engine.simulate.evidence import observable
from engine.simulate.statemachine import at_rest_together


def _top(diagnosis, n=2):
    """Per top-level finding, its cause and the causes nested under it (as eval ranks them)."""
    return [{f.cause} | {c.cause for c in f.nested()} for f in diagnosis.findings[:n]]


def _params(sim, kind):
    return next(p for k, p in sim.faults if k == kind)


def test_a_database_that_does_not_open_is_reported_when_no_pair_state_can_be_read(simulate, analyzer):
    """RC10 beside an unreachable partner (seed 100160): neither side has a relationship state,
    yet the stopped service and event 1004 on the collected side are a critical finding, not an
    `unknown` with nothing listed."""
    sim, bundle = simulate([("database_problem", {}), ("partner_unreachable", {})], 100160, ["old_interruption"])
    diagnosis = analyzer.analyze(bundle)
    assert (diagnosis.verdict, diagnosis.exit_code) == ("critical", 2)
    top = diagnosis.findings[0]
    assert (top.cause, top.rules, top.relationship) == ("database_problem", ["database-init-failed-state-unread"], None)
    assert top.server == sim.world.hosts["a"].fqdn
    assert diagnosis.unread == [sim.world.hosts["a"].fqdn]


def test_a_database_that_does_not_open_beside_a_partner_in_startup_is_reported_with_it(simulate, analyzer):
    """Seed 100191: the partner restarted and is still in Startup when the bundle is taken; the
    database that stopped the service (the root cause, in place of the stopped-service finding)
    and the expected Startup are the top 2, not an `unknown` verdict that lists only the Startup."""
    _, bundle = simulate([("database_problem", {}), ("startup_after_restart", {})], 100191)
    diagnosis = analyzer.analyze(bundle)
    assert _top(diagnosis, 3) == [{"database_problem"}, {"startup_after_restart"}]
    assert diagnosis.findings[0].rules == ["database-init-failed-service-stopped"]
    assert diagnosis.exit_code == 2


def test_a_stopped_partner_service_is_reported_while_the_survivor_is_in_startup(simulate, analyzer):
    """Seed 100452: the survivor restarted minutes ago (Startup) and its partner's service has
    crashed: the stopped service is the fault, the Startup the survivor's expected step."""
    _, bundle = simulate([("partner_service_stopped", {}), ("partner_down_waiting_mclt", {})], 100452,
                         ["duplicate_relays", "old_interruption"])
    diagnosis = analyzer.analyze(bundle)
    assert [f.cause for f in diagnosis.findings] == ["partner_service_stopped", "startup_after_restart"]
    assert (diagnosis.verdict, diagnosis.exit_code) == ("critical", 2)


def test_an_unsynchronised_clock_on_the_stopped_server_is_listed_beside_the_stopped_service(simulate, analyzer):
    """Seed 100148: the server whose service crashed also runs on its CMOS clock; it has no
    relationship state of its own, but its w32tm status was collected, and the two independent
    faults are the top 2."""
    sim, bundle = simulate([("time_service_unhealthy", {}), ("partner_service_stopped", {})], 100148,
                           ["duplicate_relays"])
    diagnosis = analyzer.analyze(bundle)
    assert [f.cause for f in diagnosis.findings] == ["partner_service_stopped", "time_service_unhealthy"]
    clock = diagnosis.findings[1]
    assert (clock.server, clock.rules) == (sim.world.hosts["a"].fqdn, ["time-service-unsynced-partner-view"])


def test_drift_is_reported_when_one_side_is_normal_and_a_probe_went_to_a_stale_address(simulate, analyzer):
    """Seed 100254: one side stuck (PartnerDown) while the other reports Normal, so the channel
    works (§1.3: Normal leaves on tReceive); the failed probe went to the stale address the
    other fault's DNS record gives and must not hide the drift."""
    sim, bundle = simulate([("partner_name_resolution", {}), ("partner_state_drift", {})], 100254, ["old_interruption"])
    assert sorted(sim.world.trace.final.values()) == ["Normal", "PartnerDown"]
    diagnosis = analyzer.analyze(bundle)
    assert [f.cause for f in diagnosis.findings] == ["partner_state_drift", "partner_name_resolution"]
    assert diagnosis.findings[0].rules == ["partner-state-drift-partner-normal"]


def test_a_probe_by_an_unresolvable_name_is_not_a_blocked_port(simulate, analyzer):
    """Seed 100182: the side that cannot resolve its partner's name fails Test-NetConnection on
    647 without testing any address; port_647_blocked must not push the name problem out of the
    top 2."""
    _, bundle = simulate([("clock_skew", {}), ("partner_name_resolution", {})], 100182)
    diagnosis = analyzer.analyze(bundle)
    assert [f.cause for f in diagnosis.findings] == ["clock_skew", "partner_name_resolution"]


def test_a_probe_to_the_address_the_partner_left_is_not_a_blocked_port(simulate, analyzer):
    """Seed 100355: the relationship stores the partner's old address (RC6) and the probe went
    there; the re-addressing explains it."""
    _, bundle = simulate([("startup_after_restart", {}), ("partner_ip_changed", {})], 100355)
    diagnosis = analyzer.analyze(bundle)
    assert [f.cause for f in diagnosis.findings] == ["partner_ip_changed", "startup_after_restart"]


def test_a_stuck_side_that_another_fault_restarted_into_recovery_shows_no_drift(simulate, analyzer):
    """Seed 100289: the stuck side was restarted by the second fault and is in RecoverWait (68 s)
    while its partner is in PartnerDown: §1.3's documented way back, which the diagnosis rightly
    explains as expected; the drift left no evidence at collection."""
    sim, bundle = simulate([("partner_state_drift", {}), ("partner_down_waiting_mclt", {})], 100289,
                           ["duplicate_relays"])
    assert sim.world.trace.final == {"a": "RecoverWait", "b": "PartnerDown"}
    assert not observable(sim.world, "partner_state_drift", _params(sim, "partner_state_drift"))
    assert observable(sim.world, "partner_down_waiting_mclt", _params(sim, "partner_down_waiting_mclt"))
    assert analyzer.analyze(bundle).exit_code == 0


def test_states_at_rest_together_follow_the_comms_ok_transitions():
    assert at_rest_together("Normal", "Normal")
    assert at_rest_together("PartnerDown", "RecoverWait")
    assert at_rest_together("RecoverWait", "PartnerDown")
    assert not at_rest_together("Normal", "PartnerDown")          # PARTNER_DOWN -> POTENTIAL_CONFLICT
    assert not at_rest_together("CommunicationInterrupted", "Normal")  # COMM_INT -> NORMAL
    assert not at_rest_together("RecoverDone", "Normal")


def test_a_stopped_service_logs_no_backlog(simulate):
    """Seed 100239: the database stopped the service of the side whose backlog would overflow;
    a stopped service writes nothing to DhcpAdminEvents (§2.1), so no 20286 is logged while it
    is down, and the backlog is not in the bundle."""
    sim, _ = simulate([("database_problem", {}), ("binding_update_backlog", {})], 100239, ["old_interruption"])
    side = _params(sim, "binding_update_backlog")["side"]
    down = sim.world.inputs.service_down[side]
    admin = [r for r in sim.world.hosts[side].events if r.log == ev.ADMIN and r.provider == ev.DHCP]
    assert admin and not any(start < r.time and (end is None or r.time < end) for r in admin for start, end in down)
    assert not any(r.event_id == 20286 for r in admin)
    assert not observable(sim.world, "binding_update_backlog", _params(sim, "binding_update_backlog"))


def test_digest_failures_after_a_restart_are_not_called_healthy(simulate, analyzer):
    """Seed 100412: the side with the wrong secret restarted 2 s before its last digest failure
    (event 20264, 467 times) and reports Startup; the restart fixed nothing, and the pair is not
    healthy."""
    _, bundle = simulate([("shared_secret_mismatch", {}), ("startup_after_restart", {})], 100412)
    diagnosis = analyzer.analyze(bundle)
    assert [f.cause for f in diagnosis.findings] == ["shared_secret_mismatch", "startup_after_restart"]
    assert (diagnosis.verdict, diagnosis.exit_code) == ("critical", 2)


def test_a_backlog_logged_before_the_database_stopped_the_service_is_listed(simulate, analyzer):
    """Seed 100273: the side whose queue overflowed (20286, before its database failed) has no
    relationship state of its own; the survivor's relationship carries the backlog, nested under
    the database that stopped the service."""
    sim, bundle = simulate([("binding_update_backlog", {}), ("database_problem", {})], 100273, ["old_interruption"])
    diagnosis = analyzer.analyze(bundle)
    top = diagnosis.findings[0]
    assert top.cause == "database_problem"
    assert [c.rules for c in top.consequences] == [["binding-update-backlog-partner-view"]]
    assert top.reasons == []
    assert top.consequences[0].server == sim.world.hosts[_params(sim, "binding_update_backlog")["side"]].fqdn
