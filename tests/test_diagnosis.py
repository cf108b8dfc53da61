"""Ranking, linking and competing causes, on shipped examples and small edits of them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.pipeline import Analyzer
from engine.report import render_report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"
STRIPCHART_CHECK = ("w32tm /stripchart /computer:<partner> /dataonly /samples:5 on either side: a blocked port "
                    "leaves the offset under a second")


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer("native")


def _skew_event_on_dhcp_b(bundle: Path, when: str) -> None:
    """Add one 20253 (out of sync by 72 s) to DHCP-B's UTF-16 wevtutil log of the port_647_blocked example."""
    path = bundle / "DHCP-B" / "events-DhcpAdminEvents.xml"
    record = ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider "
              "Name='Microsoft-Windows-DHCP-Server'/><EventID>20253</EventID><Level>2</Level>"
              f"<TimeCreated SystemTime='{when}'/><EventRecordID>99001</EventRecordID><Channel>DhcpAdminEvents"
              "</Channel><Computer>dhcp-b.contoso.com</Computer></System><EventData><Data>10.0.0.1</Data>"
              "<Data>dhcp-a-dhcp-b</Data><Data>72</Data></EventData></Event>\r\n")
    text = path.read_bytes().decode("utf-16") + record
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


def _two_causes(tmp_path: Path, when: str) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLES / "port_647_blocked", bundle)
    _skew_event_on_dhcp_b(bundle, when)
    return bundle


def test_two_causes_on_one_relationship_are_ranked_and_the_check_that_separates_them_is_named(analyzer, tmp_path):
    # the 647 block came first (14:02); a skew event appeared hours later
    d = analyzer.analyze(_two_causes(tmp_path, "2026-11-29T18:00:00.0000000Z"))
    assert [(f.cause, f.confidence) for f in d.findings] == [("port_647_blocked", 0.97), ("clock_skew", 0.85)]
    assert "port-647-blocked-contact-lost-first" in d.findings[0].rules
    assert d.competing == [{"relationship": "dhcp-a-dhcp-b",
                            "causes": [{"cause": "port_647_blocked", "confidence": 0.97, "server": "dhcp-b.contoso.com"},
                                       {"cause": "clock_skew", "confidence": 0.85, "server": "dhcp-a.contoso.com"}],
                            "check": STRIPCHART_CHECK}]
    # the check is written on clock_skew's rule; it is found from the port finding too
    assert d.findings[0].tells_apart == [{"cause": "clock_skew", "check": STRIPCHART_CHECK}]


def test_what_happened_first_decides_the_ranking(analyzer, tmp_path):
    # the same two causes, but dhcp-b logged the skew 2 s before dhcp-a fell from Normal
    d = analyzer.analyze(_two_causes(tmp_path, "2026-11-29T14:02:09.0000000Z"))
    assert [(f.cause, f.confidence) for f in d.findings] == [("clock_skew", 0.955), ("port_647_blocked", 0.94)]
    top = d.findings[0]
    assert "clock-skew-came-first" in top.rules
    assert ("dhcp-b.contoso.com logged 20253 (out of time sync) at 2026-11-29T14:02:09Z, 2 s before "
            "dhcp-a.contoso.com fell to CommunicationInterrupted at 2026-11-29T14:02:11Z") in " ".join(top.explanations)


@pytest.mark.parametrize("fmt, line", [
    ("text", "Two causes remain on dhcp-a-dhcp-b: port_647_blocked (97%) or clock_skew (85%)."),
    ("text", f"  The one check that tells them apart: {STRIPCHART_CHECK}"),
    ("markdown", "**Two causes remain on dhcp-a-dhcp-b**: port\\_647\\_blocked (97%) or clock\\_skew (85%)."),
    ("markdown", "The one check that tells them apart: w32tm /stripchart /computer:\\<partner\\> /dataonly "
                 "/samples:5 on either side: a blocked port leaves the offset under a second"),
])
def test_the_check_is_in_the_text_and_markdown_reports(analyzer, tmp_path, fmt, line):
    d = analyzer.analyze(_two_causes(tmp_path, "2026-11-29T18:00:00.0000000Z"))
    assert line in render_report(d, fmt).splitlines()


