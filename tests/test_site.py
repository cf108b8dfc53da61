"""Site-local knowledge (engine/site.py): rules dirs with runbooks, and suppressions in every report."""
from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from engine.errors import KnowledgeBaseError
from engine.pipeline import Analyzer
from engine.report import render_report
from engine.site import SiteConfigError, find_site_config, load_site_config

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "bundles"
SITE_RULES = REPO / "examples" / "site-rules"
TODAY = dt.date(2026, 12, 3)


def flooded_bundle(tmp_path: Path) -> Path:
    """The port_647_blocked example with twelve 20286 events (Get-WinEvent JSON) before the outage."""
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLES / "port_647_blocked", bundle)
    log = bundle / "DHCP-A" / "events-DhcpAdminEvents.json"
    events = json.loads(log.read_text(encoding="utf-8-sig"))
    for n in range(12):
        event = copy.deepcopy(events[0])
        ip = f"10.0.0.{20 + n}"
        event.update(Id=20286, RecordId=9000 + n, Opcode=0, OpcodeDisplayName="Info",
                     TimeCreated=f"2026-11-29T14:{48 + n:02d}:00.1000000+01:00",
                     Properties=[{"Value": ip}, {"Value": "dhcp-b.contoso.com"}, {"Value": "dhcp-a-dhcp-b"}],
                     Message=f"BINDING UPDATE message for IP address {ip} could not be replicated to the "
                             "partner server dhcp-b.contoso.com of failover relation dhcp-a-dhcp-b as the "
                             "internal BINDING UPDATE queue is full.")
        events.append(event)
    log.write_text(json.dumps(events, indent=1), encoding="utf-8")
    return bundle


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fodoc-site.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_site_rule_diagnoses_a_20286_flood_while_normal():
    diagnosis = Analyzer("native", [SITE_RULES]).analyze(EXAMPLES / "binding_update_backlog")
    [finding] = [f for f in diagnosis.findings if f.severity != "info"]
    assert (finding.cause, finding.rules, finding.server, finding.partner, finding.severity) == (
        "bndupd_queue_full", ["bndupd-queue-full"], "dhcp-a.contoso.com", "dhcp-b.contoso.com", "warning")
    assert finding.explanations[0] == (
        "dhcp-a.contoso.com could not queue 24 lease updates for dhcp-b.contoso.com in dhcp-a-dhcp-b (event 20286, "
        "last at 2026-11-30T07:51:49Z) although both report Normal: dhcp-b.contoso.com is falling behind.")
    # the shipped cause for dropped updates is shown under the site cause that explains it
    assert [c.cause for c in finding.consequences] == ["binding_update_backlog"]
    steps = [(s.id, s.target, s.destructive) for s in finding.runbook.fix]
    assert steps[-3:] == [("backup-dhcp", "dhcp-a.contoso.com", False), ("backup-dhcp", "dhcp-b.contoso.com", False),
                          ("resync-partner", "dhcp-b.contoso.com", True)]
    assert finding.runbook.fix[-1].command == ("Invoke-Command -ComputerName 'dhcp-b.contoso.com' -ScriptBlock "
                                               "{ Restart-Service -Name 'DHCPServer' }")
    assert [(s.id, s.target) for s in finding.runbook.rollback] == [
        ("restore-partner", "dhcp-b.contoso.com"), ("restart-dhcp", "dhcp-b.contoso.com")]
    assert "\\dhcp-b.contoso.com-bndupd_queue_full.xml'" in finding.runbook.rollback[0].command
    every = [s.command for phase in ("fix", "verify", "rollback") for s in getattr(finding.runbook, phase)]
    assert not [c for c in every if "Invoke-DhcpServerv4FailoverReplication" in c]


def test_a_flood_during_an_interruption_is_left_to_the_shipped_rules(tmp_path):
    bundle = flooded_bundle(tmp_path)
    for rule_dirs in ([], [SITE_RULES]):
        diagnosis = Analyzer("native", rule_dirs).analyze(bundle)
        assert [f.cause for f in diagnosis.findings] == ["port_647_blocked"]
        assert "binding_update_backlog" in [c.cause for c in diagnosis.findings[0].consequences]


def test_a_site_runbook_overrides_the_shipped_one_by_cause(tmp_path):
    site = tmp_path / "site"
    (site / "runbooks").mkdir(parents=True)
    shipped = (REPO / "runbooks" / "port_647_blocked.yaml").read_text(encoding="utf-8")
    (site / "runbooks" / "port_647_blocked.yaml").write_text(
        shipped.replace("title: TCP 647 (DHCP failover) is blocked between the partners",
                        "title: Open TCP 647 (ask the network team first, ext. 4711)"), encoding="utf-8")
    diagnosis = Analyzer("native", [site]).analyze(EXAMPLES / "port_647_blocked")
    assert diagnosis.findings[0].runbook.title == "Open TCP 647 (ask the network team first, ext. 4711)"


