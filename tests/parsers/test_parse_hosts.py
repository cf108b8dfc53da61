"""Host artifacts: services, computer.json, firewall rules, name resolution."""
from __future__ import annotations

import pytest

from engine.errors import ArtifactError
from engine.facts import Source

DNS = "dhcp-a/dns-dhcp-b.contoso.com"


# --- services --------------------------------------------------------------------------------

def test_services_ps51_json_utf16_integer_enums(parse):
    facts, problems = parse("services/ps51.json", "dhcp-a/services.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-a", "name": "DHCPServer", "status": "Stopped", "start_type": "Automatic"},
        {"server": "dhcp-a", "name": "W32Time", "status": "Running", "start_type": "Manual"},
    ]
    assert [f.source for f in facts] == [Source("dhcp-a/services.json", "record 1"),
                                         Source("dhcp-a/services.json", "record 2")]
    assert len(problems) == 0


def test_services_ps7_json_string_enums(parse):
    facts, _ = parse("services/ps7.json", "dhcp-b/services.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-b", "name": "DHCPServer", "status": "Running", "start_type": "Automatic"},
        {"server": "dhcp-b", "name": "W32Time", "status": "Stopped", "start_type": "Disabled"},
    ]


def test_services_table_utf16(parse):
    facts, problems = parse("services/table.txt", "dhcp-a/services.txt")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-a", "name": "DHCPServer", "status": "Stopped"},
        {"server": "dhcp-a", "name": "W32Time", "status": "Running"},
    ]
    assert [f.source.record for f in facts] == ["line 4", "line 5"]
    assert len(problems) == 0


def test_services_format_list_canonical_names(parse):
    facts, _ = parse("services/list.txt", "dhcp-b/services.txt")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-b", "name": "DHCPServer", "status": "StartPending", "start_type": "Manual"},
        {"server": "dhcp-b", "name": "W32Time", "status": "Paused", "start_type": "Automatic"},
    ]


def test_services_other_names_keep_their_spelling_and_bad_status_is_reported(parse_bytes):
    data = b'[{"Name": "Dnscache", "Status": 4, "StartType": 2}, {"Name": "DHCPServer", "Status": 9}]'
    facts, problems = parse_bytes(data, "dhcp-a/services.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-a", "name": "Dnscache", "status": "Running", "start_type": "Automatic"}]
    assert [str(p) for p in problems] == [
        "dhcp-a/services.json (record 2): Status '9' of service 'DHCPServer' is not a service status; expected "
        "e.g. Running, Stopped, or 1-7"]


def test_services_text_that_is_neither_table_nor_list(parse_bytes):
    with pytest.raises(ArtifactError, match=r"^dhcp-a/services.txt: has no records; expected Get-Service output"):
        parse_bytes(b"Get-Service : Cannot find any service with service name 'DHCPServer'.\n", "dhcp-a/services.txt")


# --- computer.json ---------------------------------------------------------------------------

def test_computer_json_utf8_bom(parse):
    facts, problems = parse("computer/computer.json", "dhcp-a/computer.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "hostname": "DHCP-A", "fqdn": "dhcp-a.contoso.com", "domain": "contoso.com",
        "ips": "10.0.0.1,10.0.0.11,192.168.56.10", "os": "Microsoft Windows Server 2022 Standard",
        "os_build": "20348", "timezone": "W. Europe Standard Time", "collected_at": "2026-11-30T09:00:00Z"}]
    assert facts[0].kind == "server"
    assert facts[0].source == Source("dhcp-a/computer.json", "record 1")
    assert len(problems) == 0


def test_computer_json_ps51_date_object_single_address(parse):
    facts, _ = parse("computer/computer-51.json", "DHCP-B/computer.json")
    assert [f.fields for f in facts] == [{
        "server": "DHCP-B", "hostname": "DHCP-B", "fqdn": "dhcp-b.contoso.com", "domain": "contoso.com", "ips": "10.0.0.2",
        "os": "Microsoft Windows Server 2016 Datacenter", "os_build": "14393", "timezone": "Pacific Standard Time",
        "collected_at": "2026-11-30T09:01:10Z"}]


def test_computer_json_bad_date_is_reported(parse_bytes):
    facts, problems = parse_bytes(b'{"ComputerName": "DHCP-A", "CollectedAtUtc": "soon"}', "dhcp-a/computer.json")
    assert facts[0].fields == {"server": "dhcp-a", "hostname": "DHCP-A"}
    assert [str(p) for p in problems] == [
        "dhcp-a/computer.json (record 1): CollectedAtUtc 'soon' is not a date; expected ISO-8601 UTC like "
        "2026-11-30T09:00:00Z"]


def test_computer_json_naive_time_is_utc_by_contract(parse_bytes):
    facts, _ = parse_bytes(b'{"CollectedAtUtc": "2026-11-30T09:00:00.1234567"}', "dhcp-a/computer.json")
    assert facts[0].fields == {"server": "dhcp-a", "collected_at": "2026-11-30T09:00:00Z"}


def test_computer_json_empty(parse_bytes):
    with pytest.raises(ArtifactError, match=r"^dhcp-a/computer.json: is empty; expected computer.json"):
        parse_bytes(b"  \r\n", "dhcp-a/computer.json")


# --- firewall --------------------------------------------------------------------------------