def test_two_faults_on_two_relationships_are_diagnosed_per_relationship(analyzer):
    d = analyzer.analyze(EXAMPLES / "two_faults")
    assert [(f.cause, f.relationship, f.server, f.severity) for f in d.findings] == [
        ("clock_skew", "dhcp-a-dhcp-c", "dhcp-c.contoso.com", "critical"),
        ("port_647_blocked", "dhcp-a-dhcp-b", "dhcp-b.contoso.com", "critical")]
    # each relationship's evidence stays with it, and causes on different relationships do not compete
    assert all("dhcp-c" not in e.artifact or "dhcp-a" in e.artifact for e in d.findings[1].evidence)
    assert d.competing == [] and all(f.tells_apart == [] for f in d.findings)
    assert [r.cause for r in d.findings[0].reasons] == ["time_service_unhealthy"]
    assert d.findings[0].runbook.fix[0].target == "dhcp-c.contoso.com"
    assert d.findings[1].runbook.fix[0].target == "dhcp-b.contoso.com"


def test_a_server_with_a_healthy_and_a_faulty_relationship(analyzer):
    d = analyzer.analyze(EXAMPLES / "multiple_relationships")
    assert [(f.cause, f.relationship) for f in d.findings] == [("intermittent_path", "dhcp-a-dhcp-c")]
    assert [(r["name"], [s["state"] for s in r["sides"]]) for r in d.relationships] == [
        ("dhcp-a-dhcp-b", ["Normal", "Normal"]), ("dhcp-a-dhcp-c", ["Normal", "Normal"])]
    assert (d.verdict, d.exit_code) == ("warning", 1)


def test_a_symptom_is_shown_under_the_cause_that_explains_it(analyzer):
    d = analyzer.analyze(EXAMPLES / "pool_exhaustion")
    assert [f.cause for f in d.findings] == ["port_647_blocked"]
    [symptom] = d.findings[0].consequences
    # dhcp-a, the active, is up (it reports the lost contact itself) with 171 free addresses of its
    # own in the scope: it answers the same broadcasts, so only clients reaching dhcp-b alone fail.
    assert (symptom.cause, symptom.severity, symptom.server) == ("pool_exhaustion", "warning", "dhcp-b.contoso.com")
    assert symptom.rules == ["pool-exhaustion-partner-serving"]
    assert {"dhcp-b.contoso.com/scope-stats.txt", "dhcp-a.contoso.com/scope-stats.txt"} <= {
        e.artifact for e in symptom.evidence}
    assert " ".join(symptom.explanations) == (
        "Scope 10.0.10.0 on dhcp-b.contoso.com has 0 addresses left that dhcp-b.contoso.com may hand out on its own "
        "while dhcp-a-dhcp-b is CommunicationInterrupted; dhcp-a.contoso.com still has 171 free addresses of its own "
        "in the scope and answers the same broadcasts, so only clients that reach dhcp-b.contoso.com alone (a relay "
        "that forwards only to it, or clients cut off from dhcp-a.contoso.com) get no lease.")
    assert d.summary.endswith("Consequence: One server's own share of a scope is used up while interrupted; its "
                              "partner still serves the scope.")


def test_a_used_up_reserve_is_critical_when_the_partner_cannot_serve_the_scope(analyzer, tmp_path):
    """The same bundle with the active's statistics gone (its service does not answer): nothing
    says anyone still serves the scope, so clients are failing now."""
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLES / "pool_exhaustion", bundle)
    (bundle / "dhcp-a.contoso.com" / "scope-stats.txt").unlink()
    d = analyzer.analyze(bundle)
    [symptom] = d.findings[0].consequences
    assert (symptom.cause, symptom.severity) == ("pool_exhaustion", "critical")
    assert symptom.rules == ["pool-exhaustion-events", "pool-exhaustion-reserve"]
    assert ("Scope 10.0.10.0 on dhcp-b.contoso.com has 0 addresses left that dhcp-b.contoso.com may hand out on "
            "its own, while 171 free addresses belong to dhcp-a.contoso.com") in " ".join(symptom.explanations)