SUPPRESS_647 = """\
suppress:
  - rule: port-647-blocked
    reason: CHG-1234 the firewall change is scheduled for Saturday
    until: 2026-12-05
  - rule: port-647-firewall-rule
    reason: CHG-1234 the firewall change is scheduled for Saturday
    until: 2026-12-05
  - rule: port-647-blocked-contact-lost-first
    reason: CHG-1234 the firewall change is scheduled for Saturday
    until: 2026-12-05
"""


SUPPRESS_SKEW_EVENT = """\
suppress:
  - rule: clock-skew-event
    reason: CHG-4711 the NTP move is scheduled
    until: 2026-12-05
"""


def test_an_active_suppression_moves_the_finding_to_suppressed(tmp_path):
    site = load_site_config(_config(tmp_path, SUPPRESS_647))
    diagnosis = Analyzer("native", site=site, today=TODAY).analyze(EXAMPLES / "port_647_blocked")
    assert "port_647_blocked" not in [f.cause for f in diagnosis.findings]
    [suppressed] = diagnosis.suppressed
    assert (suppressed.cause, suppressed.rules, suppressed.until, suppressed.reason) == (
        "port_647_blocked", ["port-647-blocked", "port-647-blocked-contact-lost-first", "port-647-firewall-rule"], "2026-12-05",
        "CHG-1234 the firewall change is scheduled for Saturday")
    assert suppressed.config == f"{tmp_path / 'fodoc-site.yaml'}:2"
    # found, if suppressed: neither ruled out nor left unexplained
    assert [r for r in diagnosis.ruled_out if r.cause == "port_647_blocked"] == []
    assert diagnosis.unexplained == []
    assert diagnosis.expired_suppressions == []
    assert diagnosis.summary.endswith(" Suppressed by the site config: rules port-647-blocked, "
                                      "port-647-blocked-contact-lost-first, port-647-firewall-rule of port_647_blocked.")


def test_a_cause_other_rules_still_report_is_not_headlined_as_suppressed(tmp_path):
    site = load_site_config(_config(tmp_path, SUPPRESS_SKEW_EVENT))
    diagnosis = Analyzer("native", site=site, today=TODAY).analyze(EXAMPLES / "clock_skew")
    assert (diagnosis.verdict, diagnosis.findings[0].cause) == ("critical", "clock_skew")
    assert diagnosis.summary.startswith("CRITICAL: ")
    assert diagnosis.summary.endswith(
        " Suppressed by the site config: rule clock-skew-event of clock_skew (clock_skew is still reported by "
        "rules clock-skew-event-unsynced-partner, clock-skew-event-unsynced-self, clock-skew-offset, "
        "clock-skew-unsynced-partner, clock-skew-unsynced-self).")


def test_suppressed_findings_appear_in_every_report_format(tmp_path):
    site = load_site_config(_config(tmp_path, SUPPRESS_647))
    diagnosis = Analyzer("native", site=site, today=TODAY).analyze(EXAMPLES / "port_647_blocked")
    text = render_report(diagnosis, "text")
    assert "Suppressed by the site config" in text
    assert ("      suppressed until 2026-12-05: CHG-1234 the firewall change is scheduled for Saturday "
            f"({tmp_path / 'fodoc-site.yaml'}:2)") in text.splitlines()
    markdown = render_report(diagnosis, "markdown")
    assert "## Suppressed by the site config" in markdown
    assert "suppressed until 2026-12-05: CHG-1234 the firewall change is scheduled for Saturday" in markdown
    report = json.loads(render_report(diagnosis, "json"))
    assert [(s["cause"], s["until"]) for s in report["suppressed"]] == [("port_647_blocked", "2026-12-05")]


def test_an_expired_suppression_no_longer_applies_and_says_so(tmp_path):
    site = load_site_config(_config(tmp_path, SUPPRESS_647))
    diagnosis = Analyzer("native", site=site, today=dt.date(2026, 12, 6)).analyze(EXAMPLES / "port_647_blocked")
    assert diagnosis.findings[0].cause == "port_647_blocked" and diagnosis.suppressed == []
    assert diagnosis.expired_suppressions[0] == (
        f"the suppression of rule port-647-blocked expired on 2026-12-05 and no longer applies "
        f"({tmp_path / 'fodoc-site.yaml'}:2: CHG-1234 the firewall change is scheduled for Saturday)")
    assert "Expired: the suppression of rule port-647-blocked" in render_report(diagnosis, "text")
    assert diagnosis.exit_code == 2


