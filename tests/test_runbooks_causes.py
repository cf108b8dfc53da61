"""The runbooks of the configuration, addressing and server causes render the commands they promise."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.runbooks import load_runbooks, render

RUNBOOKS = Path(__file__).resolve().parent.parent / "runbooks"
REL = {"mode": "LoadBalance", "mclt_s": 3600, "lb_percent": 50, "reserve_percent": None, "role": None,
       "auto_transition": False, "switch_interval_s": None, "scopes": ["10.0.10.0", "10.0.20.0"],
       "partner_address": "dhcp-b.contoso.com", "server_type": "PrimaryServer"}
VARIABLES = {"server": "dhcp-a.contoso.com", "partner": "dhcp-b.contoso.com", "relationship": "dhcp-a-dhcp-b",
             "rel": REL, "rules": []}


@pytest.fixture(scope="module")
def shipped():
    return load_runbooks(RUNBOOKS)


def _commands(shipped, cause, phase):
    rendered = render(shipped[cause], {k: v for k, v in VARIABLES.items() if k in shipped[cause].requires})
    return [(step.id, step.target, step.command, step.destructive) for step in getattr(rendered, phase)]


def test_config_drift_replicates_from_the_server_after_backing_up_both(shipped):
    fix = _commands(shipped, "config_drift", "fix")
    assert [(step_id, target, destructive) for step_id, target, _, destructive in fix] == [
        ("backup-dhcp", "dhcp-a.contoso.com", False), ("backup-dhcp", "dhcp-b.contoso.com", False),
        ("show-scope-configuration", "dhcp-a.contoso.com", False),
        ("show-scope-configuration", "dhcp-b.contoso.com", False),
        ("replicate-scopes", "dhcp-a.contoso.com", True)]
    rollback = _commands(shipped, "config_drift", "rollback")
    assert rollback[0][1:] == ("dhcp-b.contoso.com",
                               "Import-DhcpServer -ComputerName 'dhcp-b.contoso.com' -File "
                               "'C:\\ProgramData\\failover-doctor\\backup\\dhcp-b.contoso.com-config_drift.xml' "
                               "-BackupPath 'C:\\ProgramData\\failover-doctor\\backup\\dhcp-db-before-import' "
                               "-Leases -ScopeOverwrite -Force", True)


def test_server_not_authorized_authorizes_by_dns_name_and_rolls_back(shipped):
    assert _commands(shipped, "server_not_authorized", "fix")[1][2] == \
        "Add-DhcpServerInDC -DnsName 'dhcp-a.contoso.com'"
    assert _commands(shipped, "server_not_authorized", "rollback") == [
        ("unauthorize", "dhcp-a.contoso.com", "Remove-DhcpServerInDC -DnsName 'dhcp-a.contoso.com'", True)]


def test_database_problem_restores_from_the_service_backup_folder(shipped):
    fix = {step_id: (command, destructive) for step_id, _, command, destructive in
           _db(shipped, ["database-init-failed-service-stopped"])}
    assert fix["restore-database"] == (
        "$database = Get-DhcpServerDatabase -ComputerName 'dhcp-a.contoso.com'\n"
        "Restore-DhcpServer -ComputerName 'dhcp-a.contoso.com' -Path $database.BackupPath -Force", True)
    assert list(fix) == ["service-running", "backup-dhcp", "show-database", "restore-database", "restart-dhcp"]  # backup on both
    assert fix["service-running"][0].startswith("Invoke-Command -ComputerName 'dhcp-a.contoso.com' -ScriptBlock {\n"
                                                "    $service = Get-Service -Name 'DHCPServer'\n")
    assert "throw ('The DHCP Server service does not stay running" in fix["service-running"][0]


def test_binding_update_backlog_refuses_to_replicate_while_interrupted(shipped):
    fix = [(step_id, command) for step_id, _, command, _ in _commands(shipped, "binding_update_backlog", "fix")]
    ids = [step_id for step_id, _ in fix]
    assert ids.index("require-normal") < ids.index("replicate-scopes")
    guard = next(command for step_id, command in fix if step_id == "require-normal")
    assert "if ($state -ne 'Normal') { throw" in guard


def test_partner_name_resolution_changes_nothing_in_dhcp(shipped):
    fix = _commands(shipped, "partner_name_resolution", "fix")
    assert [(step_id, target, command) for step_id, target, command, _ in fix] == [
        ("register-partner", "dhcp-b.contoso.com",
         "Invoke-Command -ComputerName 'dhcp-b.contoso.com' -ScriptBlock { Register-DnsClient }"),
        ("clear-cache", "dhcp-a.contoso.com",
         "Invoke-Command -ComputerName 'dhcp-a.contoso.com' -ScriptBlock { Clear-DnsClientCache }")]
    assert _commands(shipped, "partner_name_resolution", "rollback") == []


def test_partner_ip_changed_shows_the_addresses_the_new_relationship_will_store(shipped):
    verify = {step_id: command for step_id, _, command, _ in _commands(shipped, "partner_ip_changed", "verify")}
    assert "'PrimaryServerIP'" in verify["relationship-addresses"]
    assert "'SecondaryServerIP'" in verify["relationship-addresses"]


def test_clock_skew_first_shows_both_servers_time_status_before_changing_one(shipped):
    """A skew between two servers does not say which clock is wrong (found by a trial: a bundle
    without w32tm /query /status named the healthy server): the fix starts read-only, on both."""
    fix = _commands(shipped, "clock_skew", "fix")
    step_id, target, command, destructive = fix[0]
    assert (step_id, target, destructive) == ("confirm-which-clock", "dhcp-a.contoso.com", False)
    assert "foreach ($computer in @('dhcp-a.contoso.com', $peer))" in command
    assert "$peer = 'dhcp-b.contoso.com'" in command and "w32tm /query /status" in command
    # and nothing changes until the admin confirms which clock is wrong (also in an exported script)
    assert ("$answer = Read-Host -Prompt ('Is ' + 'dhcp-a.contoso.com' + ' the server whose clock is wrong (its "
            "Source is not a domain controller, or Leap Indicator 3), not ' + $peer + '? (yes/no)')") in command
    assert "if ($answer -ne 'yes') { throw ('Stopped: nothing was changed." in command
    assert [step[0] for step in fix[1:]][:1] == ["record-time-config"]


def test_port_647_never_enables_locally_what_a_gpo_sets(shipped):
    """A local Enable-NetFirewallRule on a rule Group Policy sets is undone at the next refresh
    (found by a trial: the report named the GPO, the runbook enabled the rule locally anyway)."""
    enable = [command for step_id, _, command, _ in _commands(shipped, "port_647_blocked", "fix")
              if step_id == "enable-failover-rules"]
    assert len(enable) == 2  # both servers
    for command in enable:
        guard = command.index("Where-Object -FilterScript { $_.PolicyStoreSourceType -eq 'GroupPolicy' }")
        stop = command.index("throw ('Group Policy sets these rules (")
        assert guard < stop < command.index("Enable-NetFirewallRule -Name $names")


# --- expert-trial fixes -------------------------------------------------------------------------

PARTNER_ANSWERS = ("$partnerView = Get-DhcpServerv4Failover -ComputerName 'dhcp-b.contoso.com' -Name 'dhcp-a-dhcp-b' "
                   "-ErrorAction SilentlyContinue\nif ($null -ne $partnerView) { throw ('Stopped, nothing changed: "
                   "the DHCP service of ' + 'dhcp-b.contoso.com' + ' answers")


@pytest.mark.parametrize("cause", ["pool_exhaustion", "partner_unreachable"])
def test_partner_down_stops_when_the_partner_answers(shipped, cause):
    step = next(s for s in _commands(shipped, cause, "fix") if s[0] == "partner-down")
    command = step[2]
    assert command.startswith(PARTNER_ANSWERS)
    assert "PartnerDown now risks both servers handing out the same addresses after MCLT" in command
    # the check and the prompt both come before the state change
    assert command.index("$null -ne $partnerView") < command.index("Read-Host") < command.index("-PartnerDown -Force")
    assert "if ($answer -ne 'PARTNERDOWN') { throw" in command


def test_config_drift_asks_before_overwriting_the_partner(shipped):
    command = _commands(shipped, "config_drift", "fix")[-1][2]
    assert command.startswith("$answer = Read-Host -Prompt ('Replicate from ' + 'dhcp-a.contoso.com' + ': the scope "
                              "settings, options, reservations and policies of every scope of ' + 'dhcp-a-dhcp-b' + "
                              "' on ' + 'dhcp-b.contoso.com' + ' will be overwritten")
    assert command.index("if ($answer -ne 'YES') { throw") < command.index("Invoke-DhcpServerv4FailoverReplication")


def test_partner_service_stopped_shows_why_before_starting_after_confirmation(shipped):
    fix = _commands(shipped, "partner_service_stopped", "fix")
    ids = [step_id for step_id, *_ in fix]
    assert ids == ["why-stopped"] * 2 + ["start-dhcp"] * 2  # on: fault, both hosts without a finding
    start = next(command for step_id, _, command, _ in fix if step_id == "start-dhcp")
    assert start.startswith("$answer = Read-Host -Prompt ('The DHCP Server service on ' + 'dhcp-a.contoso.com' + "
                            "' may have been stopped on purpose")
    assert start.index("throw") < start.index("Start-Service")


def test_partner_state_drift_exports_both_servers_leases_before_the_restart(shipped):
    fix = _commands(shipped, "partner_state_drift", "fix")
    ids = [(step_id, target) for step_id, target, *_ in fix]
    assert ids.index(("backup-dhcp", "dhcp-a.contoso.com")) < ids.index(("restart-dhcp", "dhcp-a.contoso.com"))
    assert ("backup-dhcp", "dhcp-b.contoso.com") in ids
    backups = [command for step_id, _, command, _ in fix if step_id == "backup-dhcp"]
    assert backups[1].endswith("Export-DhcpServer -ComputerName 'dhcp-b.contoso.com' -File "
                               "'C:\\ProgramData\\failover-doctor\\backup\\dhcp-b.contoso.com-partner_state_drift.xml' -Leases")


def _db(shipped, rules):
    rendered = render(shipped["database_problem"], {**VARIABLES, "rules": rules})
    return [(step.id, step.target, step.command, step.destructive) for step in rendered.fix]


def test_database_scope_lost_re_adds_the_scope_from_the_partner_without_a_restore(shipped):
    fix = _db(shipped, ["database-scope-lost-event", "database-scope-missing"])
    assert [(step_id, target) for step_id, target, *_ in fix] == [
        ("backup-dhcp", "dhcp-a.contoso.com"), ("backup-dhcp", "dhcp-b.contoso.com"),
        ("show-scopes", "dhcp-a.contoso.com"), ("show-scopes", "dhcp-b.contoso.com"),
        ("re-add-scopes", "dhcp-a.contoso.com")]
    command = fix[-1][2]
    assert fix[-1][3] is True
    assert "Restore-DhcpServer" not in "".join(c for _, _, c, _ in fix)
    assert command.startswith("$partnerScopes = @((Get-DhcpServerv4Failover -ComputerName 'dhcp-b.contoso.com' "
                              "-Name 'dhcp-a-dhcp-b').ScopeId")
    assert ("Add-DhcpServerv4Scope -ComputerName 'dhcp-a.contoso.com' -StartRange $source.StartRange -EndRange "
            "$source.EndRange -SubnetMask $source.SubnetMask -Name $source.Name -State $source.State "
            "-LeaseDuration $source.LeaseDuration") in command
    assert command.index("if ($answer -ne 'YES') { throw") < command.index("Add-DhcpServerv4Scope")
    assert "Invoke-DhcpServerv4FailoverReplication -ComputerName 'dhcp-b.contoso.com' -ScopeId $missing -Force" in command


def test_database_that_does_not_open_still_restores_the_automatic_backup(shipped):
    fix = _db(shipped, ["database-init-failed"])
    assert [step_id for step_id, *_ in fix] == ["service-running", "backup-dhcp", "backup-dhcp", "show-database",
                                                 "restore-database", "restart-dhcp"]


def test_port_647_network_path_first_step_only_for_the_network_rule(shipped):
    def fix(rules):
        rendered = render(shipped["port_647_blocked"], {**{k: v for k, v in VARIABLES.items() if k != "rel"},
                                                        "rules": rules})
        return rendered.fix
    network = fix(["port-647-blocked-network", "port-647-blocked"])
    assert network[0].id == "network-path"
    assert network[0].command.startswith("Write-Output ('The DHCP failover firewall rules of ' + 'dhcp-a.contoso.com' + "
                                         "' and ' + 'dhcp-b.contoso.com' + ' already allow TCP 647: it is blocked on "
                                         "the network path")
    assert [s.id for s in fix(["port-647-blocked"])][0] == "check-group-policy"