def test_a_symptom_without_a_cause_to_attach_to_stands_on_its_own(analyzer, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLES / "pool_exhaustion", bundle)
    (bundle / "dhcp-a.contoso.com" / "tnc-dhcp-b.contoso.com-647.txt").unlink()
    d = analyzer.analyze(bundle)
    assert [(f.cause, f.severity, f.consequences) for f in d.findings] == [("pool_exhaustion", "warning", [])]
    # a symptom says what the interruption does, not why: the interruption stays unexplained
    assert (d.verdict, d.exit_code) == ("critical", 2)
    assert [(u["server"], u["state"]) for u in d.unexplained] == [
        ("dhcp-a.contoso.com", "CommunicationInterrupted"), ("dhcp-b.contoso.com", "CommunicationInterrupted")]
    assert d.summary.startswith("CRITICAL: dhcp-a-dhcp-b is CommunicationInterrupted on dhcp-a.contoso.com, and no "
                                "known cause matched the evidence")


def test_a_reason_is_shown_under_the_cause_it_explains_and_adds_to_its_confidence(analyzer):
    d = analyzer.analyze(EXAMPLES / "clock_skew")
    [top] = d.findings
    assert (top.cause, [r.cause for r in top.reasons]) == ("clock_skew", ["time_service_unhealthy"])
    assert top.reasons[0].server == "dhcp-b.contoso.com"
    # without a skew the same reason is a finding of its own: a skew on its way
    alone = analyzer.analyze(EXAMPLES / "time_service_unhealthy")
    assert [(f.cause, f.severity, f.reasons) for f in alone.findings] == [("time_service_unhealthy", "warning", [])]


@pytest.mark.parametrize("case, ends", [
    ("recover_wait_within_mclt", "the wait ends at 2026-11-30T09:48:10Z, 49 min after the bundle was collected."),
    ("partner_down_waiting_mclt", "at 2026-11-30T09:35:02Z (MCLT 3600 s, 36 min after the bundle was collected)."),
    ("startup_after_restart", "the Startup timer runs out at 2026-11-30T09:02:53Z."),
])
def test_expected_behaviour_says_when_it_ends_and_leaves_the_pair_healthy(analyzer, case, ends):
    d = analyzer.analyze(EXAMPLES / case)
    [top] = d.findings
    assert (d.verdict, d.exit_code, top.cause, top.expected, top.runbook) == ("healthy", 0, case, True, None)
    assert ends in top.explanations[0]
    assert top.watch and d.unexplained == []


def test_heavy_benign_noise_and_an_old_recovered_interruption_is_healthy(analyzer):
    d = analyzer.analyze(EXAMPLES / "benign_outdated_binding")
    assert (d.verdict, d.exit_code, [f.cause for f in d.findings]) == ("healthy", 0, ["benign_outdated_binding"])
    assert d.summary.startswith("Healthy: no fault found (dhcp-a-dhcp-b: Normal/Normal); expected behaviour: "
                                "BINDING-ACK rejects")
    counts = sorted(e.fields["count"] for e in d.findings[0].evidence if e.kind == "event")
    assert counts == [180, 380, 420]


def test_benign_noise_does_not_explain_a_partner_that_is_interrupted(analyzer, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLES / "benign_outdated_binding", bundle)
    path = bundle / "dhcp-b.contoso.com" / "failover.txt"
    path.write_text(path.read_text().replace("State                 : Normal",
                                             "State                 : CommunicationInterrupted"))
    d = analyzer.analyze(bundle)
    assert (d.verdict, [f.cause for f in d.findings]) == ("critical", ["partner_state_drift", "benign_outdated_binding"])


def test_the_timeline_puts_a_skewed_partners_state_changes_on_one_clock(analyzer):
    d = analyzer.analyze(EXAMPLES / "two_faults")
    startup = next(e for e in d.timeline if e["new_state"] == "Startup")
    # dhcp-c's clock runs 95 s ahead of dhcp-a's (w32tm /stripchart on dhcp-a: +95.01 s)
    assert (startup["time"], startup["aligned_time"], startup["clock"]) == (
        "2026-11-29T21:07:43Z", "2026-11-29T21:06:08Z", "dhcp-a.contoso.com")
    assert [e["aligned_time"] for e in d.timeline] == sorted(e["aligned_time"] for e in d.timeline)
    text = render_report(d, "text")
    assert ("  2026-11-29T21:06:08Z  dhcp-a-dhcp-c  dhcp-c.contoso.com: ? → Startup  (event 20259 on "
            "dhcp-c.contoso.com, logged 2026-11-29T21:07:43Z)") in text.splitlines()