def test_the_expiry_day_itself_is_still_suppressed(tmp_path):
    site = load_site_config(_config(tmp_path, SUPPRESS_647))
    diagnosis = Analyzer("native", site=site, today=dt.date(2026, 12, 5)).analyze(EXAMPLES / "port_647_blocked")
    assert [s.cause for s in diagnosis.suppressed] == ["port_647_blocked"]


@pytest.mark.parametrize("entry,message", [
    ("{rule: r, until: 2027-01-01}", ":2: suppress[1]: reason: missing key 'reason'"),
    ("{rule: r, reason: because}", ":2: suppress[1]: until: missing key 'until'"),
    ("{rule: r, reason: because, until: next week}", ":2: suppress[1]: until: must be a date YYYY-MM-DD, not 'next week'"),
    ("{rule: r, reason: '  ', until: 2027-01-01}", ":2: suppress[1]: reason: must say why"),
    ("{rule: r, reason: x, until: 2027-01-01, owner: me}", ":2: suppress[1]: owner: unknown key 'owner'"),
])
def test_bad_suppressions_are_one_line_errors(tmp_path, entry, message):
    path = _config(tmp_path, f"suppress:\n  - {entry}\n")
    with pytest.raises(SiteConfigError) as info:
        load_site_config(path)
    assert isinstance(info.value, KnowledgeBaseError)
    assert info.value.one_line().startswith(f"{path}{message}")


def test_the_same_rule_twice_is_an_error(tmp_path):
    path = _config(tmp_path, "suppress:\n  - {rule: r, reason: a, until: 2027-01-01}\n"
                             "  - {rule: r, reason: b, until: 2027-01-01}\n")
    with pytest.raises(SiteConfigError, match="rule 'r' is already suppressed by entry 1"):
        load_site_config(path)


def test_site_config_is_found_in_the_rules_dirs_and_an_explicit_file_wins(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "fodoc-site.yaml").write_text("suppress:\n  - {rule: r, reason: first, until: 2027-01-01}\n", encoding="utf-8")
    (second / "fodoc-site.yaml").write_text("suppress:\n  - {rule: r, reason: second, until: 2027-01-01}\n", encoding="utf-8")
    assert [s.reason for s in find_site_config(None, [first, second]).suppressions] == ["second"]
    explicit = _config(tmp_path, "suppress: []\n")
    assert find_site_config(explicit, [first, second]).suppressions == ()
    assert find_site_config(None, []).suppressions == ()


def test_the_site_config_in_a_rules_dir_is_not_read_as_a_rule(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE_RULES, site)
    (site / "fodoc-site.yaml").write_text(SUPPRESS_647, encoding="utf-8")
    analyzer = Analyzer("native", [site])
    assert "bndupd-queue-full" in [r.id for r in analyzer.kb.rules]


def test_a_site_cmdlets_yaml_is_read_neither_as_a_rule_nor_as_a_runbook(tmp_path, capsys):
    from engine.cli import main
    from engine.knowledge import load_knowledge_base

    site = tmp_path / "site"
    shutil.copytree(SITE_RULES, site)
    catalog = "cmdlets:\n  Get-ContosoDhcpHealth: {valued: [ComputerName]}\n"
    (site / "cmdlets.yaml").write_text(catalog, encoding="utf-8")
    (site / "runbooks" / "cmdlets.yaml").write_text(catalog, encoding="utf-8")
    kb = load_knowledge_base([site], [site / "runbooks"])
    assert "cmdlets" not in kb.runbooks and "bndupd-queue-full" in [r.id for r in kb.rules]
    assert kb.runbooks.load_all()["bndupd_queue_full"].cause == "bndupd_queue_full"
    with pytest.raises(SystemExit) as info:
        main(["rules", "test", str(site), "--engine", "native", "-q"])
    assert info.value.code == 0
    assert capsys.readouterr().out.endswith(": 4 passed, 0 failed\n")


def test_reading_a_site_config_collects_every_problem_and_keeps_only_valid_suppressions(tmp_path):
    from engine.site import read_site_config

    path = _config(tmp_path, "suppress:\n  - {rule: a, until: 2027-01-01}\n  - {rule: b, reason: x, until: 2027-01-01}\n"
                             "  - {rule: c, reason: y, until: someday}\n")
    reading = read_site_config(path)
    assert [e.one_line().replace(str(path), "F") for e in reading.errors] == [
        "F:2: suppress[1]: reason: missing key 'reason': say why it is safe to ignore (a change ticket, an owner)",
        "F:4: suppress[3]: until: must be a date YYYY-MM-DD, not 'someday'"]
    assert [s.rule for s in reading.config.suppressions] == ["b"]
    assert [s.rule for s in reading.entries] == ["a", "b"]  # c has no date to judge
    with pytest.raises(SiteConfigError, match="missing key 'reason'"):
        load_site_config(path)  # diagnose still refuses the file, naming its first problem