def test_firewall_ps51_json_integer_enums(parse):
    facts, problems = parse("firewall/ps51.json", "dhcp-a/firewall.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-a", "name": "Microsoft-Windows-DHCP-Failover-TCP-In",
         "display_name": "DHCP Server Failover (TCP-In)", "enabled": False, "action": "Block",
         "direction": "Inbound", "store_source": "contoso.com\\DHCP Hardening"},
        {"server": "dhcp-a", "name": "Microsoft-Windows-DHCP-Failover-TCP-Out",
         "display_name": "DHCP Server Failover (TCP-Out)", "enabled": True, "action": "Allow",
         "direction": "Outbound", "store_source": "PersistentStore"},
    ]
    assert facts[0].kind == "firewall_rule"
    assert len(problems) == 0


def test_firewall_ps7_json_strings(parse):
    facts, _ = parse("firewall/strings-7.json", "dhcp-b/firewall.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-b", "name": "Microsoft-Windows-DHCP-Failover-TCP-In",
         "display_name": "DHCP Server Failover (TCP-In)", "enabled": True, "action": "AllowBypass",
         "direction": "Inbound", "store_source": "PersistentStore"}]


def test_firewall_json_booleans_and_an_unreadable_enabled(parse):
    facts, problems = parse("firewall/bool.json", "dhcp-b/firewall.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-b", "name": "Microsoft-Windows-DHCP-Failover-TCP-In", "enabled": False,
         "action": "NotConfigured", "direction": "Inbound"}]
    assert [str(p) for p in problems] == [
        "dhcp-b/firewall.json (record 2): Enabled 'Maybe' of rule 'Microsoft-Windows-DHCP-Failover-TCP-Out' is "
        "not True/False (or 1/2)"]


def test_firewall_format_list_utf16_wrapped_description(parse):
    facts, problems = parse("firewall/list.txt", "dhcp-b/firewall.txt")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-b", "name": "Microsoft-Windows-DHCP-Failover-TCP-In",
         "display_name": "DHCP Server Failover (TCP-In)", "enabled": True, "action": "Allow",
         "direction": "Inbound", "store_source": "PersistentStore"},
        {"server": "dhcp-b", "name": "Microsoft-Windows-DHCP-Failover-TCP-Out",
         "display_name": "DHCP Server Failover (TCP-Out)", "enabled": False, "action": "Block",
         "direction": "Outbound", "store_source": "contoso.com\\DHCP Hardening"},
    ]
    assert [f.source.record for f in facts] == ["line 2", "line 24"]
    assert len(problems) == 0


def test_firewall_no_matching_rules_is_no_facts(parse_bytes):
    facts, problems = parse_bytes(b"", "dhcp-b/firewall.txt")
    assert (facts, len(problems)) == ([], 0)


# --- name resolution -------------------------------------------------------------------------

def test_dns_ps51_json_cname_chain_ipv4_answers_only(parse):
    facts, problems = parse("dns/ps51.json", "dhcp-a/dns-dhcp2.contoso.com.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "query": "dhcp2.contoso.com", "target": "dhcp2.contoso.com", "ok": True,
        "addresses": "10.0.0.2,10.0.0.12"}]
    assert facts[0].kind == "name_resolution"
    assert facts[0].source == Source("dhcp-a/dns-dhcp2.contoso.com.json", "record 1")
    assert len(problems) == 0


def test_dns_ps7_json_single_object_string_enums(parse):
    facts, _ = parse("dns/ps7.json", f"{DNS}.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "query": "dhcp-b.contoso.com", "target": "dhcp-b.contoso.com", "ok": True,
        "addresses": "10.0.0.2"}]


def test_dns_table_utf16(parse):
    facts, _ = parse("dns/table.txt", f"{DNS}.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "query": "dhcp-b.contoso.com", "target": "dhcp-b.contoso.com", "ok": True,
        "addresses": "10.0.0.2"}]
    assert facts[0].source == Source(f"{DNS}.txt", "line 4")


def test_dns_table_then_list(parse):
    facts, _ = parse("dns/cname.txt", "dhcp-a/dns-dhcp2.contoso.com.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "query": "dhcp2.contoso.com", "target": "dhcp2.contoso.com", "ok": True,
        "addresses": "10.0.0.2"}]


def test_dns_failure_text(parse):
    facts, problems = parse("dns/failed.txt", f"{DNS}.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "query": "dhcp-b.contoso.com", "target": "dhcp-b.contoso.com", "ok": False}]
    assert facts[0].source == Source(f"{DNS}.txt")
    assert len(problems) == 0


def test_dns_empty_json_did_not_resolve(parse):
    facts, _ = parse("dns/empty.json", f"{DNS}.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "query": "dhcp-b.contoso.com", "target": "dhcp-b.contoso.com", "ok": False}]


def test_dns_text_that_is_not_resolve_dnsname(parse):
    with pytest.raises(ArtifactError) as caught:
        parse("dns/garbage.txt", "dhcp-a/dns-dhcp-b.txt")
    assert str(caught.value) == (
        "dhcp-a/dns-dhcp-b.txt: has no answers and no Resolve-DnsName error; expected Resolve-DnsName output "
        "(a 'Name Type TTL Section IPAddress' table); it reads 'ping: unknown host dhcp-b'")
