"""Configuration artifacts: scopes, options, reservations, exclusions, server settings,
addresses and DHCP bindings, in Windows PowerShell 5.1 JSON, PowerShell 7 JSON and Format-List."""
from __future__ import annotations

import pytest

from engine.errors import ArtifactError
from engine.facts import Source


def test_scopes_ps51_json_ipaddress_objects_and_timespans(parse):
    facts, problems = parse("config/scopes-51.json", "dhcp-a/scopes.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-a", "scope_id": "10.0.0.0", "name": "Clients", "subnet_mask": "255.255.255.0",
         "start_range": "10.0.0.50", "end_range": "10.0.0.250", "lease_s": 691200, "state": "Active",
         "type": "Dhcp", "delay_ms": 0, "max_bootp_clients": 4294967295, "activate_policies": True,
         "nap_enable": False},
        {"server": "dhcp-a", "scope_id": "10.0.20.0", "name": "Voice", "description": "IP phones",
         "subnet_mask": "255.255.255.0", "start_range": "10.0.20.10", "end_range": "10.0.20.200",
         "lease_s": 86400, "state": "InActive", "type": "Dhcp", "delay_ms": 0,
         "max_bootp_clients": 4294967295, "activate_policies": True, "nap_enable": False},
    ]
    assert facts[1].source == Source("dhcp-a/scopes.json", "record 2")
    assert len(problems) == 0


def test_scopes_format_list_reads_the_same_values_as_json(parse):
    text, _ = parse("config/scopes.txt", "dhcp-b/scopes.txt")
    json, _ = parse("config/scopes-51.json", "dhcp-b/scopes.json")
    assert text[0].fields == json[0].fields
    assert text[0].source == Source("dhcp-b/scopes.txt", "line 3")


def test_scope_with_unknown_state_is_kept_without_it(parse_bytes):
    facts, problems = parse_bytes(b'{"ScopeId": "10.0.0.0", "State": "Paused"}', "dhcp-a/scopes.json")
    assert facts[0].fields == {"server": "dhcp-a", "scope_id": "10.0.0.0"}
    assert [p.one_line() for p in problems] == [
        "dhcp-a/scopes.json (record 1): State 'Paused' of scope 10.0.0.0 is not a scope state; "
        "expected Active or InActive"]


def test_scope_options_ps7_json_keep_value_order(parse):
    facts, problems = parse("config/options-scope-7.json", "dhcp-a/options-scope.json")
    dns = next(f for f in facts if f["option_id"] == 6)
    assert dns.fields == {"server": "dhcp-a", "level": "scope", "scope_id": "10.0.0.0", "option_id": 6,
                          "name": "DNS Servers", "type": "IPv4Address", "value": "10.0.0.10, 10.0.0.11"}
    assert [(f["scope_id"], f["option_id"]) for f in facts] == [
        ("10.0.0.0", 3), ("10.0.0.0", 6), ("10.0.0.0", 51), ("10.0.20.0", 15)]
    assert len(problems) == 0


def test_scope_option_without_scope_id_is_a_problem_not_a_server_option(parse):
    facts, problems = parse("config/options-scope.txt", "dhcp-a/options-scope.txt")
    assert [(f["scope_id"], f["option_id"], f["value"]) for f in facts] == [("10.0.0.0", 6, "10.0.0.10")]
    assert [p.one_line() for p in problems] == [
        "dhcp-a/options-scope.txt (line 12): option 3 has no ScopeId; expected the ScopeId property the "
        "capture command adds to each scope's options"]


def test_server_options_text_truncated_list_is_left_out(parse):
    facts, problems = parse("config/options-server.txt", "dhcp-a/options-server.txt")
    assert [(f["level"], f["option_id"], f.get("value")) for f in facts] == [
        ("server", 6, "10.0.0.10, 10.0.0.11"), ("server", 15, "contoso.com"), ("server", 42, None)]
    assert [p.one_line() for p in problems] == [
        "dhcp-a/options-server.txt (line 19): Value is cut short with '...' ($FormatEnumerationLimit); "
        "left out; expected the complete list (collect as JSON)"]


def test_reservations_json_normalise_client_ids(parse):
    facts, problems = parse("config/reservations-51.json", "dhcp-a/reservations.json")
    assert [f.fields for f in facts] == [
        {"server": "dhcp-a", "scope_id": "10.0.0.0", "ip": "10.0.0.20", "client_id": "00-15-5d-01-02-03",
         "name": "printer1.contoso.com", "type": "Both", "description": "Floor 2 printer"},
        {"server": "dhcp-a", "scope_id": "10.0.0.0", "ip": "10.0.0.21", "client_id": "00-15-5d-0a-0b-0c",
         "name": "printer2", "type": "Dhcp"},
    ]
    assert len(problems) == 0


