"""Get-DhcpServerv4Failover in every flavour → relationship facts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from engine.errors import ArtifactError
from engine.facts import Source

FIXTURES = Path(__file__).parent / "fixtures"

AB_FROM_A = {
    "server": "dhcp-a", "name": "dhcp-a-dhcp-b", "partner": "dhcp-b.contoso.com",
    "partner_address": "dhcp-b.contoso.com", "mode": "LoadBalance", "lb_percent": 50, "mclt_s": 3600,
    "switch_interval_s": 3600, "auto_transition": True, "state": "CommunicationInterrupted", "auth_enabled": True,
    "scopes": "10.0.10.0,10.0.20.0",
}
AC_FROM_A = {
    "server": "dhcp-a", "name": "dhcp-a-dhcp-c", "partner": "10.0.0.3", "partner_address": "10.0.0.3",
    "mode": "HotStandby", "role": "Active", "reserve_percent": 5, "mclt_s": 1800, "auto_transition": False,
    "state": "Normal", "auth_enabled": False, "scopes": "10.0.30.0",
}
CIM_AB = {"server_type": "PrimaryServer", "primary_ip": "10.0.0.1", "secondary_ip": "10.0.0.2",
          "primary_name": "dhcp-a.contoso.com", "secondary_name": "dhcp-b.contoso.com"}
CIM_AC = {"server_type": "PrimaryServer", "primary_ip": "10.0.0.1", "secondary_ip": "10.0.0.3",
          "primary_name": "dhcp-a.contoso.com", "secondary_name": "dhcp-c.contoso.com"}


def test_ps51_json_array_with_timespan_objects_and_cim_keys(parse):
    facts, problems = parse("failover/ps51.json", "dhcp-a/failover.json")
    assert [f.kind for f in facts] == ["relationship", "relationship"]
    assert facts[0].fields == {**AB_FROM_A, **CIM_AB}
    assert facts[1].fields == {**AC_FROM_A, **CIM_AC}
    assert [f.source for f in facts] == [Source("dhcp-a/failover.json", "record 1"),
                                         Source("dhcp-a/failover.json", "record 2")]
    assert len(problems) == 0


def test_ps7_single_object_with_ipaddress_scopes_and_timespan_string(parse):
    facts, problems = parse("failover/ps7.json", "dhcp-b/failover.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-b", "name": "dhcp-a-dhcp-b", "partner": "10.0.0.1", "partner_address": "10.0.0.1",
        "mode": "LoadBalance", "server_type": "SecondaryServer", "lb_percent": 50, "mclt_s": 3600,
        "switch_interval_s": 600, "auto_transition": True, "state": "PartnerDown", "auth_enabled": True,
        "scopes": "10.0.10.0,10.0.20.0", "primary_ip": "10.0.0.1", "secondary_ip": "10.0.0.2",
        "primary_name": "dhcp-a.contoso.com", "secondary_name": "dhcp-b.contoso.com",
    }]
    assert facts[0].source == Source("dhcp-b/failover.json", "record 1")
    assert len(problems) == 0


def test_recommended_collector_shape_utf8_bom(parse):
    facts, problems = parse("failover/collector.json", "dhcp-a/failover.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "name": "dhcp-a-dhcp-b", "partner": "dhcp-b.contoso.com",
        "partner_address": "dhcp-b.contoso.com", "mode": "LoadBalance", "server_type": "PrimaryServer",
        "lb_percent": 70, "mclt_s": 3600, "auto_transition": False, "state": "RecoverWait", "auth_enabled": False,
        "scopes": "10.0.10.0,10.0.20.0", "primary_ip": "10.0.0.1", "secondary_ip": "10.0.0.2",
    }]
    assert len(problems) == 0


def test_api_integers_and_timespan_strings(parse):
    facts, problems = parse("failover/api-ints.json", "dhcp-a/failover.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "name": "dhcp-a-dhcp-b", "partner": "10.0.0.2", "partner_address": "10.0.0.2",
        "mode": "HotStandby", "role": "Standby", "server_type": "SecondaryServer", "reserve_percent": 10,
        "mclt_s": 93784, "switch_interval_s": 300, "auto_transition": True, "state": "CommunicationInterrupted",
        "auth_enabled": False, "scopes": "10.0.10.0",
    }]
    assert len(problems) == 0


def test_format_list_utf16_with_empty_values_and_lists(parse):
    facts, problems = parse("failover/list.txt", "dhcp-a/failover.txt")
    assert [f.fields for f in facts] == [AB_FROM_A, AC_FROM_A]
    assert [f.source for f in facts] == [Source("dhcp-a/failover.txt", "line 3"),
                                         Source("dhcp-a/failover.txt", "line 16")]
    assert len(problems) == 0


def test_format_list_star_has_the_cim_properties(parse):
    facts, problems = parse("failover/list-star.txt", "dhcp-b/failover.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-b", "name": "dhcp-a-dhcp-b", "partner": "dhcp-a.contoso.com",
        "partner_address": "dhcp-a.contoso.com", "mode": "LoadBalance", "server_type": "SecondaryServer",
        "lb_percent": 50, "mclt_s": 3600, "switch_interval_s": 3600, "auto_transition": True, "state": "Recover",
        "auth_enabled": True, "scopes": "10.0.10.0,10.0.20.0", "primary_ip": "10.0.0.1", "secondary_ip": "10.0.0.2",
        "primary_name": "dhcp-a.contoso.com", "secondary_name": "dhcp-b.contoso.com",
    }]
    assert len(problems) == 0


def test_scope_list_cut_short_by_format_list_is_not_passed_on(parse):
    facts, problems = parse("failover/truncated-scopes.txt", "dhcp-a/failover.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "name": "dhcp-a-dhcp-b", "partner": "dhcp-b.contoso.com",
        "partner_address": "dhcp-b.contoso.com", "mode": "LoadBalance", "lb_percent": 50, "mclt_s": 3600,
        "auto_transition": False, "state": "Normal", "auth_enabled": True,
    }]
    assert [str(p) for p in problems] == [
        "dhcp-a/failover.txt (line 2): ScopeId is cut short with '...' ($FormatEnumerationLimit); scopes are not "
        "compared for this relationship; expected the complete list (collect as JSON)"]


_EMPTY = ("this cannot tell a server without failover relationships (written as [] by fodoc collect and "
          "Collect-FailoverFacts.ps1) from a capture that failed, so this server's relationships were left unread; "
          "expected ")


@pytest.mark.parametrize("fixture, path", [
    ("failover/empty.txt", "dhcp-b/failover.txt"), ("failover/empty.json", "dhcp-b/failover.json")])
def test_empty_output_is_not_read_as_no_relationships(parse, fixture, path):
    """Get-DhcpServerv4Failover | ConvertTo-Json prints nothing for no relationships and nothing
    when the capture failed: only the collector's explicit [] says "none"."""
    with pytest.raises(ArtifactError) as caught:
        parse(fixture, path)
    expected = ("Get-DhcpServerv4Failover Format-List output ('Name : ...', 'State : ...' lines), or failover.json "
                "holding [] for none" if path.endswith(".txt") else
                "Get-DhcpServerv4Failover | ConvertTo-Json output, or [] for none")
    assert str(caught.value) == f"{path}: is empty; {_EMPTY}{expected}"


