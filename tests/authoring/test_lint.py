"""`fodoc rules lint` checks: each problem with file, line, check and severity, all of them at once."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from engine.authoring.lint import Issue, lint
from engine.kb import shipped_dir

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_SITE = REPO / "examples" / "site-rules"
TODAY = dt.date(2026, 12, 3)


def _site(tmp_path: Path) -> Path:
    """A copy of the example site directory to break."""
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site)
    return site


def _edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (which must occur once) and return the 1-based line it starts on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


def _issues(report, check=None):
    return [(i.line, i.severity, i.message) for i in report.issues if check is None or i.check == check]


def test_the_shipped_knowledge_base_is_clean():
    report = lint(today=TODAY)
    assert report.issues == []
    assert report.files == len(list(shipped_dir("rules").glob("*.yaml"))) + \
        len(list(shipped_dir("runbooks").glob("*.yaml"))) + len(list(shipped_dir("facts").glob("*.yaml")))


def test_the_example_site_rules_are_clean():
    assert lint([EXAMPLE_SITE], today=TODAY).issues == []
    assert lint(rule_dirs=[EXAMPLE_SITE], site_config=REPO / "examples" / "fodoc-site.yaml",
                today=TODAY).issues == []


def test_unknown_field_gets_a_did_you_mean(tmp_path):
    site = _site(tmp_path)
    rule = site / "bndupd-queue-full.yaml"
    line = _edit(rule, "      event_id: 20286\n", "      evnt_id: 20286\n")
    report = lint([site], today=TODAY)
    assert report.issues == [Issue(str(rule), line, "rule", "bndupd-queue-full: flood.evnt_id: fact kind "
                                   "'event' has no field 'evnt_id' (did you mean 'event_id'?)", "error")]
    assert report.failed()


def test_unknown_fact_kind_gets_a_did_you_mean(tmp_path):
    site = _site(tmp_path)
    line = _edit(site / "bndupd-queue-full.yaml", "    kind: event\n", "    kind: events\n")
    assert _issues(lint([site], today=TODAY)) == [
        (line, "error", "bndupd-queue-full: match.flood.kind: unknown fact kind 'events' (did you mean 'event'?)")]


def test_type_mismatch_against_the_catalog(tmp_path):
    site = _site(tmp_path)
    line = _edit(site / "bndupd-queue-full.yaml", "      event_id: 20286\n", '      event_id: "20286"\n')
    assert _issues(lint([site], today=TODAY)) == [
        (line, "error", "bndupd-queue-full: flood.event_id: event.event_id is int, but the value '20286' is str")]


def test_reference_to_an_undefined_alias(tmp_path):
    site = _site(tmp_path)
    line = _edit(site / "bndupd-queue-full.yaml", "server: {ref: side.server}", "server: {ref: sde.server}")
    assert _issues(lint([site], today=TODAY)) == [
        (line, "error", "bndupd-queue-full: flood.server: ref 'sde.server' names alias 'sde', which is not "
                        "defined before this pattern (did you mean 'side'?)")]


def test_regex_that_does_not_compile(tmp_path):
    site = _site(tmp_path)
    line = _edit(site / "bndupd-queue-full.yaml", "      log: DhcpAdminEvents\n", "      log: {regex: 'Dhcp(Admin'}\n")
    [(got_line, severity, message)] = _issues(lint([site], today=TODAY))
    assert (got_line, severity) == (line, "error")
    assert message.startswith("bndupd-queue-full: flood.log: regex 'Dhcp(Admin' does not compile: missing )")


def test_schema_errors_are_all_reported(tmp_path):
    site = _site(tmp_path)
    rule = site / "bndupd-queue-full.yaml"
    first = _edit(rule, "severity: warning\n", "severity: warn\n")
    second = _edit(rule, "confidence: 0.7\n", "confidence: 7\n")
    assert _issues(lint([site], today=TODAY)) == [
        (first, "error", "severity: must be one of critical, warning, info, not 'warn' (did you mean 'warning'?)"),
        (second, "error", "confidence: 7 is out of range (7 is greater than the maximum of 1)")]


def test_cause_without_a_runbook(tmp_path):
    site = _site(tmp_path)
    (site / "runbooks" / "bndupd_queue_full.yaml").unlink()
    assert _issues(lint([site], today=TODAY), "cause-without-runbook") == [
        (3, "error", "cause 'bndupd_queue_full' has no runbook (expected runbooks/bndupd_queue_full.yaml)")]


def test_missing_negative_and_positive_fixtures_are_warnings(tmp_path):
    site = _site(tmp_path)
    rule = site / "bndupd-queue-full.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text.replace("expect: silent", "expect: fires"), encoding="utf-8")
    line = text[:text.index("fixtures:")].count("\n") + 1
    report = lint([site], today=TODAY)
    assert _issues(report) == [(line, "warning", "rule bndupd-queue-full has no fixture with 'expect: silent'")]
    assert not report.failed() and report.failed(strict=True)
    rule.write_text(text.replace("expect: fires", "expect: silent"), encoding="utf-8")
    assert _issues(lint([site], today=TODAY)) == [
        (line, "warning", "rule bndupd-queue-full has no fixture with 'expect: fires'")]


def test_duplicate_ids_in_one_directory(tmp_path):
    site = _site(tmp_path)
    shutil.copy(site / "bndupd-queue-full.yaml", site / "copy.yaml")
    assert _issues(lint([site], today=TODAY), "duplicate-id") == [
        (2, "error", f"rule id 'bndupd-queue-full' is already used by {site / 'bndupd-queue-full.yaml'}")]


def test_unquoted_interpolation_names_the_step_and_line(tmp_path):
    site = _site(tmp_path)
    runbook = site / "runbooks" / "bndupd_queue_full.yaml"
    line = _edit(runbook, "Test-NetConnection -ComputerName {{ peer | ps }}", "Test-NetConnection -ComputerName {{ peer }}")
    assert [(i.path, i.line, i.check, i.message) for i in lint([site], today=TODAY).issues] == [
        (str(runbook), line, "unquoted-interpolation",
         "step path-to-partner: 'Invoke-Command -ComputerName {{ target | ps }} -ScriptBlock { Test-NetConnection "
         "-ComputerName {{ peer }} -Port 647 }' interpolates a value without | ps or | ps_list; it would reach "
         "PowerShell unquoted")]


def test_unknown_cmdlet_from_the_cmdlet_catalog(tmp_path):
    site = _site(tmp_path)
    runbook = site / "runbooks" / "bndupd_queue_full.yaml"
    line = _edit(runbook, "Get-DhcpServerv4ScopeStatistics -ComputerName {{ target | ps }} -Failover",
                 "Get-DhcpServerv4FailoverStatistics -ComputerName {{ target | ps }}")
    assert _issues(lint([site], today=TODAY)) == [
        (line, "error", "step scope-statistics: unknown cmdlet 'Get-DhcpServerv4FailoverStatistics' (not in "
                        "the catalog of real cmdlets, engine/data/cmdlets.yaml, or a site cmdlets.yaml; did you "
                        "mean 'Get-DhcpServerv4ScopeStatistics'?)")]


def test_unknown_parameter_from_the_cmdlet_catalog(tmp_path):
    site = _site(tmp_path)
    runbook = site / "runbooks" / "bndupd_queue_full.yaml"
    line = _edit(runbook, "-Port 647 }", "-TcpPort 647 }")
    assert _issues(lint([site], today=TODAY)) == [
        (line, "error", "step path-to-partner: Test-NetConnection: unknown parameter -TcpPort (did you mean "
                        "-Port?); its parameters: -ComputerName, -Port, -CommonTCPPort, -InformationLevel, -Hops, "
                        "-ConstrainSourceAddress, -ConstrainInterface, -TraceRoute, -DiagnoseRouting")]


def test_a_broken_rule_does_not_make_its_runbook_an_orphan(tmp_path):
    site = _site(tmp_path)
    _edit(site / "bndupd-queue-full.yaml", "      event_id: 20286\n", "      evnt_id: 20286\n")
    assert [i.check for i in lint([site], today=TODAY).issues] == ["rule"]


def test_runbook_no_rule_concludes_is_a_note(tmp_path):
    site = _site(tmp_path)
    (site / "bndupd-queue-full.yaml").unlink()
    report = lint([site], today=TODAY)
    assert _issues(report) == [(1, "note", "no rule concludes cause 'bndupd_queue_full', so this runbook is never used")]
    assert not report.failed(strict=True)


def test_site_rule_overriding_a_shipped_one_is_a_note(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(shipped_dir("rules") / "port-647-blocked.yaml", site / "port-647-blocked.yaml")
    assert _issues(lint([site], today=TODAY)) == [(1, "note", "replaces the shipped rule port-647-blocked")]


def test_invalid_yaml_is_one_error_with_its_line(tmp_path):
    site = _site(tmp_path)
    rule = site / "bndupd-queue-full.yaml"
    line = _edit(rule, "title: The partner", "title: [The partner")
    [issue] = lint([site], today=TODAY).issues
    assert (issue.check, issue.severity) == ("yaml", "error") and issue.line >= line
    assert issue.message.startswith("is not valid YAML")


def test_site_config_suppressions(tmp_path):
    config = tmp_path / "fodoc-site.yaml"
    config.write_text("suppress:\n"
                      "  - {rule: clock-skew-drifting, reason: CHG-1, until: 2026-12-02}\n"
                      "  - {rule: port-647-blokced, reason: CHG-2, until: 2027-01-01}\n", encoding="utf-8")
    report = lint([config], today=TODAY)
    assert _issues(report) == [
        (2, "warning", "the suppression of clock-skew-drifting expired on 2026-12-02 and no longer applies; "
                       "renew it with a new reason or remove it"),
        (3, "warning", "suppresses rule 'port-647-blokced', which does not exist (did you mean 'port-647-blocked'?)")]
    assert [i.check for i in report.issues] == ["expired-suppression", "unknown-suppressed-rule"]


def test_site_config_without_a_reason_is_an_error(tmp_path):
    config = tmp_path / "fodoc-site.yaml"
    config.write_text("suppress:\n  - rule: clock-skew-drifting\n    until: 2027-01-01\n", encoding="utf-8")
    assert _issues(lint([config], today=TODAY)) == [
        (2, "error", "suppress[1]: reason: missing key 'reason': say why it is safe to ignore (a change "
                     "ticket, an owner)")]


def test_fact_kind_file_is_checked(tmp_path):
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "thing.yaml").write_text("kind: thing\nfields:\n  id: {type: str}\n", encoding="utf-8")
    [issue] = lint([facts / "thing.yaml"], today=TODAY).issues
    assert (issue.line, issue.check, issue.message) == (3, "schema", "fields: 'id' is not an allowed name here")


def test_single_files_are_classified_by_content(tmp_path):
    site = _site(tmp_path)
    rule, runbook = tmp_path / "my-rule.yaml", tmp_path / "my-runbook.yaml"
    shutil.copy(site / "bndupd-queue-full.yaml", rule)
    shutil.copy(site / "runbooks" / "bndupd_queue_full.yaml", runbook)
    report = lint([rule, runbook, site / "runbooks" / "bndupd_queue_full.yaml"], today=TODAY)
    # read as a runbook: the loader insists that the file is named after its cause
    assert [(i.path, i.check, i.message) for i in report.issues] == [
        (str(rule), "file-name", "rule bndupd-queue-full is in my-rule.yaml; name the file bndupd-queue-full.yaml "
                                 "so that it can be found by its id"),
        (str(runbook), "runbook", "cause: cause 'bndupd_queue_full' must match the file name (my-runbook.yaml)")]


def test_a_yml_file_would_be_ignored_so_it_is_an_error(tmp_path):
    site = _site(tmp_path)
    (site / "bndupd-queue-full.yaml").rename(site / "bndupd-queue-full.yml")
    report = lint([site], today=TODAY)
    assert [(i.path, i.check, i.severity, i.message) for i in report.issues] == [
        (str(site / "bndupd-queue-full.yml"), "file-name", "error",
         "fodoc reads only *.yaml files here, so this file is ignored; rename it to bndupd-queue-full.yaml"),
        (str(site / "runbooks" / "bndupd_queue_full.yaml"), "runbook-without-rule", "note",
         "no rule concludes cause 'bndupd_queue_full', so this runbook is never used")]


def test_a_rule_file_not_named_after_its_id_is_a_note(tmp_path):
    site = _site(tmp_path)
    (site / "bndupd-queue-full.yaml").rename(site / "queue.yaml")
    assert _issues(lint([site], today=TODAY)) == [
        (2, "note", "rule bndupd-queue-full is in queue.yaml; name the file bndupd-queue-full.yaml so that "
                    "it can be found by its id")]


def test_powershell_is_checked_even_where_a_value_is_unquoted(tmp_path):
    site = _site(tmp_path)
    runbook = site / "runbooks" / "bndupd_queue_full.yaml"
    first = _edit(runbook, "Test-NetConnection -ComputerName {{ peer | ps }}", "Test-NetConnection -ComputerName {{ peer }}")
    second = _edit(runbook, "Get-DhcpServerv4ScopeStatistics -ComputerName {{ target | ps }} -Failover",
                   "Get-DhcpServerv4FailoverStatistics -ComputerName {{ target | ps }}")
    assert [(i.line, i.check) for i in lint([site], today=TODAY).issues] == [
        (first, "unquoted-interpolation"), (second, "powershell")]


# --- what a new rule author's trial found ---------------------------------------------------

def test_an_impossible_unquoted_date_in_a_rule_is_one_yaml_error(tmp_path):
    site = _site(tmp_path)
    line = _edit(site / "bndupd-queue-full.yaml", "last: {gt: {ref: side.normal_since}}", "last: {gt: 2026-13-45}")
    assert [(i.line, i.check, i.message) for i in lint([site], today=TODAY).issues] == [
        (line, "yaml", "match.flood.where.last.gt: 2026-13-45 is not a valid date (month must be in 1..12)")]


def test_an_impossible_unquoted_date_in_a_site_config_is_one_error(tmp_path):
    config = tmp_path / "fodoc-site.yaml"
    config.write_text("suppress:\n  - rule: clock-skew-drifting\n    reason: CHG-1\n    until: 2026-02-30\n",
                      encoding="utf-8")
    assert [(i.line, i.check, i.message) for i in lint([config], today=TODAY).issues] == [
        (4, "site-config", "suppress[1].until: 2026-02-30 is not a valid date (day is out of range for month)")]


def test_a_tab_used_as_indentation_gets_a_hint(tmp_path):
    site = _site(tmp_path)
    line = _edit(site / "bndupd-queue-full.yaml", "  side: {kind: pair", "\tside: {kind: pair")
    [issue] = lint([site], today=TODAY).issues
    assert (issue.line, issue.check) == (line, "yaml")
    assert issue.message == ("is not valid YAML: found character that cannot start any token "
                             "(YAML does not allow tabs for indentation; use spaces)")


def test_a_misspelt_filter_in_run_is_one_error_with_a_did_you_mean(tmp_path):
    site = _site(tmp_path)
    runbook = site / "runbooks" / "bndupd_queue_full.yaml"
    line = _edit(runbook, "-Name {{ relationship | ps }}).State", "-Name {{ relationship | psq }}).State")
    assert [(i.path, i.line, i.check, i.message) for i in lint([site], today=TODAY).issues] == [
        (str(runbook), line, "runbook", "require-normal: run: no filter named 'psq' (did you mean 'ps'?)")]


def test_a_misspelt_field_of_an_alias_in_explain_gets_a_did_you_mean(tmp_path):
    site = _site(tmp_path)
    rule = site / "bndupd-queue-full.yaml"
    _edit(rule, "{{ flood.count }}", "{{ flood.cuont }}")
    explain_line = rule.read_text(encoding="utf-8").splitlines().index("explain: >") + 1
    assert _issues(lint([site], today=TODAY)) == [
        (explain_line, "error", "bndupd-queue-full: explain: template reads 'flood.cuont', but fact kind 'event' "
                                "has no field 'cuont' (did you mean 'count'?)")]


def test_a_datetime_field_rejects_text_that_is_not_a_time(tmp_path):
    site = _site(tmp_path)
    rule = site / "bndupd-queue-full.yaml"
    where = _edit(rule, "last: {gt: {ref: side.normal_since}}", 'last: {gt: "last tuesday"}')
    assert _issues(lint([site], today=TODAY)) == [
        (where, "error", "bndupd-queue-full: flood.last: event.last is datetime, but 'last tuesday' is not a "
                         "time: expected an ISO-8601 time such as 2026-11-29T23:00:00Z")]
    _edit(rule, 'last: {gt: "last tuesday"}', "last: {gt: {ref: side.normal_since}}")
    fixture = _edit(rule, 'last: "2026-11-29T15:01:00Z", relationship: dhcp-a-dhcp-b, partner: dhcp-b}\n  - name: a few',
                    'last: "yesterday", relationship: dhcp-a-dhcp-b, partner: dhcp-b}\n  - name: a few')
    assert _issues(lint([site], today=TODAY)) == [
        (fixture, "error", "bndupd-queue-full: fixtures[1].facts[2]: event.last is datetime, but 'yesterday' "
                           "is not a time: expected an ISO-8601 time such as 2026-11-29T23:00:00Z")]


def test_an_unquoted_time_in_a_fixture_is_a_time_and_needs_a_zone(tmp_path):
    site = _site(tmp_path)
    rule = site / "bndupd-queue-full.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text.replace('"2026-', "2026-").replace('Z"', "Z"), encoding="utf-8")  # all unquoted
    assert lint([site], today=TODAY).issues == []
    line = _edit(rule, "last: 2026-11-29T15:01:00Z, relationship: dhcp-a-dhcp-b, partner: dhcp-b}\n  - name: a few",
                 "last: 2026-11-29 15:01:00, relationship: dhcp-a-dhcp-b, partner: dhcp-b}\n  - name: a few")
    assert _issues(lint([site], today=TODAY)) == [
        (line, "error", "bndupd-queue-full: fixtures[1].facts[2]: event.last is datetime, but 2026-11-29T15:01:00 "
                        "has no time zone: add a time zone, e.g. Z for UTC (2026-11-29T23:00:00Z)")]


def test_runbook_errors_found_after_reading_name_their_line(tmp_path):
    site = _site(tmp_path)
    runbook = site / "runbooks" / "bndupd_queue_full.yaml"
    text = runbook.read_text(encoding="utf-8")
    lines = text.splitlines()
    destructive = lines.index("    destructive: true") + 1
    runbook.write_text(text.replace("    on: both\n    backup: true\n", "    on: server\n    backup: true\n"),
                       encoding="utf-8")
    assert _issues(lint([site], today=TODAY)) == [
        (destructive, "error", "resync-partner: destructive: destructive step is not preceded by a backup step "
                               "(backup: true, Export-DhcpServer ... -Leases) on partner")]
    runbook.write_text(text[:text.index("rollback:")] + "rollback: []\n", encoding="utf-8")
    assert _issues(lint([site], today=TODAY)) == [
        (lines.index("rollback:") + 1, "error", "rollback: has destructive steps (resync-partner) but no "
                                                "rollback steps")]
    runbook.write_text(text, encoding="utf-8")
    line = _edit(runbook, "-Name {{ relationship | ps }}).State", "-Name {{ relation | ps }}).State")
    assert _issues(lint([site], today=TODAY)) == [
        (line, "error", "require-normal: run: uses relation, which 'requires' does not list (did you mean "
                        "'relationship'?)")]


def _uses_an_estate_cmdlet(site: Path) -> int:
    """Make the runbook call a cmdlet of the estate's own module; the line it is on."""
    return _edit(site / "runbooks" / "bndupd_queue_full.yaml",
                 "Get-DhcpServerv4ScopeStatistics -ComputerName {{ target | ps }} -Failover",
                 "Get-ContosoDhcpHealth -ComputerName {{ target | ps }} -Deep; Get-Date -AsUTC")


