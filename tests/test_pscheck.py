"""The PowerShell checker: unknown commands, wrong parameters, syntax errors, script blocks."""
from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from engine.pscheck import Problem, check_powershell, indent, verbatim_strings


def test_nonexistent_failover_statistics_cmdlet_is_reported():
    assert check_powershell("Get-DhcpServerv4FailoverStatistics -ComputerName 'dhcp-a'") == [
        Problem(1, "unknown cmdlet 'Get-DhcpServerv4FailoverStatistics' (not in the catalog of "
                   "real cmdlets, engine/data/cmdlets.yaml, or a site cmdlets.yaml; did you mean "
                   "'Get-DhcpServerv4ScopeStatistics'?)"),
    ]


def test_unknown_parameter_names_the_cmdlet():
    source = "Set-DhcpServerv4Failover -ComputerName 'dhcp-a' -Name 'r' -Bogus 1"
    assert check_powershell(source) == [
        Problem(1, "Set-DhcpServerv4Failover: unknown parameter -Bogus"),
    ]


def test_valued_parameter_followed_by_another_parameter():
    source = "Add-DhcpServerv4Failover -Name 'r' -PartnerServer -ScopeId '10.0.0.0'"
    assert check_powershell(source) == [
        Problem(1, "Add-DhcpServerv4Failover: parameter -PartnerServer needs a value but is "
                   "followed by -ScopeId"),
    ]


def test_valued_parameter_at_the_end_of_the_command():
    assert check_powershell("Get-DhcpServerv4Failover -ComputerName 'a' -Name") == [
        Problem(1, "Get-DhcpServerv4Failover: parameter -Name needs a value but the command ends"),
    ]


def test_valued_parameter_before_a_pipe_has_no_value():
    assert check_powershell("Get-DhcpServerv4Failover -Name | Select-Object -First 1") == [
        Problem(1, "Get-DhcpServerv4Failover: parameter -Name needs a value but the command ends"),
    ]


def test_colon_form_counts_as_valued():
    assert check_powershell("Get-DhcpServerv4Failover -ComputerName:'a' -Name:$name") == []


def test_switch_may_take_a_colon_value():
    assert check_powershell("Remove-DhcpServerv4Failover -Name 'r' -Force:$true") == []


def test_switch_followed_by_a_value_is_reported():
    assert check_powershell("Export-DhcpServer -File 'f.xml' -Leases $true") == [
        Problem(1, "Export-DhcpServer: switch -Leases takes no value; write -Leases:$true or "
                   "-Leases:$false"),
    ]


def test_parameter_given_twice_is_reported():
    assert check_powershell("Get-DhcpServerv4Failover -Name 'a' -Name 'b'") == [
        Problem(1, "Get-DhcpServerv4Failover: parameter -Name is given more than once"),
    ]


def test_abbreviated_parameter_is_rejected():
    assert check_powershell("Get-DhcpServerv4Failover -Comp 'a'") == [
        Problem(1, "Get-DhcpServerv4Failover: unknown parameter -Comp (did you mean -ComputerName?); its "
                   "parameters: -ComputerName, -Name, -ScopeId, -CimSession, -ThrottleLimit, -AsJob"),
    ]


def test_a_misspelt_parameter_gets_the_nearest_and_a_short_list():
    assert check_powershell("Test-NetConnection -ComputerName 'b' -TcpPort 647") == [
        Problem(1, "Test-NetConnection: unknown parameter -TcpPort (did you mean -Port?); its parameters: "
                   "-ComputerName, -Port, -CommonTCPPort, -InformationLevel, -Hops, -ConstrainSourceAddress, "
                   "-ConstrainInterface, -TraceRoute, -DiagnoseRouting"),
    ]


def test_a_cmdlet_with_many_parameters_gets_no_list():
    [problem] = check_powershell("Set-DhcpServerv4Failover -Name 'r' -MaxClientLeadTim 1")
    assert problem.message == ("Set-DhcpServerv4Failover: unknown parameter -MaxClientLeadTim (did you mean "
                               "-MaxClientLeadTime?)")