@pytest.mark.parametrize("data, what", [(b"null\r\n", "null"), (b"  \r\n\t", "empty"), (b"\xef\xbb\xbf", "empty"),
                                        (b"\xff\xfe", "empty"), (b"\xff\xfen\x00u\x00l\x00l\x00", "null")])
def test_blank_or_null_json_is_not_read_as_no_relationships(parse_bytes, data, what):
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(data, "dhcp-b/failover.json")
    assert str(caught.value) == (f"dhcp-b/failover.json: is {what}; {_EMPTY}Get-DhcpServerv4Failover | "
                                 "ConvertTo-Json output, or [] for none")


def test_empty_json_array_means_no_relationships(parse_bytes):
    facts, problems = parse_bytes(b"[]\r\n", "dhcp-b/failover.json")
    assert facts == []
    assert len(problems) == 0


def test_relationship_without_scopes(parse_bytes):
    text = "Name : r1\nPartnerServer : 10.0.0.2\nState : Normal\nScopeId : {}\n"
    facts, _ = parse_bytes(text.encode(), "dhcp-a/failover.txt")
    assert facts[0].fields == {"server": "dhcp-a", "name": "r1", "partner": "10.0.0.2", "partner_address": "10.0.0.2",
                               "state": "Normal", "scopes": ""}


def test_cmdlet_error_text_is_quoted(parse):
    with pytest.raises(ArtifactError) as caught:
        parse("failover/error.txt", "dhcp-b/failover.txt")
    assert str(caught.value) == (
        "dhcp-b/failover.txt: has no records; expected Get-DhcpServerv4Failover Format-List output "
        "('Name : ...', 'State : ...' lines); line 1 reads 'Get-DhcpServerv4Failover : Failed to enumerate "
        "failover relationships on DHCP server DHCP-B.'")


def test_malformed_json(parse):
    with pytest.raises(ArtifactError) as caught:
        parse("failover/malformed.json", "dhcp-a/failover.json")
    assert str(caught.value) == ("dhcp-a/failover.json: is not valid JSON: Expecting value at line 7 column 1; "
                                 "expected Get-DhcpServerv4Failover | ConvertTo-Json output")


