"""Get-DhcpServerv4ScopeStatistics -Failover in every flavour → scope_stats facts."""
from __future__ import annotations

import pytest

from engine.errors import ArtifactError
from engine.facts import Fact, Source
from engine.parsers.scopestats import attach_relationships

RESERVE_USED_UP = {"server": "dhcp-b", "scope": "10.0.10.0", "free": 171, "in_use": 79, "percent_in_use": 31.6,
                   "reserved": 2, "pending": 0, "free_on_this_server": 0, "free_on_partner": 171,
                   "in_use_on_this_server": 12, "in_use_on_partner": 67}


def test_ps51_json_utf16_array_with_ipaddress_objects_and_cim_keys(parse):
    facts, problems = parse("scope-stats/ps51.json", "dhcp-b/scope-stats.json")
    assert [f.fields for f in facts] == [
        RESERVE_USED_UP,
        {"server": "dhcp-b", "scope": "10.0.20.0", "free": 230, "in_use": 20, "percent_in_use": 8.0,
         "reserved": 0, "pending": 1, "free_on_this_server": 9, "free_on_partner": 221,
         "in_use_on_this_server": 2, "in_use_on_partner": 18, "superscope": "Site-B"}]
    assert [f.source for f in facts] == [Source("dhcp-b/scope-stats.json", "record 1"),
                                         Source("dhcp-b/scope-stats.json", "record 2")]
    assert len(problems) == 0


def test_ps7_single_object_scope_id_from_the_address_integer(parse):
    facts, problems = parse("scope-stats/ps7.json", "dhcp-a/scope-stats.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "scope": "10.0.10.0", "free": 171, "in_use": 79, "percent_in_use": 31.6,
        "reserved": 2, "pending": 0, "free_on_this_server": 171, "free_on_partner": 0,
        "in_use_on_this_server": 67, "in_use_on_partner": 12}]
    assert len(problems) == 0


def test_format_list_utf16_with_view_aliases_comma_decimals_and_a_scope_outside_failover(parse):
    facts, problems = parse("scope-stats/list.txt", "dhcp-b/scope-stats.txt")
    assert facts[0].fields == RESERVE_USED_UP
    # a scope in no relationship prints the -Failover columns empty: they are absent, not zero
    assert facts[1].fields == {"server": "dhcp-b", "scope": "10.0.30.0", "free": 40, "in_use": 10,
                               "percent_in_use": 20.0, "reserved": 0, "pending": 0}
    assert [f.source.record for f in facts] == ["line 2", "line 14"]
    assert len(problems) == 0


def test_bad_records_are_reported_and_the_good_one_kept(parse):
    facts, problems = parse("scope-stats/bad-records.json", "dhcp-b/scope-stats.json")
    assert [(f["scope"], f.get("free"), f.get("free_on_this_server")) for f in facts] == [
        ("10.0.10.0", None, None), ("10.0.40.0", 5, None)]
    assert [p.one_line() for p in problems] == [
        "dhcp-b/scope-stats.json (record 1): AddressesFree '-3' of scope 10.0.10.0 is not a count; "
        "expected a whole number ≥ 0",
        "dhcp-b/scope-stats.json (record 1): AddressesFreeOnThisServer 'lots' of scope 10.0.10.0 is not a "
        "count; expected a whole number ≥ 0",
        "dhcp-b/scope-stats.json (record 2): ScopeId 'fe80::1' is not an IPv4 scope id; expected a "
        "Get-DhcpServerv4ScopeStatistics record"]


def test_cmdlet_error_text_is_one_line_quoting_it(parse):
    with pytest.raises(ArtifactError) as info:
        parse("scope-stats/error.txt", "dhcp-b/scope-stats.txt")
    assert info.value.one_line() == (
        "dhcp-b/scope-stats.txt: has no records; expected Get-DhcpServerv4ScopeStatistics -Failover | "
        "Format-List output ('ScopeId : ...' lines); line 1 reads 'Get-DhcpServerv4ScopeStatistics : Failed "
        "to enumerate scopes on DHCP server DHCP-B.'")


def test_empty_output_gives_no_facts(parse_bytes):
    assert parse_bytes(b"", "dhcp-b/scope-stats.txt")[0] == []


def test_each_scope_is_attached_to_the_relationship_that_holds_it_on_the_same_server():
    source = Source("x")
    facts = [Fact("relationship", {"server": "b", "name": "r1", "state": "Normal", "scopes": "10.0.10.0,10.0.20.0"}, source),
             Fact("relationship", {"server": "a", "name": "r2", "state": "Normal", "scopes": "10.0.30.0"}, source),
             Fact("scope_stats", {"server": "b", "scope": "10.0.20.0"}, source),
             Fact("scope_stats", {"server": "b", "scope": "10.0.30.0"}, source)]
    attach_relationships(facts)
    assert [f.get("relationship") for f in facts[2:]] == ["r1", None]