def test_a_misspelt_cmdlet_gets_the_nearest_catalogued_one():
    assert check_powershell("Measure-Objekt -Sum") == [
        Problem(1, "unknown cmdlet 'Measure-Objekt' (not in the catalog of real cmdlets, engine/data/cmdlets.yaml, "
                   "or a site cmdlets.yaml; did you mean 'Measure-Object'?)"),
    ]


@pytest.mark.parametrize("source", [
    "Get-ChildItem -Path 'C:\\x' -Filter '*.xml' -Recurse | Measure-Object -Property 'Length' -Sum",
    "Get-ChildItem -LiteralPath 'C:\\x' -File -Depth 1 | Sort-Object -Property 'Name' -Descending",
    "Select-String -Path 'C:\\x.log' -Pattern '20286' -SimpleMatch -Context 1, 2 | Out-File -FilePath 'y' -NoNewline",
    "Get-Content -Path 'C:\\x.log' -Tail 20 -Raw | Set-Content -Path 'C:\\y.log' -Force",
    "Copy-Item -Path 'C:\\x' -Destination 'C:\\y' -Recurse -Force; Test-Path -Path 'C:\\y'",
    "Get-Date -Year 2026 -Month 11 -Day 29 -Format 'o'; Start-Sleep -Seconds 5; Write-Output -InputObject 1",
    "Get-NetQosPolicy -Name 'dhcp' -PolicyStore 'ActiveStore'",
    "New-NetQosPolicy -Name 'dhcp-failover' -IPProtocolMatchCondition TCP -IPDstPortMatchCondition 647 -DSCPAction 46",
    "$qos = @{ PriorityValue8021Action = 3 }\nNew-NetQosPolicy -Name 'smb' -SMB @qos",  # see the docstring
    "Set-NetQosPolicy -Name 'dhcp-failover' -DSCPAction 40 -PassThru",
    "Remove-NetQosPolicy -Name 'dhcp-failover' -Confirm:$false",
])
def test_common_real_cmdlets_are_catalogued(source):
    assert check_powershell(source) == []


def test_a_splat_is_not_the_value_of_the_parameter_before_it():
    assert check_powershell("Get-NetQosPolicy -AsJob @more") == []
    assert check_powershell("Get-NetQosPolicy -Name @more") == [
        Problem(1, "Get-NetQosPolicy: parameter -Name needs a value but is followed by @more")]


def test_names_are_case_insensitive():
    assert check_powershell("get-dhcpserverv4failover -computername 'a' -NAME 'r'") == []


def test_common_parameters_are_allowed_everywhere():
    source = ("Get-DhcpServerv4Scope -ComputerName 'a' -ErrorAction SilentlyContinue "
              "-ErrorVariable err -WarningAction Continue -OutVariable out -Verbose -WhatIf "
              "-Confirm:$false")
    assert check_powershell(source) == []


def test_syntax_error_reports_its_line():
    source = "Get-DhcpServerv4Failover -ComputerName 'a'\nif ($x) {\n    Write-Host 'open'\n"
    problems = check_powershell(source)
    assert problems and all(p.message.startswith("syntax error") for p in problems)
    assert Problem(3, "syntax error: missing '}'") in problems


def test_syntax_error_in_the_middle():
    problems = check_powershell("Write-Host 'a'\nWrite-Host ('b' +)\nWrite-Host 'c'")
    assert [p.line for p in problems] == [2]
    assert problems[0].message.startswith("syntax error")


def test_good_commands_pass():
    source = "\n".join([
        "Get-DhcpServerv4Failover -ComputerName 'dhcp-a' -Name 'rel' | Select-Object -Property "
        "'Name', 'State'",
        "Set-DhcpServerv4Failover -ComputerName 'dhcp-a' -Name 'rel' -PartnerDown -Force",
        "Get-DhcpServerv4ScopeStatistics -ComputerName 'dhcp-a' -ScopeId '10.0.0.0' -Failover",
        "Export-DhcpServer -ComputerName 'dhcp-a' -File 'C:\\b\\a.xml' -Leases -Force",
        "Import-DhcpServer -ComputerName 'dhcp-a' -File 'C:\\b\\a.xml' -BackupPath 'C:\\db' "
        "-Leases -ScopeOverwrite -Force",
        "Test-NetConnection -ComputerName 'dhcp-b' -Port 647",
        "w32tm /stripchart /computer:dhcp-b /dataonly /samples:5",
        "w32tm /config /syncfromflags:domhier /update",
    ])
    assert check_powershell(source) == []


