"""`fodoc rules test`: fixtures through every backend, the expected-vs-got diff, JUnit XML."""
from __future__ import annotations

from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from engine.authoring.fixtures import available_backends, run_fixtures
from engine.authoring.junit import to_junit
from engine.catalog import load_catalog
from engine.inference import durable_available
from engine.kb import shipped_dir
from engine.rules import load_rule, load_rules

REPO = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(shipped_dir("facts"))
EXAMPLE_RULE = REPO / "examples" / "site-rules" / "bndupd-queue-full.yaml"


def _rule(tmp_path: Path, old: str, new: str):
    text = EXAMPLE_RULE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / EXAMPLE_RULE.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_rule(path, CATALOG)


def test_every_shipped_fixture_passes_on_every_backend():
    rules = load_rules([shipped_dir("rules")], CATALOG)
    results = run_fixtures(rules, CATALOG)
    assert [r for r in results if not r.passed] == []
    assert len(results) == sum(len(rule.fixtures) for rule in rules)
    assert all(tuple(r.got) == available_backends() for r in results)


def test_backends_are_native_and_durable_where_installed():
    assert available_backends() == (("native", "durable") if durable_available() else ("native",))


def test_unexpected_silence_shows_the_pattern_that_found_nothing(tmp_path):
    rule = _rule(tmp_path, "count: {ge: 10}", "count: {ge: 1000}")
    results = run_fixtures([rule], CATALOG, ("native",))
    failed = [r for r in results if not r.passed]
    assert [r.fixture for r in failed] == ["a flood of 20286 after the last recovery"]
    assert failed[0].got == {"native": "silent"}
    assert failed[0].diff == [
        "- expected: fires",
        "+ got:      silent (native)",
        "  no fact for 'flood': wanted event with server = dhcp-a, log = DhcpAdminEvents, event_id = 20286, "
        "relationship = dhcp-a-dhcp-b, count ≥ 1000, last > 2026-11-28T09:00:00Z",
        "  closest:  event 20286 in DhcpAdminEvents on dhcp-a: 250× (2026-11-29T14:50:00Z … "
        "2026-11-29T15:01:00Z) [relationship=dhcp-a-dhcp-b, partner=dhcp-b]",
        "  bound so far: side = dhcp-a-dhcp-b on dhcp-a: Normal / dhcp-b: Normal",
    ]


def test_unexpected_match_shows_what_matched_and_the_explanation(tmp_path):
    rule = _rule(tmp_path, "count: {ge: 10}", "count: {ge: 1}")
    failed = [r for r in run_fixtures([rule], CATALOG, ("native",)) if not r.passed]
    assert [r.fixture for r in failed] == ["a few 20286 are not a flood"]
    diff = failed[0].diff
    assert diff[:2] == ["- expected: silent", "+ got:      fires (native)"]
    assert diff[2] == ("  matched: side = dhcp-a-dhcp-b on dhcp-a: Normal / dhcp-b: Normal, "
                       "flood = event 20286 in DhcpAdminEvents on dhcp-a: 3× (2026-11-29T14:50:00Z … "
                       "2026-11-29T15:01:00Z) [relationship=dhcp-a-dhcp-b]")
    assert diff[3] == ("  explain: dhcp-a could not queue 3 lease updates for dhcp-b in dhcp-a-dhcp-b "
                       "(event 20286, last at 2026-11-29T15:01:00Z) although both report Normal: dhcp-b is "
                       "falling behind.")


@pytest.mark.skipif(not durable_available(), reason="durable_rules is not installed")
def test_both_backends_report_the_same_failure(tmp_path):
    rule = _rule(tmp_path, "count: {ge: 10}", "count: {ge: 1000}")
    failed = [r for r in run_fixtures([rule], CATALOG) if not r.passed]
    assert [r.got for r in failed] == [{"native": "silent", "durable": "silent"}]


def test_junit_xml_parses_back_with_the_results(tmp_path):
    rule = _rule(tmp_path, "count: {ge: 10}", "count: {ge: 1000}")
    results = run_fixtures([rule], CATALOG, ("native",))
    root = SafeET.fromstring(to_junit(results))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "0")
    [suite] = root.findall("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("bndupd-queue-full", "4", "1")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "a flood of 20286 after the last recovery [native]", "a few 20286 are not a flood [native]",
        "a flood before the last recovery is history [native]",
        "a flood during an interruption is the shipped binding_update_backlog [native]"]
    assert {c.get("classname") for c in cases} == {"bndupd-queue-full"}
    [failure] = [f for c in cases for f in c.findall("failure")]
    assert failure.get("message") == "expected fires, got silent (native)"
    assert "no fact for 'flood'" in failure.text
    assert failure.text.splitlines()[0] == f"{rule.path}:{results[0].line}"


def test_junit_counts_one_case_per_backend():
    # All the rules in one engine, as `fodoc rules test` does: a durable_rules engine holding only
    # clock-skew-event segfaults after a few such engines exist in one process (see the report).
    rules = load_rules([shipped_dir("rules")], CATALOG)
    results = run_fixtures(rules, CATALOG)
    root = SafeET.fromstring(to_junit(results))
    expected = sum(len(r.fixtures) for r in rules) * len(available_backends())
    assert int(root.get("tests")) == expected == len(root.findall("testsuite/testcase"))
    assert root.get("failures") == "0"