def test_a_site_cmdlets_yaml_extends_the_catalog(tmp_path):
    site = _site(tmp_path)
    line = _uses_an_estate_cmdlet(site)
    assert [message for _, _, message in _issues(lint([site], today=TODAY))] == [
        "step scope-statistics: Get-Date: unknown parameter -AsUTC; its parameters: -Date, -Year, -Month, -Day, "
        "-Hour, -Minute, -Second, -Millisecond, -Format, -UFormat, -DisplayHint",
        "step scope-statistics: unknown cmdlet 'Get-ContosoDhcpHealth' (not in the catalog of real cmdlets, "
        "engine/data/cmdlets.yaml, or a site cmdlets.yaml)"]
    (site / "cmdlets.yaml").write_text("cmdlets:\n"
                                      "  Get-ContosoDhcpHealth: {valued: [ComputerName], switches: [Deep]}\n"
                                      "  Get-Date: {switches: [AsUTC]}   # PowerShell 7.1 adds it\n",
                                      encoding="utf-8")
    report = lint([site], today=TODAY)
    assert (report.issues, report.files) == ([], 3)  # read as the catalog, not as a rule
    assert lint(rule_dirs=[site], today=TODAY).issues == []
    alone = lint([site / "runbooks" / "bndupd_queue_full.yaml"], today=TODAY)  # its site's catalog too
    assert [i.check for i in alone.issues] == ["runbook-without-rule"]
    (site / "cmdlets.yaml").rename(tmp_path / "cmdlets.yaml")
    elsewhere = tmp_path / "runbooks-dir"
    elsewhere.mkdir()
    (tmp_path / "cmdlets.yaml").rename(elsewhere / "cmdlets.yaml")
    assert [i.line for i in lint(rule_dirs=[site], today=TODAY).issues] == [line, line]
    assert lint(rule_dirs=[site], runbook_dirs=[elsewhere], today=TODAY).issues == []


