"""How expected behaviour, consequences and reasons read in the text and Markdown reports."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.pipeline import Analyzer
from engine.report import render_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bundles"


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer("native")


def test_expected_behaviour_is_marked_as_such_says_what_to_watch_and_has_no_runbook(analyzer):
    lines = render_report(analyzer.analyze(EXAMPLES / "startup_after_restart"), "text").splitlines()
    assert lines[0] == ("failover-doctor: Healthy: no fault found (dhcp-a-dhcp-b: CommunicationInterrupted/Startup); "
                        "expected behaviour: Startup just after a restart is the normal first step back on dhcp-a-dhcp-b.")
    assert (" 1. [EXPECTED 90%] startup_after_restart: Startup just after a restart is the normal first step back"
            in lines)
    watch = [line for line in lines if line.startswith("    Watch: ")]
    assert watch == ["    Watch: By 2026-11-30T09:02:53Z (plus a minute) the relationship should leave Startup: to "
                     "Normal, or through Recover and RecoverWait. Collect again after that; CommunicationInterrupted "
                     "then is a fault to diagnose, and Startup still is a stuck state."]
    assert not any("Runbook:" in line for line in lines)
    assert lines[-1] == "Verdict: HEALTHY (exit 0; engine native)"


def test_a_consequence_is_indented_under_its_cause_in_text(analyzer):
    lines = render_report(analyzer.analyze(EXAMPLES / "pool_exhaustion"), "text").splitlines()
    start = lines.index("    Consequence (warning):")
    assert lines[start + 1] == ("     1.c1. [WARNING 80%] pool_exhaustion: One server's own share of a scope is used "
                                "up while interrupted; its partner still serves the scope")
    assert lines[start + 2].startswith("        on dhcp-b.contoso.com · partner dhcp-a.contoso.com")
    # the symptom's runbook is named; the cause's runbook, the one to run first, is printed in full after it
    assert ("        Runbook: The server has run out of the addresses it may hand out on its own (pool_exhaustion; "
            "steps with --format markdown or json)") in lines[start:]
    assert lines.index("    Runbook: TCP 647 (DHCP failover) is blocked between the partners") > start


def test_markdown_nests_reasons_and_consequences_under_deeper_headings(analyzer):
    text = render_report(analyzer.analyze(EXAMPLES / "clock_skew"), "markdown")
    lines = text.splitlines()
    reason = lines.index("#### Reason behind it: The Windows Time service of a partner is not synchronised to any "
                         "time source")
    assert lines.index("### 1. Clock skew: the partner logged out of time sync \\(event 20253\\) and this "
                       "server's time service is not synchronised") < reason
    assert "##### Runbook: The Windows Time service of a partner has no working time source" in lines[reason:]
    expected = render_report(analyzer.analyze(EXAMPLES / "recover_wait_within_mclt"), "markdown")
    assert "- **cause**: recover\\_wait\\_within\\_mclt · **severity**: expected behaviour · **confidence**: 90%" \
        in expected.splitlines()
    assert any(line.startswith("**Watch**: After 2026-11-30T09:48:10Z both sides should move through RecoverDone")
               for line in expected.splitlines())


def test_ruled_out_shows_the_measured_near_miss_rather_than_the_state_gate(analyzer):
    """clock_skew has eight rules; the line names the one that shows the measured offset, not the
    one that only needed a Normal side (which reads as if skew needed Normal)."""
    lines = render_report(analyzer.analyze(EXAMPLES / "port_647_blocked"), "text").splitlines()
    [line] = [line for line in lines if line.startswith("  - clock_skew: ")]
    assert line.startswith("  - clock_skew: no clock offset measurement on ")
    assert "with abs offset s above 60; found w32tm on " in line
    assert line.endswith("(+8 more rules)")


def test_markdown_timeline_says_whose_state_changed(analyzer):
    lines = render_report(analyzer.analyze(EXAMPLES / "two_faults"), "markdown").splitlines()
    header = lines.index("| time (UTC) | logged by | relationship | state of | change | logged at |")
    assert lines[header + 2] == ("| 2026-11-29T14:02:11Z | dhcp-a.contoso.com | dhcp-a-dhcp-b | dhcp-a.contoso.com | "
                                 "Normal → CommunicationInterrupted | 2026-11-29T14:02:11Z |")


def test_startup_evidence_names_the_startup_timer_not_mclt(analyzer):
    [top] = analyzer.analyze(EXAMPLES / "startup_after_restart").findings
    summaries = [e.summary for e in top.evidence if e.kind == "state_timer"]
    assert summaries and all(s.endswith("the 5-minute Startup timer ends at 2026-11-30T09:02:53Z") for s in summaries)