def test_reservation_with_a_bad_address_is_skipped_and_named(parse):
    facts, problems = parse("config/reservations.txt", "dhcp-a/reservations.txt")
    assert [f["ip"] for f in facts] == ["10.0.0.20"]
    assert [p.one_line() for p in problems] == [
        "dhcp-a/reservations.txt (line 10): IPAddress '10.0.0.300' is not an IPv4 address; left out"]


@pytest.mark.parametrize("fixture, path", [("config/exclusions-51.json", "dhcp-a/exclusions.json"),
                                           ("config/exclusions.txt", "dhcp-a/exclusions.txt")])
def test_exclusions(parse, fixture, path):
    facts, problems = parse(fixture, path)
    assert facts[0].fields == {"server": "dhcp-a", "scope_id": "10.0.0.0", "start": "10.0.0.50",
                               "end": "10.0.0.59"}
    assert len(problems) == 0


def test_dhcp_settings_ps51_json_not_authorized(parse):
    facts, _ = parse("config/dhcp-settings-51.json", "dhcp-a/dhcp-settings.json")
    assert facts[0].fields == {"server": "dhcp-a", "is_authorized": False, "is_domain_joined": True,
                               "dynamic_bootp": True, "restore_status": False, "nap_enabled": False,
                               "activate_policies": True, "conflict_detection_attempts": 0}


def test_dhcp_settings_text(parse):
    facts, _ = parse("config/dhcp-settings.txt", "dhcp-b/dhcp-settings.txt")
    assert (facts[0]["is_authorized"], facts[0]["is_domain_joined"]) == (True, True)


def test_dhcp_settings_that_are_not_settings(parse_bytes):
    with pytest.raises(ArtifactError, match=r"dhcp-a/dhcp-settings.txt: has no records; expected "
                                            r"Get-DhcpServerSetting \| Format-List output"):
        parse_bytes(b"Get-DhcpServerSetting : Access is denied.\r\n", "dhcp-a/dhcp-settings.txt")


def test_ipaddresses_ps51_json_integer_enums_and_cluster_address(parse):
    facts, problems = parse("config/ipaddresses-51.json", "dhcp-a/ipaddresses.json")
    assert [(f["address"], f["prefix_origin"], f["address_state"], f["skip_as_source"]) for f in facts] == [
        ("10.0.0.22", "Manual", "Preferred", False), ("10.0.0.20", "Manual", "Preferred", True),
        ("127.0.0.1", "WellKnown", "Preferred", False)]
    assert facts[0]["interface_alias"] == "Ethernet" and facts[0]["prefix_length"] == 24
    assert len(problems) == 0


def test_ipaddresses_text(parse):
    facts, _ = parse("config/ipaddresses.txt", "dhcp-b/ipaddresses.txt")
    assert facts[0].fields == {"server": "dhcp-b", "address": "10.0.0.12", "prefix_length": 24,
                               "interface_alias": "Ethernet0", "interface_index": 6, "prefix_origin": "Manual",
                               "address_state": "Preferred", "skip_as_source": False}


def test_ipv6_rows_are_not_ipv4_addresses(parse_bytes):
    data = b'[{"IPAddress": "fe80::1%4", "AddressFamily": 23}, {"IPAddress": "10.0.0.2", "AddressFamily": 2}]'
    facts, problems = parse_bytes(data, "dhcp-a/ipaddresses.json")
    assert [f["address"] for f in facts] == ["10.0.0.2"]
    assert len(problems) == 0


def test_bindings_json_and_text(parse):
    facts, _ = parse("config/bindings-51.json", "dhcp-a/bindings.json")
    assert [(f["interface_alias"], f["address"], f["bound"]) for f in facts] == [
        ("LAN", "10.0.0.2", True), ("Backup", "192.168.50.2", False)]
    facts, _ = parse("config/bindings.txt", "dhcp-b/bindings.txt")
    assert facts[0].fields == {"server": "dhcp-b", "interface_alias": "Ethernet0", "address": "10.0.0.12",
                               "subnet_mask": "255.255.255.0", "bound": True}


def test_binding_without_state_is_named(parse_bytes):
    facts, problems = parse_bytes(b'{"InterfaceAlias": "LAN", "BindingState": "maybe"}', "dhcp-a/bindings.json")
    assert facts == []
    assert [p.one_line() for p in problems] == [
        "dhcp-a/bindings.json (record 1): has no InterfaceAlias or no True/False BindingState; expected a "
        "Get-DhcpServerv4Binding record"]


@pytest.mark.parametrize("path", ["dhcp-a/scopes.json", "dhcp-a/options-server.json", "dhcp-a/options-scope.txt",
                                  "dhcp-a/reservations.txt", "dhcp-a/exclusions.json", "dhcp-a/ipaddresses.txt",
                                  "dhcp-a/bindings.json"])
def test_empty_outputs_are_empty_lists(parse_bytes, path):
    facts, problems = parse_bytes(b"", path)
    assert facts == [] and len(problems) == 0