@pytest.mark.parametrize("text,line,message", [
    ("cmdlets:\n  Get-Thing: {valued: [-Name]}\n", 2,
     "cmdlets.Get-Thing.valued: write the parameter '-Name' without the '-', as 'Name'"),
    ("cmdlets:\n  GetThing: {}\n", 2, "cmdlets.GetThing: 'GetThing' is not a Verb-Noun cmdlet name"),
    ("common:\n  switches: [Force]\n", 1,
     "common: unknown key 'common': the common parameters are PowerShell's own; list a cmdlet's parameters "
     "under 'cmdlets'"),
    ("cmdlets:\n  Get-Date: {valued: [UFormat], switches: [Format]}\n", 2,
     "Get-Date: Format is a valued parameter of Get-Date in the catalog already"),
    ("cmdlets:\n  Get-Thing: {valued: [Name], switches: [name]}\n", 2,
     "cmdlets.Get-Thing: name is listed both as valued and as a switch"),
], ids=["dash", "not-verb-noun", "common", "switch-vs-valued", "both"])
def test_a_bad_site_cmdlets_yaml_is_one_error_naming_its_line(tmp_path, text, line, message):
    site = _site(tmp_path)
    (site / "cmdlets.yaml").write_text(text, encoding="utf-8")
    assert [(i.path, i.line, i.check, i.message) for i in lint([site], today=TODAY).issues] == [
        (str(site / "cmdlets.yaml"), line, "cmdlet-catalog", message)]