def test_script_block_contents_are_checked():
    source = ("Invoke-Command -ComputerName 'dhcp-a' -ScriptBlock {\n"
              "    Restart-Service -Name 'DHCPServer'\n"
              "    Get-DhcpServerv4FailoverStatistics\n"
              "    Restart-Service -Nme 'DHCPServer'\n"
              "}")
    assert check_powershell(source) == [
        Problem(3, "unknown cmdlet 'Get-DhcpServerv4FailoverStatistics' (not in the catalog of "
                   "real cmdlets, engine/data/cmdlets.yaml, or a site cmdlets.yaml; did you mean "
                   "'Get-DhcpServerv4ScopeStatistics'?)"),
        Problem(4, "Restart-Service: unknown parameter -Nme (did you mean -Name?); its parameters: "
                   "-Name, -DisplayName, -Include, -Exclude, -InputObject, -Force, -PassThru"),
    ]


def test_subexpressions_in_strings_are_checked():
    assert check_powershell('Write-Host "state: $(Get-Nothing -X 1)"') == [
        Problem(1, "unknown cmdlet 'Get-Nothing' (not in the catalog of real cmdlets, "
                   "engine/data/cmdlets.yaml, or a site cmdlets.yaml)"),
    ]


def test_functions_defined_in_the_source_are_allowed():
    source = "function Invoke-Rollback {\n    param()\n    Write-Host 'x'\n}\nInvoke-Rollback"
    assert check_powershell(source) == []


def test_native_w32tm_options():
    source = "w32tm /resync /bogus /computer /dataonly:1"
    assert check_powershell(source) == [
        Problem(1, "w32tm: option /computer needs a value (/computer:<value>)"),
        Problem(1, "w32tm: option /dataonly takes no value"),
        Problem(1, "w32tm: unknown option /bogus"),
    ]


def test_native_option_in_an_expandable_string():
    assert check_powershell('w32tm /config "/syncfromflags:$flags" /update') == []


def test_native_argument_that_is_not_an_option():
    assert check_powershell("w32tm resync") == [
        Problem(1, "w32tm: unexpected argument 'resync' (options are written /name or "
                   "/name:value)"),
    ]


def test_unknown_native_command_is_reported():
    assert check_powershell("netsh advfirewall show allprofiles") == [
        Problem(1, "unknown command 'netsh' (neither a catalogued cmdlet nor an allowed native "
                   "program)"),
    ]


def test_catalog_lists_only_verb_noun_cmdlets_and_not_the_fake_one():
    text = resources.files("engine").joinpath("data").joinpath("cmdlets.yaml").read_text(
        encoding="utf-8")
    catalog = yaml.safe_load(text)
    names = list(catalog["cmdlets"])
    assert all(re.match(r"^[A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]+$", name) for name in names)
    assert "Get-DhcpServerv4FailoverStatistics" not in names
    assert {"valued", "switches"} >= set(catalog["natives"]["w32tm"])


def test_verbatim_strings():
    source = "Write-Host 'a' \"b\" 'c''d' # 'comment'"
    assert verbatim_strings(source) == ["'a'", "'c''d'"]


def test_indent_leaves_multiline_string_continuations_alone():
    source = "Write-Host 'line one\nline two'\nWrite-Host 'x'"
    assert indent(source, "    ") == "    Write-Host 'line one\nline two'\n    Write-Host 'x'"


@pytest.mark.parametrize("problem, text", [
    (Problem(3, "boom"), "line 3: boom"),
])
def test_problem_str(problem, text):
    assert str(problem) == text
