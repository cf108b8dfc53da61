"""Runbooks: loading and validation, sandboxed rendering, the shipped runbooks, script export."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.errors import RunbookError
from engine.pscheck import check_powershell
from engine.runbooks import (RenderedStep, backup_file, load_runbook, load_runbooks, render,
                             to_script)

RUNBOOKS = Path(__file__).resolve().parent.parent / "runbooks"
CAUSES = {"port_647_blocked", "clock_skew", "partner_state_drift", "relationship_corrupt",
          "shared_secret_mismatch", "partner_service_stopped", "partner_unreachable",
          "intermittent_path", "pool_exhaustion", "time_service_unhealthy",
          "partner_ip_changed", "partner_name_resolution", "config_drift", "database_problem",
          "binding_update_backlog", "server_not_authorized", "cluster_node_naming"}

HOT_STANDBY = {"mode": "HotStandby", "mclt_s": 3600, "lb_percent": None, "reserve_percent": 5,
               "role": "Active", "auto_transition": True, "switch_interval_s": 7200,
               "scopes": ["10.10.0.0", "10.20.0.0"], "partner_address": "10.0.0.2",
               "server_type": "PrimaryServer"}
LOAD_BALANCE = {"mode": "LoadBalance", "mclt_s": 3600, "lb_percent": 50, "reserve_percent": None,
                "role": None, "auto_transition": False, "switch_interval_s": None,
                "scopes": ["10.10.0.0"], "partner_address": "dhcp-b.contoso.com",
                "server_type": "PrimaryServer"}
HOSTILE = "x'; Remove-Item C:\\ -Recurse; '\u2019\u2018\u201a\u201b\"$(Stop-Computer)\n# `n"
HOSTILE_REL = {**HOT_STANDBY, "role": HOSTILE, "scopes": [HOSTILE, "10.20.0.0"],
               "partner_address": HOSTILE}


def _variables(rel: dict, server: str = "dhcp-a.contoso.com",
               partner: str = "dhcp-b.contoso.com", relationship: str = "dhcp-a-dhcp-b") -> dict:
    return {"server": server, "partner": partner, "relationship": relationship, "rel": rel,
            "skew_s": 95, "offset_s": -95.25, "partner_ip": "10.0.0.2", "rules": []}


VARIABLE_SETS = {
    "hot-standby": _variables(HOT_STANDBY),
    "load-balance": _variables(LOAD_BALANCE),
    "hostile": _variables(HOSTILE_REL, server="dhcp-a" + HOSTILE, partner="O'Brien" + HOSTILE,
                          relationship=HOSTILE),
}


@pytest.fixture(scope="module")
def shipped():
    return load_runbooks(RUNBOOKS)


# --------------------------------------------------------------------------- shipped runbooks

def test_every_shipped_runbook_loads(shipped):
    assert set(shipped) == CAUSES


@pytest.mark.parametrize("cause", sorted(CAUSES))
@pytest.mark.parametrize("variable_set", sorted(VARIABLE_SETS))
def test_every_rendered_command_passes_the_checker(shipped, cause, variable_set):
    rendered = render(shipped[cause], VARIABLE_SETS[variable_set])
    steps = rendered.fix + rendered.verify + rendered.rollback
    assert steps
    for step in steps:
        assert check_powershell(step.command) == [], f"{step.id} on {step.target}"


@pytest.mark.parametrize("cause", sorted(CAUSES))
@pytest.mark.parametrize("variable_set", sorted(VARIABLE_SETS))
def test_exported_script_passes_the_checker(shipped, cause, variable_set):
    script = to_script(render(shipped[cause], VARIABLE_SETS[variable_set]))
    assert check_powershell(script) == []
    assert "[CmdletBinding(SupportsShouldProcess)]" in script


def test_hostile_values_stay_inside_string_literals(shipped):
    rendered = render(shipped["relationship_corrupt"], VARIABLE_SETS["hostile"])
    for step in rendered.fix + rendered.verify + rendered.rollback:
        # The only Remove-Item / Stop-Computer text is inside quoted literals, so the checker
        # (which knows neither cmdlet) sees no command by those names.
        assert check_powershell(step.command) == []
    add = next(step for step in rendered.fix if step.id == "recreate-relationship")
    assert "-ServerRole 'x''; Remove-Item C:\\ -Recurse; ''\u2019\u2019\u2018\u2018" in add.command


def test_no_rendered_step_contains_a_secret(shipped):
    for runbook in shipped.values():
        rendered = render(runbook, VARIABLE_SETS["hot-standby"])
        for step in rendered.fix + rendered.verify + rendered.rollback:
            assert "-SharedSecret '" not in step.command
            if "-SharedSecret" in step.command:
                assert ("-SharedSecret $secret" in step.command
                        or "-SharedSecret $null" in step.command)


def test_secret_is_read_at_run_time(shipped):
    for cause in ("relationship_corrupt", "shared_secret_mismatch", "partner_ip_changed", "cluster_node_naming"):
        rendered = render(shipped[cause], VARIABLE_SETS["load-balance"])
        commands = "\n".join(step.command for step in rendered.fix)
        assert "Read-Host -Prompt" in commands and "-AsSecureString" in commands
        assert "-SharedSecret $secret" in commands


def test_relationship_is_recreated_with_the_mode_specific_settings(shipped):
    hot = render(shipped["relationship_corrupt"], VARIABLE_SETS["hot-standby"])
    balanced = render(shipped["relationship_corrupt"], VARIABLE_SETS["load-balance"])
    hot_add = next(step.command for step in hot.fix if step.id == "recreate-relationship")
    balanced_add = next(step.command for step in balanced.fix
                        if step.id == "recreate-relationship")
    assert hot_add.splitlines()[-1] == (
        "Add-DhcpServerv4Failover -ComputerName 'dhcp-a.contoso.com' -Name 'dhcp-a-dhcp-b' "
        "-PartnerServer '10.0.0.2' -ScopeId '10.10.0.0','10.20.0.0' -MaxClientLeadTime "
        "(New-TimeSpan -Seconds 3600) -ServerRole 'Active' -ReservePercent 5 "
        "-AutoStateTransition $true -StateSwitchInterval (New-TimeSpan -Seconds 7200) "
        "-SharedSecret $secret -Force")
    assert balanced_add.splitlines()[-1] == (
        "Add-DhcpServerv4Failover -ComputerName 'dhcp-a.contoso.com' -Name 'dhcp-a-dhcp-b' "
        "-PartnerServer 'dhcp-b.contoso.com' -ScopeId '10.10.0.0' -MaxClientLeadTime "
        "(New-TimeSpan -Seconds 3600) -LoadBalancePercent 50 -SharedSecret $secret -Force")


def test_destructive_shipped_steps_come_after_a_backup(shipped):
    for runbook in shipped.values():
        backed_up: set[str] = set()
        for step in render(runbook, VARIABLE_SETS["load-balance"]).fix:
            if step.destructive:
                assert step.target in backed_up, f"{runbook.cause}: {step.id}"
            if step.backup:
                assert "Export-DhcpServer" in step.command and "-Leases" in step.command
                backed_up.add(step.target)


A = "dhcp-a.contoso.com"
B = "dhcp-b.contoso.com"
RULES = "'Microsoft-Windows-DHCP-Failover-TCP-In', 'Microsoft-Windows-DHCP-Failover-TCP-Out'"


def _record_rules(host: str) -> str:
    capture = f"'C:\\ProgramData\\failover-doctor\\backup\\{host}-port_647_blocked.xml'"
    return "\n".join([
        f"if (Test-Path -Path {capture}) {{ throw ('A capture from an earlier run exists: ' + "
        f"{capture} + '. Rollback restores from it; move it away (or run the rollback first), "
        "then run the fix again.') }",
        "New-Item -ItemType Directory -Path 'C:\\ProgramData\\failover-doctor\\backup' -Force "
        "| Out-Null",
        f"$rules = Invoke-Command -ComputerName '{host}' -ScriptBlock {{ Get-NetFirewallRule "
        f"-Name {RULES} | Select-Object -Property 'Name', @{{ Name = 'Enabled'; Expression = "
        "{ \"$($_.Enabled)\" } }, @{ Name = 'Action'; Expression = { \"$($_.Action)\" } } }",
        f"$rules | Export-Clixml -Path {capture}",
        "$rules | Format-Table -Property 'Name', 'Enabled', 'Action' -AutoSize",
    ])


def _restore_rules(host: str) -> str:
    capture = f"'C:\\ProgramData\\failover-doctor\\backup\\{host}-port_647_blocked.xml'"
    return "\n".join([
        f"$before = Import-Clixml -Path {capture}",
        "$disabled = @($before | Where-Object -FilterScript { $_.Enabled -eq 'False' } | "
        "ForEach-Object -MemberName 'Name')",
        "if ($disabled.Count -gt 0) {",
        f"    Invoke-Command -ComputerName '{host}' -ScriptBlock {{ param($names) "
        "Disable-NetFirewallRule -Name $names } -ArgumentList (,$disabled)",
        "    Write-Host ('Disabled again: ' + ($disabled -join ', '))",
        "} else {",
        "    Write-Host 'Both rules were enabled before the fix; nothing to undo.'",
        "}",
    ])


def test_port_647_blocked_renders_exactly(shipped):
    rendered = render(shipped["port_647_blocked"], VARIABLE_SETS["load-balance"])
    as_tuples = {phase: [(s.id, s.target, s.command) for s in getattr(rendered, phase)]
                 for phase in ("fix", "verify", "rollback")}
    enable = ("Invoke-Command -ComputerName '{}' -ScriptBlock {{\n"
              "    $names = " + RULES + "\n"
              "    $fromPolicy = @(Get-NetFirewallRule -Name $names -PolicyStore ActiveStore | Where-Object "
              "-FilterScript {{ $_.PolicyStoreSourceType -eq 'GroupPolicy' }})\n"
              "    if ($fromPolicy.Count -gt 0) {{\n"
              "        throw ('Group Policy sets these rules (' + (($fromPolicy | ForEach-Object -MemberName "
              "PolicyStoreSource | Sort-Object -Unique) -join ', ') + '): a local change would not last; fix "
              "that GPO instead')\n"
              "    }}\n"
              "    Enable-NetFirewallRule -Name $names\n"
              "}}")
    effective = ("Invoke-Command -ComputerName '{}' -ScriptBlock {{ Get-NetFirewallRule -Name "
                 + RULES + " -PolicyStore ActiveStore | Select-Object -Property 'Name', "
                 "'Enabled', 'Action', 'PolicyStoreSourceType' }}")
    tnc = ("Invoke-Command -ComputerName '{}' -ScriptBlock {{ Test-NetConnection -ComputerName "
           "'{}' -Port 647 }}")
    state = ("Get-DhcpServerv4Failover -ComputerName '{}' -Name 'dhcp-a-dhcp-b' | Select-Object "
             "-Property 'Name', 'PartnerServer', 'State'")
    gpo = ("Invoke-Command -ComputerName '{}' -ScriptBlock {{\n"
           "    $names = " + RULES + "\n"
           "    $fromPolicy = @(Get-NetFirewallRule -Name $names -PolicyStore ActiveStore | Where-Object "
           "-FilterScript {{ $_.PolicyStoreSourceType -eq 'GroupPolicy' }})\n"
           "    if ($fromPolicy.Count -gt 0) {{\n"
           "        throw ('Group Policy sets these rules on ' + $env:COMPUTERNAME + ' (' + (($fromPolicy | "
           "ForEach-Object -MemberName PolicyStoreSource | Sort-Object -Unique) -join ', ') + '): nothing was "
           "changed; fix that GPO, then run gpupdate /force on both servers')\n"
           "    }}\n"
           "}}")
    assert as_tuples["fix"] == [
        ("check-group-policy", A, gpo.format(A)),   # before anything is recorded or changed
        ("check-group-policy", B, gpo.format(B)),
        ("record-firewall-rules", A, _record_rules(A)),
        ("record-firewall-rules", B, _record_rules(B)),
        ("enable-failover-rules", A, enable.format(A)),
        ("enable-failover-rules", B, enable.format(B)),
    ]
    assert as_tuples["verify"] == [
        ("effective-rules", A, effective.format(A)),
        ("effective-rules", B, effective.format(B)),
        ("tcp-647", A, tnc.format(A, B)),
        ("tcp-647", B, tnc.format(B, A)),
        ("failover-state", A, state.format(A)),
        ("failover-state", B, state.format(B)),
    ]
    assert as_tuples["rollback"] == [
        ("restore-firewall-rules", A, _restore_rules(A)),
        ("restore-firewall-rules", B, _restore_rules(B)),
    ]
    assert all(not step.destructive for step in rendered.fix)
    assert rendered.verify[2].expect == "TcpTestSucceeded True, from each server to the other."


# --------------------------------------------------------------------------- validation

def _runbook(**overrides) -> dict:
    data = {
        "cause": "sample_cause",
        "title": "A sample cause",
        "summary": "What is wrong and what the steps do.",
        "requires": ["server", "partner", "relationship"],
        "fix": [{"id": "show", "title": "Show the state", "on": "both",
                 "run": "Get-DhcpServerv4Failover -ComputerName {{ target | ps }} -Name "
                        "{{ relationship | ps }}"}],
        "verify": [{"id": "check", "title": "Check the state", "on": "server",
                    "run": "Get-DhcpServerv4Failover -ComputerName {{ target | ps }}",
                    "expect": "State Normal"}],
        "rollback": [],
    }
    data.update(overrides)
    return data


def _write(tmp_path: Path, data: dict, name: str = "sample_cause") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _load(tmp_path: Path, **overrides):
    return load_runbook(_write(tmp_path, _runbook(**overrides)))


BACKUP = {"id": "backup", "title": "Back up", "on": "both", "backup": True,
          "run": "Export-DhcpServer -ComputerName {{ target | ps }} -File "
                 "{{ backup_file | ps }} -Leases"}
REMOVE = {"id": "remove", "title": "Remove", "on": "server", "destructive": True,
          "run": "Remove-DhcpServerv4Failover -ComputerName {{ target | ps }} -Name "
                 "{{ relationship | ps }} -Force"}
RESTORE = {"id": "restore", "title": "Restore", "on": "server", "destructive": True,
           "run": "Import-DhcpServer -ComputerName {{ target | ps }} -File {{ backup_file | ps }} "
                  "-BackupPath 'C:\\db' -Leases -ScopeOverwrite -Force"}


def test_valid_runbook_loads(tmp_path):
    runbook = _load(tmp_path)
    assert runbook.cause == "sample_cause"
    assert runbook.requires == ("server", "partner", "relationship")
    assert [step.id for step in runbook.fix] == ["show"]
    assert runbook.fix[0].on == "both" and runbook.fix[0].destructive is False


def test_bare_on_key_is_read_as_on(tmp_path):
    # PyYAML (YAML 1.1) turns a bare `on:` key into True; the loader gives it its name back.
    path = tmp_path / "sample_cause.yaml"
    text = yaml.safe_dump(_runbook(), sort_keys=False).replace("'on':", "on:")
    assert "\n  on: both" in text
    path.write_text(text, encoding="utf-8")
    assert load_runbook(path).fix[0].on == "both"


def test_bare_output_expression_is_rejected(tmp_path):
    step = {"id": "bare", "title": "Bare", "on": "server",
            "run": "Get-DhcpServerv4Failover -ComputerName {{ target }}"}
    with pytest.raises(RunbookError) as info:
        _load(tmp_path, fix=[step])
    assert "{{ target }}" in str(info.value)
    assert info.value.item == "bare" and info.value.field == "run"


def test_other_outermost_filter_is_rejected(tmp_path):
    step = {"id": "upper", "title": "Upper", "on": "server",
            "run": "Get-DhcpServerv4Failover -ComputerName {{ target | upper }}"}
    with pytest.raises(RunbookError, match=r"\{\{ target \| upper \}\}"):
        _load(tmp_path, fix=[step])


def test_quoting_filter_last_and_blocks_are_accepted(tmp_path):
    step = {"id": "ok", "title": "Ok", "on": "server",
            "run": "{% if relationship %}Get-DhcpServerv4Failover -ComputerName "
                   "{{ target | upper | ps }} -Name {{ relationship | ps }}{% endif %}"}
    runbook = _load(tmp_path, fix=[step])
    rendered = render(runbook, {"server": "a", "partner": "b", "relationship": "r"})
    assert rendered.fix[0].command == "Get-DhcpServerv4Failover -ComputerName 'A' -Name 'r'"


@pytest.mark.parametrize("tag", ["{% include 'x' %}", "{% filter upper %}x{% endfilter %}"])
def test_include_and_filter_blocks_are_rejected(tmp_path, tag):
    step = {"id": "tag", "title": "Tag", "on": "server", "run": tag}
    with pytest.raises(RunbookError, match="is not allowed in run"):
        _load(tmp_path, fix=[step])


def test_template_syntax_error_is_reported(tmp_path):
    step = {"id": "broken", "title": "Broken", "on": "server", "run": "{% if x %}open"}
    with pytest.raises(RunbookError, match="template error"):
        _load(tmp_path, fix=[step])


def test_destructive_step_without_backup_is_rejected(tmp_path):
    with pytest.raises(RunbookError) as info:
        _load(tmp_path, fix=[REMOVE], rollback=[RESTORE])
    assert "not preceded by a backup step" in info.value.message
    assert info.value.item == "remove" and info.value.field == "destructive"


def test_backup_on_the_wrong_host_does_not_count(tmp_path):
    backup_server = {**BACKUP, "on": "server"}
    remove_both = {**REMOVE, "on": "both"}
    with pytest.raises(RunbookError, match="backup step .* on partner"):
        _load(tmp_path, fix=[backup_server, remove_both], rollback=[RESTORE])


def test_backup_after_the_destructive_step_does_not_count(tmp_path):
    with pytest.raises(RunbookError, match="not preceded by a backup step"):
        _load(tmp_path, fix=[REMOVE, BACKUP], rollback=[RESTORE])


def test_destructive_step_after_backup_is_accepted(tmp_path):
    runbook = _load(tmp_path, fix=[BACKUP, REMOVE], rollback=[RESTORE])
    assert [step.id for step in runbook.fix] == ["backup", "remove"]


def test_backup_step_must_export_with_leases(tmp_path):
    fake = {**BACKUP, "run": "Export-DhcpServer -ComputerName {{ target | ps }} -File "
                             "{{ backup_file | ps }}"}
    with pytest.raises(RunbookError, match="Export-DhcpServer ... -Leases"):
        _load(tmp_path, fix=[fake])


def test_destructive_runbook_needs_a_rollback(tmp_path):
    with pytest.raises(RunbookError) as info:
        _load(tmp_path, fix=[BACKUP, REMOVE], rollback=[])
    assert info.value.field == "rollback"
    assert "no rollback steps" in info.value.message


def test_unknown_step_key_suggests_the_right_one(tmp_path):
    step = {**REMOVE, "destructiv": True}
    del step["destructive"]
    with pytest.raises(RunbookError) as info:
        _load(tmp_path, fix=[BACKUP, step], rollback=[RESTORE])
    assert info.value.field == "destructiv"
    assert "did you mean 'destructive'" in str(info.value)
    assert info.value.path.startswith(str(tmp_path / "sample_cause.yaml") + ":")


def test_unknown_top_level_key(tmp_path):
    with pytest.raises(RunbookError, match="unknown key 'sumary'"):
        _load(tmp_path, sumary="typo")


def test_missing_step_key(tmp_path):
    step = {"id": "norun", "title": "No run", "on": "server"}
    with pytest.raises(RunbookError) as info:
        _load(tmp_path, fix=[step])
    assert info.value.field == "run" and "missing key" in info.value.message


def test_bad_on_value(tmp_path):
    step = {"id": "where", "title": "Where", "on": "everywhere", "run": "Get-DhcpServerSetting"}
    with pytest.raises(RunbookError) as info:
        _load(tmp_path, fix=[step])
    assert info.value.field == "on" and info.value.item == "where"
    assert "server, partner, both" in info.value.message


def test_duplicate_step_ids(tmp_path):
    verify = [{"id": "show", "title": "Show", "on": "server", "run": "Get-DhcpServerSetting",
               "expect": "x"}]
    with pytest.raises(RunbookError) as info:
        _load(tmp_path, verify=verify)
    assert info.value.item == "show" and info.value.field == "id"


def test_verify_step_needs_expect(tmp_path):
    verify = [{"id": "check", "title": "Check", "on": "server", "run": "Get-DhcpServerSetting"}]
    with pytest.raises(RunbookError, match="needs 'expect'"):
        _load(tmp_path, verify=verify)


def test_verify_step_cannot_be_destructive(tmp_path):
    verify = [{"id": "check", "title": "Check", "on": "server", "run": "Get-DhcpServerSetting",
               "expect": "x", "destructive": True}]
    with pytest.raises(RunbookError, match="read-only"):
        _load(tmp_path, verify=verify)


def test_cause_must_match_file_name(tmp_path):
    path = _write(tmp_path, _runbook(), name="other_name")
    with pytest.raises(RunbookError, match="must match the file name"):
        load_runbook(path)


def test_template_variable_missing_from_requires(tmp_path):
    step = {"id": "skew", "title": "Skew", "on": "server",
            "run": "Write-Host {{ skew_s | ps }}"}
    with pytest.raises(RunbookError, match="uses skew_s, which 'requires' does not list"):
        _load(tmp_path, fix=[step])


def test_unused_requirement_is_rejected(tmp_path):
    with pytest.raises(RunbookError, match="lists offset_s, which no step uses"):
        _load(tmp_path, requires=["server", "partner", "relationship", "offset_s"])


def test_requires_must_name_both_hosts(tmp_path):
    with pytest.raises(RunbookError, match="must include partner"):
        _load(tmp_path, requires=["server", "relationship"])


def test_renderer_variables_cannot_be_required(tmp_path):
    with pytest.raises(RunbookError, match="set by the renderer"):
        _load(tmp_path, requires=["server", "partner", "relationship", "target"])


def test_invalid_yaml_names_the_file(tmp_path):
    path = tmp_path / "sample_cause.yaml"
    path.write_text("cause: [unclosed\n", encoding="utf-8")
    with pytest.raises(RunbookError, match="is not valid YAML"):
        load_runbook(path)


def test_load_runbooks_refuses_yml_files(tmp_path):
    _write(tmp_path, _runbook())
    (tmp_path / "other.yml").write_text("cause: other\n", encoding="utf-8")
    with pytest.raises(RunbookError, match="must end in .yaml"):
        load_runbooks(tmp_path)


def test_load_runbooks_keys_by_cause(tmp_path):
    _write(tmp_path, _runbook())
    assert list(load_runbooks(tmp_path)) == ["sample_cause"]


def test_load_runbooks_needs_a_directory(tmp_path):
    with pytest.raises(RunbookError, match="is not a directory"):
        load_runbooks(tmp_path / "missing")


# --------------------------------------------------------------------------- rendering

def test_missing_variable_is_named(tmp_path):
    runbook = _load(tmp_path)
    with pytest.raises(RunbookError) as info:
        render(runbook, {"server": "a", "partner": "b"})
    assert "relationship" in info.value.message
    assert "sample_cause" in info.value.message


def test_strict_undefined_names_the_missing_value(tmp_path):
    step = {"id": "mclt", "title": "MCLT", "on": "server",
            "run": "New-TimeSpan -Seconds {{ rel.mclt_s | ps }}"}
    runbook = _load(tmp_path, fix=[step], requires=["server", "partner", "relationship", "rel"],
                    verify=[{"id": "check", "title": "Check", "on": "server", "expect": "x",
                             "run": "Get-DhcpServerv4Failover -Name {{ relationship | ps }}"}])
    with pytest.raises(RunbookError) as info:
        render(runbook, {"server": "a", "partner": "b", "relationship": "r", "rel": {}})
    assert "mclt_s" in info.value.message
    assert info.value.item == "mclt" and info.value.field == "run"


def test_none_value_is_a_render_error(tmp_path):
    runbook = _load(tmp_path)
    with pytest.raises(RunbookError, match="cannot quote None") as info:
        render(runbook, {"server": "a", "partner": "b", "relationship": None})
    assert info.value.item == "show"


def test_both_renders_server_then_partner_with_target_peer_and_backup_file(tmp_path):
    step = {"id": "who", "title": "Who", "on": "both",
            "run": "Write-Host {{ target | ps }} {{ peer | ps }} {{ backup_file | ps }}"}
    runbook = _load(tmp_path, fix=[step], requires=["server", "partner"],
                    verify=[{"id": "check", "title": "Check", "on": "partner", "expect": "x",
                             "run": "Write-Host {{ target | ps }}"}])
    rendered = render(runbook, {"server": "dhcp-a", "partner": "dhcp-b"})
    assert rendered.fix == [
        RenderedStep(id="who", title="Who", target="dhcp-a",
                     command="Write-Host 'dhcp-a' 'dhcp-b' "
                             "'C:\\ProgramData\\failover-doctor\\backup\\dhcp-a-sample_cause.xml'",
                     destructive=False, expect=None, backup=False),
        RenderedStep(id="who", title="Who", target="dhcp-b",
                     command="Write-Host 'dhcp-b' 'dhcp-a' "
                             "'C:\\ProgramData\\failover-doctor\\backup\\dhcp-b-sample_cause.xml'",
                     destructive=False, expect=None, backup=False),
    ]
    assert [step.target for step in rendered.verify] == ["dhcp-b"]


def test_backup_file_name_is_reduced_to_safe_characters():
    # No path separator survives, so a host name cannot move the file out of the folder.
    assert backup_file("..\\evil'host/x", "clock_skew") == (
        "C:\\ProgramData\\failover-doctor\\backup\\.._evil_host_x-clock_skew.xml")


def test_renderer_variables_cannot_be_passed(tmp_path):
    runbook = _load(tmp_path)
    with pytest.raises(RunbookError, match="set by the renderer"):
        render(runbook, {"server": "a", "partner": "b", "relationship": "r", "target": "c"})


def test_hosts_must_be_names(tmp_path):
    runbook = _load(tmp_path)
    with pytest.raises(RunbookError, match="must be a host name"):
        render(runbook, {"server": "a", "partner": "", "relationship": "r"})


@pytest.mark.parametrize("run", [
    "# note: {{ relationship | ps }}\nGet-DhcpServerSetting",
    'Write-Host "relationship {{ relationship | ps }}"',
])
def test_quoted_value_in_a_comment_or_double_quotes_is_rejected(tmp_path, run):
    step = {"id": "leak", "title": "Leak", "on": "server", "run": run}
    runbook = _load(tmp_path, fix=[step])
    with pytest.raises(RunbookError, match="not a standalone PowerShell string") as info:
        render(runbook, {"server": "a", "partner": "b", "relationship": "r\nRemove-Item C:\\"})
    assert info.value.item == "leak"


# --------------------------------------------------------------------------- script export

def test_script_structure(shipped):
    rendered = render(shipped["relationship_corrupt"], VARIABLE_SETS["hot-standby"])
    script = to_script(rendered)
    assert check_powershell(script) == []
    assert script.count("$PSCmdlet.ShouldProcess(") == (
        len(rendered.fix) + len(rendered.verify) + len(rendered.rollback))
    assert "$ErrorActionPreference = 'Stop'" in script
    assert "function Invoke-Rollback {" in script
    # Invoke-Rollback is defined once and called only behind -Rollback.
    assert script.count("function Invoke-Rollback {") == 1
    assert script.count("\n    Invoke-Rollback\n") == 1
    assert "if ($Rollback) {\n    Invoke-Rollback\n    return\n}" in script
    fix_at = script.index("Write-Host '== fix'")
    verify_at = script.index("Write-Host '== verify'")
    rollback_at = script.index("Write-Host '== rollback'")
    assert rollback_at < fix_at < verify_at
    assert "DESTRUCTIVE fix" in script


def test_script_neutralises_comment_terminator_in_summary(tmp_path):
    runbook = _load(tmp_path, summary="Text with #> in it\nand Remove-Item C:\\ after")
    script = to_script(render(runbook, {"server": "a", "partner": "b", "relationship": "r"}))
    assert "#> in it" not in script
    assert check_powershell(script) == []


def test_script_without_rollback_steps(tmp_path):
    runbook = _load(tmp_path)
    script = to_script(render(runbook, {"server": "a", "partner": "b", "relationship": "r"}))
    assert "This runbook has no rollback steps." in script
    assert check_powershell(script) == []


# --------------------------------------------------------------------------- where errors point

def _line_of(path: Path, text: str, after: str = "") -> int:
    """The 1-based line of the first line holding `text` (after the first holding `after`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


def _error(path: Path) -> RunbookError:
    with pytest.raises(RunbookError) as info:
        load_runbook(path)
    return info.value


class _LiteralDumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks (`run: |`), as runbook authors do."""


_LiteralDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def _write_literal(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "sample_cause.yaml"
    path.write_text(yaml.dump(data, Dumper=_LiteralDumper, sort_keys=False), encoding="utf-8")
    return path


def test_a_misspelt_filter_names_its_line_and_suggests_the_filter(tmp_path):
    step = {"id": "typo", "title": "Typo", "on": "server",
            "run": "Write-Host 'x'\nGet-DhcpServerv4Failover -Name {{ relationship | psq }}\n"}
    path = _write_literal(tmp_path, _runbook(fix=[step]))
    error = _error(path)
    assert str(error) == (f"{path}:{_line_of(path, 'psq')}: typo: run: no filter named 'psq' "
                          "(did you mean 'ps'?)")


def test_destructive_step_without_backup_names_its_line(tmp_path):
    path = _write(tmp_path, _runbook(fix=[REMOVE], rollback=[RESTORE]))
    assert _error(path).path == f"{path}:{_line_of(path, 'destructive: true')}"


def test_missing_rollback_names_its_line(tmp_path):
    path = _write(tmp_path, _runbook(fix=[BACKUP, REMOVE], rollback=[]))
    assert _error(path).path == f"{path}:{_line_of(path, 'rollback: []')}"


def test_a_quoted_multi_line_run_is_named_by_its_key_line(tmp_path):
    step = {"id": "typo", "title": "Typo", "on": "server",
            "run": "Write-Host 'x'\nGet-DhcpServerv4Failover -Name {{ relationship | psq }}\n"}
    path = _write(tmp_path, _runbook(fix=[step]))  # safe_dump quotes it: its lines are not the file's
    assert _error(path).path == f"{path}:{_line_of(path, 'run:', after='id: typo')}"


def test_a_variable_requires_does_not_list_names_its_line_and_suggests_one(tmp_path):
    step = {"id": "rel", "title": "Rel", "on": "server",
            "run": "Write-Host 'a'\nWrite-Host {{ relation | ps }}\n"}
    path = _write_literal(tmp_path, _runbook(fix=[step]))
    assert str(_error(path)) == (f"{path}:{_line_of(path, 'relation |')}: rel: run: uses relation, which "
                                 "'requires' does not list (did you mean 'relationship'?)")


@pytest.mark.parametrize("fault_roles, targets", [
    (("partner",), ["dhcp-b.contoso.com"]),
    (("server", "partner"), ["dhcp-a.contoso.com", "dhcp-b.contoso.com"]),
    (None, ["dhcp-a.contoso.com", "dhcp-b.contoso.com"]),   # no finding (explain, lint): both
])
def test_a_step_on_fault_runs_where_the_finding_says_the_fault_is(tmp_path, fault_roles, targets):
    runbook = _load(tmp_path, requires=["server", "partner"], fix=[{"id": "start", "title": "Start the service", "on": "fault",
                                    "run": "Invoke-Command -ComputerName {{ target | ps }} -ScriptBlock { "
                                           "Start-Service -Name 'DHCPServer' }"}])
    variables = {"server": "dhcp-a.contoso.com", "partner": "dhcp-b.contoso.com"}
    if fault_roles is not None:
        variables["fault_roles"] = fault_roles
    rendered = render(runbook, variables)
    assert [step.target for step in rendered.fix] == targets
    assert rendered.fix[0].command == (f"Invoke-Command -ComputerName '{targets[0]}' -ScriptBlock {{ "
                                       "Start-Service -Name 'DHCPServer' }")


@pytest.mark.parametrize("cause", ["relationship_corrupt", "partner_ip_changed", "cluster_node_naming"])
def test_what_the_recreate_step_needs_is_typed_before_anything_is_deleted(shipped, cause):
    """An empty secret at the last step used to leave the pair with no relationship and the
    partner's scopes deleted: it is asked for before the first destructive step."""
    fix = render(shipped[cause], VARIABLE_SETS["load-balance"]).fix
    ask = next(n for n, step in enumerate(fix) if "-AsSecureString" in step.command)
    first_destructive = next(n for n, step in enumerate(fix) if step.destructive)
    assert ask < first_destructive
    assert "throw 'No shared secret was entered; nothing was changed.'" in fix[ask].command
    recreate = next(step for step in fix if step.id == "recreate-relationship")
    assert "if (-not $typed) { $typed = Read-Host" in recreate.command


def test_an_exported_script_asks_before_each_destructive_step_and_its_rollback_sets_captures_aside(shipped):
    rendered = render(shipped["relationship_corrupt"], VARIABLE_SETS["load-balance"])
    script = to_script(rendered)
    destructive = [step for phase in ("fix", "rollback") for step in getattr(rendered, phase) if step.destructive]
    assert destructive
    assert script.count("if (-not ($Force -or $PSCmdlet.ShouldContinue(") == len(destructive)
    assert "    [switch]$Force\n" in script
    backup = backup_file("dhcp-a.contoso.com", "relationship_corrupt")
    rollback = script[script.index("function Invoke-Rollback {"):script.index("if ($Rollback) {")]
    assert (f"Rename-Item -LiteralPath '{backup}' -NewName ('dhcp-a.contoso.com-relationship_corrupt.xml.rolled-back-' "
            "+ (Get-Date -Format 'yyyyMMddHHmmss'))") in rollback
    assert rollback.index("Rename-Item") > rollback.index("Import-DhcpServer")
    assert check_powershell(script) == []
