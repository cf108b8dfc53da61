"""`fodoc rules lint|test|list|show|facts|coverage|new` and `fodoc explain`, end to end through main()."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from engine.cli import main
from engine.kb import shipped_dir
from engine.knowledge import load_knowledge_base

REPO = Path(__file__).resolve().parents[2]
SITE_RULES = REPO / "examples" / "site-rules"


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


@pytest.fixture
def site(tmp_path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(SITE_RULES, copy)
    return copy


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_lint_of_the_shipped_knowledge_base_is_clean_and_strict(capsys):
    code, out, err = run(capsys, "rules", "lint", "--strict")
    assert (code, err) == (0, "")
    assert out.endswith(": 0 errors, 0 warnings, 0 notes\n")


def test_lint_errors_exit_1_with_one_line_each(capsys, site):
    _break(site / "bndupd-queue-full.yaml", "      event_id: 20286\n", "      evnt_id: 20286\n")
    code, out, _ = run(capsys, "rules", "lint", str(site))
    assert code == 1
    assert out.splitlines() == [
        f"{site / 'bndupd-queue-full.yaml'}:19: error: bndupd-queue-full: flood.evnt_id: fact kind 'event' has "
        "no field 'evnt_id' (did you mean 'event_id'?) [rule]",
        "2 files: 1 errors, 0 warnings, 0 notes"]


def test_warnings_fail_only_with_strict(capsys, site):
    _break(site / "bndupd-queue-full.yaml", "expect: silent", "expect: fires")
    assert run(capsys, "rules", "lint", str(site))[0] == 0
    code, out, _ = run(capsys, "rules", "lint", "--strict", str(site))
    assert code == 1 and "warning: rule bndupd-queue-full has no fixture with 'expect: silent'" in out


def test_lint_json_and_sarif_to_a_file(capsys, site, tmp_path):
    _break(site / "bndupd-queue-full.yaml", "      event_id: 20286\n", "      evnt_id: 20286\n")
    code, out, _ = run(capsys, "rules", "lint", str(site), "--format", "json")
    report = json.loads(out)
    assert (code, report["counts"], report["issues"][0]["check"]) == (1, {"error": 1, "warning": 0, "note": 0}, "rule")
    target = tmp_path / "lint.sarif"
    code, out, _ = run(capsys, "rules", "lint", str(site), "--format", "sarif", "-o", str(target))
    assert (code, out) == (1, "")
    log = json.loads(target.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and log["runs"][0]["results"][0]["ruleId"] == "rule"


def test_lint_with_rules_dir_covers_shipped_and_site_together(capsys, site):
    code, out, _ = run(capsys, "rules", "lint", "--strict", "--rules-dir", str(site))
    assert code == 0 and out.endswith(": 0 errors, 0 warnings, 0 notes\n")


def test_rules_test_passes_and_writes_junit(capsys, tmp_path):
    junit = tmp_path / "junit.xml"
    code, out, _ = run(capsys, "rules", "test", "--junit", str(junit))
    assert code == 0 and " 0 failed" in out.splitlines()[-1]
    root = SafeET.parse(junit).getroot()
    assert root.get("failures") == "0" and int(root.get("tests")) > 0


def test_rules_test_failure_shows_the_diff_and_exits_1(capsys, site, tmp_path):
    _break(site / "bndupd-queue-full.yaml", "count: {ge: 10}", "count: {ge: 1000}")
    junit = tmp_path / "junit.xml"
    code, out, _ = run(capsys, "rules", "test", str(site), "--engine", "native", "--junit", str(junit))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("FAIL bndupd-queue-full: a flood of 20286 after the last recovery [native]  (")
    assert lines[1:3] == ["    - expected: fires", "    + got:      silent (native)"]
    assert lines[-1] == "4 fixtures of 1 rules on native: 3 passed, 1 failed"
    assert [l.split(":")[0] for l in lines if l[:4] in ("PASS", "FAIL")] == \
        ["FAIL bndupd-queue-full"] + ["PASS bndupd-queue-full"] * 3
    code, out, _ = run(capsys, "rules", "test", str(site), "--engine", "native", "-q")
    assert [l[:4] for l in out.splitlines() if l[:4] in ("PASS", "FAIL")] == ["FAIL"]
    assert SafeET.parse(junit).getroot().get("failures") == "1"


def test_rules_test_of_a_rule_file_by_path(capsys):
    code, out, _ = run(capsys, "rules", "test", str(SITE_RULES / "bndupd-queue-full.yaml"), "--engine", "native")
    assert code == 0
    assert out.splitlines()[0].startswith("PASS bndupd-queue-full: a flood of 20286 after the last recovery [native]")


def test_list_marks_site_rules(capsys):
    code, out, _ = run(capsys, "rules", "list", "--rules-dir", str(SITE_RULES))
    assert code == 0
    line = next(l for l in out.splitlines() if l.startswith("bndupd-queue-full "))
    assert line.split()[:6] == ["bndupd-queue-full", "bndupd_queue_full", "warning", "experimental", "1+", "3-"]
    assert line.endswith(f"site ({SITE_RULES / 'bndupd-queue-full.yaml'})")
    assert "port-647-blocked " in out


def test_show_a_rule_with_its_runbook(capsys):
    code, out, _ = run(capsys, "rules", "show", "port-647-blocked")
    assert code == 0
    assert "    probe: tcp_probe with source = <side.server>, target = <side.partner>, port = 647, ok = false, " \
           "ping_ok = true  [from tnc]" in out.splitlines()
    lines = out.splitlines()
    enable = max(n for n, line in enumerate(lines)
                 if line == "       Invoke-Command -ComputerName '<server>' -ScriptBlock {"
                 and "Enable-NetFirewallRule" in " ".join(lines[n:n + 8]))
    assert lines[enable + 1:enable + 3] == [
        "           $names = 'Microsoft-Windows-DHCP-Failover-TCP-In', 'Microsoft-Windows-DHCP-Failover-TCP-Out'",
        "           $fromPolicy = @(Get-NetFirewallRule -Name $names -PolicyStore ActiveStore | Where-Object "
        "-FilterScript { $_.PolicyStoreSourceType -eq 'GroupPolicy' })"]
    assert "           Enable-NetFirewallRule -Name $names" in lines[enable:enable + 8]


def test_show_an_unknown_rule_suggests_one(capsys):
    code, _, err = run(capsys, "rules", "show", "port-647-blokced")
    assert (code, err) == (3, "fodoc: error: no rule 'port-647-blokced' (did you mean 'port-647-blocked'?); "
                              "'fodoc rules list' shows them all\n")


def test_explain_a_site_cause(capsys):
    code, out, _ = run(capsys, "explain", "bndupd_queue_full", "--rules-dir", str(SITE_RULES))
    assert code == 0
    assert out.startswith("cause bndupd_queue_full: concluded by 1 rule\n")
    assert "       Invoke-Command -ComputerName '<partner>' -ScriptBlock { Restart-Service -Name 'DHCPServer' }" \
        in out.splitlines()
    assert "Invoke-DhcpServerv4FailoverReplication -ComputerName" not in out


def test_explain_an_unknown_cause(capsys):
    code, _, err = run(capsys, "explain", "port_647_blokced")
    assert code == 3 and "did you mean 'port_647_blocked'?" in err


def test_facts_of_one_kind(capsys):
    code, out, _ = run(capsys, "rules", "facts", "tcp_probe")
    assert code == 0 and "  port: int (required) — TCP port" in out.splitlines()


def test_coverage_json(capsys):
    code, out, _ = run(capsys, "rules", "coverage", "--format", "json")
    rows = {row["cause"]: row for row in json.loads(out)}
    positive = sum(f.fires for rule in load_knowledge_base().rules_for("port_647_blocked") for f in rule.fixtures)
    assert (code, rows["port_647_blocked"]["runbook"], rows["port_647_blocked"]["positive"]) == (0, True, positive)
    assert rows["port_647_blocked"]["gaps"] in ([], ["simulator scenario"])  # depends on engine.simulate
    # expected behaviour has nothing to fix: no runbook, and that is no gap
    startup = rows["startup_after_restart"]
    assert (startup["runbook"], startup["expected"], startup["gaps"]) in ((False, True, []),
                                                                         (False, True, ["simulator scenario"]))


def test_new_scaffolds_into_the_rules_dir_from_the_environment(capsys, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setenv("FODOC_RULES_DIR", str(site))
    code, out, _ = run(capsys, "rules", "new", "bndupd_queue_full")
    assert code == 0
    assert out.splitlines()[:2] == [f"wrote {site / 'bndupd-queue-full.yaml'}",
                                    f"wrote {site / 'runbooks' / 'bndupd_queue_full.yaml'}"]
    assert run(capsys, "rules", "lint", "--strict")[0] == 0        # shipped + the env's site dir
    assert run(capsys, "rules", "test", str(site))[0] == 1         # until the evidence is filled in


def test_new_defaults_to_site_rules_in_the_current_directory(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("FODOC_RULES_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "rules", "new", "port_647_blocked", "--id", "port-647-ips")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"wrote {Path('site-rules') / 'port-647-ips.yaml'}"
    assert lines[1].startswith("rule port-647-ips adds to cause port_647_blocked (rules already concluding it: ")
    assert lines[2] == (f"cause port_647_blocked already has a runbook ({shipped_dir('runbooks') / 'port_647_blocked.yaml'}); "
                        "the rule uses it")


def test_diagnose_reads_the_site_config_from_the_environment(capsys, tmp_path, monkeypatch):
    config = tmp_path / "site.yaml"
    config.write_text("suppress:\n  - {rule: port-647-blocked, reason: CHG-1, until: 2999-01-01}\n"
                      "  - {rule: port-647-firewall-rule, reason: CHG-1, until: 2999-01-01}\n"
                      "  - {rule: port-647-blocked-contact-lost-first, reason: CHG-1, until: 2999-01-01}\n",
                      encoding="utf-8")
    monkeypatch.setenv("FODOC_SITE_CONFIG", str(config))
    code, out, _ = run(capsys, "diagnose", str(REPO / "examples" / "bundles" / "port_647_blocked"), "--format", "json")
    report = json.loads(out)
    assert (code, [s["cause"] for s in report["suppressed"]]) == (0, ["port_647_blocked"])


def test_an_invalid_site_config_is_one_line_and_exit_3(capsys, tmp_path):
    config = tmp_path / "site.yaml"
    config.write_text("suppress:\n  - {rule: port-647-blocked, until: 2999-01-01}\n", encoding="utf-8")
    code, out, err = run(capsys, "diagnose", str(REPO / "examples" / "bundles" / "healthy"), "--site-config", str(config))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {config}:2: suppress[1]: reason: missing key 'reason': say why it is safe to "
                   "ignore (a change ticket, an owner)\n")


def test_new_for_an_existing_cause_says_it_adds_a_rule_and_keeps_the_shipped_one(capsys, tmp_path):
    code, out, _ = run(capsys, "rules", "new", "clock_skew", "--dir", str(tmp_path))
    lines = out.splitlines()
    assert (code, lines[0]) == (0, f"wrote {tmp_path / 'clock-skew.yaml'}")  # no rule has that id yet
    assert lines[1].startswith("rule clock-skew adds to cause clock_skew (rules already concluding it: "
                               "clock-skew-came-first, clock-skew-drifting, ")
    code, out, _ = run(capsys, "rules", "new", "clock_skew", "--dir", str(tmp_path / "x"), "--id", "clock-skew-offset")
    assert out.splitlines()[1] == (f"rule clock-skew-offset replaces the rule of that id when loaded with "
                                   f"--rules-dir {tmp_path / 'x'}")


def test_lint_of_an_impossible_date_is_one_line_not_a_traceback(capsys, site):
    _break(site / "bndupd-queue-full.yaml", "last: {gt: {ref: side.normal_since}}", "last: {gt: 2026-13-45}")
    (site / "fodoc-site.yaml").write_text("suppress:\n  - {rule: clock-skew-drifting, reason: x, until: 2026-02-30}\n",
                                          encoding="utf-8")
    code, out, err = run(capsys, "rules", "lint", str(site))
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"{site / 'bndupd-queue-full.yaml'}:22: error: match.flood.where.last.gt: 2026-13-45 is not a valid date "
        "(month must be in 1..12) [yaml]",
        f"{site / 'fodoc-site.yaml'}:2: error: suppress[1].until: 2026-02-30 is not a valid date (day is out of "
        "range for month) [site-config]",
        "3 files: 2 errors, 0 warnings, 0 notes"]


def test_diagnose_with_an_impossible_date_in_the_site_config_is_one_line_and_exit_3(capsys, tmp_path):
    config = tmp_path / "site.yaml"
    config.write_text("suppress:\n  - {rule: port-647-blocked, reason: x, until: 2026-02-30}\n", encoding="utf-8")
    code, out, err = run(capsys, "diagnose", str(REPO / "examples" / "bundles" / "healthy"), "--site-config", str(config))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {config}:2: suppress[1].until: 2026-02-30 is not a valid date (day is out of "
                   "range for month)\n")


def test_a_rule_without_fixtures_is_counted_as_a_failure(capsys, site, tmp_path):
    rule = site / "bndupd-queue-full.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text[:text.index("fixtures:")], encoding="utf-8")
    junit = tmp_path / "junit.xml"
    code, out, _ = run(capsys, "rules", "test", str(site), "--engine", "native", "--junit", str(junit))
    assert (code, out.splitlines()) == (1, [
        f"FAIL bndupd-queue-full: has no fixtures; add one that fires and one that stays silent  ({rule})",
        "0 fixtures of 1 rules on native: 0 passed, 1 failed"])
    root = SafeET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures")) == ("1", "1")
    assert root.find("testsuite/testcase").get("name") == "(no fixtures)"


def test_show_and_explain_name_the_file_once(capsys):
    rule = SITE_RULES / "bndupd-queue-full.yaml"
    code, out, _ = run(capsys, "rules", "show", "bndupd-queue-full", "--rules-dir", str(SITE_RULES))
    assert code == 0 and f"  file:       {rule} (site)" in out.splitlines()
    code, out, _ = run(capsys, "explain", "bndupd_queue_full", "--rules-dir", str(SITE_RULES))
    assert code == 0 and f"  file:       {rule} (site)" in out.splitlines()
    code, out, _ = run(capsys, "rules", "show", "port-647-blocked")
    assert f"  file:       {shipped_dir('rules') / 'port-647-blocked.yaml'} (shipped)" in out.splitlines()


def test_show_names_the_links_and_the_watch_of_a_rule(capsys):
    _, out, _ = run(capsys, "rules", "show", "binding-update-backlog")
    assert "  consequence of: any fault on the same relationship (shown under it)" in out.splitlines()
    _, out, _ = run(capsys, "rules", "show", "time-service-unsynced")
    assert "  reason for: clock_skew on the same relationship (shown under it)" in out.splitlines()
    _, out, _ = run(capsys, "rules", "show", "recover-wait-within-mclt")
    assert any(line.startswith("  watch:      After {{ timer.mclt_ends }} both sides") for line in out.splitlines())