def test_bad_records_are_reported_and_skipped(parse):
    facts, problems = parse("failover/bad-records.json", "dhcp-a/failover.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-a", "name": "dhcp-a-dhcp-b", "partner": "dhcp-b.contoso.com",
         "partner_address": "dhcp-b.contoso.com", "mode": "LoadBalance", "state": "Normal", "auth_enabled": True},
        {"server": "dhcp-a", "name": "dhcp-a-dhcp-f", "partner": "dhcp-f.contoso.com",
         "partner_address": "dhcp-f.contoso.com", "state": "Init"},
    ]
    assert [str(p) for p in problems] == [
        "dhcp-a/failover.json (record 2): has no Name; expected a failover relationship record",
        "dhcp-a/failover.json (record 3): State 'Sleeping' of relationship 'dhcp-a-dhcp-d' is not a failover "
        "state; expected e.g. Normal, CommunicationInterrupted",
        "dhcp-a/failover.json (record 4): is a string, expected a JSON object (Get-DhcpServerv4Failover | "
        "ConvertTo-Json output)",
        "dhcp-a/failover.json (record 5): Mode 'Mirror' of relationship 'dhcp-a-dhcp-f' is not a known value; "
        "expected LoadBalance or HotStandby",
    ]


def test_json_cut_off_after_the_first_record_keeps_it(parse_bytes):
    data = b'[{"Name": "r1", "State": "Normal"},\r\n {"Name": "r2", "Sta'
    facts, problems = parse_bytes(data, "dhcp-a/failover.json")
    assert [f.fields for f in facts] == [{"server": "dhcp-a", "name": "r1", "state": "Normal"}]
    assert [str(p) for p in problems] == [
        "dhcp-a/failover.json (record 2): is not valid JSON from here on: Unterminated string starting "
        "at line 2 column 17; the 1 record(s) before it were read"]


def test_scope_ids_that_are_not_ipv4_are_reported_and_left_out(tmp_path):
    from engine.parsers.base import Artifact, Problems
    from engine.parsers.failover import parse_text
    text = ("Name                : r1\nPartnerServer       : 10.0.0.2\nMode                : LoadBalance\n"
            "State               : Normal\nScopeId             : {10.0.10.0, $(Remove-Item C:\\ -Recurse)}\n")
    artifact = Artifact("dhcp-a/failover.txt", "dhcp-a", "failover", "txt", reader=lambda: text.encode())
    problems = Problems()
    facts = list(parse_text(artifact, problems))
    assert facts[0]["scopes"] == "10.0.10.0"
    assert [str(p) for p in problems] == [
        "dhcp-a/failover.txt (line 1): scope id '$(Remove-Item C:\\\\ -Recurse)' of relationship 'r1' is "
        "not an IPv4 address; left out"]


def test_a_setting_that_does_not_convert_is_said_and_the_relationship_kept(parse_bytes):
    """A MaxClientLeadTime of 'soon-ish' must not vanish silently: without the MCLT the expected
    RecoverWait cannot be told from a stuck one, so the report has to say why."""
    text = (FIXTURES / "failover" / "list.txt").read_bytes().decode("utf-16")
    text = re.sub(r"MaxClientLeadTime( *): 01:00:00", r"MaxClientLeadTime\1: soon-ish", text, count=1)
    text = re.sub(r"LoadBalancePercent( *): 50", r"LoadBalancePercent\1: half", text, count=1)
    assert "soon-ish" in text and "half" in text
    facts, problems = parse_bytes(text.encode("utf-8"), "dhcp-a/failover.txt")
    first = facts[0].fields
    assert "mclt_s" not in first and "lb_percent" not in first and first["state"]
    assert [str(p) for p in problems.items] == [
        "dhcp-a/failover.txt (line 3): LoadBalancePercent 'half' of relationship 'dhcp-a-dhcp-b' is not a whole "
        "percentage from 0 to 100; left unread",
        "dhcp-a/failover.txt (line 3): MaxClientLeadTime 'soon-ish' of relationship 'dhcp-a-dhcp-b' is not a "
        "positive TimeSpan of at most ten years such as 01:00:00 (or an object with TotalSeconds); left unread"]
    assert problems.records_lost("dhcp-a/failover.txt") == 0


