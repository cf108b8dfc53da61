"""The JSON report is a stable contract: versioned, complete, and free of machine-specific values."""
from __future__ import annotations

import json
from pathlib import Path

from engine.pipeline import Analyzer
from engine.report import render_report

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples" / "bundles"


def test_top_level_keys_and_schema_version():
    report = json.loads(render_report(Analyzer("native").analyze(EXAMPLES / "port_647_blocked"), "json"))
    assert list(report) == ["schema", "verdict", "exit_code", "summary", "engine", "bundle", "relationships",
                            "findings", "competing", "unexplained", "unread", "observations", "ruled_out", "not_evaluated", "timeline",
                            "problems", "notes", "suppressed", "expired_suppressions"]
    assert report["schema"] == "fodoc.diagnosis/1"
    finding = report["findings"][0]
    assert list(finding) == ["rank", "cause", "title", "severity", "confidence", "server", "partner",
                             "relationship", "rules", "explanations", "evidence", "tells_apart", "runbook",
                             "runbook_error", "watch", "fault_on", "expected", "fault_hosts", "location", "reasons",
                             "consequences"]
    assert finding["evidence"][0].keys() == {"summary", "artifact", "record", "kind", "fields"}


def test_no_absolute_paths_or_locations_leak_into_the_report():
    text = render_report(Analyzer("native").analyze(EXAMPLES / "clock_skew"), "json")
    assert str(EXAMPLES) not in text and "/tmp" not in text and "/work" not in text


def test_same_bundle_twice_gives_identical_json():
    analyzer = Analyzer("native")
    first = render_report(analyzer.analyze(EXAMPLES / "shared_secret_mismatch"), "json")
    assert render_report(analyzer.analyze(EXAMPLES / "shared_secret_mismatch"), "json") == first


def test_the_bundle_inventory_says_what_each_file_gave():
    report = json.loads(render_report(Analyzer("native").analyze(EXAMPLES / "partner_unreachable"), "json"))
    inventory = {a["path"]: a for a in report["bundle"]["artifacts"]}
    assert inventory["DHCP-A/tnc-dhcp-b.contoso.com-647.txt"] == {
        "path": "DHCP-A/tnc-dhcp-b.contoso.com-647.txt", "server": "DHCP-A", "family": "tnc", "fmt": "txt",
        "facts": 1, "status": "read", "records": 1, "recognised_by": "name"}
    assert inventory["README.md"]["status"] == "ignored"