def test_a_rule_id_taken_again_by_a_later_site_directory_is_a_warning(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    shutil.copytree(EXAMPLE_SITE, first)
    second.mkdir()
    shutil.copy(first / "bndupd-queue-full.yaml", second / "bndupd-queue-full.yaml")
    expected = [Issue(str(second / "bndupd-queue-full.yaml"), 2, "replaces-site-rule",
                      f"rule id bndupd-queue-full in {second / 'bndupd-queue-full.yaml'} replaces the one in "
                      f"{first / 'bndupd-queue-full.yaml'}", "warning")]
    report = lint(rule_dirs=[first, second], today=TODAY)
    assert report.issues == expected and report.failed(strict=True)
    assert lint([first, second], today=TODAY).issues == expected


def test_a_site_rule_taking_a_shipped_id_stays_a_note_even_in_two_site_directories(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    shutil.copy(shipped_dir("rules") / "port-647-blocked.yaml", first / "port-647-blocked.yaml")
    report = lint(rule_dirs=[first, second], today=TODAY)
    assert [(i.path, i.check, i.severity) for i in report.issues] == [
        (str(first / "port-647-blocked.yaml"), "overrides-shipped", "note")]


def test_a_site_config_error_does_not_hide_the_other_problems_of_the_file(tmp_path):
    config = tmp_path / "fodoc-site.yaml"
    config.write_text("suppress:\n"
                      "  - rule: clock-skew-drifting\n"
                      "    until: 2026-12-02\n"
                      "  - {rule: port-647-blokced, reason: CHG-2, until: 2027-01-01, owner: me}\n"
                      "  - {rule: clock-skew-offset, reason: CHG-3, until: 2027-01-01}\n", encoding="utf-8")
    assert [(i.line, i.check, i.message) for i in lint([config], today=TODAY).issues] == [
        (2, "expired-suppression", "the suppression of clock-skew-drifting expired on 2026-12-02 and no longer "
                                   "applies; renew it with a new reason or remove it"),
        (2, "site-config", "suppress[1]: reason: missing key 'reason': say why it is safe to ignore (a change "
                           "ticket, an owner)"),
        (4, "site-config", "suppress[2]: owner: unknown key 'owner'"),
        (4, "unknown-suppressed-rule", "suppresses rule 'port-647-blokced', which does not exist (did you mean "
                                       "'port-647-blocked'?)")]