def test_a_timespan_object_without_totalseconds_is_said(parse_bytes):
    data = (b'{"Name": "r1", "PartnerServer": "10.0.0.2", "Mode": 0, "State": 2, '
            b'"MaxClientLeadTime": {"Hours": 1}, "EnableAuth": "maybe", "ScopeId": ["10.0.10.0"]}')
    facts, problems = parse_bytes(data, "dhcp-a/failover.json")
    assert [str(p) for p in problems.items] == [
        "dhcp-a/failover.json (record 1): MaxClientLeadTime '{\"Hours\": 1}' of relationship 'r1' is not a positive "
        "TimeSpan of at most ten years such as 01:00:00 (or an object with TotalSeconds); left unread",
        "dhcp-a/failover.json (record 1): EnableAuth 'maybe' of relationship 'r1' is not True or False; left unread"]
    assert facts[0].get("state") == "Startup"  # State 2 in the CIM enum


_RANGE_RECORD = {"Name": "r1", "PartnerServer": "dhcp-b.contoso.com", "State": "Normal", "Mode": "HotStandby"}


@pytest.mark.parametrize("values, shown", [
    ({"MaxClientLeadTime": {"TotalSeconds": 1e308}}, "MaxClientLeadTime '{\"TotalSeconds\": 1e+308}'"),
    ({"MaxClientLeadTime": {"Ticks": 1e30}}, "MaxClientLeadTime '{\"Ticks\": 1e+30}'"),
    ({"MaxClientLeadTime": {"TotalSeconds": float("nan")}}, "MaxClientLeadTime '{\"TotalSeconds\": NaN}'"),
    ({"MaxClientLeadTime": "-01:00:00"}, "MaxClientLeadTime '-01:00:00'"),
    ({"MCLTSeconds": -3600}, "MCLTSeconds '-3600'"),
    ({"MCLTSeconds": 0}, "MCLTSeconds '0'"),
    ({"StateSwitchInterval": "3700.00:00:00"}, "StateSwitchInterval '3700.00:00:00'"),
])
def test_a_timer_no_server_can_run_is_left_unread_with_one_line(parse_bytes, values, shown):
    data = json.dumps([{**_RANGE_RECORD, **values}]).encode()
    facts, problems = parse_bytes(data, "dhcp-a/failover.json")
    assert "mclt_s" not in facts[0].fields and "switch_interval_s" not in facts[0].fields
    assert [str(p) for p in problems] == [
        f"dhcp-a/failover.json (record 1): {shown} of relationship 'r1' is not a positive TimeSpan of at most "
        "ten years such as 01:00:00 (or an object with TotalSeconds); left unread"]


def test_ten_years_of_mclt_is_still_read(parse_bytes):
    data = json.dumps([{**_RANGE_RECORD, "MaxClientLeadTime": "3650.00:00:00", "ReservePercent": 100,
                        "LoadBalancePercent": 0}]).encode()
    facts, problems = parse_bytes(data, "dhcp-a/failover.json")
    assert (facts[0]["mclt_s"], facts[0]["reserve_percent"], facts[0]["lb_percent"]) == (315360000, 100, 0)
    assert len(problems) == 0


@pytest.mark.parametrize("key, value", [("ReservePercent", -5), ("LoadBalancePercent", 250), ("ReservePercent", "101")])
def test_a_percentage_outside_0_to_100_is_left_unread_with_one_line(parse_bytes, key, value):
    facts, problems = parse_bytes(json.dumps([{**_RANGE_RECORD, key: value}]).encode(), "dhcp-a/failover.json")
    assert "reserve_percent" not in facts[0].fields and "lb_percent" not in facts[0].fields
    assert [str(p) for p in problems] == [
        f"dhcp-a/failover.json (record 1): {key} '{value}' of relationship 'r1' is not a whole percentage "
        "from 0 to 100; left unread"]


def test_scope_ids_given_as_an_object_are_left_unread_not_taken_for_no_scopes(parse_bytes):
    data = json.dumps([{**_RANGE_RECORD, "ScopeId": {"x": 1}}]).encode()
    facts, problems = parse_bytes(data, "dhcp-a/failover.json")
    assert "scopes" not in facts[0].fields
    assert [str(p) for p in problems] == [
        "dhcp-a/failover.json (record 1): ScopeId '{\"x\": 1}' of relationship 'r1' is not a list of scope ids; "
        "expected e.g. [\"10.0.10.0\"]; scopes left unread"]


def test_a_scope_id_that_is_an_object_is_said_and_left_out(parse_bytes):
    data = json.dumps([{**_RANGE_RECORD, "ScopeId": ["10.0.10.0", {"x": 1}, [2]]}]).encode()
    facts, problems = parse_bytes(data, "dhcp-a/failover.json")
    assert facts[0]["scopes"] == "10.0.10.0"
    assert [str(p) for p in problems] == [
        "dhcp-a/failover.json (record 1): scope id {\"x\": 1} of relationship 'r1' is not an IPv4 address; left out",
        "dhcp-a/failover.json (record 1): scope id [2] of relationship 'r1' is not an IPv4 address; left out"]