def test_timeline_evidence_reads_as_a_sentence_with_the_events_and_their_times(analyzer):
    d = analyzer.analyze(EXAMPLES / "pool_exhaustion")
    summaries = [e.summary for e in d.findings[0].evidence if e.kind == "incident"]
    assert summaries == ["dhcp-a.contoso.com fell to CommunicationInterrupted on dhcp-a-dhcp-b at 2026-11-30T06:00:12Z "
                         "(event 20252); just before it: 20255 dhcp-a.contoso.com 06:00:12, 20255 dhcp-b.contoso.com "
                         "06:00:13; partner times corrected by the measured clock offset"]
    stats = [e.summary for e in d.findings[0].consequences[0].evidence if e.kind == "scope_stats"]
    assert sorted(stats) == [
        "scope 10.0.10.0 on dhcp-a.contoso.com in dhcp-a-dhcp-b: 171 free for dhcp-a.contoso.com itself, "
        "0 for the partner (79 in use, 31.6 %)",
        "scope 10.0.10.0 on dhcp-b.contoso.com in dhcp-a-dhcp-b: 0 free for dhcp-b.contoso.com itself, "
        "171 for the partner (79 in use, 31.6 %)"]


def test_with_the_partner_missing_a_look_alike_cause_is_named_and_confidence_capped(analyzer, tmp_path):
    """From dhcp-a alone, a stopped DHCP service on dhcp-b and a filtered port 647 look the same
    (TCP 647 refused, ping answered): the finding must say it is unconfirmed, name the cause it
    could not rule out and the check that would, and not claim more than 60%."""
    bundle = tmp_path / "only-a"
    shutil.copytree(EXAMPLES / "partner_service_stopped" / "dhcp-a.contoso.com", bundle / "dhcp-a.contoso.com")
    diagnosis = analyzer.analyze(bundle)
    top = diagnosis.findings[0]
    assert (top.cause, top.confidence) == ("port_647_blocked", 0.6)
    assert diagnosis.summary.endswith("Not confirmed: partner_service_stopped looks the same from here and "
                                      "could not be checked (service facts about dhcp-b.contoso.com, which "
                                      "was not collected).")
    [competing] = diagnosis.competing
    assert [c["cause"] for c in competing["causes"]] == ["port_647_blocked", "partner_service_stopped"]
    assert competing["causes"][1]["confidence"] is None
    assert competing["check"].startswith("collect a bundle from dhcp-b.contoso.com (services): "
                                         "Get-Service DHCPServer on the partner")
    text = render_report(diagnosis, "text", color=False)
    assert ("Two causes remain on dhcp-a-dhcp-b: port_647_blocked (60%) or partner_service_stopped "
            "(not checked: service facts about dhcp-b.contoso.com, which was not collected).") in text
    markdown = render_report(diagnosis, "markdown", color=False)
    assert r"partner\_service\_stopped (not checked: service facts about dhcp-b.contoso.com" in markdown


def test_with_both_partners_collected_nothing_is_left_unconfirmed(analyzer):
    diagnosis = analyzer.analyze(EXAMPLES / "partner_service_stopped")
    assert diagnosis.findings[0].cause == "partner_service_stopped"
    assert "Not confirmed" not in diagnosis.summary
    assert all(c.get("confidence") is not None for item in diagnosis.competing for c in item["causes"])


def test_an_intermittent_path_with_drops_at_a_fixed_period_points_at_a_session_lifetime(analyzer):
    d = analyzer.analyze(EXAMPLES / "intermittent_path")
    [top] = d.findings
    assert top.cause == "intermittent_path"
    assert any(text.endswith("The drops come at a fixed period, every 4 h 00 min: with a failover heartbeat every "
                             "minute an idle timeout longer than a minute never expires, so look for a maximum "
                             "session lifetime or a scheduled session reset on the device.")
               for text in top.explanations)
